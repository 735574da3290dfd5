package org.convlens.commands;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.imagej.HeatmapDisplay;
import org.convlens.model.Preprocessing;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

/**
 * Batch's check of the values of choice inputs before any model or image is touched: a value the
 * dialog would not offer is wrong usage (exit 2), one line, not one failure per image after the run.
 * The lists are those the commands' SciJava initializers set (from the enums that parse them); a few
 * inputs also take what their parser takes beyond the list (aliases such as {@code [0,1]}, a LUT of
 * Fiji's luts folder, a heatmap method's other spellings).
 */
final class ChoiceCheck {

	private ChoiceCheck() {}

	/**
	 * Checks every choice option of {@code opts}, and replaces a value that names a choice in another spelling
	 * ({@code model-default}, {@code perKernel}) by the list's own spelling, which the command expects.
	 *
	 * @throws UsageException naming the option, the value and the accepted values
	 */
	static void check(Module module, Map<String, String> opts) {
		IJ1Dialogs.initializeChoices(module);
		for (ModuleItem<?> item : Inputs.userInputs(module)) {
			String value = opts.get(Inputs.key(item));
			if (value == null || item.getType() != String.class || item.getChoices() == null || item.getChoices().isEmpty()) continue;
			List<String> choices = new java.util.ArrayList<>();
			for (Object c : item.getChoices()) choices.add(String.valueOf(c));
			String canonical = null;
			for (String c : choices) if (key(c).equals(key(value))) canonical = c;
			// the command compares some values literally ("model default", "per-kernel"): pass the list's spelling on
			if (canonical != null) opts.put(Inputs.key(item), canonical);
			else if (!value.isBlank() && !accepted(item.getName(), value, choices)) {
				throw new UsageException("Option '" + Inputs.key(item) + "': unknown value '" + value + "'; use one of " + String.join(", ", choices) + ".");
			}
		}
	}

	private static boolean accepted(String name, String value, List<String> choices) {
		try {
			switch (name) {
				case "normalization": Preprocessing.normalizationOf(value); return true;
				case "lut": HeatmapDisplay.lut(value); return true;
				case "method":
					if (choices.equals(HeatmapMethods.SALIENCY)) HeatmapMethods.saliency(value);
					else if (choices.equals(HeatmapMethods.all())) HeatmapMethods.parse(value);
					else return false; // the CAM methods' and t-SNE's spellings are their keys
					return true;
				case "score": return choices.equals(ChoiceLists.SCORES) && List.of("output", "logit").contains(value.trim().toLowerCase(Locale.ROOT));
				default: return false;
			}
		}
		catch (RuntimeException e) {
			return false;
		}
	}

	/** The spelling-free key the enums' parsers compare: lower case, {@code ++} as "plusplus", letters and digits only. */
	static String key(String s) {
		return s.toLowerCase(Locale.ROOT).replace("++", "plusplus").replaceAll("[^a-z0-9]", "");
	}
}
