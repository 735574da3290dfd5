package org.convlens.commands;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Progress;
import org.convlens.imagej.Gui;
import org.convlens.imagej.IJProgress;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelLease;
import org.convlens.model.ModelService;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.command.DynamicCommand;
import org.scijava.module.MutableModuleItem;
import org.scijava.plugin.Parameter;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;

/**
 * Base of every ConvLens command: the image, model and preprocessing inputs, error reporting
 * (an ImageJ error dialog when a person is watching, an exception otherwise), progress, and
 * layer choice lists that follow the chosen model. See the package documentation for how to add
 * a command.
 *
 * <p>Input names are lower-case single words: they are the keys of ImageJ 1.x macro options
 * ({@code run("Show Activations...", "model=[...] layer=conv2d_1")}) and of {@link Batch}.
 */
public abstract class ConvLensCommand extends DynamicCommand {

	@Parameter(label = "Input image", description = "The image to analyse (the current image)")
	protected ImagePlus image;

	@Parameter(label = "Model (SavedModel folder or .zip)", style = "directory", callback = "modelChanged", persist = true,
		description = "TensorFlow SavedModel folder (or .zip)")
	protected File model;

	/** The normalization list's first entry: whatever the model's default is. */
	public static final String MODEL_DEFAULT = "model default";

	@Parameter(label = "Pixel normalization", required = false, persist = false,
		choices = { MODEL_DEFAULT, "none", "type-range", "symmetric", "mean-std", "percentile", "l2-columns" },
		description = "How pixel values are scaled: 'model default' follows the model (its preprocessing.txt; raw pixels when its graph " +
			"rescales its input, e.g. a Keras Rescaling layer; else divided by the type's maximum); none = raw pixels, type-range = [0, 1], " +
			"symmetric = [-1, 1], mean-std (set mean= std= below), percentile (low= high=), l2-columns. A normalization in the preprocessing text wins.")
	protected String normalization = MODEL_DEFAULT;

	@Parameter(label = "More preprocessing (key=value ...)", required = false,
		description = "Other preprocessing keys, e.g. 'channel=2 resize=false', 'low=1 high=99.8', 'mean=0.5 std=0.2' (a normalization= here overrides the list); empty = the model's defaults")
	protected String preprocessing = "";

	@Parameter
	protected ModelService modelService;

	/** SciJava's dialog (Fiji) shows this as a button; ImageJ 1.x dialogs have their own Help button. Never a macro key. */
	@Parameter(label = "Open the reference page", callback = "openHelp", persist = false, required = false,
		description = "Opens this command's page of the ConvLens documentation in a browser")
	private org.scijava.widget.Button help;

	@Parameter(required = false)
	private org.scijava.platform.PlatformService platform;

	/** Callback of the help button: the command's reference page ({@link IJ1Bridge#helpUrl}). */
	protected void openHelp() {
		String url = IJ1Bridge.helpUrl(getClass());
		try {
			if (platform != null) platform.open(new java.net.URL(url));
			else IJ.runPlugIn("ij.plugin.BrowserLauncher", url);
		}
		catch (java.io.IOException e) {
			IJ.log(getInfo().getTitle() + ": cannot open " + url + " (" + e.getMessage() + ")");
		}
	}

	private IJProgress progress;
	/** The model this run uses, leased from the first {@link #convModel()} to the end of {@link #run()}. */
	private ModelLease lease;

	/** What the run made, for its last status line (null: "<title>: done"). */
	private String summary;

	/**
	 * Names what this run made for the last status line, e.g. "Grad-CAM: 3 maps"; the time is
	 * added ("Grad-CAM: 3 maps in 0.8 s").
	 */
	protected void summary(String what) {
		summary = what;
	}

	/** The command's work; throw {@link IllegalArgumentException} or {@link ModelException} with a message a user can act on. */
	protected abstract void execute();

