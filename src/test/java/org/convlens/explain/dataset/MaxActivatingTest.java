package org.convlens.explain.dataset;

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

	static float globalMax(int f) {
		float m = Float.NEGATIVE_INFINITY;
		for (NdArray a : acts) m = Math.max(m, max(a, f));
		return m;
	}

	static float globalMin(int f) {
		float m = Float.POSITIVE_INFINITY;
		for (NdArray a : acts) for (int i = f; i < a.size(); i += a.dim(-1)) m = Math.min(m, a.data()[i]);
		return m;
	}

	@Test
	void deadFiltersAreLabelledAndListedLast() {
		MaxActivating.Result r = new MaxActivating(model).layer("conv2d_2").run(ImageSource.of("shapes", entries),
			new DatasetRunner(model, null).batchSize(32), null);
		List<Integer> live = new ArrayList<>(), dead = new ArrayList<>();
		for (int f = 0; f < 16; f++) (globalMax(f) == 0 && globalMin(f) == 0 ? dead : live).add(f);
		assertTrue(!dead.isEmpty(), "conv2d_2 of the demo model has filters that never fire on these shapes");
		assertEquals(dead, r.filters(MaxActivating.Status.DEAD));
		assertEquals(live, r.filters(MaxActivating.Status.LIVE));
		List<Integer> all = new ArrayList<>(live);
		all.addAll(dead);
		assertEquals(all, r.filters());
		for (int f : dead) assertTrue(r.hits(f).isEmpty(), "no ranking of a dead filter");
		for (int f : live) {
			assertEquals(9, r.hits(f).size());
			assertEquals(globalMax(f), r.hits(f).get(0).score(), 1e-5f);
			for (int k = 1; k < 9; k++) assertTrue(r.hits(f).get(k - 1).score() >= r.hits(f).get(k).score());
		}
	}

	/** The images of {@link #entries} behind entries that count their reads. */
	static List<ImageSource.Entry> counting(int[] reads, int n) {
		List<ImageSource.Entry> out = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			ImageSource.Entry e = entries.get(i);
			int ii = i;
			out.add(new ImageSource.Entry() {
				@Override
				public String name() { return e.name(); }

				@Override
				public String label() { return e.label(); }

				@Override
				public Preprocessing.Planes read() throws IOException {
					synchronized (reads) {
						reads[ii]++;
					}
					return e.read();
				}
			});
		}
		return out;
	}

	@Test
	void keptPatchesEqualReReadCropsAndEachImageIsReadOnce() throws IOException {
		int[] reads = new int[60];
		List<ImageSource.Entry> src = counting(reads, 60);
		MaxActivating.Result r = new MaxActivating(model).layer("conv2d_2").topK(5).keep(MaxActivating.Keep.PATCH, 256)
			.run(ImageSource.of("counted", src), new DatasetRunner(model, null).batchSize(16), null);
		for (int i = 0; i < 60; i++) assertEquals(1, reads[i], "image " + i + " read once");
		int compared = 0;
		for (int f : r.filters(MaxActivating.Status.LIVE)) {
			for (MaxActivating.Hit h : r.hits(f)) {
				Preprocessing.Planes kept = h.kept(), again = h.readPatch();
				assertEquals(1.0, h.keptScale(), 0);
				assertEquals(again.width, kept.width);
				assertEquals(again.height, kept.height);
				assertArrayEquals(again.channels()[0], kept.channels()[0], 0f, "filter " + f + " " + h.name());
				// and the patch is the image's pixels at the receptive field
				float[] img = entries.get(h.index()).read().channels()[0];
				double[] rect = h.imageRect();
				int x0 = (int) Math.floor(rect[0]), y0 = (int) Math.floor(rect[1]);
				assertEquals(img[y0 * 32 + x0], kept.channels()[0][0], 0f);
				compared++;
			}
		}
		assertTrue(compared >= 5, compared + " patches compared");
	}

	@Test
	void keptImagesAreShrunkByBoxMeans() throws IOException {
		int[] reads = new int[20];
		MaxActivating.Result r = new MaxActivating(model).layer("conv2d_2").topK(3).keep(MaxActivating.Keep.IMAGE, 10)
			.run(ImageSource.of("counted", counting(reads, 20)), new DatasetRunner(model, null), null);
		for (int n : reads) assertEquals(1, n);
		MaxActivating.Hit h = r.hits(r.filters(MaxActivating.Status.LIVE).get(0)).get(0);
		Preprocessing.Planes k = h.kept();
		// 32 pixels to at most 10: factor 4, 8 x 8 pixels, each the mean of a 4 x 4 block
		assertEquals(8, k.width);
		assertEquals(8, k.height);
		assertEquals(0.25, h.keptScale(), 0);
		float[] img = entries.get(h.index()).read().channels()[0];
		for (int y = 0; y < 8; y++) {
			for (int x = 0; x < 8; x++) {
				double s = 0;
				for (int yy = 0; yy < 4; yy++) for (int xx = 0; xx < 4; xx++) s += img[(4 * y + yy) * 32 + 4 * x + xx];
				assertEquals(s / 16, k.channels()[0][y * 8 + x], 1e-6);
			}
		}
		MaxActivating.Result none = new MaxActivating(model).layer("conv2d_2").filters(1).topK(2).keep(MaxActivating.Keep.NONE, 1)
			.run(ImageSource.of("shapes", entries.subList(0, 10)), new DatasetRunner(model, null), null);
		for (int f : none.filters()) for (MaxActivating.Hit x : none.hits(f)) assertNull(x.kept());
	}

	@Test
	void defaultLayerIsTheDeepestConvolutionSeeingAtMostHalfTheInput() {
		// shapes-keras (32 x 32): fields 3 (conv2d), 8 (conv2d_1), 18 (conv2d_2, see below): 18 > 16, so conv2d_1
		assertEquals(8, ReceptiveField.of(model, "conv2d_1").sizeH());
		assertEquals(18, ReceptiveField.of(model, "conv2d_2").sizeH());
		assertEquals("conv2d_1", MaxActivating.defaultLayer(model));
		// wide-224: the same layers at 224 x 224, all fields within 112: the last convolution
		try (ConvModel w = Models.open(TestPaths.model("wide-224"))) {
			assertEquals("conv2d_2", MaxActivating.defaultLayer(w));
		}
		// wide-codes (256 x 256, flatten): the last convolution too
		try (ConvModel w = Models.open(TestPaths.model("wide-codes"))) {
			assertEquals("conv2d_2", MaxActivating.defaultLayer(w));
		}
	}

	@Test
	void defaultLayerOfARealModelIsTheActivatedOutput() {
		// conv2d_8 (BiasAdd) -> activation_12 (ReLU) -> max_pooling2d_8; field 18 of 64: the activation after the last conv
		try (ConvModel m = Models.open(TestPaths.sharedOrSkip("models/brain-mri-tumor64"))) {
			assertEquals(18, ReceptiveField.of(m, "activation_12").sizeH());
			assertEquals("activation_12", MaxActivating.defaultLayer(m));
		}
	}

	@Test
	void topImagesMatchABruteForceRanking() {
		ImageSource src = ImageSource.of("shapes", entries);
		for (MaxActivating.Score score : MaxActivating.Score.values()) {
			MaxActivating.Result r = new MaxActivating(model).layer("conv2d_2").filters(0, 5, 15).topK(7).score(score).run(src,
				new DatasetRunner(model, null).batchSize(20), null);
			// live filters in the order asked, then the dead ones (zero everywhere on every image, found here by brute force)
			List<Integer> live = new ArrayList<>(), dead = new ArrayList<>();
			for (int f : new int[] { 0, 5, 15 }) (globalMax(f) == 0 && globalMin(f) == 0 ? dead : live).add(f);
			List<Integer> order0 = new ArrayList<>(live);
			order0.addAll(dead);
			assertEquals(order0, r.filters());
			for (int f : dead) {
				assertEquals(MaxActivating.Status.DEAD, r.status(f));
				assertEquals(List.of(), r.hits(f));
			}
			for (int f : live) {
				assertEquals(MaxActivating.Status.LIVE, r.status(f));
				assertArrayEquals(new float[] { globalMin(f), globalMax(f) }, r.range(f), 1e-5f);
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
