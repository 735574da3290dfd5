package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;

/** macros/filter-patterns.ijm runs as written, with no image open (ImageJ 1.x menus need a display). */
class PatternMacroTest extends CommandTestBase {

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
