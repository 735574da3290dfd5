package org.convlens.explain.attribution;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.NdArray;
import org.convlens.model.OpNode;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * Guided backpropagation (Springenberg et al.) and DeconvNet (Zeiler and Fergus): the input
 * gradient of a class score with the backward pass through every ReLU changed.
 *
 * <p>TensorFlow's C API cannot override an op's gradient, so the backward pass is a chain of
 * vector-Jacobian products between consecutive rectifiers ({@link #rectifiers}), with
 * the upstream gradient {@code g} at each ReLU output rewritten on the way:
 * <ul>
 * <li>{@link Rule#GRADIENT}: {@code g} as is; TensorFlow's ReLU gradient masks it with
 * {@code pre > 0}. The ordinary gradient, used to verify the chain.</li>
 * <li>{@link Rule#GUIDED}: {@code max(g, 0)}, then the same forward mask: {@code g (pre > 0)(g > 0)}.</li>
 * <li>{@link Rule#DECONVNET}: {@code max(g, 0)} sent straight to the ReLU's input, ignoring the
 * forward pass.</li>
 * </ul>
 * Between rectifiers (convolutions, pooling, dense layers) the ordinary gradient applies. This is
 * exact for networks whose rectifiers form a chain (each reaches the input only through the
 * previous one): plain CNNs such as VGG. Whether a model is one is decided once per model from
 * its graph ({@link #structureProblem}), never from an image's gradient: a model whose path from
 * input to output has an op merging two branches (a residual {@code Add}, a {@code Concat}, a
 * squeeze-and-excitation {@code Mul}) is refused with a {@link ModelException}, whatever its kind
 * (Sequential, functional or subclassed).
 */
public final class GuidedBackprop implements HeatmapMethod {

	/** How the backward pass treats a rectifier. */
	public enum Rule { GRADIENT, GUIDED, DECONVNET }

	/** What happened at one rectifier on the way down (for tests and diagnostics). */
	public static final class Step {
		/** Output and input (pre-activation) tensor of the rectifier. */
		public final String output, input;
		/** Gradient arriving at the rectifier's output, {@code [N, ...]}. */
		public final NdArray upstream;
		/** Gradient leaving it at its input (pre-activation) after the rule. */
		public final NdArray downstream;

		Step(String output, String input, NdArray upstream, NdArray downstream) {
			this.output = output;
			this.input = input;
			this.upstream = upstream;
			this.downstream = downstream;
		}
	}

	/** The input gradient and the per-rectifier steps, top (closest to the output) first. */
	public static final class Trace {
		private final NdArray gradient;
		private final List<Step> steps;

		Trace(NdArray gradient, List<Step> steps) {
			this.gradient = gradient;
			this.steps = Collections.unmodifiableList(steps);
		}

		/** The modified input gradient, {@code [N, H, W, C]}. */
		public NdArray gradient() { return gradient; }
		public List<Step> steps() { return steps; }
	}

	/** Per model: why its graph is not a plain chain ("" when it is), decided once from the graph. */
	private static final Map<ConvModel, String> STRUCTURE = Collections.synchronizedMap(new WeakHashMap<>());

	/** Ops that read only a tensor's shape: their outputs carry no image data. */
	private static final java.util.Set<String> SHAPE_OPS = java.util.Set.of("Shape", "ShapeN", "Size", "Rank");

	private final Rule rule;
	private final String score;

	/** Guided backpropagation of the logits. */
	public GuidedBackprop() {
		this(Rule.GUIDED, ConvModel.LOGITS);
	}

	public GuidedBackprop(Rule rule) {
		this(rule, ConvModel.LOGITS);
	}

	public GuidedBackprop(Rule rule, String score) {
		this.rule = rule;
		this.score = score;
	}

	public Rule rule() { return rule; }
	public String score() { return score; }

	/** The modified input gradient of every item of a batch, {@code [N, H, W, C]}. */
	public NdArray gradient(ConvModel model, NdArray batch, int target) {
		ExplainMath.checkTarget(model, target);
		verifyChain(model);
		try {
			return trace(model, batch, target, rule).gradient();
		}
		catch (RuntimeException e) {
			// a graph TensorFlow cannot differentiate piecewise (e.g. a subclassed model's wrapper) is refused, not shown raw
			if (String.valueOf(e.getMessage()).contains("unreachable")) throw refusal("its rectifiers cannot be differentiated one after another");
			throw e;
		}
	}

	/**
	 * Runs the chain without the branch check.
	 *
	 * @param batch {@code [N, H, W, C]}
	 */
	public Trace trace(ConvModel model, NdArray batch, int target, Rule r) {
		List<Map.Entry<String, String>> relus = new ArrayList<>(rectifiers(model).entrySet());
		NdArray w = ExplainMath.oneHot(batch.dim(0), ExplainMath.scoreWidth(model, score, batch), target);
		List<Step> steps = new ArrayList<>();
		if (relus.isEmpty()) {
			return new Trace(model.gradients(batch, score, w, List.of(ConvModel.INPUT)).gradient(ConvModel.INPUT), steps);
		}
		String top = relus.get(relus.size() - 1).getKey();
		NdArray g = model.gradients(batch, score, w, List.of(top)).gradient(top);
		for (int k = relus.size() - 1; k >= 0; k--) {
			String out = relus.get(k).getKey();
			String pre = relus.get(k).getValue();
			String below = k > 0 ? relus.get(k - 1).getKey() : ConvModel.INPUT;
			NdArray dy = r == Rule.GRADIENT ? g : positive(g);
			if (r == Rule.DECONVNET) {
				// dy goes straight to the ReLU's input: no forward mask
				steps.add(new Step(out, pre, g, dy));
				g = model.gradients(batch, pre, dy, List.of(below)).gradient(below);
			}
			else {
				// differentiating the ReLU itself applies its forward mask (pre > 0)
				Map<String, NdArray> grads = model.gradients(batch, out, dy, List.of(pre, below)).gradients();
				steps.add(new Step(out, pre, g, grads.get(pre)));
				g = grads.get(below);
			}
		}
		return new Trace(g, steps);
	}

	/**
	 * The rectifiers ({@code Relu}, {@code Relu6}) between the image input and the outputs, in graph
	 * order (closest to the input first): output tensor to input (pre-activation) tensor.
	 */
	public static Map<String, String> rectifiers(ConvModel model) {
		Map<String, String> r = new LinkedHashMap<>();
		for (OpNode n : model.graphPath()) {
			if ((n.type().equals("Relu") || n.type().equals("Relu6")) && !n.inputs().isEmpty()) r.put(n.tensorName(), n.inputs().get(0));
		}
		return r;
	}

	private static NdArray positive(NdArray g) {
		float[] d = g.data();
		float[] p = new float[d.length];
		for (int i = 0; i < d.length; i++) p[i] = d[i] > 0 ? d[i] : 0;
		return new NdArray(g.shape(), p);
	}

	/** Refuses models whose graph is not a plain chain (decided once per model, from the graph alone). */
	static void verifyChain(ConvModel model) {
		String why = STRUCTURE.get(model);
		if (why == null) {
			String p;
			try {
				p = structureProblem(model.graphPath());
			}
			catch (RuntimeException e) {
				p = "its graph could not be read (" + e.getMessage() + ")";
			}
			why = p == null ? "" : p;
			STRUCTURE.put(model, why);
		}
		if (!why.isEmpty()) throw refusal(why);
	}

	private static ModelException refusal(String why) {
		return new ModelException("Guided backpropagation and DeconvNet need a plain chain of layers from the input to the " +
			"output, whose ReLUs each reach the input only through the previous one (as in VGG); this model is not one: " + why +
			". Use the gradient, SmoothGrad or Integrated Gradients instead.");
	}

	/**
	 * Why a graph is not a plain chain, or null when it is: walking the ops from the input to the
	 * outputs, an op with two or more inputs that carry image data (not constants, weights or
	 * shapes) merges branches, e.g. a residual {@code Add}, a {@code Concat}, a squeeze-and-
	 * excitation {@code Mul}. A graph without the image input on it counts as unreadable.
	 *
	 * @param path the ops on the path from the input to the outputs, in graph order ({@link ConvModel#graphPath()})
	 */
	public static String structureProblem(List<OpNode> path) {
		if (path.isEmpty()) return "its graph has no path from the input to the output";
		java.util.Set<String> data = new java.util.HashSet<>();
		java.util.Set<String> names = new java.util.HashSet<>();
		for (OpNode n : path) names.add(n.name());
		for (OpNode n : path) {
			java.util.Set<String> from = new java.util.LinkedHashSet<>();
			boolean onPath = false;
			for (String in : n.inputs()) {
				String node = in.contains(":") ? in.substring(0, in.lastIndexOf(':')) : in;
				if (names.contains(node)) onPath = true;
				if (data.contains(node)) from.add(node);
			}
			if (!onPath) {
				// the image input itself (a placeholder) starts the data
				if (!SHAPE_OPS.contains(n.type())) data.add(n.name());
				continue;
			}
			if (SHAPE_OPS.contains(n.type()) || from.isEmpty()) continue;
			if (from.size() >= 2) return "op " + n.name() + " (" + n.type() + ") merges the branches " + from;
			data.add(n.name());
		}
		return null;
	}

	/** Largest difference between the chained plain gradient and the true gradient, relative to the latter's largest value. */
	static double chainError(ConvModel model, NdArray input, int target) {
		NdArray chained = new GuidedBackprop(Rule.GRADIENT).trace(model, input, target, Rule.GRADIENT).gradient();
		NdArray direct = ExplainMath.inputGradients(model, input, ConvModel.LOGITS, target);
		double max = 0, diff = 0;
		for (int i = 0; i < direct.size(); i++) {
			max = Math.max(max, Math.abs(direct.data()[i]));
			diff = Math.max(diff, Math.abs(direct.data()[i] - chained.data()[i]));
		}
		return diff / Math.max(max, 1e-30);
	}

	/** The modified gradient reduced like the saliency map: largest absolute value over channels. */
	@Override
	public NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress) {
		ExplainMath.checkImage(input);
		return ExplainMath.map(ExplainMath.maxAbsOverChannels(gradient(model, input, target)), 0);
	}

	@Override
	public String toString() {
		return (rule == Rule.DECONVNET ? "deconvnet" : rule == Rule.GUIDED ? "guided-backprop" : "gradient-chain") + " score=" + score;
	}
}
