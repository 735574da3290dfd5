package org.convlens.commands;

import java.util.List;

import org.convlens.explain.patterns.FilterPatterns;
import org.convlens.explain.patterns.InputRange;
import org.convlens.explain.patterns.Pattern;
import org.convlens.explain.patterns.PatternOptions;
import org.convlens.explain.patterns.PatternRequest;
import org.convlens.explain.patterns.PatternTarget;
import org.convlens.imagej.PatternViews;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * Filter patterns: for each chosen filter (or neuron, or class) the input image, grown from noise
 * by gradient ascent, that the filter responds to most ({@link FilterPatterns}). Needs no image.
 * Outputs a stack with one pattern per filter, a labelled montage and a table of the objective
 * before and after; filters whose gradient is zero from the start are flagged dead.
 */
@Plugin(type = Command.class, name = "patterns", label = "Filter Patterns", menuPath = "Plugins>ConvLens>Filter Patterns...", headless = true)
public class ShowFilterPatterns extends ModelCommand {

	@Parameter(label = "Layer (of the filters)", required = false, persist = false,
		description = "Layer whose filters to show (default: the activated output of the last convolution)")
	private String layer = "";

	@Parameter(label = "Objective (what to maximise)", initializer = "initChoices",
		description = "filter = a filter's mean activation; neuron = one filter at position (y, x); class = a class score (logit)")
	private String objective = "filter";

	@Parameter(label = "Filters (all, 0-7 or 0,3,5)", required = false, description = "all, a range like 0-7, or a list like 0,3,5 (0-based)")
	private String filters = "all";

	@Parameter(label = "Neuron row y (-1 = centre)", min = "-1", description = "Neuron row in the feature map (-1 = centre)")
	private int y = -1;

	@Parameter(label = "Neuron column x (-1 = centre)", min = "-1", description = "Neuron column in the feature map (-1 = centre)")
	private int x = -1;

	@Parameter(label = "Classes (all, indices or names)", required = false, description = "For objective=class: all, indices (0,2 or 0-2) or names (ring,cross)")
	private String classes = "all";

	@Parameter(label = "Iterations (gradient steps)", min = "0", max = "100000", description = "Gradient steps (30 as in Deep Learning with Python; 128 or more with 'sharper')")
	private int iterations = 30;

	@Parameter(label = "Ascent step length", min = "0", description = "Plain ascent: step length in units of the input range")
	private double step = 10;

	@Parameter(label = "Adam learning rate", min = "0", description = "Adam: learning rate")
	private double rate = 0.05;

	@Parameter(label = "Image size (pixels; 0 = the model's)", min = "0", max = "4096", description = "Image size for models whose input size is free (0 = the model's, or 128)")
	private int size = 0;

	@Parameter(label = "Random seed", description = "Seed of the starting noise and random transforms")
	private long seed = 0;

	@Parameter(label = "Patterns per batch (0 = auto)", min = "0", max = "4096", description = "Patterns optimised together (0 = automatic from the model's size)")
	private int batch = 0;

	@Parameter(label = "Optimiser (ascent or adam)", initializer = "initChoices", description = "ascent = fixed-length steps along the normalised gradient; adam = Adam")
	private String optimizer = "ascent";

	@Parameter(label = "Parametrisation (pixels or Fourier)", initializer = "initChoices", description = "Optimise the pixels, or a 1/f-scaled Fourier spectrum")
	private String parametrization = "pixels";

	@Parameter(label = "Decorrelate colours", description = "Optimise in decorrelated colour space (3-channel models)")
	private boolean decorrelate;

	@Parameter(label = "Jitter (pixels)", min = "0", max = "1000", description = "Random shift of up to this many pixels per step")
	private int jitter = 0;

	@Parameter(label = "Random zoom (fraction)", min = "0", max = "1", description = "Random zoom by up to this fraction per step (e.g. 0.05)")
	private double scale = 0;