	@Override
	public final void run() {
		progress = new IJProgress(getInfo().getTitle());
		summary = null;
		try {
			// values can also come from SciJava's own dialogs or scripts: one range check for all routes
			Inputs.checkAll(this);
			execute();
			progress.finish(summary);
		}
		catch (CancelledException e) {
			cancel(e.getMessage());
			IJProgress.status(getInfo().getTitle() + ": cancelled");
		}
		catch (RuntimeException e) {
			// the trace stays available to whoever turns the log to debug level
			debugTrace(e);
			if (!Gui.interactive()) {
				// a user error under CommandRunner: handed to the caller after the module finishes, so
				// SciJava's runner does not log it as "Command errored" with a stack trace first
				if (CommandRunner.active() && isUserError(e)) {
					failure = e;
					cancel(message(e));
					return;
				}
				throw e;
			}
			String msg = message(e);
			Gui.error(msg);
			cancel(msg);
		}
		catch (OutOfMemoryError e) {
			if (!Gui.interactive()) throw e;
			String msg = Batch.failureText(e, image);
			Gui.error(msg);
			cancel(msg);
		}
		finally {
			if (lease != null) lease.close();
			lease = null;
			progress.done();
		}
	}

	private void debugTrace(Throwable e) {
		try {
			org.scijava.Context c = getContext();
			if (c != null) c.service(org.scijava.log.LogService.class).debug(getInfo().getTitle() + ": " + e, e);
		}
		catch (RuntimeException ignored) {
			// no log: the message is still shown
		}
	}

	/** A user error the last run ended with (see {@link #run()}), or null. */
	RuntimeException failure() {
		return failure;
	}

	private RuntimeException failure;

