package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
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
}
