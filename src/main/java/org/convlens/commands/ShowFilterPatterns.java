package org.convlens.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.patterns.FilterPatterns;
import org.convlens.explain.patterns.FilterSelection;
import org.convlens.explain.patterns.InputRange;
import org.convlens.explain.patterns.KernelImages;
import org.convlens.explain.patterns.Pattern;
import org.convlens.explain.patterns.PatternOptions;
import org.convlens.explain.patterns.PatternTarget;
import org.convlens.explain.core.Progress;
import org.convlens.imagej.PlaneImages;
import org.convlens.imagej.Provenance;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;
import org.convlens.imagej.Titles;
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
public class ShowFilterPatterns extends ConvLensCommand {

	@Parameter(label = "Layer (of the filters)", required = false, persist = false,
		description = "Layer whose filters to show (default: the activated output of the last convolution)")
	private String layer = "";

	@Parameter(label = "Objective (what to maximise)", choices = { "filter", "neuron", "class" },
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

	@Parameter(label = "Optimiser (ascent or adam)", choices = { "ascent", "adam" }, description = "ascent = fixed-length steps along the normalised gradient; adam = Adam")
	private String optimizer = "ascent";

	@Parameter(label = "Parametrisation (pixels or Fourier)", choices = { "pixels", "fourier" }, description = "Optimise the pixels, or a 1/f-scaled Fourier spectrum")
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

	@Override
	protected boolean needsImage() {
		return false;
	}

	/** Options of the optimisation itself, folded in the ImageJ 1.x dialog (basic: layer, objective, targets, iterations, sharper). */
	static final java.util.Set<String> ADVANCED = java.util.Set.of("step", "rate", "size", "seed", "batch", "optimizer", "parametrization",
		"decorrelate", "jitter", "scale", "rotate", "tv", "l2", "blur");

	@Override
	protected java.util.Set<String> advancedInputs() {
		return ADVANCED;
	}

	@Override
	protected boolean applies(String key, java.util.function.Function<String, String> value) {
		String objective = value.apply("objective"), optimizer = value.apply("optimizer");
		switch (key) {
			case "y": case "x": return objective == null || objective.equals("neuron");
			case "classes": return objective == null || objective.equals("class");
			case "filters": return objective == null || !objective.equals("class");
			case "step": return optimizer == null || optimizer.equals("ascent");
			case "rate": return optimizer == null || optimizer.equals("adam");
			default: return true;
		}
	}

	@Override
	protected void onModel(ModelInfo info) {
		String def = defaultLayer(convModel());
		setChoices("layer", defaultFirst(layerChoices(info, l -> l.kind() != LayerKind.OTHER, l -> true), def), def);
	}

	/** The activated output of the last convolution, else the last spatial layer. */
	static String defaultLayer(ConvModel m) {
		List<String> convs = KernelImages.convLayers(m);
		if (!convs.isEmpty()) return FilterPatterns.activatedLayer(m.info(), convs.get(convs.size() - 1));
		return m.info().lastSpatialLayer().name();
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		ModelInfo info = m.info();
		Preprocessing prep = prep(info);
		int[] in = info.imageInput().shape();
		List<PatternTarget> targets = targets(m);
		PatternOptions opt = options(prep, in);
		Progress pr = progress();
		pr.update(0, "optimising " + targets.size() + " pattern(s)");
		List<Pattern> ps = new FilterPatterns(m, opt).compute(targets, pr.sub(0, 0.95));
		pr.update(0.96, "building the images");
		List<Preprocessing.Planes> planes = new ArrayList<>();
		String[] labels = new String[ps.size()], short_ = new String[ps.size()];
		boolean[] dead = new boolean[ps.size()];
		for (int i = 0; i < ps.size(); i++) {
			Pattern p = ps.get(i);
			planes.add(p.display());
			labels[i] = p.label();
			PatternTarget t = p.target();
			short_[i] = (t.kind() == PatternTarget.Kind.CLASS && !info.classNames().isEmpty() ? info.className(t.index()) : Integer.toString(t.index())) +
				(p.dead() ? " DEAD" : "");
			dead[i] = p.dead();
		}
		String what = targets.get(0).kind() == PatternTarget.Kind.CLASS ? "classes" : targets.get(0).layer();
		String model = info.path().getFileName().toString();
		patterns = PlaneImages.stack(Titles.of(model, "patterns", what), planes, labels);
		montage = PlaneImages.montage(Titles.of(model, "patterns", what, "montage"), planes, short_, dead);
		results = Tables.patterns(ps, info);
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("objective", objective);
		params.put("targets", targets.size() == 1 ? targets.get(0).describe(info) : what + " " + (objective.equals("class") ? classes : filters));
		params.put("options", opt);
		params.put("dead", java.util.Arrays.toString(java.util.stream.IntStream.range(0, dead.length).filter(i -> dead[i])
			.map(i -> targets.get(i).index()).toArray()));
		Provenance.stamp(patterns, getInfo().getTitle(), info, prep, null, params);
		Provenance.stamp(montage, getInfo().getTitle(), info, prep, null, params);
	}

	/** The targets the options ask for, checked against the model. */
	private List<PatternTarget> targets(ConvModel m) {
		ModelInfo info = m.info();
		String obj = objective == null ? "filter" : objective.trim().toLowerCase(Locale.ROOT);
		if (obj.equals("class")) {
			int k = info.numClasses();
			if (k <= 0) throw new ModelException("The model has no class output to visualise.");
			List<PatternTarget> ts = new ArrayList<>();
			for (int c : classIndices(info, classes, k)) ts.add(PatternTarget.classLogit(c));
			return ts;
		}
		if (!obj.equals("filter") && !obj.equals("neuron")) throw new IllegalArgumentException("Objective must be filter, neuron or class, not '" + objective + "'.");
		String name = layer == null || layer.isBlank() ? defaultLayer(m) : layer.trim();
		LayerInfo l = info.layer(name);
		if (l.kind() == LayerKind.OTHER || (obj.equals("neuron") && l.kind() != LayerKind.SPATIAL)) {
			throw new ModelException("Layer '" + name + "' (shape " + java.util.Arrays.toString(l.shape()) + ") has no " +
				(obj.equals("neuron") ? "feature map" : "filters") + " to show.");
		}
		int[] fs = FilterSelection.parse(filters, l.channels());
		List<PatternTarget> ts = new ArrayList<>();
		for (int f : fs) ts.add(obj.equals("neuron") ? PatternTarget.neuron(l.name(), f, y, x) : PatternTarget.filter(l.name(), f));
		return ts;
	}

	/** Class indices from {@code all}, indices or ranges, or class names. */
	static int[] classIndices(ModelInfo info, String spec, int count) {
		try {
			return FilterSelection.parse(spec, count);
		}
		catch (IllegalArgumentException e) {
			List<String> names = info.classNames();
			List<Integer> out = new ArrayList<>();
			for (String tok : spec.split("[,;]+")) {
				String t = tok.trim();
				if (t.isEmpty()) continue;
				int k = -1;
				for (int i = 0; i < names.size(); i++) if (names.get(i).equalsIgnoreCase(t)) k = i;
				if (k < 0 && t.matches("\\d+") && Integer.parseInt(t) < count) k = Integer.parseInt(t);
				if (k < 0) {
					throw new IllegalArgumentException("Unknown class '" + t + "': the model has classes 0-" + (count - 1) +
						(names.isEmpty() ? "" : " " + names) + ".");
				}
				if (!out.contains(k)) out.add(k);
			}
			if (out.isEmpty()) throw e;
			return out.stream().mapToInt(Integer::intValue).toArray();
		}
	}

	/** The optimisation settings from the inputs; the input range and colour order from the preprocessing. */
	private PatternOptions options(Preprocessing prep, int[] in) {
		PatternOptions o = PatternOptions.defaults().withIterations(iterations).withStepSize(step).withAdamRate(rate).withSeed(seed)
			.withImageSize(size, size).withBatchSize(batch).withInputRange(InputRange.of(prep, in, 255)).withBgr(prep.bgr())
			.withOptimizer(choice(PatternOptions.Optimizer.class, optimizer, "optimizer"))
			.withParametrization(choice(PatternOptions.Parametrization.class, parametrization, "parametrization"))
			.withDecorrelation(decorrelate).withJitter(jitter).withScaleJitter(scale).withRotation(rotate)
			.withRegularizers(tv, l2).withBlur(blur, 4);
		if (sharper) {
			int side = size > 0 ? size : in != null && in.length == 4 && in[1] > 0 && in[2] > 0 ? Math.min(in[1], in[2]) : 128;
			o = o.sharper(side);
			if (jitter > 0) o = o.withJitter(jitter);
			if (scale > 0) o = o.withScaleJitter(scale);
			if (rotate > 0) o = o.withRotation(rotate);
		}
		return o;
	}

	private static <E extends Enum<E>> E choice(Class<E> type, String v, String key) {
		for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(v == null ? "" : v.trim())) return e;
		throw new IllegalArgumentException("Option '" + key + "' must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) +
			", not '" + v + "'.");
	}
}
