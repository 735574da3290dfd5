package org.convlens.commands;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.widget.FileWidget;

import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

/**
 * The ImageJ 1.x dialogs of {@link IJ1Bridge}: GenericDialogs built from a command's inputs, in two
 * steps when the model fills choice lists, with advanced options folded, fields greyed out where
 * they do not apply, values remembered per command (and per model for preprocessing and layers),
 * and the values recorded under the input names so recorded lines replay as macros.
 */
final class IJ1Dialogs {

	private IJ1Dialogs() {}

	/**
	 * Asks for the inputs in GenericDialogs: first those with a callback (e.g. the model), whose
	 * callbacks then fill the choice lists shown in the second dialog.
	 *
	 * @return the values by input name, or null when cancelled
	 */
	static Map<String, Object> fromDialog(Module module, String prefsPrefix) {
		initializeChoices(module);
		List<ModuleItem<?>> drivers = new ArrayList<>(), rest = new ArrayList<>();
		boolean dynamic = fillsChoices(module);
		for (ModuleItem<?> item : Inputs.userInputs(module)) {
			boolean driver = dynamic && item.getCallback() != null && !item.getCallback().isEmpty();
			(driver ? drivers : rest).add(item);
		}
		String title = module.getInfo().getTitle();
		Map<String, Object> values = new LinkedHashMap<>();
		if (!drivers.isEmpty()) {
			// a model that cannot be used is reported here, in the first dialog, which is shown again
			String problem = null;
			do {
				if (!ask(title, module, drivers, prefsPrefix, values, rest.isEmpty() ? "" : "(next: the other options)", problem)) return null;
				problem = modelProblem(module, values);
			}
			while (problem != null);
			// recorded once the model is accepted: a dialog shown again would record its keys twice
			if (Recorder.record) record(drivers, values);
			for (ModuleItem<?> item : drivers) {
				try {
					item.callback(module);
				}
				catch (org.scijava.module.MethodCallException e) {
					throw new IllegalArgumentException("Cannot use " + Inputs.key(item) + ": " + e.getMessage(), e);
				}
			}
		}
		if (drivers.isEmpty()) {
			String problem = null;
			do {
				if (!rest.isEmpty() && !ask(title, module, rest, prefsPrefix, values, null, problem)) return null;
				problem = modelProblem(module, values);
			}
			while (problem != null && !rest.isEmpty());
		}
		else if (!rest.isEmpty() && !ask(title, module, rest, prefsPrefix, values, null)) return null;
		if (Recorder.record) record(rest, values);
		return values;
	}

	/**
	 * Runs the inputs' SciJava initializers, as Fiji does before its dialog: they fill the choice
	 * lists that come from enums ({@link ChoiceLists}), which the dialog then offers.
	 */
	static void initializeChoices(Module module) {
		for (ModuleItem<?> item : module.getInfo().inputs()) {
			if (item.getInitializer() == null || item.getInitializer().isEmpty()) continue;
			try {
				item.initialize(module);
			}
			catch (org.scijava.module.MethodCallException e) {
				throw new IllegalStateException("Cannot initialize input " + item.getName() + ": " + e.getMessage(), e);
			}
		}
	}

	/**
	 * Why the model chosen in a dialog cannot be used (one line: what, where, what to do), or null
	 * when it can, or when the dialog had no model field.
	 */
	static String modelProblem(Module module, Map<String, Object> values) {
		if (!values.containsKey("model") || !(module.getDelegateObject() instanceof ConvLensCommand)) return null;
		Object m = values.get("model");
		String p = m == null ? "" : m.toString().trim();
		if (p.isEmpty()) return "Choose a model: a TensorFlow SavedModel folder or a .zip of one.";
		Path path = Paths.get(p);
		if (!path.toFile().exists()) return "No such file or folder: " + p + ". Choose a SavedModel folder or a .zip of one.";
		return ((ConvLensCommand) module.getDelegateObject()).modelProblem(path);
	}

	/**
	 * Whether the module's callbacks may change choice lists, so the dialog must come in two steps:
	 * a ConvLens command that overrides {@code onModel}, or any other command with callbacks.
	 */
	static boolean fillsChoices(Module module) {
		Object o = module.getDelegateObject();
		if (!(o instanceof ConvLensCommand)) return true;
		for (Class<?> c = o.getClass(); c != ConvLensCommand.class; c = c.getSuperclass()) {
			try {
				c.getDeclaredMethod("onModel", org.convlens.model.ModelInfo.class);
				return true;
			}
			catch (NoSuchMethodException e) {
				// look further up
			}
		}
		return false;
	}

