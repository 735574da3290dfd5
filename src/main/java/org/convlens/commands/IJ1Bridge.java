package org.convlens.commands;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.imagej.Gui;
import org.convlens.imagej.Outputs;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.plugin.PlugIn;

/**
 * Runs any ConvLens SciJava command from ImageJ 1.x: menus (plugins.config), macros and the
 * macro recorder, with or without Fiji. {@code arg} is the command's class name:
 * <pre>Plugins>ConvLens, "Show Activations...", org.convlens.commands.IJ1Bridge("org.convlens.commands.ShowActivations")</pre>
 *
 * <p>From a macro the inputs come from the options string, keyed by input name
 * ({@code model=[/path] layer=conv2d_1 montage}); check boxes follow ImageJ's rule (present =
 * true, absent = false; {@code key=false} also works). This path never opens a dialog, so it works
 * with {@code java.awt.headless=true}. The extra option {@code save=[/dir]} writes the outputs
 * there (TIFF/PNG/CSV) instead of showing them. Without options, a GenericDialog ({@link IJ1Dialogs})
 * asks for the inputs, in two steps when some inputs (layer lists) depend on others (the model); ImageJ
 * records it as a replayable {@code run(...)} line. Outputs are shown; in a headless macro,
 * images become batch-mode images.
 */
public class IJ1Bridge implements PlugIn {

	@Override
	public void run(String arg) {
		String options = Macro.getOptions();
		try {
			runCommand(arg, options);
		}
		catch (CommandCancelledException e) {
			IJ.showStatus(e.getMessage());
		}
		catch (RuntimeException e) {
			String msg = ConvLensCommand.message(e);
			if (Gui.interactive()) IJ.error("ConvLens", msg);
			else throw new IllegalArgumentException(msg, e);
		}
		catch (OutOfMemoryError e) {
			// one clear message instead of a trace; the memory held by the failed run is free again here
			String msg = Batch.failureText(e, WindowManager.getCurrentImage());
			if (Gui.interactive()) IJ.error("ConvLens", msg);
			else throw new IllegalArgumentException(msg, e);
		}
	}

	/**
	 * Runs a command with inputs from macro options (or, when {@code options} is null, a dialog).
	 *
	 * @return the outputs by name, or null when the dialog was cancelled
	 */
	public static Map<String, Object> runCommand(String className, String options) {
		Class<? extends Command> cls = commandClass(className);
		Context ctx = Contexts.get();
		Module module = CommandRunner.create(ctx, cls);
		Map<String, Object> inputs = new LinkedHashMap<>();
		ImagePlus imp = null;
		boolean needsImage = ConvLensCommand.needsImage(module);
		for (ModuleItem<?> item : module.getInfo().inputs()) {
			if (!Inputs.isImage(item)) continue;
			imp = WindowManager.getCurrentImage();
			// commands without an image ignore it; dataset commands use it only as "the open stack"
			if (imp == null && !needsImage) continue;
			if (imp == null) throw new IllegalArgumentException("No image is open.");
			inputs.put(item.getName(), imp);
			module.setInput(item.getName(), imp);
		}
		String save = null;
		if (options != null) {
			inputs.putAll(fromMacro(module, options));
			save = Macro.getValue(options, "save", null);
		}
		else {
			if (GraphicsEnvironment.isHeadless()) {
				throw new IllegalArgumentException("Running headless: give the options in the macro, e.g. run(\"" +
					menuLabel(module) + "\", \"" + example(module) + "\");");
			}
			Map<String, Object> d = IJ1Dialogs.fromDialog(module, "convlens." + cls.getSimpleName());
			if (d == null) return null;
			inputs.putAll(d);
		}
		Map<String, Object> outs = CommandRunner.run(ctx, module, inputs, save == null);
		if (save != null) {
			Path dir = Paths.get(save);
			// outputs of commands without an image are named after the model, or the command for datasets
			String base = imp != null && needsImage ? imp.getTitle()
				: module.getDelegateObject() instanceof DatasetCommand ? cls.getSimpleName() : Batch.baseName(module, inputs.get("model"));
			try {
				for (Map.Entry<String, Object> e : outs.entrySet()) {
					if (e.getValue() == null) continue;
					// a macro re-run into its folder is normal: replacing is said, not refused (Batch refuses)
					for (Path t : Outputs.targets(e.getValue(), dir, Outputs.safe(base) + "_" + Outputs.safe(e.getKey()))) {
						if (java.nio.file.Files.exists(t)) IJ.log("ConvLens: replacing " + t);
					}
					Outputs.save(e.getValue(), dir, base, e.getKey());
				}
			}
			catch (IOException e) {
				throw new IllegalArgumentException("Cannot save to " + dir + ": " + e.getMessage(), e);
			}
		}
		return outs;
	}

	/** The command's menu item as macros name it, e.g. {@code Show Activations...} (the title when it has no menu path). */
	static String menuLabel(Module module) {
		org.scijava.MenuPath mp = module.getInfo().getMenuPath();
		return mp == null || mp.isEmpty() ? module.getInfo().getTitle() : mp.getLeaf().getName();
	}

