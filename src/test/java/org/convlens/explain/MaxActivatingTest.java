package org.convlens.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.testdata.SyntheticShapes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Max-activating images against a brute-force ranking, and patches that hold the preferred shape. */
class MaxActivatingTest {

	static ConvModel model;
	static List<SyntheticShapes.Sample> samples = new ArrayList<>();
	static List<ImageSource.Entry> entries = new ArrayList<>();
	/** conv2d_2 activations of each sample, one model run per image. */
	static List<NdArray> acts = new ArrayList<>();

	@BeforeAll
	static void open() {
		model = Models.open(TestPaths.model("shapes-keras"));
		SyntheticShapes gen = new SyntheticShapes(11, 32);
		for (int i = 0; i < 150; i++) {
			SyntheticShapes.Sample s = gen.next(i % 3);
			samples.add(s);
			Preprocessing.Planes p = new Preprocessing.Planes(new float[][] { s.pixels }, 32, 32, 1, false);
			entries.add(ImageSource.entry("s" + i, s.className(), p));
			acts.add(model.run(Preprocessing.forModel(model.info()).apply(p, new int[] { -1, 32, 32, 1 }), List.of("conv2d_2")).get("conv2d_2"));
		}
	}

	@AfterAll
	static void close() {
		model.close();
	}

	static float max(NdArray a, int f) {
		float m = Float.NEGATIVE_INFINITY;
		for (int i = f; i < a.size(); i += a.dim(-1)) m = Math.max(m, a.data()[i]);
		return m;
	}

	static float mean(NdArray a, int f) {
		double s = 0;
		for (int i = f; i < a.size(); i += a.dim(-1)) s += a.data()[i];
		return (float) (s / (a.size() / a.dim(-1)));
	}

	@Test
	void topImagesMatchABruteForceRanking() {
		ImageSource src = ImageSource.of("shapes", entries);
		for (MaxActivating.Score score : MaxActivating.Score.values()) {
			MaxActivating.Result r = new MaxActivating(model).layer("conv2d_2").filters(0, 5, 15).topK(7).score(score).run(src,
				new DatasetRunner(model, null).batchSize(20), null);
			assertEquals(List.of(0, 5, 15), r.filters());
			for (int f : r.filters()) {
				List<Integer> order = new ArrayList<>();
				for (int i = 0; i < acts.size(); i++) order.add(i);
				final int ff = f;
				order.sort(Comparator.comparingDouble((Integer i) -> -(score == MaxActivating.Score.MAX ? max(acts.get(i), ff) : mean(acts.get(i), ff)))
					.thenComparingInt(i -> i));
				List<MaxActivating.Hit> hits = r.hits(f);
				assertEquals(7, hits.size());
				for (int k = 0; k < 7; k++) {
					NdArray a = acts.get(order.get(k));
					float expected = score == MaxActivating.Score.MAX ? max(a, f) : mean(a, f);
					assertEquals(expected, hits.get(k).score(), 1e-4f * Math.max(1, Math.abs(expected)), score + " filter " + f + " rank " + k);
					assertEquals(max(a, f), hits.get(k).maxValue(), 1e-4f * Math.max(1, Math.abs(max(a, f))));
				}
			}
		}
	}