	/** Ours: a message a person can act on, no trace needed. */
	static boolean isUserError(Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			if (t instanceof ModelException || t instanceof IllegalArgumentException || t instanceof CancelledException) return true;
		}
		return false;
	}

	/** The message to show a user for an exception: ours carry one; others get their type. */
	public static String message(Throwable e) {
		Throwable t = e;
		while (t.getCause() != null && !(t instanceof ModelException || t instanceof IllegalArgumentException ||
			t instanceof CancelledException)) t = t.getCause();
		if (t instanceof ModelException || t instanceof IllegalArgumentException || t instanceof CancelledException) return t.getMessage();
		return "Unexpected error: " + e;
	}

	/**
	 * Whether the command works on the current image. Commands that only look at the model (filter
	 * patterns, kernels) return false: their image input is then optional and never asked for, and
	 * {@link IJ1Bridge} and {@link Batch} run them without an open image or an input file. Dataset
	 * commands return false too: their image input is used only when the dataset is the open stack,
	 * and Batch gives them the input folder or list instead.
	 */
	protected boolean needsImage() {
		return true;
	}

	/** Whether a module's command needs an image (true for commands that are not ConvLens commands). */
	static boolean needsImage(org.scijava.module.Module module) {
		Object o = module.getDelegateObject();
		return !(o instanceof ConvLensCommand) || ((ConvLensCommand) o).needsImage();
	}

	/** The image input, or the current image when the input was not filled (plain ImageJ 1.x). */
	protected ImagePlus image() {
		if (ImageInput.isBlank(image)) image = WindowManager.getCurrentImage();
		return ImageInput.require(image);
	}

	/**
	 * The chosen model, from the shared cache (do not close it): the same model for the whole run,
	 * even if its files change meanwhile.
	 */
	protected ConvModel convModel() {
		if (model == null || model.getPath().isEmpty()) throw new IllegalArgumentException("No model chosen (option 'model').");
		if (lease == null) {
			lease = modelService.acquire(model.toPath());
			// e.g. a labels file that was ignored: the outputs then say "class k"
			for (String w : lease.model().info().warnings()) IJ.log(getInfo().getTitle() + ": warning: " + w);
		}
		return lease.model();
	}

	/** The model's default preprocessing with this command's overrides applied. */
	protected Preprocessing prep(ModelInfo info) {
		String base = Preprocessing.forModel(info).toString();
		String spec = joinSpec(normalization, preprocessing);
		if (info.inGraphScaling() != null && !normalizationGiven(spec) && info.path() != null &&
			SCALING_LOGGED.add(info.path().toString()))
		{
			ij.IJ.log("ConvLens: " + info.path().getFileName() + ": " + Preprocessing.defaultReason(info) + ".");
		}
		return spec.isEmpty() ? Preprocessing.parse(base) : Preprocessing.parse(base + " " + spec);
	}

	/**
	 * The preprocessing text of a normalization choice and the other keys: {@code
	 * normalization=<choice> <rest>}, or just the rest for {@link #MODEL_DEFAULT} (a normalization in
	 * the rest wins, coming later).
	 */
	static String joinSpec(String normalization, String rest) {
		String r = rest == null ? "" : rest.trim();
		if (normalization == null || normalization.isBlank() || MODEL_DEFAULT.equals(normalization.trim())) return r;
		return ("normalization=" + normalization.trim() + " " + r).trim();
	}

	/** A normalization's name in specs and in the list, e.g. {@code type-range}. */
	static String specName(Preprocessing.Normalization n) {
		return n.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}

	/** Models whose in-graph scaling was already reported in the Log (once per model and session). */
	private static final java.util.Set<String> SCALING_LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

	private static boolean normalizationGiven(String spec) {
		return spec != null && spec.toLowerCase(java.util.Locale.ROOT).contains("normali");
	}

	/** The model info and preprocessing of this command's model (for Batch's run summary). */
	ModelInfo runInfo() {
		return convModel().info();
	}

	/**
	 * A batch size that fits the free Java heap: {@code requested}, or fewer items when each needs
	 * {@code valuesPerItem} floats a few times over (the batch, its copy into TensorFlow, masked or
	 * fetched copies) and half the free heap cannot hold that many. A cap is stated in the Log.
	 */
	protected int cappedBatch(int requested, long valuesPerItem, String what) {
		int n = fittingBatch(requested, valuesPerItem);
		if (n < requested) {
			IJ.log(getInfo().getTitle() + ": " + what + " batch capped from " + requested + " to " + n + " items to fit the free memory (about " +
				(freeHeap() >> 20) + " MB free; " + (bytesPerItem(valuesPerItem) >> 10) + " KB per item).");
		}
		return n;
	}

	/** {@link #cappedBatch} without the Log line. */
	static int fittingBatch(int requested, long valuesPerItem) {
		long fit = Math.max(1, freeHeap() / 2 / bytesPerItem(valuesPerItem));
		return (int) Math.min(requested, fit);
	}

	private static long bytesPerItem(long values) {
		return Math.max(1, values) * Float.BYTES * 4;
	}

	/** Heap that can still be allocated. */
	static long freeHeap() {
		Runtime rt = Runtime.getRuntime();
		return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
	}

	/** Progress on ImageJ's bar; Esc cancels. */
	protected Progress progress() {
		return progress == null ? Progress.NONE : progress;
	}

	/**
	 * A spatial layer by name, or the first spatial layer for an empty name.
	 *
	 * @throws ModelException naming the choices when the model has none or the name is unknown
	 */
	protected static LayerInfo spatialLayer(ModelInfo info, String name) {
		List<LayerInfo> spatial = info.spatialLayers();
		if (spatial.isEmpty()) throw new ModelException("The model has no spatial (feature-map) layer, so there is nothing to show as images. Its layers are: " + info.layerNames());
		if (name == null || name.isBlank()) return spatial.get(0);
		LayerInfo l = info.layer(name);
		if (l.kind() != LayerKind.SPATIAL) {
			throw new ModelException("Layer '" + name + "' is not a feature map (shape " + java.util.Arrays.toString(l.shape()) +
				"). Spatial layers: " + names(spatial));
		}
		return l;
	}

	/**
	 * Layer names, those matching {@code first} before the others, each group in the model's order.
	 * Every layer list follows one rule: the command's default first, then the model's order
	 * (input to output); see also {@link ModelInfo#camLayerChoices()} and {@link #defaultFirst}.
	 */
	protected static List<String> layerChoices(ModelInfo info, Predicate<LayerInfo> include, Predicate<LayerInfo> first) {
		List<String> a = new ArrayList<>(), b = new ArrayList<>();
		for (LayerInfo l : info.layers()) {
			if (!include.test(l)) continue;
			(first.test(l) ? a : b).add(l.name());
		}
		a.addAll(b);
		return a;
	}

	/** {@code names} with {@code def} moved to the front (unchanged when {@code def} is not among them). */
	protected static List<String> defaultFirst(List<String> names, String def) {
		if (def == null || !names.contains(def)) return names;
		List<String> out = new ArrayList<>(names.size());
		out.add(def);
		for (String n : names) if (!n.equals(def)) out.add(n);
		return out;
	}

	private static List<String> names(List<LayerInfo> ls) {
		List<String> n = new ArrayList<>();
		for (LayerInfo l : ls) n.add(l.name());
		return n;
	}

	@Override
	public void initialize() {
		try {
			super.initialize();
		}
		catch (org.scijava.module.MethodCallException e) {
			throw new IllegalStateException(e);
		}
		if (!needsImage()) {
			// no dialog or harvester asks for an image the command does not use
			MutableModuleItem<ImagePlus> item = getInfo().getMutableInput("image", ImagePlus.class);
			if (item != null) item.setRequired(false);
			resolveInput("image");
		}
		modelChanged();
	}

	/** The info of the model at {@code path} from the shared cache, or null when it cannot be loaded (dialogs). */
	ModelInfo dialogInfo(java.nio.file.Path path) {
		if (path == null || modelService == null || !path.toFile().exists()) return null;
		try {
			return modelService.get(path).info();
		}
		catch (RuntimeException e) {
			return null; // reported when the command runs
		}
	}

	/** Why the model at {@code path} cannot be loaded (the loader's message), or null when it can (dialogs). */
	String modelProblem(java.nio.file.Path path) {
		if (modelService == null) return null;
		try {
			modelService.get(path).info();
			return null;
		}
		catch (RuntimeException e) {
			return "Cannot use the model " + path + ": " + message(e);
		}
	}

	/** Callback of the model input: loads the model (errors are reported when the command runs) and calls {@link #onModel}. */
	protected void modelChanged() {
		if (model == null || modelService == null || model.getPath().isEmpty() || !model.exists()) return;
		try (ModelLease l = modelService.acquire(model.toPath())) {
			ModelInfo info = l.model().info();
			// SciJava's dialog shows the model's default next to the list (this instance's info only)
			org.scijava.module.MutableModuleItem<String> n = getInfo().getMutableInput("normalization", String.class);
			if (n != null) n.setLabel("Pixel normalization (model default: " + specName(Preprocessing.forModel(info).normalization()) + ")");
			onModel(info);
		}
		catch (RuntimeException e) {
			// an unreadable model is reported when the command runs
		}
	}

	/**
	 * Inputs (by key) that the ImageJ 1.x dialog folds behind "Advanced options": asked in a second
	 * dialog only when that box is ticked, else left as last used. None by default.
	 */
	protected java.util.Set<String> advancedInputs() {
		return java.util.Set.of();
	}

	/**
	 * Whether input {@code key} applies when the other inputs have the values {@code value} gives
	 * (by key; null when unknown). Dialogs grey out the inputs that do not apply. All apply by default.
	 */
	protected boolean applies(String key, java.util.function.Function<String, String> value) {
		return true;
	}

	/** Override to fill choice lists from the chosen model, e.g. with {@link #setChoices}. */
	protected void onModel(ModelInfo info) {}

	/** Sets a String input's choices; an empty value becomes the first choice. */
	protected void setChoices(String input, List<String> choices) {
		MutableModuleItem<String> item = getInfo().getMutableInput(input, String.class);
		if (item == null || choices.isEmpty()) return;
		item.setChoices(choices);
		String v = item.getValue(this);
		if (v == null || v.isEmpty()) item.setValue(this, choices.get(0));
	}

	/** Sets a String input's choices; an empty value becomes {@code def} (when it is one of them). */
	protected void setChoices(String input, List<String> choices, String def) {
		MutableModuleItem<String> item = getInfo().getMutableInput(input, String.class);
		if (item != null && def != null && choices.contains(def)) {
			String v = item.getValue(this);
			if (v == null || v.isEmpty()) item.setValue(this, def);
		}
		setChoices(input, choices);
	}

	/**
	 * The top-{@code k} predictions table for a batch made from {@code positions} of the image; pass
	 * the class-output values ({@link ConvModel#OUTPUT}) if they were already fetched, else null.
	 */
	protected ResultsTable predictionTable(ConvModel m, NdArray batch, NdArray output, List<ImageInput.Position> positions, int k) {
		NdArray out = output != null ? output : org.convlens.explain.core.BatchRunner.run(m, batch, List.of(ConvModel.OUTPUT),
			org.convlens.explain.core.BatchRunner.DEFAULT_CHUNK, Progress.NONE).get(ConvModel.OUTPUT);
		List<String> labels = new ArrayList<>();
		if (out.rank() == 2 && out.dim(0) > 1) {
			org.convlens.explain.dataset.SameClassCheck same = new org.convlens.explain.dataset.SameClassCheck();
			same.addScores(out.data(), out.dim(0));
			String w = same.warning(m.info(), prep(m.info()));
			if (w != null) ij.IJ.log("ConvLens " + getInfo().getTitle() + ": WARNING: " + w);
		}
		ImagePlus imp = image();
		boolean many = imp.getNSlices() * imp.getNFrames() > 1;
		for (ImageInput.Position p : positions) labels.add(imp.getTitle() + (many ? " " + p : ""));
		return Tables.predictions(m.info(), out, labels, k);
	}
}
