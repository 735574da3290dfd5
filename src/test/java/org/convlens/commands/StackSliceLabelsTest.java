package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;

/**
 * A saliency or occlusion map of a stack explains each slice for that slice's own top class; each
 * slice's label must name that class, not the classes of every slice (which read as if each map
 * explained them all).
 */
class StackSliceLabelsTest {

	@Test
	void eachSliceOfASaliencyStackNamesItsOwnClass() {
		Context ctx = Contexts.get();
		ImageStack st = new ImageStack(28, 28);
		for (String f : new String[] { "00-ankle-boot.tif", "02-trouser.tif" }) {
			st.addSlice(f, IJ.openImage(TestPaths.testData().resolve("images/fashion/" + f).toString()).getProcessor());
		}
		ImagePlus imp = new ImagePlus("two", st);
		java.io.File model = TestPaths.model("fashion-plain").toFile();
		ResultsTable t = (ResultsTable) CommandRunner.run(ctx, CommandRunner.create(ctx, ShowPredictions.class),
			Map.of("image", imp, "model", model, "top", 1), false).get("predictions");
		String first = t.getStringValue("class", 0), second = t.getStringValue("class", 1);
		assertTrue(!first.equals(second), "two different classes: " + first + ", " + second);
		ImagePlus map = (ImagePlus) CommandRunner.run(ctx, CommandRunner.create(ctx, SaliencyMap.class),
			Map.of("image", imp, "model", model, "method", "vanilla", "overlay", false), false).get("saliency");
		assertEquals(2, map.getStackSize());
		String l1 = map.getStack().getSliceLabel(1).split("\n")[0], l2 = map.getStack().getSliceLabel(2).split("\n")[0];
		assertTrue(l1.startsWith("vanilla: " + first) && !l1.contains(second), l1);
		assertTrue(l2.startsWith("vanilla: " + second) && !l2.contains(first), l2);
	}

	@Test
	void batchSaysItsOverlayPngShowsOneSliceOfAStack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
		ImageStack st = new ImageStack(28, 28);
		for (String f : new String[] { "00-ankle-boot.tif", "02-trouser.tif" }) {
			st.addSlice(f, IJ.openImage(TestPaths.testData().resolve("images/fashion/" + f).toString()).getProcessor());
		}
		java.nio.file.Path tif = dir.resolve("two.tif");
		IJ.saveAsTiff(new ImagePlus("two", st), tif.toString());
		java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
		Batch.Report r = Batch.run("saliency", tif, dir.resolve("out"), Map.of("model", TestPaths.model("fashion-plain").toString()),
			new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
		assertEquals(java.util.List.of(), r.failures);
		String log = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
		assertTrue(log.contains("note: two_saliency-overlay.png shows slice 1 of 2 (this figure shows one; the TIFF holds all 2)"), log);
	}
}