	@Test
	void patchIsTheFieldOfTheMaximalUnitScaledToTheImage() throws IOException {
		// 64x64 images: the model sees them at 32x32, so patches are twice as large in the image
		SyntheticShapes gen = new SyntheticShapes(5, 64);
		List<ImageSource.Entry> big = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			SyntheticShapes.Sample s = gen.next();
			big.add(ImageSource.entry("b" + i, null, new Preprocessing.Planes(new float[][] { s.pixels }, 64, 64, 1, false)));
		}
		MaxActivating.Result r = new MaxActivating(model).layer("conv2d_2").filters(3).topK(4).run(ImageSource.of("big", big),
			new DatasetRunner(model, null), null);
		ReceptiveField f = r.field();
		assertEquals(new ReceptiveField(18, 18, 4, 4, -7, -7), f);
		for (MaxActivating.Hit h : r.hits(3)) {
			Preprocessing.Planes p = h.entry().read();
			NdArray a = model.run(Preprocessing.forModel(model.info()).apply(p, new int[] { -1, 32, 32, 1 }), List.of("conv2d_2")).get("conv2d_2");
			// the maximal unit, found independently
			int best = -1;
			float bv = Float.NEGATIVE_INFINITY;
			for (int pos = 0; pos < 64; pos++) {
				float v = a.data()[pos * 16 + 3];
				if (v > bv) {
					bv = v;
					best = pos;
				}
			}
			assertEquals(best / 8, h.unitY());
			assertEquals(best % 8, h.unitX());
			int[] rect = f.clippedRect(h.unitY(), h.unitX(), 32, 32);
			assertArrayEquals(rect, h.inputRect());
			assertArrayEquals(new double[] { rect[0] * 2, rect[1] * 2, rect[2] * 2, rect[3] * 2 }, h.imageRect(), 1e-9);
			Preprocessing.Planes patch = h.readPatch();
			assertEquals(rect[2] * 2, patch.width);
			assertEquals(rect[3] * 2, patch.height);
			assertEquals(p.channels()[0][(rect[1] * 2) * 64 + rect[0] * 2], patch.channels()[0][0]);
		}
	}

	/**
	 * The filter of conv2d_2 most selective for one class (by its mean maximum per class, from
	 * single-image runs) has top patches that mostly hold an object of that class.
	 */
	@Test
	void patchesOfAShapeSelectiveFilterHoldThatShape() {
		int bestFilter = -1, bestClass = -1;
		double bestRatio = 0;
		for (int f = 0; f < 16; f++) {
			double[] m = new double[3];
			for (int i = 0; i < samples.size(); i++) m[samples.get(i).label] += max(acts.get(i), f) / 50.0;
			for (int c = 0; c < 3; c++) {
				double others = (m[(c + 1) % 3] + m[(c + 2) % 3]) / 2;
				double ratio = m[c] / Math.max(others, 1e-6);
				if (ratio > bestRatio) {
					bestRatio = ratio;
					bestFilter = f;
					bestClass = c;
				}
			}
		}
		assertTrue(bestRatio > 1.5, "some filter prefers one shape: ratio " + bestRatio);
		int k = 9;
		MaxActivating.Result r = new MaxActivating(model).layer("conv2d_2").filters(bestFilter).topK(k).run(ImageSource.of("shapes",
			entries), new DatasetRunner(model, null), null);
		int holding = 0;
		for (MaxActivating.Hit h : r.hits(bestFilter)) {
			SyntheticShapes.Sample s = samples.get(h.index());
			double[] rect = h.imageRect();
			int inside = 0, total = 0;
			for (int y = s.y0; y <= s.y1; y++) {
				for (int x = s.x0; x <= s.x1; x++) {
					if (!s.inObject(x, y)) continue;
					total++;
					if (x >= rect[0] && x < rect[0] + rect[2] && y >= rect[1] && y < rect[1] + rect[3]) inside++;
				}
			}
			if (s.label == bestClass && inside >= 0.8 * total) holding++;
		}
		System.out.println("filter " + bestFilter + " prefers " + SyntheticShapes.CLASS_NAMES[bestClass] + " (ratio " + bestRatio + "): " +
			holding + " of " + k + " patches hold one");
		assertTrue(holding >= 7, holding + " of " + k + " patches of filter " + bestFilter + " hold a " + SyntheticShapes.CLASS_NAMES[bestClass]);
	}

	@Test
	void vectorLayersRankUnitsWithoutPatches() {
		MaxActivating.Result r = new MaxActivating(model).layer("dense").topK(5).run(ImageSource.of("shapes", entries.subList(0, 30)),
			new DatasetRunner(model, null), null);
		assertNull(r.field());
		assertEquals(List.of(0, 1, 2), r.filters());
		for (int c = 0; c < 3; c++) {
			for (MaxActivating.Hit h : r.hits(c)) {
				assertNull(h.inputRect());
				assertArrayEquals(new double[] { 0, 0, 32, 32 }, h.imageRect(), 0);
				assertEquals(-1, h.unitY());
			}
			// the images that excite a class's softmax unit most belong to that class
			assertEquals(SyntheticShapes.CLASS_NAMES[c], r.hits(c).get(0).label());
		}
	}

	@Test
	void badRequestsAreRefusedWithMessages() {
		ImageSource src = ImageSource.of("shapes", entries.subList(0, 3));
		ModelException e = assertThrows(ModelException.class, () -> new MaxActivating(model).layer("conv2d_2").filters(16).run(src,
			new DatasetRunner(model, null), null));
		assertTrue(e.getMessage().contains("has 16 filters (0 to 15); there is no filter 16"), e.getMessage());
		e = assertThrows(ModelException.class, () -> new MaxActivating(model).layer("nope").run(src, new DatasetRunner(model, null), null));
		assertTrue(e.getMessage().contains("no layer 'nope'"), e.getMessage());
	}
}