	/** Dialog defaults are remembered per command, the model for all commands. */
	static String prefsKey(String prefix, ModuleItem<?> item) {
		return Inputs.key(item).equals("model") ? "convlens.model" : prefix + "." + Inputs.key(item);
	}

	/** Inputs the dialogs remember per model path rather than per command: normalization, preprocessing, layers. */
	static boolean perModel(Module module, ModuleItem<?> item) {
		String k = Inputs.key(item);
		return module.getDelegateObject() instanceof ConvLensCommand && item.getType() == String.class &&
			(k.equals("normalization") || k.equals("preprocessing") || k.equals("layer") || k.equals("layers"));
	}

	/** The model a dialog's defaults are for: the one chosen in an earlier step, else the one the model field will show. */
	private static Path dialogModel(Module module, List<ModuleItem<?>> items, String prefs) {
		String p = null;
		for (ModuleItem<?> item : items) if (Inputs.key(item).equals("model")) p = Prefs.get(prefsKey(prefs, item), Inputs.text(item.getValue(module)));
		if (p == null) {
			Object m = module.getInput("model");
			p = m == null ? null : m.toString();
		}
		return p == null || p.isBlank() ? null : Paths.get(p.trim());
	}

	private static boolean ask(String title, Module module, List<ModuleItem<?>> items, String prefs, Map<String, Object> values, String note) {
		return ask(title, module, items, prefs, values, note, null);
	}

	/**
	 * One dialog for {@code items} (options folded behind "Advanced options" in a second one, see
	 * {@link ConvLensCommand#advancedInputs}). Labels are the inputs' human labels; the caller
	 * records the values under the input names ({@link #record}), so recorded lines replay through
	 * {@link #fromMacro} and read like the documented options.
	 *
	 * @param problem shown in red above the fields (e.g. why the model chosen before cannot be used)
	 */
	private static boolean ask(String title, Module module, List<ModuleItem<?>> items, String prefs, Map<String, Object> values, String note,
		String problem)
	{
		Object cmd = module.getDelegateObject();
		java.util.Set<String> adv = cmd instanceof ConvLensCommand ? ((ConvLensCommand) cmd).advancedInputs() : java.util.Set.of();
		List<ModuleItem<?>> basic = new ArrayList<>(), advanced = new ArrayList<>();
		for (ModuleItem<?> item : items) (adv.contains(Inputs.key(item)) ? advanced : basic).add(item);
		if (advanced.isEmpty() || basic.isEmpty()) return askItems(title, module, items, prefs, values, note, problem, null);
		// basic options first; the advanced ones in a second dialog when asked for, else as last used
		boolean[] more = new boolean[1];
		if (!askItems(title, module, basic, prefs, values, note, problem, more)) return false;
		if (more[0]) return askItems(title + " (advanced options)", module, advanced, prefs, values, null, null, null);
		for (ModuleItem<?> item : advanced) {
			Object v = Inputs.convert(item, Prefs.get(prefsKey(prefs, item), Inputs.text(item.getValue(module))));
			values.put(item.getName(), v);
			module.setInput(item.getName(), v);
		}
		return true;
	}

