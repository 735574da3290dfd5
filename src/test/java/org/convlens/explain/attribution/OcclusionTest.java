package org.convlens.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fill;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.core.ForwardingModel;
import org.convlens.explain.core.Progress;

/** Occlusion maps on the generated shapes model and its localization images. */
class OcclusionTest {

	static ConvModel model;

	@BeforeAll
	static void open() {
		model = Models.open(Fixtures.shapesModel());
	}

	@AfterAll
	static void close() {
		model.close();
	}

	@Test
	void thePeakFallsInsideTheObject() {
		List<Fixtures.Labelled> loc = Fixtures.localization();
		// the generator's sequence again, for the exact object masks (checked against the CSV)
		org.convlens.testdata.SyntheticShapes gen = new org.convlens.testdata.SyntheticShapes(7007L, 32);
		int hits = 0, onObject = 0;
		StringBuilder misses = new StringBuilder();
		for (Fixtures.Labelled l : loc) {
			org.convlens.testdata.SyntheticShapes.Sample s = gen.next();
			assertEquals(l.label, s.label);
			assertEquals(l.x0, s.x0);
			assertEquals(l.y1, s.y1);
			float[] before = l.input.data().clone();
			NdArray map = new Occlusion().heatmap(model, l.input, l.label, Progress.NONE);
			assertArrayEquals(before, l.input.data(), 0f, "input untouched");
			int k = Fixtures.argMax(map.data());
			if (l.inBox(k % 32, k / 32)) hits++;
			else misses.append(' ').append(l.file);
			if (s.inObject(k % 32, k / 32)) onObject++;
		}
		double rate = (double) hits / loc.size();
		System.out.println(String.format(Locale.ROOT, "occlusion (defaults: patch 6, stride 2, mean fill): peak inside the object's box " +
			"for %d/%d images (%.1f %%), on an object pixel for %d; misses:%s", hits, loc.size(), 100 * rate, onObject, misses));
		assertTrue(loc.size() >= 50);
		assertTrue(rate >= 0.9, hits + "/" + loc.size() + " misses:" + misses);
		assertTrue(onObject >= 0.9 * loc.size(), "on an object pixel (not a ring's hole): " + onObject + "/" + loc.size());
	}

