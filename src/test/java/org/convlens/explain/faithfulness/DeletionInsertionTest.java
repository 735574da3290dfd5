package org.convlens.explain.faithfulness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.convlens.explain.faithfulness.DeletionInsertion.Curve;
import org.convlens.explain.faithfulness.DeletionInsertion.Mode;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fill;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/** Deletion and insertion curves on the generated shapes model. */
class DeletionInsertionTest {

	static ConvModel model;

	@BeforeAll
	static void open() {
		model = Models.open(Fixtures.shapesModel());
	}

	@AfterAll
	static void close() {
		model.close();
	}

	static float p(NdArray x, int k) {
		return model.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[k];
	}

	@Test
	void gradCamBeatsARandomMap() {
		List<Fixtures.Labelled> loc = Fixtures.localization();
		DeletionInsertion di = new DeletionInsertion();
		HeatmapMethod cam = new CamHeatmap(org.convlens.explain.cam.CamMethod.GRAD_CAM, List.of("conv2d_2"), 32);
		double delCam = 0, delRandom = 0, insCam = 0, insRandom = 0;
		int better = 0;
		for (Fixtures.Labelled l : loc) {
			NdArray c = cam.heatmap(model, l.input, l.label, Progress.NONE);
			NdArray r = Fixtures.randomMap(32, 32, l.file.hashCode());
			double dc = di.curve(model, l.input, c, l.label, Mode.DELETION, Progress.NONE).auc();
			double dr = di.curve(model, l.input, r, l.label, Mode.DELETION, Progress.NONE).auc();
			delCam += dc;
			delRandom += dr;
			if (dc < dr) better++;
			insCam += di.curve(model, l.input, c, l.label, Mode.INSERTION, Progress.NONE).auc();
			insRandom += di.curve(model, l.input, r, l.label, Mode.INSERTION, Progress.NONE).auc();
		}
		int n = loc.size();
		System.out.println(String.format(Locale.ROOT, "deletion AUC (blur fill), mean over %d images: Grad-CAM %.3f, random %.3f " +
			"(Grad-CAM lower on %d); insertion AUC: Grad-CAM %.3f, random %.3f", n, delCam / n, delRandom / n, better, insCam / n, insRandom / n));
		assertTrue(delCam < delRandom, "mean deletion AUC");
		assertTrue(better >= 0.75 * n, "Grad-CAM lower on most images: " + better + "/" + n);
		assertTrue(insCam > insRandom, "mean insertion AUC");
	}

	@Test
	void curvePointsAreTheScoresOfThePerturbedImages() {
		NdArray ring = Fixtures.demoRing();
		float[] before = ring.data().clone();
		// a strictly decreasing map: pixels go in raster order
		float[] order = new float[32 * 32];
		for (int i = 0; i < order.length; i++) order[i] = -i;
		NdArray map = new NdArray(new int[] { 32, 32 }, order);
		DeletionInsertion di = new DeletionInsertion().withSteps(8).withDeletionFill(Fill.ZERO).withInsertionStart(Fill.ZERO);
		Curve del = di.curve(model, ring, map, 1, Mode.DELETION, Progress.NONE);
		Curve ins = di.curve(model, ring, map, 1, Mode.INSERTION, Progress.NONE);
		assertArrayEquals(new double[] { 0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1 }, del.fractions(), 1e-12);
		for (int k = 0; k <= 8; k++) {
			int n = k * 128;
			NdArray d = ring.copy(), i = NdArray.zeros(1, 32, 32, 1);
			for (int j = 0; j < n; j++) {
				d.data()[j] = 0;
				i.data()[j] = ring.data()[j];
			}
			assertEquals(p(d, 1), del.scores()[k], 1e-5, "deletion step " + k);
			assertEquals(p(i, 1), ins.scores()[k], 1e-5, "insertion step " + k);
		}
		assertEquals(ExplainMath.trapezoid(del.fractions(), del.scores()), del.auc(), 1e-12);
		assertArrayEquals(before, ring.data(), 0f, "input untouched");
	}

	@Test
	void tiesAreBrokenAtRandomButReproducibly() {
		NdArray flat = NdArray.zeros(32, 32);
		DeletionInsertion di = new DeletionInsertion();
		int[] a = di.order(flat), b = di.order(flat), c = di.withSeed(1).order(flat);
		assertArrayEquals(a, b);
		assertFalse(Arrays.equals(a, c));
		int[] raster = new int[1024];
		for (int i = 0; i < raster.length; i++) raster[i] = i;
		assertFalse(Arrays.equals(a, raster), "not a raster sweep");
		int[] sorted = a.clone();
		Arrays.sort(sorted);
		assertArrayEquals(raster, sorted, "a permutation");
		// distinct values: strictly by value, NaN last
		NdArray m = new NdArray(new int[] { 1, 4 }, new float[] { 0.5f, Float.NaN, 2, -1 });
		assertArrayEquals(new int[] { 2, 0, 3, 1 }, di.order(m));
	}

	@Test
	void batchingDoesNotChangeTheCurve() {
		NdArray ring = Fixtures.demoRing();
		NdArray map = Fixtures.gradCam("conv2d_2").heatmap(model, ring, 1, Progress.NONE);
		DeletionInsertion di = new DeletionInsertion().withScore(ConvModel.LOGITS);
		double[] a = di.withBatchSize(1).curve(model, ring, map, 1, Mode.DELETION, Progress.NONE).scores();
		double[] b = di.withBatchSize(64).curve(model, ring, map, 1, Mode.DELETION, Progress.NONE).scores();
		assertEquals(51, a.length);
		assertArrayEquals(a, b, 1e-4);
		// a coarse map is resampled to the input
		NdArray coarse = new NdArray(new int[] { 4, 4 }, new float[16]);
		coarse.data()[5] = 1;
		assertEquals(51, di.curve(model, ring, coarse, 1, Mode.INSERTION, Progress.NONE).scores().length);
	}
}
