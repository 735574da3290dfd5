package org.convlens.explain.patterns;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.convlens.model.ConvModel;
import org.convlens.model.GradientResult;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.explain.core.Progress;

/**
 * Filter patterns by activation maximisation: starting from noise, gradient ascent on the input
 * image raises a {@link PatternTarget} (a filter's mean activation, a neuron, a class logit).
 * All targets of one layer are optimised together, one image per target in a batch, so each step
 * is a single forward-and-backward pass of the model: the objective for item {@code i} is
 * {@code sum(activation * weights)} with weights non-zero only in item {@code i}'s filter, and
 * batch items are independent, so one gradient call gives every item its own gradient. Each
 * target draws its noise and random transforms from its own seeded stream, so a target's pattern
 * does not depend on which batch it is in.
 *
 * <p>Per step and item: render the image from the variables ({@link PatternOptions.Parametrization}),
 * apply a random scale/rotation/shift, take the model's gradient, send it back through the
 * transform, normalise it, subtract the regularisers' gradients, send it back to the variables
 * and step (plain ascent of fixed length, or Adam). See {@link PatternOptions}.
 *
 * <p>A target whose gradient is zero for the starting noise is <i>dead</i>: nothing can be
 * optimised, and it is reported as such. A step that lands where the gradient is zero (on small
 * images a fixed step of 10 can switch a ReLU filter off entirely, and no gradient leads back)
 * is undone and retried at half the length; otherwise the loop is the plain recipe.
 */
public final class FilterPatterns {

	/** Memory the automatic batch size aims to stay within (activations and gradients). */
	private static final long BATCH_MEMORY = 512L << 20;

	private final ConvModel model;
	private final PatternOptions opt;
	private final int h;
	private final int w;
	private final int c;

	public FilterPatterns(ConvModel model, PatternOptions options) {
		this.model = model;
		this.opt = options;
		int[] in = model.info().imageInput().shape();
		if (in == null || in.length != 4) {
			throw new ModelException("Filter patterns need an image input [N, H, W, C]; this model's is " + Arrays.toString(in) + ".");
		}
		this.h = size(in[1], options.height(), "height");
		this.w = size(in[2], options.width(), "width");
		if (in[3] <= 0) throw new ModelException("The model's input has an unknown number of channels.");
		this.c = in[3];
	}

	private static int size(int model, int asked, String what) {
		if (model > 0) {
			if (asked > 0 && asked != model) {
				throw new ModelException("The model takes images of " + what + " " + model + "; it cannot use " + asked + ".");
			}
			return model;
		}
		if (asked > 0) return asked;
		return 128;
	}

	/** The optimised image's {@code [H, W, C]}. */
	public int[] imageShape() {
		return new int[] { h, w, c };
	}

	/**
	 * A batch size that keeps the activations and gradients of one batch within about 512 MB
	 * (at least 1, at most 256).
	 */
	public static int autoBatchSize(ModelInfo info, int h, int w, int c) {
		long perItem = 4L * h * w * c;
		for (LayerInfo l : info.layers()) {
			int[] s = l.shape();
			if (s == null) continue;
			long n = 1;
			for (int i = 1; i < s.length; i++) n *= s[i] > 0 ? s[i] : (i == s.length - 1 ? 1 : Math.max(h, w));
			perItem += n;
		}
		long bytes = perItem * 4 * 2; // forward values and their gradients
		return (int) Math.max(1, Math.min(256, BATCH_MEMORY / Math.max(1, bytes)));
	}

	private static final java.util.Set<String> ACTIVATIONS = java.util.Set.of("Relu", "Relu6", "Elu", "Selu", "LeakyRelu",
		"Sigmoid", "Tanh", "Softplus", "Softsign", "Gelu");

	/**
	 * The layer whose values are a filter's activation: for a convolution whose nonlinearity is a
	 * separate Keras layer ({@code Conv2D} then {@code Activation('relu')}), the activation layer
	 * right after it with the same shape; otherwise the layer itself.
	 */
	public static String activatedLayer(ModelInfo info, String layer) {
		LayerInfo l = info.layer(layer);
		List<LayerInfo> all = info.layers();
		int i = all.indexOf(l);
		if (ACTIVATIONS.contains(l.opType()) || i < 0 || i + 1 >= all.size()) return l.name();
		LayerInfo next = all.get(i + 1);
		if (ACTIVATIONS.contains(next.opType()) && Arrays.equals(next.shape(), l.shape())) return next.name();
		return l.name();
	}