	@SuppressWarnings("unchecked")
	static Class<? extends Command> commandClass(String className) {
		if (className == null || className.isBlank()) throw new IllegalArgumentException("IJ1Bridge needs a command class name as its argument (see plugins.config).");
		try {
			Class<?> c = Class.forName(className.trim(), true, IJ1Bridge.class.getClassLoader());
			if (!Command.class.isAssignableFrom(c)) throw new IllegalArgumentException(className + " is not a SciJava command.");
			return (Class<? extends Command>) c;
		}
		catch (ClassNotFoundException e) {
			throw new IllegalArgumentException("Command class not found: " + className, e);
		}
	}

	/** Inputs from macro options; unknown keys are an error, so typos do not pass silently. */
	static Map<String, Object> fromMacro(Module module, String options) {
		List<ModuleItem<?>> items = Inputs.userInputs(module);
		List<String> known = new ArrayList<>();
		for (ModuleItem<?> item : items) known.add(Inputs.key(item));
		java.util.Set<String> seen = new java.util.HashSet<>();
		for (String k : optionKeys(options)) {
			// ImageJ would silently take the first of two values
			if (!seen.add(k)) throw new UsageException("Option '" + k + "' is given twice for " + module.getInfo().getTitle() + ".");
			if (!known.contains(k) && !k.equals("save")) {
				throw new UsageException("Unknown option '" + k + "' for " + module.getInfo().getTitle() + "; its options are: " +
					String.join(", ", known) + " (and save=[folder]).");
			}
		}
		Map<String, Object> in = new LinkedHashMap<>();
		List<String> present = optionKeys(options);
		for (ModuleItem<?> item : items) {
			String key = Inputs.key(item);
			if (Inputs.isBoolean(item)) {
				// ImageJ 1.x: a check box is recorded by its key alone when on, left out when off
				String v = Macro.getValue(options, key, null);
				in.put(item.getName(), v != null ? Inputs.convert(item, v) : present.contains(key));
				continue;
			}
			// only a key of its own: Macro.getValue also finds "normalization=" inside preprocessing=[...]
			String v = present.contains(key) ? Macro.getValue(options, key, null) : null;
			if (v != null) in.put(item.getName(), Inputs.convert(item, v));
		}
		return in;
	}

	/** The keys of an ImageJ macro options string: {@code key=value}, {@code key=[a b]}, bare words. */
	static List<String> optionKeys(String options) {
		List<String> keys = new ArrayList<>();
		int i = 0, n = options.length();
		while (i < n) {
			while (i < n && options.charAt(i) == ' ') i++;
			int start = i;
			while (i < n && options.charAt(i) != ' ' && options.charAt(i) != '=') i++;
			if (i > start) keys.add(options.substring(start, i).toLowerCase(java.util.Locale.ROOT));
			if (i < n && options.charAt(i) == '=') {
				i++;
				if (i < n && options.charAt(i) == '[') {
					int depth = 0;
					for (; i < n; i++) {
						if (options.charAt(i) == '[') depth++;
						else if (options.charAt(i) == ']' && --depth == 0) break;
					}
					i++;
				}
				else if (i < n && options.charAt(i) == '\'') {
					int j = options.indexOf('\'', i + 1);
					i = j < 0 ? n : j + 1;
				}
				else {
					while (i < n && options.charAt(i) != ' ') i++;
				}
			}
		}
		return keys;
	}

	/** A sample options string for messages. */
	static String example(Module module) {
		StringBuilder sb = new StringBuilder();
		for (ModuleItem<?> item : Inputs.userInputs(module)) {
			if (Inputs.isBoolean(item)) continue;
			sb.append(sb.length() == 0 ? "" : " ").append(Inputs.key(item)).append("=[...]");
		}
		return sb.toString();
	}

	/** {@link IJ1Dialogs#fromDialog}. */
	static Map<String, Object> fromDialog(Module module, String prefsPrefix) {
		return IJ1Dialogs.fromDialog(module, prefsPrefix);
	}

	/** {@link IJ1Dialogs#memoryKey}. */
	static String memoryKey(Module module, ModuleItem<?> item) {
		return IJ1Dialogs.memoryKey(module, item);
	}

	/** Base of the reference pages that the dialogs' Help buttons open. */
	static final String DOCS = "https://github.com/convlens/convlens/blob/main/docs/";

	/** The reference page of a command (the docs/ page of its group), or the docs folder. */
	static String helpUrl(Class<?> command) {
		String n = command == null ? "" : command.getSimpleName();
		switch (n) {
			case "ShowActivations": case "AllLayersOverview": case "ShowPredictions": return DOCS + "activations.md";
			case "ClassActivationMap": return DOCS + "cam.md";
			case "ShowFilterPatterns": case "FirstLayerWeights": return DOCS + "patterns.md";
			case "MaxActivatingImages": return DOCS + "datasets.md#max-activating-images";
			case "CnnCodesExport": return DOCS + "datasets.md#cnn-codes";
			case "EmbeddingMap": return DOCS + "datasets.md#embedding-map";
			case "OcclusionMap": return DOCS + "attribution.md#occlusion-map";
			case "SaliencyMap": return DOCS + "attribution.md#saliency-map";
			case "HeatmapFaithfulness": return DOCS + "attribution.md#heatmap-faithfulness";
			default: return DOCS;
		}
	}
}
