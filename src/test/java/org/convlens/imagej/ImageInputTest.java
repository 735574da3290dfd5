package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;

public class ImageInputTest {

	@Test
	void grayTypesGiveOneChannelWithTheirTypeMax() {
		ByteProcessor b = new ByteProcessor(3, 2, new byte[] { 0, 1, 2, (byte) 200, 4, (byte) 255 });
		ShortProcessor s = new ShortProcessor(3, 2, new short[] { 0, 1000, 2, 3, 4, (short) 65535 }, null);
		FloatProcessor f = new FloatProcessor(3, 2, new float[] { -1f, 0.5f, 2, 3, 4, 5 });
		for (Object[] c : new Object[][] { { b, 255.0, 200f }, { s, 65535.0, 3f }, { f, 1.0, 3f } }) {
			ImagePlus imp = new ImagePlus("x", (ij.process.ImageProcessor) c[0]);
			Preprocessing.Planes p = ImageInput.planes(imp, new ImageInput.Position(1, 1));
			assertEquals(1, p.channels().length);
			assertEquals((double) c[1], p.typeMax);
			assertEquals((float) c[2], p.channels()[0][3]);
			assertEquals(imp.getProcessor().getf(2, 1), p.channels()[0][5]);
		}
	}

	@Test
	void rgbSplitsIntoThreeChannels() {
		ColorProcessor cp = new ColorProcessor(2, 1, new int[] { 0x102030, 0xff0080 });
		Preprocessing.Planes p = ImageInput.planes(new ImagePlus("rgb", cp), new ImageInput.Position(1, 1));
		assertTrue(p.rgb);
		assertEquals(255, p.typeMax);
		assertArrayEquals(new float[] { 0x10, 0xff }, p.channels()[0]);
		assertArrayEquals(new float[] { 0x20, 0 }, p.channels()[1]);
		assertArrayEquals(new float[] { 0x30, 0x80 }, p.channels()[2]);
	}

	/** A C x Z x T hyperstack whose pixel value encodes its position: 100c + 10z + t. */
	static ImagePlus hyperstack(int C, int Z, int T, int bitDepth) {
		ImagePlus imp = IJ.createHyperStack("h", 4, 3, C, Z, T, bitDepth);
		for (int t = 1; t <= T; t++) for (int z = 1; z <= Z; z++) for (int c = 1; c <= C; c++) {
			ij.process.ImageProcessor ip = imp.getStack().getProcessor(imp.getStackIndex(c, z, t));
			ip.setValue(100 * c + 10 * z + t);
			ip.fill();
		}
		return C > 1 ? new CompositeImage(imp, IJ.COMPOSITE) : imp;
	}

	@Test
	void compositeHyperstackGivesChannelsPerPositionSliceFastest() {
		ImagePlus imp = hyperstack(2, 3, 2, 16);
		List<ImageInput.Position> ps = ImageInput.positions(imp);
		assertEquals(6, ps.size());
		assertEquals(2, ps.get(1).z);
		assertEquals(1, ps.get(1).t);
		assertEquals(1, ps.get(3).z);
		assertEquals(2, ps.get(3).t);
		Preprocessing.Planes p = ImageInput.planes(imp, ps.get(4)); // z=2, t=2
		assertEquals(2, p.channels().length);
		assertEquals(122f, p.channels()[0][0]);
		assertEquals(222f, p.channels()[1][7]);
		// the batch keeps the order: item i = positions[i]; 2-channel model, no normalisation
		NdArray x = ImageInput.batch(imp, ps, Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE), new int[] { -1, 3, 4, 2 });
		assertArrayEquals(new int[] { 6, 3, 4, 2 }, x.shape());
		for (int i = 0; i < 6; i++) {
			assertEquals(100 + 10 * ps.get(i).z + ps.get(i).t, x.get(i, 2, 3, 0), 1e-4);
			assertEquals(200 + 10 * ps.get(i).z + ps.get(i).t, x.get(i, 0, 1, 1), 1e-4);
		}
	}

	@Test
	void zStackAndTimeSeriesPositions() {
		assertEquals(5, ImageInput.positions(hyperstack(1, 5, 1, 8)).size());
		List<ImageInput.Position> t = ImageInput.positions(hyperstack(1, 1, 4, 32));
		assertEquals(4, t.size());
		assertEquals(4, t.get(3).t);
		assertEquals(1, t.get(3).z);
	}

	@Test
	void readingDoesNotChangeTheImage() {
		ImagePlus imp = hyperstack(3, 2, 1, 8);
		imp.getCalibration().pixelWidth = 0.25;
		long before = checksum(imp);
		ImageInput.batch(imp, ImageInput.positions(imp), Preprocessing.defaults(), new int[] { -1, 8, 8, 3 });
		assertEquals(before, checksum(imp));
		assertEquals(0.25, imp.getCalibration().pixelWidth);
		assertEquals("h", imp.getTitle());
	}

	@Test
	void blankOrMissingImageIsAClearError() {
		assertEquals("No image is open.", assertThrows(IllegalArgumentException.class, () -> ImageInput.require(null)).getMessage());
		assertEquals("No image is open.", assertThrows(IllegalArgumentException.class, () -> ImageInput.require(new ImagePlus())).getMessage());
	}

	/** Sum of all pixel values weighted by position, to detect any change. */
	public static long checksum(ImagePlus imp) {
		long h = 0;
		ImageStack s = imp.getStack();
		for (int i = 1; i <= s.getSize(); i++) {
			ij.process.ImageProcessor ip = s.getProcessor(i);
			for (int k = 0; k < ip.getPixelCount(); k++) h = h * 31 + Float.floatToIntBits(imp.getBitDepth() == 24 ? ip.get(k) : ip.getf(k));
		}
		return h;
	}
}
