package org.convlens.commands;

import java.io.File;
import java.util.List;
import java.util.function.Predicate;

import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Progress;
import org.convlens.imagej.Gui;
import org.convlens.imagej.IJProgress;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelService;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.command.DynamicCommand;
import org.scijava.module.MutableModuleItem;
import org.scijava.plugin.Parameter;

import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;

/**
 * Base of every ConvLens command: the image, model and preprocessing inputs and the run around
 * {@link #execute()}. Progress goes to ImageJ's bar and SciJava's StatusService, Log lines to
 * ImageJ's Log and SciJava's LogService, and Esc or a SciJava {@code cancel} stops the explain
 * loops. Helpers hold the rest: {@link CommandErrors} (dialog or exception), {@link CommandModel}
 * (the leased model and preprocessing), {@link LayerChoices}, {@link CommandChoices} (dialog
 * lists, help page), {@link BatchMemory}, {@link PredictionTable}. See the package documentation
 * for how to add a command.
 *
 * <p>Input names are lower-case single words: they are the keys of ImageJ 1.x macro options
 * ({@code run("Show Activations...", "model=[...] layer=conv2d_1")}) and of {@link Batch}.
 */
public abstract class ConvLensCommand extends DynamicCommand {

	@Parameter(label = "Input image", description = "The image to analyse (the current image)")
	protected ImagePlus image;

	@Parameter(label = "Model (SavedModel folder or .zip)", style = org.scijava.widget.FileWidget.DIRECTORY_STYLE, callback = "modelChanged", persist = true,
		description = "TensorFlow SavedModel folder (or .zip)")
	protected File model;

	/** The image whose pixel-range warning ({@link Provenance#rangeNote}) was logged: once per image, not per call of {@link #prep}. */
	private ImagePlus rangeNoted;

	/** The normalization list's first entry: whatever the model's default is. */
	public static final String MODEL_DEFAULT = "model default";

