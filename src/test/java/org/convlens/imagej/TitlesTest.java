package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.macro.Interpreter;
import ij.process.ByteProcessor;

/** One title style for every window, unique titles, and the zoom of small maps (no display needed). */
class TitlesTest {

	@Test
	void titlesSayImageMethodAndLayer() {
		assertEquals("chelsea-GradCAM-conv2d_4", Titles.of("chelsea.png", "Grad-CAM", "conv2d_4"));
		assertEquals("chelsea-GradCAM++-conv2d_4", Titles.of("chelsea.png", "Grad-CAM++", "conv2d_4"));
		assertEquals("my cells-activations-conv2d_1", Titles.of("my cells.ome.tif", "activations", "conv2d_1"));
		assertEquals("demo-ring-integratedGradients", Titles.of("demo-ring.tif", "integrated-gradients"));
		assertEquals("chelsea-FilterStatistics", Titles.of("chelsea.jpg", "Filter statistics", (String) null));
		assertEquals("shapes-keras-kernels-conv2d_1-montage", Titles.of("shapes-keras", "kernels", "conv2d_1", "montage"));
		assertEquals("Predictions", Titles.of((String) null, "Predictions"));
	}

	@Test
	void aTakenTitleIsNumberedAsImageJDoes() {
		// batch-mode images are found by title without a display
		Interpreter.batchMode = true;
		ImagePlus a = new ImagePlus("x-GradCAM-c1", new ByteProcessor(4, 4));
		ImagePlus b = new ImagePlus("x-GradCAM-c1-1", new ByteProcessor(4, 4));
		try {
			assertEquals("fresh", Titles.unique("fresh"));
			Interpreter.addBatchModeImage(a);
			assertEquals("x-GradCAM-c1-1", Titles.unique("x-GradCAM-c1"));
			Interpreter.addBatchModeImage(b);
			assertEquals("x-GradCAM-c1-2", Titles.unique("x-GradCAM-c1"));
		}
		finally {
			Interpreter.removeBatchModeImage(a);
			Interpreter.removeBatchModeImage(b);
			Interpreter.batchMode = false;
		}
	}

	@Test
	void smallImagesZoomToAtLeast256ScreenPixels() {
		assertEquals(24, Outputs.zoomFor(11, 11));
		assertEquals(8, Outputs.zoomFor(32, 28));
		assertEquals(12, Outputs.zoomFor(28, 28)); // 8 x 28 = 224 is too small
		assertEquals(1, Outputs.zoomFor(256, 10));
		assertEquals(1.5, Outputs.zoomFor(200, 100));
		assertEquals(32, Outputs.zoomFor(2, 2));
		for (int s = 1; s < 256; s++) {
			double z = Outputs.zoomFor(s, s);
			assertEquals(true, s * z >= 256 || z == 32, s + " at " + z);
		}
	}
}
