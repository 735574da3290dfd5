package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
	void aMapThatIsNotMeaningfulIsNamedOnItsPlaneAndUnderItsPicture() {
		ImagePlus imp = IJ.createImage("cell", "8-bit", 3, 2, 2);
		Heatmap ok = map(1, 2, 3, 4, 5, 6), flat = map(0, 0, 0, 0, 0, 0);
		List<float[]> full = List.of(ok.resized(3, 2), flat.resized(3, 2));
		ImagePlus heatmap = HeatmapDisplay.heatmapImageLabelled(imp, full, "hm", List.of(ok.caption(), flat.caption()));
		CamOutputs.nameProblems(heatmap, List.of(ok, flat));
		assertNotNull(heatmap.getOverlay());
		assertEquals(1, heatmap.getOverlay().size(), "only the flat map's plane");
		ij.gui.Roi r = heatmap.getOverlay().get(0);
		assertEquals(flat.caption(), ((ij.gui.TextRoi) r).getText().trim());
		assertEquals(2, r.getPosition());
		assertTrue(flat.caption().endsWith("[map all zero]"), flat.caption());
		// the picture of plane 2 has a caption band below the map, plane 1's has none
		heatmap.setSlice(1);
		ImagePlus one = Outputs.figure(heatmap);
		heatmap.setSlice(2);
		ImagePlus two = Outputs.figure(heatmap);
		assertTrue(two.getHeight() > one.getHeight() + 10, one.getHeight() + " vs " + two.getHeight());
		int dark = 0;
		ij.process.ImageProcessor band = two.getProcessor();
		for (int y = one.getHeight(); y < two.getHeight(); y++) for (int x = 0; x < two.getWidth(); x++) if ((band.getPixel(x, y) & 0xff) < 100) dark++;
		assertTrue(dark > 50, "caption text drawn: " + dark);
		// a run whose maps are all fine keeps its images without an overlay
		ImagePlus clean = HeatmapDisplay.heatmapImageLabelled(imp, List.of(ok.resized(3, 2), ok.resized(3, 2)), "hm", List.of(ok.caption(), ok.caption()));
		CamOutputs.nameProblems(clean, List.of(ok, ok));
		assertNull(clean.getOverlay());
	}

	@Test
	void layerListsAreTrimmedAndBlanksDropped() {
		assertEquals(List.of("conv2d", "conv2d_1"), CamOutputs.layerNames(" conv2d, ,conv2d_1 "));
		assertEquals(List.of(), CamOutputs.layerNames(null));
		assertEquals(List.of(), CamOutputs.layerNames(""));
	}
}
