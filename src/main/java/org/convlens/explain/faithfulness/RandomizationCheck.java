package org.convlens.explain.faithfulness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.NdArray;
import org.convlens.explain.core.Degenerate;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * The model-randomisation sanity check of Adebayo et al. (2018), cascading: the weights of the
 * top layer are re-initialised, then of the top two, and so on down to the first; after each step
 * the explanation is recomputed and compared with the original by Spearman's rank correlation.
 * An explanation that depends on what the model learned must change; one whose correlation stays
 * at or above {@code threshold} (default 0.5) at every step, down to a fully re-initialised
 * network, is flagged as insensitive to the model. Correlations are of the absolute maps, so that
 * a sign flip does not count as a change (the signed correlation is reported too).
 *
 * <p>A model that looks untrained ({@link TrainedCheck}) is reported as such: the check cannot
 * tell anything there.
 */
public final class RandomizationCheck {

	/** One step of the cascade. */
	public static final class Step {
		private final List<String> randomized;
		private final double spearman;
		private final double spearmanSigned;
		private final double score;
		private final NdArray map;

		Step(List<String> randomized, double spearman, double spearmanSigned, double score, NdArray map) {
			this.randomized = List.copyOf(randomized);
			this.spearman = spearman;
			this.spearmanSigned = spearmanSigned;
			this.score = score;
			this.map = map;
		}

		/** The layer re-initialised at this step (the lowest so far). */
		public String layer() { return randomized.get(randomized.size() - 1); }
		/** All layers re-initialised so far, top first. */
		public List<String> randomized() { return randomized; }
		/** What makes this step's map meaningless (constant, all zero, NaN/Inf), or null. */
		public String problem() { return Degenerate.describe(map.data()); }
		/** Spearman correlation of the absolute maps with the original; NaN where either map is constant. */
		public double spearman() { return spearman; }
		/** Spearman correlation of the maps as they are. */
		public double spearmanSigned() { return spearmanSigned; }
		/** The target score of the randomised model. */
		public double score() { return score; }
		public NdArray map() { return map; }
	}

	/** The outcome: the original map, the cascade and the verdicts. */
	public static final class Result {
		private final NdArray original;
		private final double originalScore;
		private final List<Step> steps;
		private final double threshold;
		private final TrainedCheck trained;

		Result(NdArray original, double originalScore, List<Step> steps, double threshold, TrainedCheck trained) {
			this.original = original;
			this.originalScore = originalScore;
			this.steps = Collections.unmodifiableList(steps);
			this.threshold = threshold;
			this.trained = trained;
		}

		public NdArray original() { return original; }
		public double originalScore() { return originalScore; }
		public List<Step> steps() { return steps; }
		public double threshold() { return threshold; }
		/** Whether the model under test looks trained at all (see {@link TrainedCheck}). */
		public TrainedCheck trained() { return trained; }

		/**
		 * Why the check says nothing, or null when it does: the model looks untrained, the original
		 * map is degenerate (constant, all zero, NaN/Inf: its rank correlation with anything is
		 * undefined), or every randomised map is.
		 */
		public String notMeaningful() {
			String o = Degenerate.describe(original.data());
			if (o != null) return "the original map is " + o + ", so its rank correlation with any map is undefined";
			if (!trained.looksTrained()) {
				return "the model looks untrained (" + trained.reason() + "), so randomising it cannot show " +
					"whether the explanation depends on what it learned";
			}
			if (!steps.isEmpty() && steps.stream().noneMatch(s -> Double.isFinite(s.spearman()))) {
				return "every randomised map is degenerate (" + steps.get(0).problem() + "), so no rank correlation is defined";
			}
			return null;
		}

		/**
		 * The explanation barely changed: its rank correlation with the original stayed at or above
		 * the threshold at every step of the cascade, down to a fully re-initialised network.
		 */
		public boolean insensitive() {
			return !steps.isEmpty() && notMeaningful() == null && firstChange() < 0;
		}

		/**
		 * The first step at which the correlation fell below the threshold, or -1. Steps with an
		 * undefined (NaN) correlation are skipped: a map that went constant is reported as such, not
		 * counted as a change.
		 */
		public int firstChange() {
			for (int i = 0; i < steps.size(); i++) if (steps.get(i).spearman() < threshold) return i;
			return -1;
		}

		/** Correlation after the whole cascade. */
		public double finalCorrelation() {
			return steps.isEmpty() ? Double.NaN : steps.get(steps.size() - 1).spearman();
		}

