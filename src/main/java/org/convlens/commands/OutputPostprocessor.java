package org.convlens.commands;

import org.convlens.imagej.Outputs;
import org.convlens.imagej.Titles;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPostprocessorPlugin;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * Shows the image and table outputs of ConvLens commands the ImageJ 1.x way (windows, tables
 * titled by the output's label) and marks them handled, so that no other display postprocessor
 * shows them again. Does nothing when display is off ({@link Outputs#display()}).
 */
@Plugin(type = PostprocessorPlugin.class, priority = org.scijava.Priority.HIGH)
public class OutputPostprocessor extends AbstractPostprocessorPlugin {

	/**
	 * A table's title in the windows' style: the image (or, for commands without one, the model),
	 * what the table holds, and the layer when the command has one, e.g. {@code chelsea-Predictions}
	 * or {@code chelsea-FilterStatistics-conv2d_1}; made unique when shown.
	 */
	static String tableTitle(Module module, String what) {
		Object img = module.getInput("image");
		String source = null;
		if (img instanceof ImagePlus && ConvLensCommand.needsImage(module)) source = ((ImagePlus) img).getTitle();
		else if (module.getInput("model") instanceof java.io.File) source = ((java.io.File) module.getInput("model")).getName();
		Object layer = module.getInfo().getInput("layer") != null ? module.getInput("layer") : null;
		return Titles.of(source, what, layer == null ? null : layer.toString());
	}

	@Override
	public void process(Module module) {
		if (!(module.getDelegateObject() instanceof ConvLensCommand)) return;
		boolean show = Outputs.display();
		for (ModuleItem<?> item : module.getInfo().outputs()) {
			Object v = item.getValue(module);
			if (v == null) {
				module.resolveOutput(item.getName());
			}
			else if (v instanceof ImagePlus || v instanceof ResultsTable) {
				if (show) Outputs.show(v, tableTitle(module, item.getLabel() == null || item.getLabel().isEmpty() ? item.getName() : item.getLabel()));
				module.resolveOutput(item.getName());
			}
		}
	}
}
