package org.convlens.explain.core;

import java.util.Arrays;
import java.util.List;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

/**
 * Small array helpers shared by the explanation methods: channel reductions, blurring, rank
 * correlation, areas under curves and batched scoring. Images are {@code [N, H, W, C]} arrays,
 * heatmaps {@code [H, W]}.
 */
public final class ExplainMath {

	private ExplainMath() {}

	/** Checks that {@code input} is one NHWC image, {@code [1, H, W, C]}. */
	public static void checkImage(NdArray input) {
		if (input == null || input.rank() != 4 || input.dim(0) != 1) {
			throw new IllegalArgumentException("Expected one image of shape [1, H, W, C], got " + input);
		}
	}

	/** Checks the class index against the model's class output. */
	public static void checkTarget(ConvModel model, int target) {
		int k = model.info().numClasses();
		// a single sigmoid output's complement ("not <class>") is explained through the output, negated
		if (target == ModelInfo.COMPLEMENT && model.info().singleSigmoid()) return;
		if (target < 0 || (k > 0 && target >= k)) {
			throw new ModelException("Class " + target + " does not exist: the model has " + k + " class output" + (k == 1 ? "" : "s") +
				" (0.." + (k - 1) + ").");
		}
	}

	/** For each item of an {@code [N, H, W, C]} array, the largest absolute value over channels: {@code [N, H, W]}. */
	public static NdArray maxAbsOverChannels(NdArray a) {
		return overChannels(a, (d, at, c) -> {
			float m = 0;
			for (int k = 0; k < c; k++) m = Math.max(m, Math.abs(d[at + k]));
			return m;
		});
	}

	/** For each item of an {@code [N, H, W, C]} array, the sum over channels: {@code [N, H, W]}. */
	public static NdArray sumOverChannels(NdArray a) {
		return overChannels(a, (d, at, c) -> {
			double s = 0;
			for (int k = 0; k < c; k++) s += d[at + k];
			return (float) s;
		});
	}

	/** One pixel's {@code c} channel values, from {@code d[at]} on, reduced to one. */
	private interface ChannelReduction {
		float reduce(float[] d, int at, int c);
	}

	private static NdArray overChannels(NdArray a, ChannelReduction r) {
		int n = a.dim(0), h = a.dim(1), w = a.dim(2), c = a.dim(3);
		float[] d = a.data();
		float[] out = new float[n * h * w];
		for (int p = 0; p < out.length; p++) out[p] = r.reduce(d, p * c, c);
		return new NdArray(new int[] { n, h, w }, out);
	}

	/** Item {@code i} of an {@code [N, H, W]} stack as an {@code [H, W]} map. */
	public static NdArray map(NdArray stack, int i) {
		int h = stack.dim(1), w = stack.dim(2);
		return new NdArray(new int[] { h, w }, Arrays.copyOfRange(stack.data(), i * h * w, (i + 1) * h * w));
	}

	/** Bilinear resampling of an {@code [h, w]} map to {@code [height, width]}; the map itself when the size fits. */
	public static NdArray resize(NdArray map, int height, int width) {
		if (map.rank() != 2) throw new IllegalArgumentException("Expected a [h, w] map, got " + map);
		if (map.dim(0) == height && map.dim(1) == width) return map;
		return new NdArray(new int[] { height, width }, Preprocessing.bilinear(map.data(), map.dim(1), map.dim(0), width, height));
	}

	/** Per-channel means of an {@code [1, H, W, C]} image. */
	public static float[] channelMeans(NdArray input) {
		int c = input.dim(3);
		double[] s = new double[c];
		float[] d = input.data();
		for (int i = 0; i < d.length; i++) s[i % c] += d[i];
		float[] m = new float[c];
		int n = d.length / c;
		for (int k = 0; k < c; k++) m[k] = (float) (s[k] / n);
		return m;
	}

	/** Minimum and maximum of all values. */
	public static float[] range(NdArray a) {
		float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
		for (float v : a.data()) {
			lo = Math.min(lo, v);
			hi = Math.max(hi, v);
		}
		return new float[] { lo, hi };
	}

	/**
	 * Gaussian blur of every channel of an {@code [N, H, W, C]} array (separable, edges clamped);
	 * a copy for {@code sigma <= 0}.
	 */
	public static NdArray blur(NdArray a, double sigma) {
		if (sigma <= 0) return a.copy();
		int n = a.dim(0), h = a.dim(1), w = a.dim(2), c = a.dim(3);
		float[] out = a.data().clone();
		for (int b = 0; b < n; b++) gaussianBlur(out, b * h * w * c, h, w, c, sigma);
		return new NdArray(a.shape(), out);
	}

