package org.convlens.explain.cam;

import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.core.Progress;
import org.convlens.model.NdArray;

/**
 * The class-activation-map formulas as pure functions of one image's feature maps {@code A}
 * ({@code h x w x k}), the gradients {@code G = dy/dA} of the target score {@code y} and, for the
 * perturbation methods, a {@link BatchScorer} that evaluates the model. Every map is
 * {@code h x w}, row-major, after the final ReLU that all methods share.
 *
 * <p>With {@code i} running over the {@code h*w} positions and {@code k} over channels:
 * <ul>
 * <li>Grad-CAM: {@code w_k = mean_i G_ik}, map {@code = ReLU(sum_k w_k A_k)}.
 * <li>Grad-CAM++: {@code a_ik = G_ik^2 / (2 G_ik^2 + (sum_j A_jk) G_ik^3)} (0 where the denominator
 * is 0), {@code w_k = sum_i a_ik ReLU(G_ik)}, map {@code = ReLU(sum_k w_k A_k)}. This is the
 * paper's formula for an exponential of the score, whose derivatives are {@code exp(y)} times
 * powers of {@code G}; the common factor {@code exp(y)} only scales the map.
 * <li>HiResCAM: map {@code = ReLU(sum_k G_k * A_k)} (element-wise).
 * <li>XGradCAM: {@code w_k = sum_i G_ik A_ik / sum_i A_ik} (0 where the sum is 0), map
 * {@code = ReLU(sum_k w_k A_k)}.
 * <li>LayerCAM: map {@code = ReLU(sum_k ReLU(G_k) * A_k)}.
 * <li>Score-CAM: {@code M_k} = channel {@code k} resized to the input and scaled to [0, 1];
 * {@code s_k} = score of the input times {@code M_k}; {@code w = softmax(s)}, map
 * {@code = ReLU(sum_k w_k A_k)}. (The paper subtracts a baseline score from every {@code s_k};
 * softmax is blind to that constant.)
 * <li>Ablation-CAM: {@code y_k} = score with channel {@code k} of the layer set to zero,
 * {@code w_k = (y - y_k) / y}, map {@code = ReLU(sum_k w_k A_k)}.
 * <li>EigenCAM: the projection {@code A v_1} of the {@code hw x k} matrix {@code A} on its first
 * right singular vector (no centring, as in the paper), signed so that the projection sums to a
 * non-negative value (for non-negative activations it is then non-negative everywhere), then ReLU.
 * </ul>
 * Sums are accumulated in double precision.
 */
public final class CamMath {

	private CamMath() {}

	// ---------------------------------------------------------------- gradient methods

	/** Grad-CAM channel weights: the spatial mean of the gradient per channel. */
	public static float[] gradCamWeights(FeatureMaps g) {
		int n = g.positions(), K = g.channels();
		float[] d = g.data();
		double[] s = new double[K];
		for (int p = 0; p < n; p++) for (int k = 0; k < K; k++) s[k] += d[p * K + k];
		float[] w = new float[K];
		for (int k = 0; k < K; k++) w[k] = (float) (s[k] / n);
		return w;
	}

	/** Grad-CAM++ channel weights (see the class description). */
	public static float[] gradCamPlusPlusWeights(FeatureMaps a, FeatureMaps g) {
		requireSameShape(a, g);
		int n = a.positions(), K = a.channels();
		float[] gd = g.data();
		double[] sumA = channelSums(a);
		double[] w = new double[K];
		for (int p = 0; p < n; p++) {
			for (int k = 0; k < K; k++) {
				double gi = gd[p * K + k];
				if (gi <= 0) continue; // ReLU(G) is 0: no contribution, whatever alpha is
				double g2 = gi * gi;
				double den = 2 * g2 + sumA[k] * g2 * gi;
				if (den != 0) w[k] += g2 / den * gi;
			}
		}
		return toFloat(w);
	}

	/** XGradCAM channel weights (see the class description). */
	public static float[] xGradCamWeights(FeatureMaps a, FeatureMaps g) {
		requireSameShape(a, g);
		int n = a.positions(), K = a.channels();
		float[] ad = a.data(), gd = g.data();
		double[] sumA = channelSums(a);
		double[] sumGA = new double[K];
		for (int p = 0; p < n; p++) for (int k = 0; k < K; k++) sumGA[k] += (double) gd[p * K + k] * ad[p * K + k];
		float[] w = new float[K];
		for (int k = 0; k < K; k++) w[k] = sumA[k] == 0 ? 0 : (float) (sumGA[k] / sumA[k]);
		return w;
	}

	public static float[] gradCam(FeatureMaps a, FeatureMaps g) {
		requireSameShape(a, g);
		return Heatmaps.relu(weightedSum(a, gradCamWeights(g)));
	}

	public static float[] gradCamPlusPlus(FeatureMaps a, FeatureMaps g) {
		return Heatmaps.relu(weightedSum(a, gradCamPlusPlusWeights(a, g)));
	}