	/** Optimises all targets; results in the order of the targets. */
	public List<Pattern> compute(List<PatternTarget> targets, Progress progress) {
		if (targets.isEmpty()) return List.of();
		Map<String, List<Integer>> groups = new LinkedHashMap<>();
		for (int i = 0; i < targets.size(); i++) groups.computeIfAbsent(targets.get(i).layer(), k -> new ArrayList<>()).add(i);
		int batch = opt.batchSize() > 0 ? opt.batchSize() : autoBatchSize(model.info(), h, w, c);
		int chunks = 0;
		for (List<Integer> g : groups.values()) chunks += (g.size() + batch - 1) / batch;
		Pattern[] out = new Pattern[targets.size()];
		int done = 0;
		for (Map.Entry<String, List<Integer>> e : groups.entrySet()) {
			int[] itemShape = targetShape(e.getKey());
			List<Integer> idx = e.getValue();
			for (int from = 0; from < idx.size(); from += batch) {
				List<Integer> part = idx.subList(from, Math.min(idx.size(), from + batch));
				List<PatternTarget> ts = new ArrayList<>();
				for (int i : part) ts.add(targets.get(i));
				Progress sub = progress.sub((double) done / chunks, (double) (done + 1) / chunks);
				List<Pattern> ps = optimise(e.getKey(), itemShape, ts, sub);
				for (int k = 0; k < part.size(); k++) out[part.get(k)] = ps.get(k);
				done++;
			}
		}
		progress.update(1, "done");
		return Arrays.asList(out);
	}

	/** Shape of one item of a target tensor, from a forward pass of one image. */
	private int[] targetShape(String tensor) {
		NdArray probe = NdArray.zeros(1, h, w, c);
		Arrays.fill(probe.data(), (float) opt.inputRange().at(0.5));
		int[] s = model.run(probe, List.of(tensor)).get(tensor).shape();
		return Arrays.copyOfRange(s, 1, s.length);
	}

	/** The objective's weights for one item: which activations it averages or picks. */
	float[] weights(PatternTarget t, int[] shape) {
		int n = 1;
		for (int d : shape) n *= d;
		float[] wt = new float[n];
		String what = t.describe(model.info());
		int ch = shape[shape.length - 1];
		if (t.index() >= ch) {
			throw new ModelException("Cannot show " + what + ": " + (t.kind() == PatternTarget.Kind.CLASS ? "the model has " + ch + " class outputs" :
				"layer " + t.layer() + " has " + ch + " filters") + " (indices start at 0).");
		}
		if (shape.length == 1) {
			if (t.kind() == PatternTarget.Kind.NEURON) throw new ModelException("Cannot show " + what + ": the layer has no spatial positions.");
			wt[t.index()] = 1;
			return wt;
		}
		if (shape.length != 3 || t.kind() == PatternTarget.Kind.CLASS) {
			throw new ModelException("Cannot show " + what + ": its output has shape " + Arrays.toString(shape) + "; need a feature map [H, W, C] or a vector.");
		}
		int mh = shape[0], mw = shape[1];
		if (t.kind() == PatternTarget.Kind.NEURON) {
			int y = t.y() < 0 ? mh / 2 : t.y();
			int x = t.x() < 0 ? mw / 2 : t.x();
			if (y >= mh || x >= mw) throw new ModelException("Cannot show " + what + ": the feature map is " + mw + "x" + mh + ".");
			wt[(y * mw + x) * ch + t.index()] = 1;
			return wt;
		}
		// a border too wide for a small map shrinks to keep at least the centre
		int by = Math.min(opt.lossBorder(), (mh - 1) / 2);
		int bx = Math.min(opt.lossBorder(), (mw - 1) / 2);
		float v = 1f / ((mh - 2 * by) * (mw - 2 * bx));
		for (int y = by; y < mh - by; y++) for (int x = bx; x < mw - bx; x++) wt[(y * mw + x) * ch + t.index()] = v;
		return wt;
	}

