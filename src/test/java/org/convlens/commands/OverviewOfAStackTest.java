package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;

/** The all-layers overview shows one position; of a stack, the Log says which one and that the others are not shown. */
class OverviewOfAStackTest {

	private static String log(ImagePlus imp) {
		Context ctx = Contexts.get();
		return FashionModelsTest.stdout(() -> CommandRunner.run(ctx, CommandRunner.create(ctx, AllLayersOverview.class),
			Map.of("image", imp, "model", TestPaths.model("fashion-plain").toFile()), false));
	}

	@Test
	void aStacksOverviewNamesItsSlice() {
		ImageStack st = new ImageStack(28, 28);
		for (String f : new String[] { "00-ankle-boot.tif", "02-trouser.tif", "01-pullover.tif" }) {
			st.addSlice(f, IJ.openImage(TestPaths.testData().resolve("images/fashion/" + f).toString()).getProcessor());
		}
		ImagePlus imp = new ImagePlus("three", st);
		imp.setSlice(2);
		String log = log(imp);
		assertTrue(log.contains("All Layers Overview: three: the overview shows position z=2 t=1 only, 1 of 3"), log);
		String one = log(IJ.openImage(TestPaths.testData().resolve("images/fashion/00-ankle-boot.tif").toString()));
		assertFalse(one.contains("the overview shows position"), one);
	}

	@Test
	void aStacksFaithfulnessNamesItsSlice() {
		ImageStack st = new ImageStack(28, 28);
		for (String f : new String[] { "00-ankle-boot.tif", "02-trouser.tif" }) {
			st.addSlice(f, IJ.openImage(TestPaths.testData().resolve("images/fashion/" + f).toString()).getProcessor());
		}
		ImagePlus imp = new ImagePlus("two", st);
		imp.setSlice(2);
		Context ctx = Contexts.get();
		PrintStream old = System.out;
		ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try {
			CommandRunner.run(ctx, CommandRunner.create(ctx, HeatmapFaithfulness.class),
				Map.of("image", imp, "model", TestPaths.model("fashion-plain").toFile(), "steps", 4), false);
		}
		finally {
			System.setOut(old);
		}
		String log = buf.toString(StandardCharsets.UTF_8);
		// slice 2 is the trouser: explained for its own class, and named
		assertTrue(log.contains("Heatmap Faithfulness, Grad-CAM, Trouser (1) (position z=2 t=1 of 2): score"), log);
	}
}