	/**
	 * One dialog for {@code items}; with {@code advancedBox}, an "Advanced options" check box is added
	 * and its state returned there. Inputs that do not apply to the values chosen (e.g. the neuron
	 * position for objective=filter) are greyed out as the choices change.
	 */
	private static boolean askItems(String title, Module module, List<ModuleItem<?>> items, String prefs, Map<String, Object> values, String note,
		String problem, boolean[] advancedBox)
	{
		GenericDialog gd = new GenericDialog(title);
		Map<String, java.awt.Component> fields = new LinkedHashMap<>();
		if (problem != null) gd.addMessage(problem, null, java.awt.Color.RED);
		ModelMemory memory = ModelMemory.prefs();
		Path shownFor = dialogModel(module, items, prefs);
		Map<String, String> shown = new LinkedHashMap<>();
		for (ModuleItem<?> item : items) {
			String label = label(item);
			String def = Prefs.get(prefsKey(prefs, item), Inputs.text(item.getValue(module)));
			if (problem != null && values.containsKey(item.getName())) def = Inputs.text(values.get(item.getName())); // what was typed
			if (perModel(module, item)) {
				// the value used last with this model, else the command's default (for layers: the model's, set by the callback)
				String remembered = memory.get(shownFor, memoryKey(module, item));
				def = remembered != null ? remembered : Inputs.text(item.getValue(module));
				shown.put(item.getName(), def);
			}
			if (Inputs.key(item).equals("normalization") && module.getDelegateObject() instanceof ConvLensCommand) {
				org.convlens.model.ModelInfo info = ((ConvLensCommand) module.getDelegateObject()).dialogInfo(shownFor);
				if (info != null) label = "Pixel normalization (model default: " + ConvLensCommand.specName(org.convlens.model.Preprocessing.forModel(info).normalization()) + ")";
			}
			Class<?> t = item.getType();
			List<?> choices = item.getChoices();
			if (Inputs.isBoolean(item)) gd.addCheckbox(label, Boolean.parseBoolean(def));
			else if (Inputs.isNumber(t)) gd.addNumericField(label, parse(def), Inputs.isInteger(t) ? 0 : 3);
			else if (Inputs.isFile(item) && Inputs.key(item).equals("model")) addModelField(gd, label, def);
			else if (Inputs.isFile(item) && FileWidget.DIRECTORY_STYLE.equals(item.getWidgetStyle())) gd.addDirectoryField(label, def, 40);
			else if (Inputs.isFile(item)) gd.addFileField(label, def, 40);
			else if (choices != null && !choices.isEmpty()) {
				String[] cs = new String[choices.size()];
				for (int i = 0; i < cs.length; i++) cs[i] = choices.get(i).toString();
				String cur = Inputs.text(item.getValue(module));
				String d = java.util.Arrays.asList(cs).contains(def) ? def : java.util.Arrays.asList(cs).contains(cur) ? cur : cs[0];
				gd.addChoice(label, cs, d);
			}
			else gd.addStringField(label, def, 40);
			fields.put(Inputs.key(item), lastField(gd, item));
		}
		if (advancedBox != null) gd.addCheckbox("Advanced options (in a second dialog)", false);
		if (note != null && !note.isEmpty()) gd.addMessage(note);
		Object cmd = module.getDelegateObject();
		gd.addHelp(IJ1Bridge.helpUrl(cmd == null ? null : cmd.getClass()));
		if (cmd instanceof ConvLensCommand) greyOut(gd, (ConvLensCommand) cmd, module, fields, values);
		// ImageJ would record a field under its label's first word; fromDialog records the input names instead
		boolean recording = Recorder.record;
		Recorder.record = false;
		List<ModuleItem<?>> remembered = new ArrayList<>();
		try {
			gd.showDialog();
			if (gd.wasCanceled()) return false;
			for (ModuleItem<?> item : items) {
				Class<?> t = item.getType();
				List<?> choices = item.getChoices();
				Object v;
				if (Inputs.isBoolean(item)) v = gd.getNextBoolean();
				else if (Inputs.isNumber(t)) v = Inputs.convert(item, Double.toString(gd.getNextNumber()));
				else if (!Inputs.isFile(item) && choices != null && !choices.isEmpty()) v = gd.getNextChoice();
				else v = Inputs.convert(item, gd.getNextString());
				if (perModel(module, item)) remembered.add(item);
				else Prefs.set(prefsKey(prefs, item), Inputs.text(v));
				values.put(item.getName(), v);
				module.setInput(item.getName(), v);
			}
			if (advancedBox != null) advancedBox[0] = gd.getNextBoolean();
		}
		finally {
			Recorder.record = recording;
		}
		Object chosen = values.containsKey("model") ? values.get("model") : module.getInput("model");
		Path model = chosen == null || chosen.toString().isBlank() ? null : Paths.get(chosen.toString().trim());
		// the model changed in this same dialog and the per-model fields were left as shown: they were
		// the old model's, so the new model gets its own remembered values (or the defaults)
		boolean otherModel = model != null && !model.equals(shownFor);
		boolean untouched = true;
		for (ModuleItem<?> item : remembered) untouched &= Inputs.text(values.get(item.getName())).equals(shown.get(item.getName()));
		for (ModuleItem<?> item : remembered) {
			if (otherModel && untouched && !Inputs.key(item).startsWith("layer")) {
				String own = memory.get(model, memoryKey(module, item));
				Object v = Inputs.convert(item, own != null ? own : Inputs.key(item).equals("normalization") ? ConvLensCommand.MODEL_DEFAULT : "");
				values.put(item.getName(), v);
				module.setInput(item.getName(), v);
			}
			memory.put(model, memoryKey(module, item), Inputs.text(values.get(item.getName())));
		}
		return true;
	}

