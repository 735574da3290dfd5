package org.convlens.commands;

import java.util.List;

import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;
import org.scijava.module.MutableModuleItem;
import org.scijava.platform.PlatformService;

import ij.IJ;
import ij.ImagePlus;

/**
 * Dialog plumbing of {@link ConvLensCommand}: what initialisation and a model choice change in
 * the inputs (the image made optional, the normalization label, choice lists filled from the
 * model), and the help button's reference page.
 */
final class CommandChoices {

	private CommandChoices() {}

	/** Sets a String input's choices; an empty value becomes {@code def} (when it is one of them), else the first choice. */
	static void set(ConvLensCommand command, String input, List<String> choices, String def) {
		MutableModuleItem<String> item = command.getInfo().getMutableInput(input, String.class);
		if (item == null) return;
		if (def != null && choices.contains(def)) {
			String v = item.getValue(command);
			if (v == null || v.isEmpty()) item.setValue(command, def);
		}
		if (choices.isEmpty()) return;
		item.setChoices(choices);
		String v = item.getValue(command);
		if (v == null || v.isEmpty()) item.setValue(command, choices.get(0));
	}

	/** After SciJava's initialisation: an image the command does not use is optional; the model's lists are filled. */
	static void initialized(ConvLensCommand command) {
		if (!command.needsImage()) {
			// no dialog or harvester asks for an image the command does not use
			MutableModuleItem<ImagePlus> item = command.getInfo().getMutableInput("image", ImagePlus.class);
			if (item != null) item.setRequired(false);
			command.resolveInput("image");
		}
		command.modelChanged();
	}

	/** A model was chosen: the normalization label names its default, and the command fills its lists ({@code onModel}). */
	static void modelChanged(ConvLensCommand command, ModelInfo info) {
		// SciJava's dialog shows the model's default next to the list (this instance's info only)
		MutableModuleItem<String> n = command.getInfo().getMutableInput("normalization", String.class);
		if (n != null) n.setLabel("Pixel normalization (model default: " + CommandModel.specName(Preprocessing.forModel(info).normalization()) + ")");
		command.onModel(info);
	}

	/** Opens the reference page of {@code command} ({@link IJ1Bridge#helpUrl}) in a browser. */
	static void openHelp(PlatformService platform, Class<?> command, String title, CommandLog log) {
		String url = IJ1Bridge.helpUrl(command);
		try {
			if (platform != null) platform.open(new java.net.URL(url));
			else IJ.runPlugIn("ij.plugin.BrowserLauncher", url);
		}
		catch (java.io.IOException e) {
			log.log(title + ": cannot open " + url + " (" + e.getMessage() + ")");
		}
	}
}