		/** One sentence for the log or a results table. */
		public String verdict() {
			String why = notMeaningful();
			if (why != null) return "Not meaningful: " + why + ".";
			if (insensitive()) {
				return String.format(Locale.ROOT, "FLAGGED: the explanation barely changes when the model is destroyed " +
					"(rank correlation >= %.2f at every step; %.2f with all %d layers re-initialised).", threshold, finalCorrelation(),
					steps.size());
			}
			int k = firstChange();
			String s = String.format(Locale.ROOT, "Passed: the explanation changes once %d layer%s re-initialised " +
				"(rank correlation %.2f < %.2f).", k + 1, k == 0 ? " is" : "s are", steps.get(k).spearman(), threshold);
			long undefined = steps.stream().filter(st -> !Double.isFinite(st.spearman())).count();
			if (undefined > 0) {
				s += " " + undefined + " step" + (undefined == 1 ? " gave a degenerate map" : "s gave degenerate maps") +
					" (rank correlation undefined).";
			}
			if (finalCorrelation() >= threshold) {
				s += String.format(Locale.ROOT, " With every layer re-initialised it is again correlated (%.2f): part of the map " +
					"follows the image rather than what the model learned.", finalCorrelation());
			}
			return s;
		}
	}

	private final List<String> layers;
	private final long seed;
	private final double threshold;

	/** All layers with weights, top first; seed 0; threshold 0.5. */
	public RandomizationCheck() {
		this(null, 0, 0.5);
	}

	private RandomizationCheck(List<String> layers, long seed, double threshold) {
		this.layers = layers;
		this.seed = seed;
		this.threshold = threshold;
	}

	/** The layers to re-initialise, in cascade order (top first); null = every layer with weights. */
	public RandomizationCheck withLayers(List<String> l) { return new RandomizationCheck(l == null ? null : List.copyOf(l), seed, threshold); }
	public RandomizationCheck withSeed(long s) { return new RandomizationCheck(layers, s, threshold); }
	/** Rank correlation at or above which the explanation counts as unchanged. */
	public RandomizationCheck withThreshold(double t) { return new RandomizationCheck(layers, seed, t); }

	public long seed() { return seed; }
	public double threshold() { return threshold; }

	/** Layers with a convolution or dense kernel, from the output down. */
	public static List<String> weightLayers(ConvModel model) {
		List<String> out = new ArrayList<>();
		List<LayerInfo> all = model.info().layers();
		for (int i = all.size() - 1; i >= 0; i--) {
			String name = all.get(i).name();
			try {
				model.kernel(name);
				out.add(name);
			}
			catch (ModelException e) {
				// no weights: pooling, activation, reshaping
			}
		}
		return out;
	}

	public Result run(ConvModel model, NdArray input, int target, HeatmapMethod method, Progress progress) {
		ExplainMath.checkImage(input);
		ExplainMath.checkTarget(model, target);
		List<String> cascade = layers != null ? layers : weightLayers(model);
		if (cascade.isEmpty()) throw new ModelException("The model has no layer with weights to re-initialise.");
		int total = cascade.size() + 2;
		TrainedCheck trained = TrainedCheck.of(model, input, progress.sub(0, 1.0 / total));
		NdArray original = method.heatmap(model, input, target, progress.sub(1.0 / total, 2.0 / total));
		double originalScore = ExplainMath.score(model, input, ConvModel.OUTPUT, target);
		float[] abs0 = abs(original.data());
		List<Step> steps = new ArrayList<>();
		for (int i = 0; i < cascade.size(); i++) {
			progress.checkCancelled();
			List<String> sub = cascade.subList(0, i + 1);
			progress.update((i + 2.0) / total, "Re-initialising " + String.join(", ", sub));
			try (ConvModel copy = model.randomizedCopy(sub, seed)) {
				NdArray map = method.heatmap(copy, input, target, progress.sub((i + 2.0) / total, (i + 3.0) / total));
				NdArray m = ExplainMath.resize(map, original.dim(0), original.dim(1));
				double rs = ExplainMath.spearman(abs0, abs(m.data()));
				double rsSigned = ExplainMath.spearman(original.data(), m.data());
				double sc = ExplainMath.score(copy, input, ConvModel.OUTPUT, target);
				steps.add(new Step(sub, rs, rsSigned, sc, m));
			}
		}
		progress.update(1, "Randomisation check done");
		return new Result(original, originalScore, steps, threshold, trained);
	}

	private static float[] abs(float[] v) {
		float[] a = new float[v.length];
		for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
		return a;
	}

	@Override
	public String toString() {
		return "randomization-check layers=" + (layers == null ? "all" : String.join(",", layers)) + " seed=" + seed + " threshold=" + threshold;
	}
}
