package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;

/** The example macros in macros/ run as written (ImageJ 1.x menus need a display: CI uses xvfb-run). */
class MacrosTest extends CommandTestBase {

	@BeforeAll
	static void noDialogs() {
		System.setProperty("convlens.dialogs", "false");
	}

	/** Macros leave their images open; later tests expect "No image is open." */
	@AfterEach
	void closeImages() throws Exception {
		if (!GraphicsEnvironment.isHeadless()) closeAll();
	}

	@AfterAll
	static void dialogsBack() {
		System.clearProperty("convlens.dialogs");
	}

	@Test
	void overviewOfAFolder(@TempDir Path tmp) throws Exception {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		RecorderGuiTest.registerMenuEntries();
		Path in = org.convlens.TestPaths.testData().resolve("images").resolve("localization");
		IJ.runMacroFile(Path.of("macros/overview-folder.ijm").toAbsolutePath().toString(),
			"model=" + modelPath.toAbsolutePath() + " input=" + in + " output=" + tmp);
		long tifs;
		try (Stream<Path> s = Files.list(in)) {
			tifs = s.filter(p -> p.toString().endsWith(".tif")).count();
		}
		try (Stream<Path> s = Files.list(tmp)) {
			assertEquals(tifs, s.filter(p -> p.toString().endsWith("_overview.png")).count());
		}
		ImagePlus png = IJ.openImage(tmp.resolve("shape_000_overview.png").toString());
		assertTrue(png.getHeight() > 100);
	}

	@Test
	void activationsOfOneLayer(@TempDir Path tmp) throws Exception {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		RecorderGuiTest.registerMenuEntries();
		Path img = org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif");
		IJ.runMacroFile(Path.of("macros/activations-one-layer.ijm").toAbsolutePath().toString(),
			"model=" + modelPath.toAbsolutePath() + " layer=conv2d_1 image=" + img + " output=" + tmp);
		ImagePlus maps = IJ.openImage(tmp.resolve("activations.tif").toString());
		assertNotNull(maps);
		assertEquals(engine.info().layer("conv2d_1").channels(), maps.getNChannels());
		assertTrue(Files.isRegularFile(tmp.resolve("montage.png")));
		for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
			ImagePlus w = WindowManager.getImage(id);
			if (w != null) {
				w.changes = false;
				w.close();
			}
		}
	}

	@Test
	void classActivationMapMacro(@TempDir Path tmp) throws Exception {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		RecorderGuiTest.registerMenuEntries();
		Path img = org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif");
		IJ.runMacroFile(Path.of("macros/class-activation-map.ijm").toAbsolutePath().toString(),
			"model=" + modelPath.toAbsolutePath() + " image=" + img + " output=" + tmp);
		ImagePlus hm = IJ.openImage(tmp.resolve("heatmap.tif").toString());
		assertNotNull(hm);
		assertEquals(32, hm.getBitDepth());
		ImagePlus src = IJ.openImage(img.toString());
		assertEquals(src.getWidth(), hm.getWidth());
		assertTrue(Files.isRegularFile(tmp.resolve("overlay.png")));
		assertEquals(24, IJ.openImage(tmp.resolve("overlay.png").toString()).getBitDepth());
		closeAll();
		assertEquals(null, WindowManager.getCurrentImage());

	}

	/** Closes every image window (outputs shown by commands), so later tests find no current image. */
	static void closeAll() throws Exception {
		// leave no image behind: later tests expect "No image is open."
		for (int tries = 0; tries < 50 && WindowManager.getImageCount() > 0; tries++) {
			for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
				ImagePlus w = WindowManager.getImage(id);
				if (w != null) {
					w.changes = false;
					w.close();
				}
			}
			IJ.wait(100);
		}
		// window events still queued may make a closed window current again: let them run, then clear it
		java.awt.EventQueue.invokeAndWait(() -> {});
		IJ.wait(300);
		java.awt.EventQueue.invokeAndWait(() -> {});
		// a macro run may leave ImageJ in batch mode, where the last batch-mode image counts as current
		for (int id : ij.macro.Interpreter.getBatchModeImageIDs()) {
			ImagePlus b = WindowManager.getImage(id);
			if (b != null) ij.macro.Interpreter.removeBatchModeImage(b);
		}
		ij.macro.Interpreter.batchMode = false;
		WindowManager.setTempCurrentImage(null);
		WindowManager.setCurrentWindow(null);
	}

	@Test
	void filterPatternsMacro(@TempDir Path tmp) throws Exception {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		RecorderGuiTest.registerMenuEntries();
		WindowManager.setTempCurrentImage(null);
		IJ.runMacroFile(Path.of("macros/filter-patterns.ijm").toAbsolutePath().toString(),
			"model=" + modelPath.toAbsolutePath() + " layer=conv2d_1 output=" + tmp);
		ImagePlus p = IJ.openImage(tmp.resolve("shapes-keras_patterns.tif").toString());
		assertEquals(engine.info().layer("conv2d_1").channels(), p.getStackSize());
		assertTrue(p.getStack().getSliceLabel(1).startsWith("conv2d_1 filter 0: "), p.getStack().getSliceLabel(1));
		assertTrue(Files.isRegularFile(tmp.resolve("shapes-keras_results.csv")));
		ImagePlus w = IJ.openImage(tmp.resolve("shapes-keras_weights.tif").toString());
		assertEquals(engine.kernel("conv2d").dim(3), w.getStackSize());
	}
}
