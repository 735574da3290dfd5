package org.convlens.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.core.Progress;

/** Vanilla gradient, SmoothGrad and Integrated Gradients on the generated shapes model. */
class GradientMethodsTest {

	static ConvModel model;
	static NdArray ring;

	@BeforeAll
	static void open() {
		model = Models.open(Fixtures.shapesModel());
		ring = Fixtures.demoRing();
	}

	@AfterAll
	static void close() {
		model.close();
	}

	static float logit(NdArray x, int k) {
		return model.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS).data()[k];
	}

	@Test
	void vanillaGradientMatchesFiniteDifferences() {
		float[] before = ring.data().clone();
		NdArray map = new VanillaGradient().heatmap(model, ring, 1, Progress.NONE);
		assertArrayEquals(new int[] { 32, 32 }, map.shape());
		assertArrayEquals(before, ring.data(), 0f, "input untouched");
		// the ten most salient pixels: |d logit / d pixel| by central differences
		Integer[] idx = new Integer[map.size()];
		for (int i = 0; i < idx.length; i++) idx[i] = i;
		java.util.Arrays.sort(idx, (a, b) -> Float.compare(map.data()[b], map.data()[a]));
		double eps = 1e-2;
		int agree = 0;
		StringBuilder log = new StringBuilder();
		for (int t = 0; t < 10; t++) {
			int p = idx[t];
			NdArray up = ring.copy(), down = ring.copy();
			up.data()[p] += eps;
			down.data()[p] -= eps;
			double fd = Math.abs((logit(up, 1) - logit(down, 1)) / (2 * eps));
			log.append(String.format(Locale.ROOT, " %.4f/%.4f", map.data()[p], fd));
			// the logits are piecewise linear: away from kinks the two agree closely
			if (Math.abs(fd - map.data()[p]) <= 0.02 * map.data()[p]) agree++;
		}
		assertTrue(agree >= 8, "gradient vs finite differences:" + log);
	}

	@Test
	void smoothGradWithoutNoiseIsTheGradient() {
		NdArray g = new VanillaGradient().heatmap(model, ring, 1, Progress.NONE);
		NdArray s = new SmoothGrad().withNoise(0).withSamples(5).heatmap(model, ring, 1, Progress.NONE);
		float max = ExplainMath.range(g)[1];
		assertArrayEquals(g.data(), s.data(), 1e-5f * max);
	}

	@Test
	void smoothGradDoesNotDependOnTheBatchSize() {
		SmoothGrad sg = new SmoothGrad().withSamples(24).withSeed(7);
		NdArray a = sg.withBatchSize(1).heatmap(model, ring, 1, Progress.NONE);
		NdArray b = sg.withBatchSize(16).heatmap(model, ring, 1, Progress.NONE);
		float max = ExplainMath.range(a)[1];
		assertArrayEquals(a.data(), b.data(), 1e-4f * max);
		NdArray c = sg.withSeed(8).heatmap(model, ring, 1, Progress.NONE);
		assertFalse(java.util.Arrays.equals(a.data(), c.data()), "the seed matters");
	}

	static double tv(NdArray m) {
		int h = m.dim(0), w = m.dim(1);
		double s = 0;
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				if (x + 1 < w) s += Math.abs(m.data()[y * w + x + 1] - m.data()[y * w + x]);
				if (y + 1 < h) s += Math.abs(m.data()[(y + 1) * w + x] - m.data()[y * w + x]);
			}
		}
		return s;
	}

	/** Completeness: attributions sum to f(x) - f(baseline), f computed here by running the model. */
	@Test
	void integratedGradientsCompleteness() {
		List<NdArray> images = new ArrayList<>();
		List<Integer> labels = new ArrayList<>();
		images.add(ring);
		labels.add(1);
		List<Fixtures.Labelled> loc = Fixtures.localization();
		for (int i = 0; i < 20; i++) {
			images.add(loc.get(i).input);
			labels.add(loc.get(i).label);
		}
		double worst = 0, worstFixed = 0;
		int refined = 0;
		StringBuilder log = new StringBuilder();
		int checked = 0;
		for (IntegratedGradients.Baseline base : IntegratedGradients.Baseline.values()) {
			for (String score : List.of(ConvModel.LOGITS, ConvModel.OUTPUT)) {
				IntegratedGradients ig = new IntegratedGradients().withBaseline(base).withScore(score);
				for (int i = 0; i < images.size(); i++) {
					NdArray x = images.get(i);
					int k = labels.get(i);
					IntegratedGradients.Result r = ig.attribute(model, x, k, Progress.NONE);
					NdArray b = r.baseline();
					float fx = model.run(x, List.of(score)).get(score).data()[k];
					float fb = model.run(b, List.of(score)).get(score).data()[k];
					double diff = fx - fb;
					double sum = 0;
					for (float v : r.attributions().data()) sum += v;
					double mapSum = 0;
					for (float v : r.map().data()) mapSum += v;
					assertEquals(sum, mapSum, 1e-3 * Math.abs(sum) + 1e-6, "the map sums the channels");
					// a score that barely moves along the path says nothing about relative error
					if (Math.abs(diff) < (score.equals(ConvModel.LOGITS) ? 1 : 0.05)) continue;
					double err = Math.abs(sum - diff) / Math.abs(diff);
					worst = Math.max(worst, err);
					checked++;
					if (r.steps() > 50) refined++;
					IntegratedGradients.Result fixed = ig.withTolerance(Double.POSITIVE_INFINITY).attribute(model, x, k, Progress.NONE);
					assertEquals(50, fixed.steps());
					worstFixed = Math.max(worstFixed, fixed.completenessError());
					log.append(String.format(Locale.ROOT, "%n%s %s #%d: f(x)-f(b)=%.4f sum=%.4f err=%.4f%% steps=%d (50 steps: %.4f%%)", base, score, i, diff,
						sum, 100 * err, r.steps(), 100 * fixed.completenessError()));
				}
			}
		}
		System.out.println(String.format(Locale.ROOT, "Integrated Gradients completeness: worst %.3f%% over %d cases (%d refined); " +
			"with a fixed 50 steps worst %.3f%%", 100 * worst, checked, refined, 100 * worstFixed) + log);
		assertTrue(checked >= 30, "enough cases: " + checked);
		assertTrue(worst < 0.01, "within 1 %:" + log);
	}

	@Test
	void integratedGradientsBaselines() {
		IntegratedGradients ig = new IntegratedGradients();
		NdArray black = ig.withBaseline(IntegratedGradients.Baseline.BLACK).baselineFor(ring);
		for (float v : black.data()) assertEquals(0f, v);
		NdArray mean = ig.withBaseline(IntegratedGradients.Baseline.MEAN).baselineFor(ring);
		double m = 0;
		for (float v : ring.data()) m += v;
		m /= ring.size();
		for (float v : mean.data()) assertEquals(m, v, 1e-5);
		NdArray blurred = ig.withBaseline(IntegratedGradients.Baseline.BLURRED).baselineFor(ring);
		assertTrue(tv(ExplainMath.map(ExplainMath.sumOverChannels(blurred), 0)) < 0.3 * tv(ExplainMath.map(ExplainMath.sumOverChannels(ring), 0)),
			"the blurred baseline has little detail left");
		NdArray custom = NdArray.zeros(ring.shape());
		java.util.Arrays.fill(custom.data(), 0.3f);
		assertTrue(ig.withBaselineImage(custom).baselineFor(ring) == custom);
	}

	@Test
	void integratedGradientsDoNotDependOnTheBatchSize() {
		IntegratedGradients ig = new IntegratedGradients().withSteps(20).withTolerance(0).withMaxSteps(60);
		assertEquals(60, ig.withBatchSize(7).attribute(model, ring, 1, Progress.NONE).steps(), "tolerance 0 refines to the maximum");
		NdArray a = ig.withBatchSize(1).attribute(model, ring, 1, Progress.NONE).attributions();
		NdArray b = ig.withBatchSize(20).attribute(model, ring, 1, Progress.NONE).attributions();
		float[] r = ExplainMath.range(a);
		assertArrayEquals(a.data(), b.data(), 1e-4f * Math.max(-r[0], r[1]));
	}
}