	public static float[] xGradCam(FeatureMaps a, FeatureMaps g) {
		return Heatmaps.relu(weightedSum(a, xGradCamWeights(a, g)));
	}

	public static float[] hiResCam(FeatureMaps a, FeatureMaps g) {
		return elementwise(a, g, false);
	}

	public static float[] layerCam(FeatureMaps a, FeatureMaps g) {
		return elementwise(a, g, true);
	}

	/** {@code ReLU(sum_k G_k * A_k)}, with {@code ReLU(G)} in place of {@code G} for LayerCAM. */
	private static float[] elementwise(FeatureMaps a, FeatureMaps g, boolean positiveGradients) {
		requireSameShape(a, g);
		int n = a.positions(), K = a.channels();
		float[] ad = a.data(), gd = g.data();
		float[] map = new float[n];
		for (int p = 0; p < n; p++) {
			double s = 0;
			for (int k = 0; k < K; k++) {
				double gi = gd[p * K + k];
				if (positiveGradients && gi < 0) gi = 0;
				s += gi * ad[p * K + k];
			}
			map[p] = s > 0 ? (float) s : 0;
		}
		return map;
	}

	/**
	 * The map of a gradient method.
	 *
	 * @throws IllegalArgumentException for a method that does not use gradients
	 */
	public static float[] gradientMap(CamMethod method, FeatureMaps a, FeatureMaps g) {
		switch (method) {
			case GRAD_CAM: return gradCam(a, g);
			case GRAD_CAM_PLUS_PLUS: return gradCamPlusPlus(a, g);
			case HIRES_CAM: return hiResCam(a, g);
			case XGRAD_CAM: return xGradCam(a, g);
			case LAYER_CAM: return layerCam(a, g);
			default: throw new IllegalArgumentException(method.label() + " does not work from gradients.");
		}
	}

	// ---------------------------------------------------------------- EigenCAM

	/** EigenCAM (see the class description). */
	public static float[] eigenCam(FeatureMaps a) {
		return Heatmaps.relu(firstComponentProjection(a));
	}

	/**
	 * {@code A v_1}: the projection of the {@code hw x k} matrix on its first right singular vector,
	 * signed so that it correlates positively with the mean activation over channels (see
	 * {@link EigenCam#orientation}); up to that sign equal to {@code sigma_1 u_1}. Found by power
	 * iteration on the smaller of {@code A A^T} and {@code A^T A}.
	 */
	public static float[] firstComponentProjection(FeatureMaps a) {
		return EigenCam.firstComponentProjection(a);
	}

	// ---------------------------------------------------------------- Score-CAM

	/**
	 * Score-CAM channel weights: {@code softmax_k} of the scores of the input masked by each channel
	 * (resized to the input with {@link Heatmaps#upsample} and scaled to [0, 1]; a constant channel
	 * gives an all-zero mask).
	 *
	 * @param input one image {@code H x W x C}, channel fastest (an NHWC item)
	 * @param scorer scores a batch of masked inputs {@code [n, H, W, C]}
	 * @param batchSize how many masked inputs to score at once
	 */
	public static float[] scoreCamWeights(float[] input, int H, int W, int C, FeatureMaps a, BatchScorer scorer,
		int batchSize, Progress progress)
	{
		float[] s = scoreCamScores(input, H, W, C, a, scorer, batchSize, progress);
		return softmax(s);
	}

	/** The scores {@code s_k} of the masked inputs, before the softmax. */
	public static float[] scoreCamScores(float[] input, int H, int W, int C, FeatureMaps a, BatchScorer scorer,
		int batchSize, Progress progress)
	{
		if (input.length != H * W * C) throw new IllegalArgumentException("Input of " + input.length + " values is not " + H + "x" + W + "x" + C);
		if (batchSize < 1) throw new IllegalArgumentException("Batch size must be at least 1, not " + batchSize);
		Progress p = progress == null ? Progress.NONE : progress;
		int K = a.channels();
		float[] scores = new float[K];
		int plane = H * W * C;
		for (int k0 = 0; k0 < K; k0 += batchSize) {
			p.checkCancelled();
			int n = Math.min(batchSize, K - k0);
			float[] batch = new float[n * plane];
			for (int b = 0; b < n; b++) {
				float[] mask = Heatmaps.normalize(Heatmaps.upsample(a.channel(k0 + b), a.height(), a.width(), H, W));
				int off = b * plane;
				for (int q = 0; q < H * W; q++) {
					float m = mask[q];
					for (int c = 0; c < C; c++) batch[off + q * C + c] = input[q * C + c] * m;
				}
			}
			float[] s = scorer.scores(new NdArray(new int[] { n, H, W, C }, batch));
			requireScores(s, n);
			System.arraycopy(s, 0, scores, k0, n);
			p.update((double) (k0 + n) / K, "Score-CAM: " + (k0 + n) + "/" + K + " channels");
		}
		return scores;
	}

	public static float[] scoreCam(float[] input, int H, int W, int C, FeatureMaps a, BatchScorer scorer, int batchSize,
		Progress progress)
	{
		return Heatmaps.relu(weightedSum(a, scoreCamWeights(input, H, W, C, a, scorer, batchSize, progress)));
	}

