package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.HeatmapDisplay;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.io.FileSaver;
import ij.measure.ResultsTable;

class ClassActivationMapTest extends CommandTestBase {

	static final String CAM = ClassActivationMap.class.getName();

	@BeforeAll
	static void noDialogs() {
		System.setProperty("convlens.dialogs", "false");
	}

	@AfterAll
	static void dialogsBack() throws Exception {
		System.clearProperty("convlens.dialogs");
		// the macro path shows its outputs where there is a display
		MacrosTest.closeAll();
	}

	/** Expected maps: the engine's own ClassActivationMaps on the image's batch, resampled to the image size. */
	static List<Heatmap> expected(ImagePlus imp, ClassActivationMaps cam) {
		NdArray x = ImageInput.batch(imp, ImageInput.positions(imp), Preprocessing.forModel(engine.info()), engine.info().imageInput().shape());
		return cam.compute(x, null);
	}

	static void assertPlane(float[] want, ImagePlus hm, int index) {
		float[] got = (float[]) hm.getStack().getProcessor(index).getPixels();
		assertEquals(want.length, got.length);
		for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 + 1e-4 * Math.abs(want[i]), "i=" + i);
	}

	@Test
	void gradCamOnAnImageOfAnotherSizeOverlayAndPredictions() {
		ImagePlus imp = random("cam8", 48, 40, 8, 1, 1, 1, 5);
		imp.setOverlay(new Overlay(new OvalRoi(3, 3, 9, 9)));
		String before = fingerprint(imp);
		Map<String, Object> out = run(ClassActivationMap.class, "image", imp);
		ImagePlus hm = (ImagePlus) out.get("heatmap");
		assertEquals(48, hm.getWidth());
		assertEquals(40, hm.getHeight());
		assertEquals(32, hm.getBitDepth());
		assertEquals(imp.getCalibration().pixelWidth, hm.getCalibration().pixelWidth);
		assertEquals(imp.getCalibration().getUnit(), hm.getCalibration().getUnit());
		Heatmap want = expected(imp, new ClassActivationMaps(engine)).get(0);
		assertPlane(want.resized(48, 40), hm, 1);
		assertTrue(hm.getProperty("Info").toString().contains(want.caption()));
		assertEquals("Grad-CAM", Provenance.get(hm, "method"));
		assertEquals(engine.info().lastSpatialLayer().name(), Provenance.get(hm, "layers"));
		// predictions: top 3 by default, the first is the explained class
		ResultsTable p = (ResultsTable) out.get("predictions");
		assertEquals(3, p.size());
		assertEquals(want.classIndex(), (int) p.getValue("index", 0));
		NdArray x = ImageInput.batch(imp, ImageInput.positions(imp), Preprocessing.forModel(engine.info()), engine.info().imageInput().shape());
		NdArray probs = engine.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
		assertEquals(probs.get(0, want.classIndex()), p.getValue("probability", 0), 1e-5);
		assertNull(out.get("raw"));
		// the overlay: one heatmap ROI added, the user's oval kept, pixels/calibration/title untouched
		assertEquals(1, HeatmapDisplay.heatmapRois(imp).size());
		assertTrue(imp.getOverlay().toArray()[0] instanceof OvalRoi);
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void stacksGiveOneMapPerSliceAndRunningTwiceReplacesTheOverlay() {
		ImagePlus imp = random("stack", size, size, 16, 1, 3, 1, 6);
		String before = fingerprint(imp);
		String l1 = engine.info().spatialLayers().get(1).name(), l2 = engine.info().lastSpatialLayer().name();
		run(ClassActivationMap.class, "image", imp, "method", "LayerCAM", "predict", false);
		Map<String, Object> out = run(ClassActivationMap.class, "image", imp, "method", "Grad-CAM++", "layers", l1 + ", " + l2, "target", "ring",
			"showraw", true, "lut", "magma", "opacity", 0.6, "threshold", 0.25);
		ImagePlus hm = (ImagePlus) out.get("heatmap");
		assertEquals(3, hm.getNSlices());
		List<Heatmap> want = expected(imp, new ClassActivationMaps(engine).withMethod(CamMethod.GRAD_CAM_PLUS_PLUS).withLayers(List.of(l1, l2))
			.withTarget(Target.className("ring")));
		for (int i = 0; i < 3; i++) {
			assertPlane(want.get(i).resized(size, size), hm, i + 1);
			assertEquals("ring", want.get(i).label());
		}
		ImagePlus raw = (ImagePlus) out.get("raw");
		assertEquals(want.get(0).layerMaps().get(0).width(), raw.getWidth());
		assertEquals(3, raw.getStackSize());
		assertArrayEquals(want.get(2).layerMaps().get(0).values(), (float[]) raw.getStack().getPixels(3), 1e-5f);
		List<ImageRoi> rois = HeatmapDisplay.heatmapRois(imp);
		assertEquals(3, rois.size(), "replaced, not piled up");
		for (int i = 0; i < 3; i++) {
			assertEquals(i + 1, rois.get(i).getPosition());
			assertEquals(0.6, rois.get(i).getOpacity(), 1e-9);
			assertEquals(want.get(i).caption(), rois.get(i).getProperty("label"));
		}
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void macroPathGivesTheSameMaps(@TempDir Path tmp) {
		ImagePlus imp = random("mac", size, size, 8, 1, 1, 2, 8);
		String before = fingerprint(imp);
		String layer = engine.info().spatialLayers().get(0).name();
		WindowManager.setTempCurrentImage(imp);
		Map<String, Object> out;
		try {
			out = IJ1Bridge.runCommand(CAM, "model=[" + modelPath.toAbsolutePath() + "] method=HiResCAM layer=" + layer +
				" target=2 lut=fire opacity=0.4 threshold=0.1 overlay top=2 batch=1 save=[" + tmp + "]");
		}
		finally {
			WindowManager.setTempCurrentImage(null);
		}
		ImagePlus hm = (ImagePlus) out.get("heatmap");
		assertEquals(2, hm.getNFrames());
		List<Heatmap> want = expected(imp, new ClassActivationMaps(engine).withMethod(CamMethod.HIRES_CAM).withLayers(List.of(layer))
			.withTarget(Target.classIndex(2)));
		for (int i = 0; i < 2; i++) assertPlane(want.get(i).resized(size, size), hm, i + 1);
		assertNull(out.get("predictions"), "predict is a check box left out of the options: off");
		assertEquals(2, HeatmapDisplay.heatmapRois(imp).size());
		assertEquals(before, fingerprint(imp));
		// save=[dir]: outputs written, not shown
		assertTrue(Files.exists(tmp.resolve("mac_heatmap.tif")), tmp.toString());
	}

	@Test
	void regionTargetsSumAnOutputRegion() {
		ImagePlus imp = random("reg", size, size, 8, 1, 1, 1, 9);
		String t = engine.info().lastSpatialLayer().name();
		int[] shape = engine.info().layer(t).shape();
		ImagePlus hm = (ImagePlus) run(ClassActivationMap.class, "image", imp, "layers", engine.info().spatialLayers().get(1).name(),
			"target", "region=2,3,5,6 c=1@" + t, "predict", false).get("heatmap");
		float[] w = new float[shape[1] * shape[2] * shape[3]];
		for (int y = 3; y < 6; y++) for (int x = 2; x < 5; x++) w[(y * shape[2] + x) * shape[3] + 1] = 1;
		Heatmap want = expected(imp, new ClassActivationMaps(engine).withLayers(List.of(engine.info().spatialLayers().get(1).name()))
			.withTarget(Target.region(t, w, null))).get(0);
		assertPlane(want.resized(size, size), hm, 1);
		// the ROI of the image, scaled to the output: the whole image = every output pixel
		imp.setRoi(new Roi(0, 0, size, size));
		ImagePlus all = (ImagePlus) run(ClassActivationMap.class, "image", imp, "layers", engine.info().spatialLayers().get(1).name(),
			"target", "roi@" + t, "predict", false).get("heatmap");
		java.util.Arrays.fill(w, 1);
		Heatmap wantAll = expected(imp, new ClassActivationMaps(engine).withLayers(List.of(engine.info().spatialLayers().get(1).name()))
			.withTarget(Target.region(t, w, null))).get(0);
		assertPlane(wantAll.resized(size, size), all, 1);
	}

	@Test
	void badInputsGiveMessages() {
		ImagePlus imp = random("bad", size, size, 8, 1, 1, 1, 10);
		String before = fingerprint(imp);
		assertTrue(msg(imp, "method", "Grad-KAM").contains("Unknown class-activation-map method"));
		assertTrue(msg(imp, "layer", "dense").contains("not spatial"));
		assertTrue(msg(imp, "layer", "nope").contains("nope"));
		assertTrue(msg(imp, "target", "7").contains("out of range"));
		assertTrue(msg(imp, "target", "hexagon").contains("no class 'hexagon'"));
		assertTrue(msg(imp, "target", "pixel=1").contains("Cannot read the target"));
		assertTrue(msg(imp, "target", "pixel=1,1").contains("spatial output"));
		assertTrue(msg(imp, "target", "roi@" + engine.info().lastSpatialLayer().name()).contains("selection"));
		assertTrue(msg(imp, "lut", "rainbow-xyz").contains("Unknown LUT"));
		assertTrue(msg(imp, "opacity", 2.0).contains("Option 'opacity' is 2.0, out of range; use 0 to 1"));
		assertNull(imp.getOverlay());
		assertEquals(before, fingerprint(imp));
	}

	private static String msg(ImagePlus imp, String key, Object value) {
		RuntimeException e = assertThrows(RuntimeException.class, () -> run(ClassActivationMap.class, "image", imp, key, value));
		return ConvLensCommand.message(e);
	}

	@Test
	void batchOnAFolderWritesHeatmapTiffsAndBlendedPngs(@TempDir Path tmp) throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in"));
		for (int i = 0; i < 2; i++) new FileSaver(random("img" + i, 40, 40, 8, 1, 1, 1, 20 + i)).saveAsTiff(in.resolve("img" + i + ".tif").toString());
		Path out = tmp.resolve("out");
		Batch.Report r = Batch.run("cam", in, out, Map.of("model", modelPath.toString(), "method", "XGradCAM"), null);
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		for (int i = 0; i < 2; i++) {
			ImagePlus tif = IJ.openImage(out.resolve("img" + i + "_heatmap.tif").toString());
			assertNotNull(tif);
			assertEquals(32, tif.getBitDepth());
			assertEquals("XGradCAM", Provenance.get(tif, "method"));
			ImagePlus src = IJ.openImage(in.resolve("img" + i + ".tif").toString());
			Heatmap want = expected(src, new ClassActivationMaps(engine).withMethod(CamMethod.XGRAD_CAM)).get(0);
			assertPlane(want.resized(40, 40), tif, 1);
			ImagePlus png = IJ.openImage(out.resolve("img" + i + "_cam-overlay.png").toString());
			assertNotNull(png, "blended PNG");
			// 40 px upscaled 7x to at least 256, the caption in a band below the image
			assertEquals(280, png.getWidth());
			assertTrue(png.getHeight() > 280, "caption band below the image: " + png.getHeight());
			assertEquals(24, png.getBitDepth());
			// over a folder the predictions of all images go to one table per run, the file first (issue 15)
			String row = "img" + i + ".tif,";
			assertTrue(Files.readAllLines(out.resolve("in_predictions.csv")).stream().anyMatch(l -> l.startsWith(row)));
			// the blend differs from the grey source where the map is high, and equals it where transparent
			int peak = want.resized(40, 40).length > 0 ? org.convlens.explain.core.Heatmaps.argmax(want.resized(40, 40)) : 0;
			int c = png.getProcessor().get((peak % 40) * 7 + 3, (peak / 40) * 7 + 3);
			assertTrue(((c >> 16) & 0xff) != (c & 0xff) || ((c >> 8) & 0xff) != (c & 0xff), "coloured at the peak");
		}
	}
}
