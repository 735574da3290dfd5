package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.Heatmap;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/** The class activation map's raw-map image, the predictions marked where a map is not meaningful, the layer list. */
class CamOutputsTest {

	private static Heatmap map(float... v) {
		return new Heatmap(CamMethod.GRAD_CAM, List.of(new Heatmap.LayerMap("conv", 3, 2, v)), 1, "ring", 2.5f, 3, 2);
	}

	@Test
	void rawMapsAreTheFirstLayersValuesOnePlanePerPositionInFire() {
		ImagePlus imp = IJ.createHyperStack("cell", 6, 4, 1, 1, 2, 8);
		float[] a = { 1, 2, 3, 4, 5, 6 }, b = { 0, 0, 0, 0, 0, 0 };
		Heatmap ha = map(a), hb = map(b);
		ImagePlus raw = CamOutputs.rawMaps(imp, List.of(ha, hb));
		assertEquals(3, raw.getWidth());
		assertEquals(2, raw.getHeight());
		assertEquals(2, raw.getNFrames()); // over the image's frames
		assertEquals(1, raw.getNSlices());
		assertArrayEquals(a, (float[]) raw.getStack().getPixels(1));
		assertArrayEquals(b, (float[]) raw.getStack().getPixels(2));
		assertEquals(hb.caption(), raw.getStack().getSliceLabel(2));
		assertEquals(Titles.of(imp, "Grad-CAM", "conv", "raw"), raw.getTitle());
		byte[] want = new byte[256], got = new byte[256];
		HeatmapDisplay.lutObject("fire").getReds(want);
		raw.getProcessor().getLut().getReds(got);
		assertArrayEquals(want, got);
		assertEquals(1, raw.getDisplayRangeMin(), 1e-9);
		assertEquals(6, raw.getDisplayRangeMax(), 1e-9);
		// a copy: the image can be edited without changing the map
		((float[]) raw.getStack().getPixels(1))[0] = 99;
		assertEquals(1, ha.layerMaps().get(0).values()[0]);
	}

	@Test
	void predictionsSayWhichMapsAreNotMeaningful() {
		Heatmap ok = map(1, 2, 3, 4, 5, 6), flat = map(0, 0, 0, 0, 0, 0);
		assertNotNull(flat.problem());
		ResultsTable t = new ResultsTable();
		for (int i = 0; i < 4; i++) {
			t.incrementCounter();
			t.addValue("Rank", i % 2 + 1);
		}
		CamOutputs.annotate(t, List.of(ok, flat));
		assertEquals("ok", t.getStringValue("heatmap", 1));
		assertEquals("not meaningful: " + flat.problem(), t.getStringValue("heatmap", 2));
		assertEquals("not meaningful: " + flat.problem(), t.getStringValue("heatmap", 3));
		ResultsTable clean = new ResultsTable();
		clean.incrementCounter();
		clean.addValue("Rank", 1);
		CamOutputs.annotate(clean, List.of(ok));
		assertFalse(clean.columnExists("heatmap"));
		assertNull(ok.problem());
	}

	@Test
	void layerListsAreTrimmedAndBlanksDropped() {
		assertEquals(List.of("conv2d", "conv2d_1"), CamOutputs.layerNames(" conv2d, ,conv2d_1 "));
		assertEquals(List.of(), CamOutputs.layerNames(null));
		assertEquals(List.of(), CamOutputs.layerNames(""));
	}
}