	/**
	 * Separable Gaussian blur, in place, of one interleaved {@code h x w x c} image starting at
	 * {@code offset} in {@code img}, edge pixels repeated; nothing for {@code sigma <= 0}.
	 */
	public static void gaussianBlur(float[] img, int offset, int h, int w, int c, double sigma) {
		if (sigma <= 0) return;
		int r = Math.max(1, (int) Math.ceil(3 * sigma));
		double[] k = new double[2 * r + 1];
		double sum = 0;
		for (int i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
		for (int i = 0; i < k.length; i++) k[i] /= sum;
		float[] tmp = new float[h * w * c];
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				for (int ch = 0; ch < c; ch++) {
					double s = 0;
					for (int i = -r; i <= r; i++) {
						int xx = Math.min(w - 1, Math.max(0, x + i));
						s += k[i + r] * img[offset + (y * w + xx) * c + ch];
					}
					tmp[(y * w + x) * c + ch] = (float) s;
				}
			}
		}
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				for (int ch = 0; ch < c; ch++) {
					double s = 0;
					for (int i = -r; i <= r; i++) {
						int yy = Math.min(h - 1, Math.max(0, y + i));
						s += k[i + r] * tmp[(yy * w + x) * c + ch];
					}
					img[offset + (y * w + x) * c + ch] = (float) s;
				}
			}
		}
	}

	/** Ranks 1..n, ties given their average rank. */
	public static double[] ranks(float[] v) {
		int n = v.length;
		Integer[] idx = new Integer[n];
		for (int i = 0; i < n; i++) idx[i] = i;
		Arrays.sort(idx, (a, b) -> Float.compare(v[a], v[b]));
		double[] r = new double[n];
		int i = 0;
		while (i < n) {
			int j = i;
			while (j + 1 < n && Float.compare(v[idx[j + 1]], v[idx[i]]) == 0) j++;
			double avg = (i + j) / 2.0 + 1;
			for (int k = i; k <= j; k++) r[idx[k]] = avg;
			i = j + 1;
		}
		return r;
	}

	/** Pearson correlation; NaN when either side is constant (the correlation is undefined, not 0). */
	public static double pearson(double[] a, double[] b) {
		if (a.length != b.length) throw new IllegalArgumentException("Lengths differ: " + a.length + " vs " + b.length);
		int n = a.length;
		double ma = 0, mb = 0;
		for (int i = 0; i < n; i++) {
			ma += a[i];
			mb += b[i];
		}
		ma /= n;
		mb /= n;
		double sab = 0, saa = 0, sbb = 0;
		for (int i = 0; i < n; i++) {
			double da = a[i] - ma, db = b[i] - mb;
			sab += da * db;
			saa += da * da;
			sbb += db * db;
		}
		if (saa == 0 || sbb == 0) return Double.NaN;
		return sab / Math.sqrt(saa * sbb);
	}

	/** Spearman's rank correlation (Pearson correlation of the ranks, ties averaged). */
	public static double spearman(float[] a, float[] b) {
		return pearson(ranks(a), ranks(b));
	}

	/** Area under a curve by the trapezoidal rule. */
	public static double trapezoid(double[] x, double[] y) {
		double s = 0;
		for (int i = 1; i < x.length; i++) s += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
		return s;
	}

	/** One-hot rows {@code [n, k]} selecting class {@code target}. */
	public static NdArray oneHot(int n, int k, int target) {
		NdArray w = NdArray.zeros(n, k);
		// the complement of a single sigmoid output: d(1 - p) = -dp, d(-logit) = -d logit
		if (target == ModelInfo.COMPLEMENT) for (int i = 0; i < n; i++) w.data()[i * k] = -1;
		else for (int i = 0; i < n; i++) w.data()[i * k + target] = 1;
		return w;
	}

	/**
	 * Score {@code target} from a row of {@code scoreTensor}'s values starting at {@code offset}: the
	 * value itself, or for {@link ModelInfo#COMPLEMENT} the complement of output 0 ({@code 1 - p} for
	 * the probability, {@code -logit} for the logit).
	 */
	public static float value(float[] data, int offset, int target, String scoreTensor) {
		if (target != ModelInfo.COMPLEMENT) return data[offset + target];
		float v = data[offset];
		return ConvModel.OUTPUT.equals(scoreTensor) ? 1 - v : -v;
	}

	/**
	 * Runs a batch through the model {@code batchSize} items at a time and returns score
	 * {@code target} of tensor {@code scoreTensor} (e.g. {@link ConvModel#OUTPUT}) for each item.
	 */
	public static float[] scores(ConvModel model, NdArray batch, String scoreTensor, int target, int batchSize, Progress progress) {
		int n = batch.dim(0);
		float[] out = new float[n];
		int bs = Math.max(1, batchSize);
		for (int from = 0; from < n; from += bs) {
			progress.checkCancelled();
			int to = Math.min(n, from + bs);
			NdArray part = from == 0 && to == n ? batch : batch.items(from, to);
			NdArray s = model.run(part, List.of(scoreTensor)).get(scoreTensor);
			int k = s.stride0();
			for (int i = from; i < to; i++) out[i] = value(s.data(), (i - from) * k, target, scoreTensor);
			progress.update((double) to / n, "Scoring " + to + "/" + n);
		}
		return out;
	}

	/** Score {@code target} of one image. */
	public static float score(ConvModel model, NdArray input, String scoreTensor, int target) {
		return scores(model, input, scoreTensor, target, 1, Progress.NONE)[0];
	}

	/**
	 * Gradients of score {@code target} of {@code scoreTensor} with respect to the input, one per
	 * item: {@code [N, H, W, C]}.
	 */
	public static NdArray inputGradients(ConvModel model, NdArray batch, String scoreTensor, int target) {
		NdArray w = oneHot(batch.dim(0), scoreWidth(model, scoreTensor, batch), target);
		return model.gradients(batch, scoreTensor, w, List.of(ConvModel.INPUT)).gradient(ConvModel.INPUT);
	}

	/** Number of scores per item in {@code scoreTensor}: the class count for the class output and logits. */
	public static int scoreWidth(ConvModel model, String scoreTensor, NdArray batch) {
		int k = model.info().numClasses();
		if (k > 0 && (ConvModel.OUTPUT.equals(scoreTensor) || ConvModel.LOGITS.equals(scoreTensor))) return k;
		return model.run(batch.item(0), List.of(scoreTensor)).get(scoreTensor).stride0();
	}
}