	/**
	 * The key a per-model value is remembered under: the model's preprocessing is the model's whatever the
	 * command, but a layer means something else in each command (a CAM layer, a code layer, ...).
	 */
	static String memoryKey(Module module, ModuleItem<?> item) {
		String k = Inputs.key(item);
		return k.startsWith("layer") ? module.getDelegateObject().getClass().getSimpleName() + "." + k : k;
	}

	/** The component just added to the dialog for {@code item} (null when there is none). */
	private static java.awt.Component lastField(GenericDialog gd, ModuleItem<?> item) {
		java.util.Vector<?> v;
		List<?> choices = item.getChoices();
		if (Inputs.isBoolean(item)) v = gd.getCheckboxes();
		else if (Inputs.isNumber(item.getType())) v = gd.getNumericFields();
		else if (!Inputs.isFile(item) && choices != null && !choices.isEmpty()) v = gd.getChoices();
		else v = gd.getStringFields();
		return v == null || v.isEmpty() ? null : (java.awt.Component) v.lastElement();
	}

	/** Enables the fields that apply to the values chosen so far ({@link ConvLensCommand#applies}), now and on every change. */
	private static void greyOut(GenericDialog gd, ConvLensCommand cmd, Module module, Map<String, java.awt.Component> fields, Map<String, Object> values) {
		java.util.function.Function<String, String> current = k -> {
			java.awt.Component c = fields.get(k);
			if (c instanceof java.awt.Choice) return ((java.awt.Choice) c).getSelectedItem();
			if (c instanceof java.awt.Checkbox) return Boolean.toString(((java.awt.Checkbox) c).getState());
			if (c instanceof java.awt.TextField) return ((java.awt.TextField) c).getText();
			for (Map.Entry<String, Object> e : values.entrySet()) if (e.getKey().equalsIgnoreCase(k)) return Inputs.text(e.getValue());
			Object v = module.getInfo().getInput(k) != null ? module.getInput(k) : null;
			return v == null ? null : Inputs.text(v);
		};
		Runnable update = () -> {
			for (Map.Entry<String, java.awt.Component> e : fields.entrySet()) {
				if (e.getValue() != null) e.getValue().setEnabled(cmd.applies(e.getKey(), current));
			}
		};
		update.run();
		gd.addDialogListener((d, ev) -> {
			update.run();
			return true;
		});
	}

	/** Records the values as ImageJ would, keyed by input name: a check box that is on by its key alone. */
	private static void record(List<ModuleItem<?>> items, Map<String, Object> values) {
		for (ModuleItem<?> item : items) {
			Object v = values.get(item.getName());
			if (Inputs.isBoolean(item)) {
				if (Boolean.TRUE.equals(v)) Recorder.recordOption(Inputs.key(item));
			}
			else {
				String text = Inputs.text(v);
				Recorder.recordOption(Inputs.key(item), text.isEmpty() ? "[]" : text);
			}
		}
	}

	/** A dialog label: the input's label, else its key capitalised. */
	static String label(ModuleItem<?> item) {
		String l = item.getLabel();
		return l == null || l.isBlank() ? Inputs.label(item) : l;
	}

	/**
	 * The model field: a text field with a Browse button that accepts a SavedModel folder or a
	 * {@code .zip} of one (ImageJ's directory field picks folders only).
	 */
	private static void addModelField(GenericDialog gd, String label, String def) {
		gd.addStringField(label, def, 40);
		if (GraphicsEnvironment.isHeadless()) return;
		java.awt.TextField field = (java.awt.TextField) gd.getStringFields().lastElement();
		gd.addButton("Browse for a model (folder or .zip)...", e -> {
			javax.swing.JFileChooser fc = new javax.swing.JFileChooser();
			fc.setFileSelectionMode(javax.swing.JFileChooser.FILES_AND_DIRECTORIES);
			fc.setDialogTitle("Model: a SavedModel folder or a .zip of one");
			fc.setFileFilter(new javax.swing.filechooser.FileNameExtensionFilter("SavedModel folders and .zip files", "zip"));
			java.io.File cur = new java.io.File(field.getText().trim());
			if (cur.exists()) fc.setSelectedFile(cur);
			if (fc.showOpenDialog(gd) == javax.swing.JFileChooser.APPROVE_OPTION) field.setText(fc.getSelectedFile().getPath());
		});
	}

	private static double parse(String s) {
		try {
			return Double.parseDouble(s);
		}
		catch (NumberFormatException e) {
			return 0;
		}
	}
}
