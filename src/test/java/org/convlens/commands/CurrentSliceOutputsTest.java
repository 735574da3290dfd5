package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;

/**
 * The outputs made of the current slice only (the activation montage, the saliency blend) are of the
 * slice set with setSlice, also without a window (batch-mode macros), where getSlice() stays at 1.
 */
class CurrentSliceOutputsTest {

	private static ImagePlus open(String f) {
		return IJ.openImage(TestPaths.testData().resolve("images/fashion/" + f).toString());
	}

	private static Object run(Class<?> c, ImagePlus imp, String key, Object... more) {
		Context ctx = Contexts.get();
		Map<String, Object> in = new java.util.HashMap<>(Map.of("image", imp, "model", TestPaths.model("fashion-plain").toFile()));
		for (int i = 0; i < more.length; i += 2) in.put((String) more[i], more[i + 1]);
		@SuppressWarnings("unchecked")
		Class<? extends org.scijava.command.Command> cc = (Class<? extends org.scijava.command.Command>) c;
		return CommandRunner.run(ctx, CommandRunner.create(ctx, cc), in, false).get(key);
	}

	/** Any plane as ints: RGB as packed, others by their float values' bits. */
	private static int[] pixels(ImagePlus imp) {
		Object p = imp.getProcessor().getPixels();
		if (p instanceof int[]) return (int[]) p;
		float[] f = (float[]) imp.getProcessor().convertToFloatProcessor().getPixels();
		int[] out = new int[f.length];
		for (int i = 0; i < f.length; i++) out[i] = Float.floatToIntBits(f[i]);
		return out;
	}

	@Test
	void theMontageAndTheBlendAreOfTheSliceSetWithSetSlice() {
		ImageStack st = new ImageStack(28, 28);
		st.addSlice("boot", open("00-ankle-boot.tif").getProcessor());
		st.addSlice("trouser", open("02-trouser.tif").getProcessor());
		ImagePlus stack = new ImagePlus("two", st);
		stack.setSlice(2);
		ImagePlus single = open("02-trouser.tif");
		ImagePlus a = (ImagePlus) run(ShowActivations.class, stack, "grid", "montage", true);
		ImagePlus b = (ImagePlus) run(ShowActivations.class, single, "grid", "montage", true);
		assertArrayEquals(pixels(b), pixels(a), "the montage of slice 2");
		// the blend's colours follow the whole stack's scale: compare with the same stack moved by setPosition
		ImagePlus c = (ImagePlus) run(SaliencyMap.class, stack, "blended", "blend", true, "overlay", false);
		ImagePlus moved = new ImagePlus("two", st);
		moved.setPosition(2);
		ImagePlus d = (ImagePlus) run(SaliencyMap.class, moved, "blended", "blend", true, "overlay", false);
		moved.setPosition(1);
		ImagePlus e = (ImagePlus) run(SaliencyMap.class, moved, "blended", "blend", true, "overlay", false);
		assertFalse(java.util.Arrays.equals(pixels(d), pixels(e)), "the two slices' blends differ");
		assertArrayEquals(pixels(d), pixels(c), "the blend of slice 2");
	}
}
