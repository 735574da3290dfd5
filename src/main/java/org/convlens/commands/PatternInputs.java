package org.convlens.commands;

import java.util.List;

import org.convlens.explain.patterns.InputRange;
import org.convlens.explain.patterns.PatternOptions;
import org.convlens.explain.patterns.PatternRequest;
import org.convlens.explain.patterns.PatternTarget;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;
import org.scijava.plugin.Parameter;

/**
 * The inputs of the filter-pattern command ({@link ShowFilterPatterns}), in their dialog and macro
 * order: what to show (layer, objective, filters, neuron, classes) and how to optimise (iterations,
 * step, learning rate, size, seed, batch, optimiser, parametrisation, transforms, regularisers),
 * the advanced ones folded in the ImageJ 1.x dialog and greyed out where they do not apply; read
 * into targets and settings by {@link PatternRequest}. A base of its own because the 21 inputs are
 * most of the command.
 */
abstract class PatternInputs extends ModelCommand {

	@Parameter(label = "Layer (of the filters)", required = false, persist = false,
		description = "Layer whose filters to show (default: the activated output of the last convolution)")
	protected String layer = "";

	@Parameter(label = "Objective (what to maximise)", initializer = "initChoices",
		description = "filter = a filter's mean activation; neuron = one filter at position (y, x); class = a class score (logit)")
	protected String objective = "filter";

	@Parameter(label = "Filters (all, 0-7 or 0,3,5)", required = false, description = "all, a range like 0-7, or a list like 0,3,5 (0-based)")
	protected String filters = "all";

	@Parameter(label = "Neuron row y (-1 = centre)", min = "-1", description = "Neuron row in the feature map (-1 = centre)")
	protected int y = -1;

	@Parameter(label = "Neuron column x (-1 = centre)", min = "-1", description = "Neuron column in the feature map (-1 = centre)")
	protected int x = -1;

	@Parameter(label = "Classes (all, indices or names)", required = false, description = "For objective=class: all, indices (0,2 or 0-2) or names (ring,cross)")
	protected String classes = "all";

	@Parameter(label = "Iterations (gradient steps)", min = "0", max = "100000", description = "Gradient steps (30 as in Deep Learning with Python; 128 or more with 'sharper')")
	protected int iterations = 30;

	@Parameter(label = "Ascent step length", min = "0", description = "Plain ascent: step length in units of the input range")
	protected double step = 10;

	@Parameter(label = "Adam learning rate", min = "0", description = "Adam: learning rate")
	protected double rate = 0.05;

	@Parameter(label = "Image size (pixels; 0 = the model's)", min = "0", max = "4096", description = "Image size for models whose input size is free (0 = the model's, or 128)")
	protected int size = 0;

	@Parameter(label = "Random seed", description = "Seed of the starting noise and random transforms")
	protected long seed = 0;

	@Parameter(label = "Patterns per batch (0 = auto)", min = "0", max = "4096", description = "Patterns optimised together (0 = automatic from the model's size)")
	protected int batch = 0;

	@Parameter(label = "Optimiser (ascent or adam)", initializer = "initChoices", description = "ascent = fixed-length steps along the normalised gradient; adam = Adam")
	protected String optimizer = "ascent";

	@Parameter(label = "Parametrisation (pixels or Fourier)", initializer = "initChoices", description = "Optimise the pixels, or a 1/f-scaled Fourier spectrum")
	protected String parametrization = "pixels";

	@Parameter(label = "Decorrelate colours", description = "Optimise in decorrelated colour space (3-channel models)")
	protected boolean decorrelate;

	@Parameter(label = "Jitter (pixels)", min = "0", max = "1000", description = "Random shift of up to this many pixels per step")
	protected int jitter = 0;

	@Parameter(label = "Random zoom (fraction)", min = "0", max = "1", description = "Random zoom by up to this fraction per step (e.g. 0.05)")
	protected double scale = 0;

	@Parameter(label = "Random rotation (degrees)", min = "0", max = "360", description = "Random rotation by up to this many degrees per step")
	protected double rotate = 0;

	@Parameter(label = "Total variation weight", min = "0", description = "Total-variation penalty weight (e.g. 0.1..1)")
	protected double tv = 0;

	@Parameter(label = "L2 weight", min = "0", description = "L2 penalty weight (e.g. 0.1..1)")
	protected double l2 = 0;

	@Parameter(label = "Blur sigma (pixels)", min = "0", max = "100", description = "Gaussian blur sigma (pixels) every 4 steps; 0 = off")
	protected double blur = 0;

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
		String def = PatternRequest.defaultLayer(convModel());
		setChoices("layer", defaultFirst(layerChoices(info, l -> l.kind() != LayerKind.OTHER, l -> true), def), def);
	}

	private void initChoices() {
		setChoices("objective", ChoiceLists.of(PatternTarget.Kind.class));
		setChoices("optimizer", ChoiceLists.of(PatternOptions.Optimizer.class));
		setChoices("parametrization", ChoiceLists.of(PatternOptions.Parametrization.class));
	}

	/** The targets the inputs ask for, checked against the model ({@link PatternRequest#targets}). */
	protected List<PatternTarget> targets(ConvModel m) {
		return PatternRequest.targets(m, objective, layer, filters, classes, y, x);
	}

	/** The targets as asked for, for the Info: the classes for objective=class, else the filters. */
	protected String selection() {
		return objective.equals("class") ? classes : filters;
	}

	/**
	 * The optimisation settings from the inputs; the input range and colour order from the
	 * preprocessing, {@code in} the model input's shape; with {@code sharper}, its preset on top.
	 */
	protected PatternOptions options(Preprocessing prep, int[] in, boolean sharper) {
		PatternOptions opt = PatternOptions.defaults().withIterations(iterations).withStepSize(step).withAdamRate(rate).withSeed(seed)
			.withImageSize(size, size).withBatchSize(batch).withInputRange(InputRange.of(prep, in, 255)).withBgr(prep.bgr())
			.withOptimizer(PatternRequest.choice(PatternOptions.Optimizer.class, optimizer, "optimizer"))
			.withParametrization(PatternRequest.choice(PatternOptions.Parametrization.class, parametrization, "parametrization"))
			.withDecorrelation(decorrelate).withJitter(jitter).withScaleJitter(scale).withRotation(rotate)
			.withRegularizers(tv, l2).withBlur(blur, 4);
		return sharper ? PatternRequest.sharper(opt, size, in, jitter, scale, rotate) : opt;
	}
}