	// ---------------------------------------------------------------- Ablation-CAM

	/**
	 * Ablation-CAM channel weights {@code (y - y_k) / y}.
	 *
	 * @param score {@code y}, the target's score for the unmodified activations
	 * @param scorer scores a batch of activations {@code [n, h, w, k]}, each with one channel zeroed
	 * @throws IllegalArgumentException when {@code y} is 0, where the definition has no value
	 */
	public static float[] ablationCamWeights(FeatureMaps a, float score, BatchScorer scorer, int batchSize, Progress progress) {
		if (score == 0 || !Float.isFinite(score)) {
			throw new IllegalArgumentException("Ablation-CAM divides by the target score, which is " + score + " here.");
		}
		float[] yk = ablatedScores(a, scorer, batchSize, progress);
		float[] w = new float[yk.length];
		for (int k = 0; k < w.length; k++) w[k] = (float) (((double) score - yk[k]) / score);
		return w;
	}

	/** The scores {@code y_k} with channel {@code k} zeroed. */
	public static float[] ablatedScores(FeatureMaps a, BatchScorer scorer, int batchSize, Progress progress) {
		if (batchSize < 1) throw new IllegalArgumentException("Batch size must be at least 1, not " + batchSize);
		Progress p = progress == null ? Progress.NONE : progress;
		int K = a.channels(), n = a.positions();
		float[] d = a.data();
		float[] scores = new float[K];
		for (int k0 = 0; k0 < K; k0 += batchSize) {
			p.checkCancelled();
			int m = Math.min(batchSize, K - k0);
			float[] batch = new float[m * d.length];
			for (int b = 0; b < m; b++) {
				System.arraycopy(d, 0, batch, b * d.length, d.length);
				int k = k0 + b;
				for (int q = 0; q < n; q++) batch[b * d.length + q * K + k] = 0;
			}
			float[] s = scorer.scores(new NdArray(new int[] { m, a.height(), a.width(), K }, batch));
			requireScores(s, m);
			System.arraycopy(s, 0, scores, k0, m);
			p.update((double) (k0 + m) / K, "Ablation-CAM: " + (k0 + m) + "/" + K + " channels");
		}
		return scores;
	}

	public static float[] ablationCam(FeatureMaps a, float score, BatchScorer scorer, int batchSize, Progress progress) {
		return Heatmaps.relu(weightedSum(a, ablationCamWeights(a, score, scorer, batchSize, progress)));
	}

	// ---------------------------------------------------------------- shared

	/** {@code sum_k w_k A_k}, without ReLU. */
	public static float[] weightedSum(FeatureMaps a, float[] w) {
		int n = a.positions(), K = a.channels();
		if (w.length != K) throw new IllegalArgumentException(w.length + " weights for " + K + " channels");
		float[] d = a.data();
		float[] map = new float[n];
		int K4 = K - K % 4;
		for (int p = 0; p < n; p++) {
			// four partial sums: one chain of dependent additions made this loop latency-bound;
			// each float product is exact in double, so only the order of the additions changes
			double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
			int o = p * K, k = 0;
			for (; k < K4; k += 4) {
				s0 += (double) w[k] * d[o + k];
				s1 += (double) w[k + 1] * d[o + k + 1];
				s2 += (double) w[k + 2] * d[o + k + 2];
				s3 += (double) w[k + 3] * d[o + k + 3];
			}
			for (; k < K; k++) s0 += (double) w[k] * d[o + k];
			map[p] = (float) ((s0 + s1) + (s2 + s3));
		}
		return map;
	}

	/** Numerically stable softmax. */
	public static float[] softmax(float[] s) {
		double max = Double.NEGATIVE_INFINITY;
		for (float x : s) max = Math.max(max, x);
		double[] e = new double[s.length];
		double sum = 0;
		for (int i = 0; i < s.length; i++) sum += e[i] = Math.exp(s[i] - max);
		float[] r = new float[s.length];
		for (int i = 0; i < s.length; i++) r[i] = (float) (e[i] / sum);
		return r;
	}

	private static double[] channelSums(FeatureMaps a) {
		int n = a.positions(), K = a.channels();
		float[] d = a.data();
		double[] s = new double[K];
		for (int p = 0; p < n; p++) for (int k = 0; k < K; k++) s[k] += d[p * K + k];
		return s;
	}

	private static float[] toFloat(double[] d) {
		float[] f = new float[d.length];
		for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
		return f;
	}

	private static void requireSameShape(FeatureMaps a, FeatureMaps g) {
		if (!a.sameShape(g)) throw new IllegalArgumentException("Activations " + a + " and gradients " + g + " differ in shape");
	}

	private static void requireScores(float[] s, int n) {
		if (s == null || s.length != n) {
			throw new IllegalStateException("The scorer returned " + (s == null ? "nothing" : s.length + " scores") + " for " + n + " items");
		}
	}
}