	/** With stride = patch every pixel is covered once: its value is that one patch's drop, computed here. */
	@Test
	void valuesAreScoreDropsComputedIndependently() {
		NdArray ring = Fixtures.demoRing();
		for (Fill fill : Fill.values()) {
			NdArray map = new Occlusion().withScore(ConvModel.OUTPUT).withPatch(8).withStride(8).withFill(fill).heatmap(model, ring, 1, Progress.NONE);
			float base = model.run(ring, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[1];
			NdArray rep = fill.replacement(ring, 4);
			for (int[] o : new int[][] { { 0, 0 }, { 8, 16 }, { 24, 24 }, { 16, 8 } }) {
				NdArray occ = ring.copy();
				for (int y = o[0]; y < o[0] + 8; y++) for (int x = o[1]; x < o[1] + 8; x++) occ.data()[y * 32 + x] = rep.data()[y * 32 + x];
				float p = model.run(occ, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[1];
				for (int y = o[0]; y < o[0] + 8; y++) {
					for (int x = o[1]; x < o[1] + 8; x++) assertEquals(base - p, map.data()[y * 32 + x], 1e-5, fill + " at " + x + "," + y);
				}
			}
		}
	}

	/** A saturated probability never drops: the map falls back to the logit's drops, and says so. */
	@Test
	void saturatedProbabilitiesFallBackToLogits() {
		ConvModel saturated = new ForwardingModel(model) {
			@Override
			public java.util.Map<String, NdArray> run(NdArray input, List<String> fetches) {
				java.util.Map<String, NdArray> out = new java.util.LinkedHashMap<>(super.run(input, fetches));
				NdArray p = out.get(ConvModel.OUTPUT);
				if (p != null) {
					float[] d = new float[p.size()];
					for (int i = 0; i < d.length; i++) d[i] = i % 3 == 1 ? 1f : 0f;
					out.put(ConvModel.OUTPUT, new NdArray(p.shape(), d));
				}
				return out;
			}
		};
		NdArray ring = Fixtures.demoRing();
		Occlusion.Result r = new Occlusion().compute(saturated, ring, 1, Progress.NONE);
		assertEquals(ConvModel.LOGITS, r.score());
		NdArray logits = new Occlusion().withScore(ConvModel.LOGITS).heatmap(model, ring, 1, Progress.NONE);
		assertArrayEquals(logits.data(), r.map().data(), 1e-5f * ExplainMath.range(logits)[1]);
		assertEquals(ConvModel.OUTPUT, new Occlusion().withScore(ConvModel.OUTPUT).compute(model, ring, 1, Progress.NONE).score());
		// auto follows ScoreRule: the logit when the ring's probability is saturated, else the probability
		float p = model.run(ring, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[1];
		boolean sat = p > 1 - ScoreRule.SATURATION || p < ScoreRule.SATURATION;
		assertEquals(sat ? ConvModel.LOGITS : ConvModel.OUTPUT, new Occlusion().compute(model, ring, 1, Progress.NONE).score(), "p = " + p);
		assertEquals(196, r.passes());
	}

	@Test
	void batchingDoesNotChangeTheMap() {
		NdArray ring = Fixtures.demoRing();
		Occlusion o = new Occlusion().withScore(ConvModel.LOGITS);
		NdArray one = o.withBatchSize(1).heatmap(model, ring, 1, Progress.NONE);
		NdArray many = o.withBatchSize(64).heatmap(model, ring, 1, Progress.NONE);
		float max = Math.max(-ExplainMath.range(one)[0], ExplainMath.range(one)[1]);
		assertArrayEquals(one.data(), many.data(), 1e-5f * max);
	}

	@Test
	void patchesCoverTheEdgesAndProgressIsReported() {
		assertArrayEquals(new int[] { 0, 3, 6, 9, 10 }, Occlusion.origins(15, 5, 3));
		assertArrayEquals(new int[] { 0 }, Occlusion.origins(4, 8, 2));
		Occlusion o = new Occlusion();
		assertEquals(6, o.patchFor(32, 32));
		assertEquals(2, o.strideFor(32, 32));
		assertEquals(45, o.patchFor(224, 224));
		assertEquals(14 * 14, o.count(32, 32));
		AtomicInteger updates = new AtomicInteger();
		double[] last = { 0 };
		Progress p = new Progress() {
			@Override
			public void update(double fraction, String message) {
				assertTrue(fraction >= last[0]);
				last[0] = fraction;
				updates.incrementAndGet();
			}

			@Override
			public boolean isCancelled() {
				return false;
			}
		};
		o.withBatchSize(32).heatmap(model, Fixtures.demoRing(), 1, p);
		assertEquals(7, updates.get(), "196 patches in batches of 32");
		assertEquals(1, last[0], 1e-12);
	}

	@Test
	void cancellationStops() {
		AtomicInteger runs = new AtomicInteger();
		ConvModel counting = new ForwardingModel(model) {
			@Override
			public java.util.Map<String, NdArray> run(NdArray input, List<String> fetches) {
				runs.incrementAndGet();
				return super.run(input, fetches);
			}
		};
		Progress cancelAfterFirst = new Progress() {
			@Override
			public void update(double fraction, String message) {}

			@Override
			public boolean isCancelled() {
				return runs.get() >= 2;
			}
		};
		assertThrows(CancelledException.class, () -> new Occlusion().withBatchSize(16).heatmap(counting, Fixtures.demoRing(), 1, cancelAfterFirst));
		assertEquals(2, runs.get(), "the base score and one batch");
		assertThrows(ModelException.class, () -> new Occlusion().heatmap(model, Fixtures.demoRing(), 3, Progress.NONE));
	}
}