	@Parameter(label = "Random rotation (degrees)", min = "0", max = "360", description = "Random rotation by up to this many degrees per step")
	private double rotate = 0;

	@Parameter(label = "Total variation weight", min = "0", description = "Total-variation penalty weight (e.g. 0.1..1)")
	private double tv = 0;

	@Parameter(label = "L2 weight", min = "0", description = "L2 penalty weight (e.g. 0.1..1)")
	private double l2 = 0;

	@Parameter(label = "Blur sigma (pixels)", min = "0", max = "100", description = "Gaussian blur sigma (pixels) every 4 steps; 0 = off")
	private double blur = 0;

	@Parameter(label = "Sharper preset", description = "Preset: fourier, decorrelate, adam, jitter size/16, scale 0.05, rotate 5 (non-zero values above win)")
	private boolean sharper;

	@Parameter(type = ItemIO.OUTPUT, label = "Filter patterns")
	private ImagePlus patterns;

	@Parameter(type = ItemIO.OUTPUT, label = "Pattern montage")
	private ImagePlus montage;

	@Parameter(type = ItemIO.OUTPUT, label = "Pattern results")
	private ResultsTable results;

	/** Options of the optimisation itself, folded in the ImageJ 1.x dialog (basic: layer, objective, targets, iterations, sharper). */
	static final java.util.Set<String> ADVANCED = java.util.Set.of("step", "rate", "size", "seed", "batch", "optimizer", "parametrization",
		"decorrelate", "jitter", "scale", "rotate", "tv", "l2", "blur");

	@Override
	protected java.util.Set<String> advancedInputs() {
		return ADVANCED;
	}

	@Override
	protected boolean applies(String key, java.util.function.Function<String, String> value) {
		return PatternRequest.applies(key, value.apply("objective"), value.apply("optimizer"));
	}

	@Override
	protected void onModel(ModelInfo info) {
		String def = defaultLayer(convModel());
		setChoices("layer", defaultFirst(layerChoices(info, l -> l.kind() != LayerKind.OTHER, l -> true), def), def);
	}

	private void initChoices() {
		setChoices("objective", ChoiceLists.of(PatternTarget.Kind.class));
		setChoices("optimizer", ChoiceLists.of(PatternOptions.Optimizer.class));
		setChoices("parametrization", ChoiceLists.of(PatternOptions.Parametrization.class));
	}

	/** {@link PatternRequest#defaultLayer}. */
	static String defaultLayer(ConvModel m) {
		return PatternRequest.defaultLayer(m);
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		ModelInfo info = m.info();
		Preprocessing prep = prep(info);
		int[] in = info.imageInput().shape();
		List<PatternTarget> targets = PatternRequest.targets(m, objective, layer, filters, classes, y, x);
		PatternOptions opt = PatternOptions.defaults().withIterations(iterations).withStepSize(step).withAdamRate(rate).withSeed(seed)
			.withImageSize(size, size).withBatchSize(batch).withInputRange(InputRange.of(prep, in, 255)).withBgr(prep.bgr())
			.withOptimizer(PatternRequest.choice(PatternOptions.Optimizer.class, optimizer, "optimizer"))
			.withParametrization(PatternRequest.choice(PatternOptions.Parametrization.class, parametrization, "parametrization"))
			.withDecorrelation(decorrelate).withJitter(jitter).withScaleJitter(scale).withRotation(rotate)
			.withRegularizers(tv, l2).withBlur(blur, 4);
		if (sharper) opt = PatternRequest.sharper(opt, size, in, jitter, scale, rotate);
		progress().update(0, "optimising " + targets.size() + " pattern(s)");
		List<Pattern> ps = new FilterPatterns(m, opt).compute(targets, progress().sub(0, 0.95));
		progress().update(0.96, "building the images");
		ImagePlus[] out = PatternViews.show(getInfo().getTitle(), info, prep, ps, targets, objective, objective.equals("class") ? classes : filters, opt);
		patterns = out[0];
		montage = out[1];
		results = Tables.patterns(ps, info);
	}
}
