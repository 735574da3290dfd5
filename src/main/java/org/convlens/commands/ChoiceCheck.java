package org.convlens.commands;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

/**
 * Batch's check of the values of choice inputs before any model or image is touched: a value the
 * dialog would not offer is wrong usage (exit 2), one line, not one failure per image after the run.
 * The lists are those the commands' SciJava initializers set (from the enums that parse them); an
 * input also takes what its command says its parser takes beyond the list
 * ({@link ConvLensCommand#setChoices(String, List, java.util.function.Predicate)}: aliases such as
 * {@code [0,1]}, a LUT of Fiji's luts folder, a heatmap method's other spellings).
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
		ConvLensCommand command = module.getDelegateObject() instanceof ConvLensCommand ? (ConvLensCommand) module.getDelegateObject() : null;
		for (ModuleItem<?> item : Inputs.userInputs(module)) {
			String value = opts.get(Inputs.key(item));
			if (value == null || item.getType() != String.class || item.getChoices() == null || item.getChoices().isEmpty()) continue;
			List<String> choices = new java.util.ArrayList<>();
			for (Object c : item.getChoices()) choices.add(String.valueOf(c));
			String canonical = null;
			for (String c : choices) if (key(c).equals(key(value))) canonical = c;
			// the command compares some values literally ("model default", "per-kernel"): pass the list's spelling on
			if (canonical != null) opts.put(Inputs.key(item), canonical);
			else if (!value.isBlank() && !(command != null && command.alsoAccepts(item.getName(), value))) {
				throw new UsageException("Option '" + Inputs.key(item) + "': unknown value '" + value + "'; use one of " + String.join(", ", choices) + ".");
			}
		}
	}

	/** The spelling-free key the enums' parsers compare: lower case, {@code ++} as "plusplus", letters and digits only. */
	static String key(String s) {
		return s.toLowerCase(Locale.ROOT).replace("++", "plusplus").replaceAll("[^a-z0-9]", "");
	}
}
