package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.Progress;

/**
 * Optimising all filters in one batch gives the same patterns as the one-filter-at-a-time loop
 * (batch size 1) for the same seed, for the baseline recipe and for the Lucid-style options;
 * and a target's pattern does not depend on which other targets share its batch.
 */
class FilterPatternsBatchTest {

	/** Largest difference of the images (in input ranges) and of the final objectives (relative). */
	static double[] compare(List<Pattern> a, List<Pattern> b, double range) {
		double img = 0, act = 0;
		for (int i = 0; i < a.size(); i++) {
			Pattern p = a.get(i), q = b.get(i);
			assertEquals(p.target(), q.target());
			assertEquals(p.dead(), q.dead(), p.target() + " dead");
			float[] x = p.image().data(), y = q.image().data();
			for (int k = 0; k < x.length; k++) img = Math.max(img, Math.abs(x[k] - y[k]) / range);
			act = Math.max(act, Math.abs(p.finalActivation() - q.finalActivation()) / Math.max(1e-6, Math.abs(p.finalActivation())));
		}
		return new double[] { img, act };
	}

	private static void batchedEqualsLoop(ConvModel m, String layer, int[] filters, PatternOptions opt, double range, String what) {
		List<PatternTarget> ts = PatternTarget.filters(layer, filters);
		List<Pattern> batched = new FilterPatterns(m, opt.withBatchSize(filters.length)).compute(ts, Progress.NONE);
		List<Pattern> loop = new FilterPatterns(m, opt.withBatchSize(1)).compute(ts, Progress.NONE);
		long live = batched.stream().filter(p -> !p.dead()).count();
		assertTrue(live >= filters.length / 2, what + ": only " + live + " live filters");
		for (Pattern p : batched) assertTrue(p.dead() || p.finalActivation() > p.startActivation(), p.label());
		double[] d = compare(batched, loop, range);
		System.out.printf(Locale.ROOT, "%s %s (%d filters, %d live): batched vs loop: max image difference %.3g of the range, max activation difference %.3g (relative)%n",
			what, layer, filters.length, live, d[0], d[1]);
		assertTrue(d[0] < 1e-3, what + ": images differ by " + d[0]);
		assertTrue(d[1] < 1e-3, what + ": activations differ by " + d[1]);
		// shuffled targets in odd-sized batches: each target still gets its own pattern
		List<PatternTarget> shuffled = new ArrayList<>(ts);
		Collections.shuffle(shuffled, new java.util.Random(3));
		List<Pattern> mixed = new FilterPatterns(m, opt.withBatchSize(3)).compute(shuffled, Progress.NONE);
		List<Pattern> reordered = new ArrayList<>();
		for (PatternTarget t : ts) reordered.add(mixed.get(shuffled.indexOf(t)));
		double[] e = compare(batched, reordered, range);
		assertTrue(e[0] < 1e-3 && e[1] < 1e-3, what + ": shuffled batches differ by " + e[0] + ", " + e[1]);
		// the comparison can tell patterns apart: another seed gives other images
		List<Pattern> other = new FilterPatterns(m, opt.withSeed(opt.seed() + 1).withBatchSize(filters.length)).compute(ts, Progress.NONE);
		assertTrue(compare(batched, other, range)[0] > 0.01, what + ": another seed gives the same images");
	}

	@Test
	void fashionBaselineRecipe() {
		try (ConvModel m = Models.open(PatternTestModels.sharedModel(PatternTestModels.FASHION))) {
			batchedEqualsLoop(m, "conv2d_1", FilterSelection.parse("0-15", 64), PatternOptions.defaults(), 1, "baseline");
		}
	}

	@Test
	void brainLucidOptions() {
		try (ConvModel m = Models.open(PatternTestModels.sharedModel(PatternTestModels.BRAIN))) {
			PatternOptions opt = PatternOptions.defaults().withInputRange(FilterPatternsTest.RAW_8BIT).sharper(64)
				.withRegularizers(0.05, 0.01).withBlur(0.5, 4).withIterations(20).withSeed(7);
			batchedEqualsLoop(m, "conv2d_7", FilterSelection.parse("0-7", 32), opt, 255, "lucid");
		}
	}
}
