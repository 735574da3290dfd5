package org.convlens.explain.attribution;

import java.util.Random;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * SmoothGrad (Smilkov et al.): the input gradient averaged over {@code samples} copies of the
 * image with Gaussian noise of standard deviation {@code noise x (max - min)} of the input, then
 * reduced like {@link VanillaGradient} (largest absolute value over channels). The noisy copies
 * run {@code batchSize} at a time; a fixed seed makes the map reproducible.
 */
public final class SmoothGrad implements HeatmapMethod {

	private final int samples;
	private final double noise;
	private final long seed;
	private final int batchSize;
	private final String score;

	/** 50 samples, noise 15 % of the input range, seed 0, batches of 16, logits. */
	public SmoothGrad() {
		this(50, 0.15, 0, 16, ConvModel.LOGITS);
	}

	private SmoothGrad(int samples, double noise, long seed, int batchSize, String score) {
		if (samples < 1 || batchSize < 1) throw new IllegalArgumentException("Samples and batch size must be >= 1");
		if (noise < 0) throw new IllegalArgumentException("Noise must be >= 0");
		this.samples = samples;
		this.noise = noise;
		this.seed = seed;
		this.batchSize = batchSize;
		this.score = score;
	}

	public SmoothGrad withSamples(int n) { return new SmoothGrad(n, noise, seed, batchSize, score); }
	/** Noise standard deviation as a fraction of the input's value range (0.15 = 15 %). */
	public SmoothGrad withNoise(double fraction) { return new SmoothGrad(samples, fraction, seed, batchSize, score); }
	public SmoothGrad withSeed(long s) { return new SmoothGrad(samples, noise, s, batchSize, score); }
	public SmoothGrad withBatchSize(int b) { return new SmoothGrad(samples, noise, seed, b, score); }
	public SmoothGrad withScore(String s) { return new SmoothGrad(samples, noise, seed, batchSize, s); }

	public int samples() { return samples; }
	public double noise() { return noise; }
	public long seed() { return seed; }
	public int batchSize() { return batchSize; }
	public String score() { return score; }

	/** The averaged signed gradient, {@code [1, H, W, C]}. */
	public NdArray gradient(ConvModel model, NdArray input, int target, Progress progress) {
		ExplainMath.checkImage(input);
		ExplainMath.checkTarget(model, target);
		float[] r = ExplainMath.range(input);
		double sd = noise * (r[1] - r[0]);
		float[] x = input.data();
		int per = x.length;
		double[] sum = new double[per];
		Random rnd = new Random(seed);
		int done = 0;
		while (done < samples) {
			progress.checkCancelled();
			int n = Math.min(batchSize, samples - done);
			float[] b = new float[n * per];
			for (int i = 0; i < b.length; i++) b[i] = (float) (x[i % per] + rnd.nextGaussian() * sd);
			int[] shape = input.shape();
			shape[0] = n;
			float[] g = ExplainMath.inputGradients(model, new NdArray(shape, b), score, target).data();
			for (int i = 0; i < g.length; i++) sum[i % per] += g[i];
			done += n;
			progress.update((double) done / samples, "SmoothGrad " + done + "/" + samples);
		}
		float[] mean = new float[per];
		for (int i = 0; i < per; i++) mean[i] = (float) (sum[i] / samples);
		return new NdArray(input.shape(), mean);
	}

	@Override
	public NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress) {
		return ExplainMath.map(ExplainMath.maxAbsOverChannels(gradient(model, input, target, progress)), 0);
	}

	@Override
	public String toString() {
		return "smoothgrad samples=" + samples + " noise=" + noise + " seed=" + seed + " batch=" + batchSize + " score=" + score;
	}
}
