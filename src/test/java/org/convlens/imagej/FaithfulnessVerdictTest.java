package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.convlens.TestPaths;
import org.convlens.explain.core.Progress;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * A heatmap whose deletion curve falls no faster and whose insertion curve rises no faster than a
 * random map's (Grad-CAM of the brain MRI model on its tumour sample) is named as such in the Info
 * and the Log; the numbers alone, beside a "Passed" randomisation verdict, read as a good map.
 */
class FaithfulnessVerdictTest {

	private static String warning(ImagePlus imp, ConvModel m, String method) {
		FaithfulnessRun.Result r = FaithfulnessRun.run("Heatmap Faithfulness", imp, m, Preprocessing.forModel(m.info()), method, "top", 50, "", "auto", false,
			Progress.NONE);
		ResultsTable t = r.aucs;
		boolean worse = t.getValue("Deletion AUC (normalised)", 0) >= t.getValue("Deletion AUC (normalised)", 1) &&
			t.getValue("Insertion AUC (normalised)", 0) <= t.getValue("Insertion AUC (normalised)", 1);
		String w = Provenance.get(r.curves, "warning");
		boolean named = w != null && w.contains("map does no better than a random map on either curve");
		assertTrue(worse == named, "worse than random on both curves: " + worse + ", warning: " + w);
		return named ? w : null;
	}

	@Test
	void aMapNoBetterThanRandomIsNamed() throws Exception {
		Path dir = TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		try (ConvModel m = Models.open(dir)) {
			ImagePlus yes = IJ.openImage(dir.resolve("samples/yes_y0.jpg").toString());
			String w = warning(yes, m, "Grad-CAM");
			assertTrue(w != null && w.contains("the Grad-CAM map does no better"), w);
		}
	}

	@Test
	void aMapBetterThanRandomIsNot() throws Exception {
		try (ConvModel m = Models.open(TestPaths.model("fashion-plain"))) {
			ImagePlus boot = IJ.openImage(TestPaths.testData().resolve("images/fashion/00-ankle-boot.tif").toString());
			assertFalse(warning(boot, m, "Grad-CAM") != null);
		}
	}
}
