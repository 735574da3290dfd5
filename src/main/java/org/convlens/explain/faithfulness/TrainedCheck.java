package org.convlens.explain.faithfulness;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.Progress;

/**
 * Does a model look trained at all? The randomisation sanity check is only meaningful on a
 * trained model: on an untrained one, "the explanation changes when the weights are randomised"
 * compares one random network with another.
 *
 * <p>The test looks at the weights, from random-matrix theory: a weight matrix with independent
 * random entries of standard deviation {@code s} ({@code m x n}; a Conv2D kernel reshaped to
 * {@code kh*kw*in x out}) has its largest singular value close to {@code s (sqrt m + sqrt n)}
 * (the Marchenko-Pastur edge), whatever the entries' distribution. Training builds directions
 * that stand far above that edge. The <em>spike ratio</em> of a layer is its largest singular
 * value (after removing the mean) over the edge: about 1 or less for freshly initialised layers
 * (Gaussian, Glorot or He uniform; orthogonal initialisation gives less than 1) and for
 * {@link ConvModel#randomizedCopy} re-initialisations, clearly above 1 where the layer learned
 * something. The model looks trained when at least one layer reaches {@link #THRESHOLD}.
 *
 * <p>Measured when this was written: re-initialised copies of the generated shapes model and the
 * two real Keras models all stayed at or below 1.02 in every layer, while the trained models
 * peaked at 1.66 (shapes), 1.59 (Fashion-MNIST) and 4.67 (brain MRI).
 *
 * <p>The normalised entropy of the prediction on the tested image is reported too (1 = uniform),
 * as context: a trained model can be unsure of one image, so it does not decide.
 */
public final class TrainedCheck {

	/** Spike ratio from which a layer counts as trained. */
	public static final double THRESHOLD = 1.25;

	private final Map<String, Double> spikes;
	private final double entropy;

	TrainedCheck(Map<String, Double> spikes, double entropy) {
		this.spikes = Collections.unmodifiableMap(new LinkedHashMap<>(spikes));
		this.entropy = entropy;
	}

	/** Spike ratio per layer with weights, top first. */
	public Map<String, Double> spikes() { return spikes; }

	/** Normalised entropy (0..1) of the class prediction on the tested image, NaN if not measured. */
	public double predictionEntropy() { return entropy; }

	public double maxSpike() {
		double m = 0;
		for (double v : spikes.values()) m = Math.max(m, v);
		return m;
	}

	public String maxSpikeLayer() {
		String best = null;
		for (Map.Entry<String, Double> e : spikes.entrySet()) if (best == null || e.getValue() > spikes.get(best)) best = e.getKey();
		return best;
	}

	public boolean looksTrained() {
		return maxSpike() >= THRESHOLD;
	}

	/** Why, in words. */
	public String reason() {
		String s = String.format(Locale.ROOT, "largest weight spike ratio %.2f in %s; %s %.2f", maxSpike(), maxSpikeLayer(),
			looksTrained() ? "trained layers reach" : "random weights stay near 1, trained layers reach", THRESHOLD);
		if (!Double.isNaN(entropy)) s += String.format(Locale.ROOT, "; prediction entropy %.2f of the maximum", entropy);
		return s;
	}

	/** Checks the weights only. */
	public static TrainedCheck of(ConvModel model, Progress progress) {
		return of(model, null, progress);
	}

	/**
	 * Checks the weights, and reports the prediction entropy on {@code input} when it is not null.
	 */
	public static TrainedCheck of(ConvModel model, NdArray input, Progress progress) {
		List<String> layers = RandomizationCheck.weightLayers(model);
		Map<String, Double> spikes = new LinkedHashMap<>();
		for (int i = 0; i < layers.size(); i++) {
			progress.checkCancelled();
			progress.update((double) i / layers.size(), "Weight structure of " + layers.get(i));
			spikes.put(layers.get(i), spikeRatio(model.kernel(layers.get(i))));
		}
		double h = Double.NaN;
		if (input != null) h = entropy(model.run(input, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data());
		progress.update(1, "Weight structure done");
		return new TrainedCheck(spikes, h);
	}

	/** Normalised entropy of one prediction: softmax probabilities, or one sigmoid probability (two classes). */
	static double entropy(float[] p) {
		double[] q;
		if (p.length == 1) q = new double[] { p[0], 1 - p[0] };
		else {
			q = new double[p.length];
			double s = 0;
			for (int i = 0; i < p.length; i++) s += q[i] = Math.max(0, p[i]);
			for (int i = 0; i < q.length; i++) q[i] = s > 0 ? q[i] / s : 1.0 / q.length;
		}
		double h = 0;
		for (double v : q) if (v > 0) h -= v * Math.log(v);
		return h / Math.log(q.length);
	}

	/**
	 * The largest singular value of a kernel reshaped to {@code (size / out) x out}, mean removed,
	 * over {@code sd (sqrt m + sqrt n)}. Power iteration from a fixed start; it can only
	 * underestimate, so random weights are never pushed above 1 by it.
	 */
	public static double spikeRatio(NdArray kernel) {
		int n = kernel.dim(-1);
		int m = kernel.size() / n;
		float[] w = kernel.data();
		double mean = 0;
		for (float v : w) mean += v;
		mean /= w.length;
		double var = 0;
		for (float v : w) var += (v - mean) * (v - mean);
		var /= w.length;
		if (var == 0 || m == 0 || n == 0) return 0;
		double[] x = new double[n];
		Random rnd = new Random(1);
		for (int j = 0; j < n; j++) x[j] = rnd.nextGaussian();
		normalize(x);
		int maxIter = (long) m * n > 10_000_000L ? 50 : 300;
		double lambda = 0;
		double[] y = new double[m];
		for (int it = 0; it < maxIter; it++) {
			for (int i = 0; i < m; i++) {
				double s = 0;
				int off = i * n;
				for (int j = 0; j < n; j++) s += (w[off + j] - mean) * x[j];
				y[i] = s;
			}
			double[] z = new double[n];
			for (int i = 0; i < m; i++) {
				int off = i * n;
				double yi = y[i];
				for (int j = 0; j < n; j++) z[j] += (w[off + j] - mean) * yi;
			}
			double next = normalize(z);
			x = z;
			if (next == 0) break;
			boolean converged = Math.abs(next - lambda) <= 1e-7 * next;
			lambda = next;
			if (converged) break;
		}
		return Math.sqrt(lambda) / (Math.sqrt(var) * (Math.sqrt(m) + Math.sqrt(n)));
	}

	private static double normalize(double[] v) {
		double s = 0;
		for (double d : v) s += d * d;
		s = Math.sqrt(s);
		if (s > 0) for (int i = 0; i < v.length; i++) v[i] /= s;
		return s;
	}

	@Override
	public String toString() {
		return (looksTrained() ? "looks trained: " : "looks untrained: ") + reason();
	}
}
