package org.convlens.explain.attribution;

import java.util.ArrayList;
import java.util.List;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fill;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * Integrated Gradients (Sundararajan et al.): {@code (x - x') * mean of grad f(x' + a (x - x'))}
 * over {@code steps} points {@code a = (k + 1/2) / steps} (the midpoint rule) on the straight
 * path from a baseline {@code x'} to the input. The attributions sum to about
 * {@code f(x) - f(x')} (completeness), which {@link Result#completenessError()} reports; as the
 * error costs nothing to measure, the steps are tripled (every earlier point is reused) while it
 * exceeds the tolerance, up to a maximum. ReLU networks are piecewise linear, so the gradient
 * jumps along the path and a fixed step count can miss by a few percent (on the generated
 * shapes model 50 steps left up to 2.4 %, 150 steps 0.4 %). The path points run
 * {@code batchSize} at a time.
 *
 * <p>The heatmap is the attribution summed over channels: signed, and it sums to the score
 * difference.
 */
public final class IntegratedGradients implements HeatmapMethod {

	/** The reference image the path starts from. */
	/** Completeness error above which a result is reported as unconverged (1 %). */
	public static final double WARN_ERROR = 0.01;

	public enum Baseline {
		/** All zeros: black for inputs scaled to [0, 1] or raw pixel values. */
		BLACK,
		/** The image blurred with a large Gaussian (sigma = blur sigma), keeping colours without detail. */
		BLURRED,
		/** The image's per-channel mean everywhere. */
		MEAN
	}

	/** Attributions and the numbers that check them. */
	public static final class Result {
		private final NdArray attributions;
		private final NdArray baseline;
		private final double scoreInput;
		private final double scoreBaseline;
		private final int steps;

		Result(NdArray attributions, NdArray baseline, double scoreInput, double scoreBaseline, int steps) {
			this.attributions = attributions;
			this.baseline = baseline;
			this.scoreInput = scoreInput;
			this.scoreBaseline = scoreBaseline;
			this.steps = steps;
		}

		/** Gradients the integral used, after any refinement. */
		public int steps() { return steps; }

		/** Per input value, {@code [1, H, W, C]}. */
		public NdArray attributions() { return attributions; }
		public NdArray baseline() { return baseline; }
		/** {@code f(x)}. */
		public double scoreInput() { return scoreInput; }
		/** {@code f(x')}. */
		public double scoreBaseline() { return scoreBaseline; }

		/** Sum of all attributions. */
		public double sum() {
			double s = 0;
			for (float v : attributions.data()) s += v;
			return s;
		}

		/** {@code |sum - (f(x) - f(x'))| / |f(x) - f(x')|}: 0 for a perfect path integral. */
		public double completenessError() {
			double d = scoreInput - scoreBaseline;
			return Math.abs(sum() - d) / Math.max(Math.abs(d), 1e-12);
		}

		/** The attribution summed over channels, {@code [H, W]}. */
		public NdArray map() {
			return ExplainMath.map(ExplainMath.sumOverChannels(attributions), 0);
		}
	}

	private final int steps;
	private final double tolerance;
	private final int maxSteps;
	private final Baseline baseline;
	private final double blurSigma;
	private final NdArray customBaseline;
	private final int batchSize;
	private final String score;

	/**
	 * 50 steps from a black baseline, refined up to 450 steps while the completeness error is
	 * above 1 %; batches of 16; logits.
	 */
	public IntegratedGradients() {
		this(50, 0.01, 0, Baseline.BLACK, -1, null, 16, ConvModel.LOGITS);
	}

	private IntegratedGradients(int steps, double tolerance, int maxSteps, Baseline baseline, double blurSigma, NdArray customBaseline,
		int batchSize, String score)
	{
		if (steps < 1 || batchSize < 1) throw new IllegalArgumentException("Steps and batch size must be >= 1");
		this.steps = steps;
		this.tolerance = tolerance;
		this.maxSteps = maxSteps;
		this.baseline = baseline;
		this.blurSigma = blurSigma;
		this.customBaseline = customBaseline;
		this.batchSize = batchSize;
		this.score = score;
	}

	private IntegratedGradients with(int st, double tol, int max, Baseline b, double sigma, NdArray custom, int batch, String sc) {
		return new IntegratedGradients(st, tol, max, b, sigma, custom, batch, sc);
	}

	/** Gradients evaluated on the path (before any refinement). */
	public IntegratedGradients withSteps(int s) { return with(s, tolerance, maxSteps, baseline, blurSigma, customBaseline, batchSize, score); }
	/**
	 * Completeness error (relative) above which the steps are tripled, up to {@link #maxSteps()};
	 * 0 or less refines up to the maximum, {@code Double.POSITIVE_INFINITY} never refines.
	 */
	public IntegratedGradients withTolerance(double t) { return with(steps, t, maxSteps, baseline, blurSigma, customBaseline, batchSize, score); }
	/** Most steps refinement may reach; 0 = nine times {@code steps}. */
	public IntegratedGradients withMaxSteps(int m) { return with(steps, tolerance, m, baseline, blurSigma, customBaseline, batchSize, score); }
	public IntegratedGradients withBaseline(Baseline b) { return with(steps, tolerance, maxSteps, b, blurSigma, null, batchSize, score); }
	/** A baseline image of the input's shape, e.g. black after the model's preprocessing; overrides {@link Baseline}. */
	public IntegratedGradients withBaselineImage(NdArray b) { return with(steps, tolerance, maxSteps, baseline, blurSigma, b, batchSize, score); }
	/** Sigma of the {@link Baseline#BLURRED} baseline in pixels; {@code <= 0} = a tenth of the larger image side. */
	public IntegratedGradients withBlurSigma(double s) { return with(steps, tolerance, maxSteps, baseline, s, customBaseline, batchSize, score); }
	public IntegratedGradients withBatchSize(int b) { return with(steps, tolerance, maxSteps, baseline, blurSigma, customBaseline, b, score); }
	public IntegratedGradients withScore(String s) { return with(steps, tolerance, maxSteps, baseline, blurSigma, customBaseline, batchSize, s); }

	public int steps() { return steps; }
	public double tolerance() { return tolerance; }
	public int maxSteps() { return maxSteps > 0 ? Math.max(maxSteps, steps) : 9 * steps; }
	public Baseline baseline() { return baseline; }
	public int batchSize() { return batchSize; }
	public String score() { return score; }

	/** The baseline image for an input. */
	public NdArray baselineFor(NdArray input) {
		if (customBaseline != null) {
			if (!java.util.Arrays.equals(customBaseline.shape(), input.shape())) {
				throw new IllegalArgumentException("Baseline " + customBaseline + " does not match the input " + input);
			}
			return customBaseline;
		}
		switch (baseline) {
			case BLACK:
				return Fill.ZERO.replacement(input, 0);
			case MEAN:
				return Fill.MEAN.replacement(input, 0);
			case BLURRED:
				double s = blurSigma > 0 ? blurSigma : Math.max(input.dim(1), input.dim(2)) / 10.0;
				return Fill.BLUR.replacement(input, s);
			default:
				throw new IllegalStateException(baseline.name());
		}
	}

	public Result attribute(ConvModel model, NdArray input, int target, Progress progress) {
		ExplainMath.checkImage(input);
		ExplainMath.checkTarget(model, target);
		NdArray base = baselineFor(input);
		float[] x = input.data(), b = base.data();
		int per = x.length;
		float[] s = ExplainMath.scores(model, NdArray.concat(List.of(input, base)), score, target, 2, Progress.NONE);
		double[] sum = new double[per];
		int n = steps;
		List<Double> alphas = new ArrayList<>();
		for (int k = 0; k < n; k++) alphas.add((k + 0.5) / n);
		while (true) {
			accumulate(model, input, base, target, alphas, sum, progress);
			Result r = result(input, base, sum, n, s);
			if (r.completenessError() <= tolerance || 3L * n > maxSteps()) return r;
			// tripling keeps every midpoint: (k + 1/2) / n = (3k + 1 + 1/2) / 3n
			alphas.clear();
			for (int j = 0; j < 3 * n; j++) if (j % 3 != 1) alphas.add((j + 0.5) / (3 * n));
			n *= 3;
		}
	}

	private Result result(NdArray input, NdArray base, double[] sum, int n, float[] s) {
		float[] x = input.data(), b = base.data();
		float[] attr = new float[x.length];
		for (int i = 0; i < x.length; i++) attr[i] = (float) ((x[i] - b[i]) * sum[i] / n);
		return new Result(new NdArray(input.shape(), attr), base, s[0], s[1], n);
	}

	/** Adds the gradients at the path points {@code alphas} to {@code sum}, in batches. */
	private void accumulate(ConvModel model, NdArray input, NdArray base, int target, List<Double> alphas, double[] sum, Progress progress) {
		float[] x = input.data(), b = base.data();
		int per = x.length;
		int total = alphas.size();
		int done = 0;
		while (done < total) {
			progress.checkCancelled();
			int n = Math.min(batchSize, total - done);
			float[] path = new float[n * per];
			for (int j = 0; j < n; j++) {
				double a = alphas.get(done + j);
				for (int i = 0; i < per; i++) path[j * per + i] = (float) (b[i] + a * (x[i] - b[i]));
			}
			int[] shape = input.shape();
			shape[0] = n;
			float[] g = ExplainMath.inputGradients(model, new NdArray(shape, path), score, target).data();
			for (int i = 0; i < g.length; i++) sum[i % per] += g[i];
			done += n;
			progress.update((double) done / total, "Integrated gradients " + done + "/" + total);
		}
	}

	@Override
	public NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress) {
		return attribute(model, input, target, progress).map();
	}

	@Override
	public String toString() {
		return "integrated-gradients steps=" + steps + " tolerance=" + tolerance + " max-steps=" + maxSteps() + " baseline=" + (customBaseline != null ? "custom" : baseline.name().toLowerCase(java.util.Locale.ROOT)) +
			" batch=" + batchSize + " score=" + score;
	}
}