	/** Per input, the values its parser takes beyond its choice list ({@link #setChoices(String, List, Predicate)}). */
	private final java.util.Map<String, Predicate<String>> alsoAccepted =
		new java.util.HashMap<>(java.util.Map.of("normalization", ChoiceLists.parses(Preprocessing::normalizationOf)));

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
		CommandChoices.openHelp(platform, getClass(), getInfo().getTitle(), log());
	}

	@Parameter(required = false)
	private org.scijava.app.StatusService statusService;

	@Parameter(required = false)
	private org.scijava.log.LogService logService;

	private IJProgress progress;
	/** The model this run uses, leased from the first {@link #convModel()} to the end of {@link #run()}. */
	private final CommandModel runModel = new CommandModel();
	/** A user error the last run ended with (see {@link #run()}), or null. */
	private RuntimeException failure;

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

	/**
	 * Runs {@link #execute()}. A SciJava {@link org.scijava.Cancelable#cancel} during the run (like
	 * Esc) stops the explain loops at their next progress check; the reason given is kept.
	 */
	@Override
	public final void run() {
		String title = getInfo().getTitle();
		progress = new IJProgress(title, new SciJavaChannel(statusService, this));
		summary = null;
		try {
			// values can also come from SciJava's own dialogs or scripts: one range check for all routes
			Inputs.checkAll(this);
			execute();
			progress.finish(summary);
		}
		catch (CancelledException e) {
			if (!isCanceled()) cancel(e.getMessage());
			progress.line(title + ": cancelled");
		}
		catch (RuntimeException e) {
			failure = CommandErrors.report(this, e);
		}
		catch (OutOfMemoryError e) {
			if (!Gui.interactive()) throw e;
			CommandErrors.shown(this, Batch.failureText(e, image));
		}
		finally {
			runModel.release();
			progress.done();
		}
	}

	/** A user error the last run ended with (see {@link #run()}), or null. */
	RuntimeException failure() {
		return failure;
	}

	/** The message to show a user for an exception: ours carry one; others get their type. */
	public static String message(Throwable e) {
		return CommandErrors.message(e);
	}

	/** Where this command's Log lines go: ImageJ's Log window and SciJava's LogService. */
	CommandLog log() {
		return new CommandLog(logService);
	}

	/** Writes a line to ImageJ's Log window (standard output when headless) and to SciJava's LogService. */
	protected void log(String line) {
		log().log(line);
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
		return runModel.model(modelService, model, log(), getInfo().getTitle());
	}

	/** The model's default preprocessing with this command's overrides applied. */
	protected Preprocessing prep(ModelInfo info) {
		Preprocessing p = CommandModel.prep(info, normalization, preprocessing, log());
		// a 16-bit image of a narrow range or a 32-bit one outside [0, 1]: said once per image, as in the outputs' Info
		String note = needsImage() && !ImageInput.isBlank(image) && image != rangeNoted ? Provenance.rangeNote(image, info, p) : null;
		if (note != null) {
			rangeNoted = image;
			log("ConvLens " + getInfo().getTitle() + ": WARNING: " + image.getTitle() + ": " + note);
		}
		return p;
	}

	/** A normalization's name in specs and in the list, e.g. {@code type-range}. */
	static String specName(Preprocessing.Normalization n) {
		return CommandModel.specName(n);
	}

	/** The model info and preprocessing of this command's model (for Batch's run summary). */
	ModelInfo runInfo() {
		return convModel().info();
	}

	/** {@code requested}, or fewer items when they do not fit the free heap ({@link BatchMemory}); a cap is stated in the Log. */
	protected int cappedBatch(int requested, long valuesPerItem, String what) {
		int n = BatchMemory.fittingBatch(requested, valuesPerItem);
		if (n < requested) log(BatchMemory.capLine(getInfo().getTitle(), what, requested, n, valuesPerItem));
		return n;
	}

	/** Progress on ImageJ's bar and SciJava's StatusService; Esc or a SciJava cancel stops it. */
	protected Progress progress() {
		return progress == null ? Progress.NONE : progress;
	}

	/** A spatial layer by name, or the first one for an empty name ({@link LayerChoices#spatialLayer}). */
	protected static LayerInfo spatialLayer(ModelInfo info, String name) {
		return LayerChoices.spatialLayer(info, name);
	}

	/** Layer names, those matching {@code first} first, each group in the model's order ({@link LayerChoices}). */
	protected static List<String> layerChoices(ModelInfo info, Predicate<LayerInfo> include, Predicate<LayerInfo> first) {
		return LayerChoices.layerChoices(info, include, first);
	}

	/** {@code names} with {@code def} moved to the front (unchanged when {@code def} is not among them). */
	protected static List<String> defaultFirst(List<String> names, String def) {
		return LayerChoices.defaultFirst(names, def);
	}

	@Override
	public void initialize() {
		try {
			super.initialize();
		}
		catch (org.scijava.module.MethodCallException e) {
			throw new IllegalStateException(e);
		}
		CommandChoices.initialized(this);
	}

	/** The info of the model at {@code path} from the shared cache, or null when it cannot be loaded (dialogs). */
	ModelInfo dialogInfo(java.nio.file.Path path) {
		return CommandModel.dialogInfo(modelService, path);
	}

	/** Why the model at {@code path} cannot be loaded (the loader's message), or null when it can (dialogs). */
	String modelProblem(java.nio.file.Path path) {
		return CommandModel.modelProblem(modelService, path);
	}

	/** Callback of the model input: loads the model (errors are reported when the command runs) and calls {@link #onModel}. */
	protected void modelChanged() {
		CommandModel.withInfo(modelService, model, info -> CommandChoices.modelChanged(this, info));
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
		CommandChoices.set(this, input, choices, null);
	}

	/** Sets a String input's choices; an empty value becomes {@code def} (when it is one of them). */
	protected void setChoices(String input, List<String> choices, String def) {
		CommandChoices.set(this, input, choices, def);
	}

	/**
	 * Sets a String input's choices, and what its parser takes beyond them (other spellings, aliases such as
	 * {@code [0,1]}): Batch checks values against both before a run ({@link ChoiceCheck}).
	 */
	protected void setChoices(String input, List<String> choices, Predicate<String> alsoAccepts) {
		setChoices(input, choices);
		alsoAccepted.put(input, alsoAccepts);
	}

	/** Whether {@code value}, not on {@code input}'s choice list, is still one its parser takes. */
	boolean alsoAccepts(String input, String value) {
		Predicate<String> p = alsoAccepted.get(input);
		return p != null && p.test(value);
	}

	/**
	 * The top-{@code k} predictions table for a batch made from {@code positions} of the image; pass
	 * the class-output values ({@link ConvModel#OUTPUT}) if they were already fetched, else null.
	 */
	protected ResultsTable predictionTable(ConvModel m, NdArray batch, NdArray output, List<ImageInput.Position> positions, int k) {
		return PredictionTable.of(m, batch, output, positions, k, prep(m.info()), image(), line -> log("ConvLens " + getInfo().getTitle() + ": WARNING: " + line));
	}
}
