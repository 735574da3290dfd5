package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.convlens.imagej.ImgLib2Explainer;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * The scripting API gives the values the ImagePlus commands give on the demo model and image
 * (Grad-CAM, activations, saliency), leaves its input alone, and refuses an image of the wrong
 * dimensionality with one message.
 */
class ImgLib2ExplainerTest extends CommandTestBase {

	private static ImagePlus demo() {
		ImagePlus imp = IJ.openImage(org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif").toString());
		assertEquals(1, imp.getStackSize(), "the demo image is one plane");
		return imp;
	}

	/** The demo image as an ImgLib2 image of its own pixel type (8-, 16- or 32-bit). */
	private static Img<? extends RealType<?>> img(ImagePlus imp) {
		int w = imp.getWidth(), h = imp.getHeight();
		Object px = imp.getProcessor().getPixels();
		switch (imp.getBitDepth()) {
			case 8:
				return ArrayImgs.unsignedBytes(((byte[]) px).clone(), w, h);
			case 16:
				return ArrayImgs.unsignedShorts(((short[]) px).clone(), w, h);
			case 32:
				return ArrayImgs.floats(((float[]) px).clone(), w, h);
			default:
				throw new AssertionError("unexpected demo image type " + imp.getBitDepth());
		}
	}

	private static float[] values(RandomAccessibleInterval<FloatType> map) {
		float[] v = new float[(int) Views.iterable(map).size()];
		Cursor<FloatType> c = Views.flatIterable(map).cursor();
		for (int i = 0; i < v.length; i++) v[i] = c.next().get();
		return v;
	}

	private static Map<String, Object> command(Class<? extends ConvLensCommand> cls, ImagePlus imp, Object... keyValues) {
		Object[] kv = new Object[keyValues.length + 2];
		kv[0] = "image";
		kv[1] = imp;
		System.arraycopy(keyValues, 0, kv, 2, keyValues.length);
		return run(cls, kv);
	}

	@Test
	void gradCamActivationsAndSaliencyEqualTheCommands() {
		ImagePlus imp = demo();
		Img<? extends RealType<?>> img = img(imp);
		float[] before = values(asFloat(img));
		try (ImgLib2Explainer cl = new ImgLib2Explainer(engine)) {
			RandomAccessibleInterval<FloatType> cam = cl.gradCam(img, "top");
			assertArrayEquals(new long[] { imp.getWidth(), imp.getHeight() }, cam.dimensionsAsLongArray());
			ImagePlus heatmap = (ImagePlus) command(ClassActivationMap.class, imp, "method", "Grad-CAM", "target", "top", "overlay", false,
				"predict", false).get("heatmap");
			float[] expected = (float[]) heatmap.getStack().getProcessor(1).convertToFloatProcessor().getPixels();
			assertArrayEquals(expected, values(cam));
			assertTrue(max(expected) > 0, "a Grad-CAM map with something in it");
			assertEquals(List.of(), cl.warnings());

			String layer = engine.info().spatialLayers().get(0).name();
			RandomAccessibleInterval<FloatType> act = cl.activations(img, layer);
			ImagePlus stack = (ImagePlus) command(ShowActivations.class, imp, "layer", layer, "scale", false, "predict", false).get("activations");
			int channels = stack.getNChannels();
			assertArrayEquals(new long[] { stack.getWidth(), stack.getHeight(), channels }, act.dimensionsAsLongArray());
			assertTrue(channels > 1);
			for (int c = 0; c < channels; c++) {
				float[] plane = (float[]) stack.getStack().getProcessor(stack.getStackIndex(c + 1, 1, 1)).getPixels();
				assertArrayEquals(plane, values(Views.hyperSlice(act, 2, c)), "channel " + (c + 1));
			}
			// an empty layer name is the first spatial layer, as in the command
			assertArrayEquals(values(act), values(cl.activations(img, "")));

			RandomAccessibleInterval<FloatType> sal = cl.saliency(img, "top");
			ImagePlus smap = (ImagePlus) command(SaliencyMap.class, imp, "method", "vanilla", "target", "top", "overlay", false).get("saliency");
			float[] s = (float[]) smap.getProcessor().convertToFloatProcessor().getPixels();
			assertArrayEquals(s, values(sal));
			assertTrue(max(s) > 0, "a saliency map with something in it");
		}
		assertArrayEquals(before, values(asFloat(img)), "the input image changed");
	}

	@Test
	void wrongDimensionalityIsRefusedWithOneMessage() {
		try (ImgLib2Explainer cl = new ImgLib2Explainer(engine)) {
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cl.gradCam(ArrayImgs.floats(8, 8, 1, 2), "top"));
			assertEquals("ConvLens explains a 2D (X, Y) or 3D (X, Y, channel) image; this one has 4 dimensions [8, 8, 1, 2]: pass one plane, " +
				"e.g. Views.hyperSlice(image, 2, z), for a stack or time series.", e.getMessage());
			e = assertThrows(IllegalArgumentException.class, () -> cl.saliency(ArrayImgs.floats(64), "top"));
			assertTrue(e.getMessage().startsWith("ConvLens explains a 2D (X, Y) or 3D (X, Y, channel) image; this one has 1 dimensions [64]"),
				e.getMessage());
			RuntimeException u = assertThrows(org.convlens.model.ModelException.class, () -> cl.activations(img(demo()), "no_such_layer"));
			assertTrue(u.getMessage().contains("no_such_layer"), u.getMessage());
		}
	}

	private static RandomAccessibleInterval<FloatType> asFloat(Img<? extends RealType<?>> img) {
		float[] v = new float[(int) img.size()];
		Cursor<? extends RealType<?>> c = img.cursor();
		for (int i = 0; i < v.length; i++) v[i] = c.next().getRealFloat();
		return ArrayImgs.floats(v, img.dimensionsAsLongArray());
	}

	private static float max(float[] v) {
		float m = Float.NEGATIVE_INFINITY;
		for (float x : v) m = Math.max(m, x);
		return m;
	}
}
