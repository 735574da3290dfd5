package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

/** The figure's whole-factor upscaling gives ImageJ's nearest-neighbour pixels. */
class OutputsTest {

	@Test
	void replicateEqualsImageJsNearestNeighbourResize() {
		SplittableRandom rnd = new SplittableRandom(7);
		int[][] sizes = { { 1, 1 }, { 28, 28 }, { 64, 64 }, { 224, 224 }, { 37, 5 }, { 3, 101 }, { 255, 1 } };
		int checked = 0;
		for (int t = 0; t < 60; t++) {
			int w = t < sizes.length ? sizes[t][0] : 1 + rnd.nextInt(90);
			int h = t < sizes.length ? sizes[t][1] : 1 + rnd.nextInt(90);
			int[] px = new int[w * h];
			for (int i = 0; i < px.length; i++) px[i] = rnd.nextInt() & 0xffffff;
			for (int k : new int[] { 2, 3, 4, 5, 7, 9, 10, 12, 256 / Math.max(w, h) + 1 }) {
				ColorProcessor ip = new ColorProcessor(w, h, px.clone());
				ip.setInterpolationMethod(ImageProcessor.NONE);
				ImageProcessor ij = ip.resize(w * k, h * k);
				ImageProcessor ours = Outputs.replicate(new ColorProcessor(w, h, px.clone()), k);
				assertEquals(ij.getWidth(), ours.getWidth());
				assertEquals(ij.getHeight(), ours.getHeight());
				assertArrayEquals((int[]) ij.getPixels(), (int[]) ours.getPixels(), w + "x" + h + " by " + k);
				checked++;
			}
		}
		assertEquals(60 * 9, checked);
	}

	@Test
	void replicateCopiesEachPixelIntoItsBlock() {
		ColorProcessor ip = new ColorProcessor(2, 1, new int[] { 0x112233, 0x445566 });
		int[] out = (int[]) Outputs.replicate(ip, 2).getPixels();
		assertArrayEquals(new int[] { 0x112233, 0x112233, 0x445566, 0x445566, 0x112233, 0x112233, 0x445566, 0x445566 }, out);
	}
}