	private List<Pattern> optimise(String tensor, int[] itemShape, List<PatternTarget> targets, Progress progress) {
		int n = targets.size();
		int npix = h * w * c;
		int iterations = opt.iterations();
		Parametrization param = Parametrization.create(opt.parametrization(), h, w, c, opt.decorrelate(), opt.decay());
		PatternAscent ascent = new PatternAscent(opt, h, w, c);
		List<PatternItem> items = new ArrayList<>();
		for (PatternTarget t : targets) items.add(start(t, itemShape, param, iterations));
		NdArray weights = stackWeights(items, itemShape);
		double centre = opt.inputRange().at(0.5);
		double range = opt.inputRange().width();

		progress.checkCancelled();
		GradientResult g = model.gradients(batch(items, false, centre, range), tensor, weights, List.of(ConvModel.INPUT));
		float[] values = objective(g.target(), weights);
		NdArray grad = g.gradient(ConvModel.INPUT);
		for (int i = 0; i < n; i++) {
			PatternItem it = items.get(i);
			it.start = values[i];
			it.dead = isZero(grad.data(), i * npix, npix);
		}

		// steps 0..iterations-1 evaluate and move; the extra last pass only evaluates the result
		for (int step = 0; step <= iterations; step++) {
			progress.checkCancelled();
			progress.update((double) step / (iterations + 1), "step " + Math.min(step + 1, iterations) + "/" + iterations);
			boolean last = step == iterations;
			if (step > 0 || opt.transforms()) {
				for (PatternItem it : items) it.warp = opt.transforms() && !last ? randomWarp(it.rnd) : null;
				GradientResult gs = model.gradients(batch(items, true, centre, range), tensor, weights, List.of(ConvModel.INPUT));
				grad = gs.gradient(ConvModel.INPUT);
				values = objective(gs.target(), weights);
			}
			for (int i = 0; i < n; i++) {
				PatternItem it = items.get(i);
				it.history[step] = it.dead ? (float) it.start : values[i];
				if (it.dead) continue;
				float[] gi = Arrays.copyOfRange(grad.data(), i * npix, (i + 1) * npix);
				if (it.warp != null) gi = it.warp.adjoint(gi, c);
				ascent.step(it, gi, values[i], step, last, param);
			}
		}

		NdArray fin = batch(items, false, centre, range);
		int crop = opt.outputCrop(w, h);
		List<Pattern> out = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			PatternItem it = items.get(i);
			NdArray image = fin.item(i);
			double lastValue = it.history[iterations];
			Preprocessing.Planes display = it.dead ? Deprocess.blank(w, h, c, crop) : Deprocess.toDisplay(image, crop, opt.bgr());
			out.add(new Pattern(it.target, it.target.describe(model.info()), image, it.start, lastValue, it.dead, display, it.history,
				it.rescues));
		}
		progress.update(1, "done");
		return out;
	}

	/** A target's item, its variables drawn from its own seeded noise. */
	private PatternItem start(PatternTarget t, int[] itemShape, Parametrization param, int iterations) {
		int npix = h * w * c;
		PatternItem it = new PatternItem(t, weights(t, itemShape), mix(opt.seed(), t.key()));
		float[] noise = new float[npix];
		double lo = opt.noiseLow() - 0.5, span = opt.noiseHigh() - opt.noiseLow();
		for (int k = 0; k < npix; k++) noise[k] = (float) (lo + span * it.rnd.nextDouble());
		it.p = param.init(noise);
		it.img = param.render(it.p);
		it.history = new float[iterations + 1];
		return it;
	}

	/** The items' objective weights as one batch {@code [N, itemShape...]}. */
	private static NdArray stackWeights(List<PatternItem> items, int[] itemShape) {
		int wsize = 1;
		for (int d : itemShape) wsize *= d;
		float[] all = new float[items.size() * wsize];
		for (int i = 0; i < items.size(); i++) System.arraycopy(items.get(i).weights, 0, all, i * wsize, wsize);
		int[] shape = new int[itemShape.length + 1];
		shape[0] = items.size();
		System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
		return new NdArray(shape, all);
	}

	/** The images of all items in the model's units, transformed by their warps if asked. */
	private NdArray batch(List<PatternItem> items, boolean warped, double centre, double range) {
		int npix = h * w * c;
		float[] data = new float[items.size() * npix];
		for (int i = 0; i < items.size(); i++) {
			PatternItem it = items.get(i);
			float[] img = warped && it.warp != null ? it.warp.apply(it.img, c) : it.img;
			for (int k = 0; k < npix; k++) data[i * npix + k] = (float) (centre + range * img[k]);
		}
		return new NdArray(new int[] { items.size(), h, w, c }, data);
	}

	/** Per item, {@code sum(values * weights)}: the objective's value. */
	private static float[] objective(NdArray values, NdArray weights) {
		int n = values.dim(0);
		int s = values.stride0();
		float[] out = new float[n];
		float[] v = values.data(), wt = weights.data();
		for (int i = 0; i < n; i++) {
			double sum = 0;
			for (int k = i * s; k < (i + 1) * s; k++) if (wt[k] != 0) sum += (double) v[k] * wt[k];
			out[i] = (float) sum;
		}
		return out;
	}

	private Warp randomWarp(SplittableRandom r) {
		double sc = 1 + opt.scaleJitter() * (2 * r.nextDouble() - 1);
		double rot = opt.rotation() * (2 * r.nextDouble() - 1);
		int tx = opt.jitter() > 0 ? r.nextInt(2 * opt.jitter() + 1) - opt.jitter() : 0;
		int ty = opt.jitter() > 0 ? r.nextInt(2 * opt.jitter() + 1) - opt.jitter() : 0;
		return new Warp(h, w, sc, rot, tx, ty);
	}

	private static boolean isZero(float[] a, int from, int len) {
		for (int k = from; k < from + len; k++) if (a[k] != 0) return false;
		return true;
	}

	/** SplitMix64 finaliser of seed and key: independent streams per target. */
	static long mix(long seed, long key) {
		long z = seed * 0x9E3779B97F4A7C15L + key;
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		return z ^ (z >>> 31);
	}
}
