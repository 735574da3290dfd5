package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.model.Preprocessing.Normalization;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.Montage;

/** Deprocessing, montage, kernel images and input ranges against hand-computed values. */
class DisplayTest {

	@Test
	void deprocessStandardisesScalesClipsAndCrops() {
		// 4x4x1 values 0..15: mean 7.5, population std sqrt(21.25)
		float[] v = new float[16];
		for (int i = 0; i < 16; i++) v[i] = i;
		NdArray img = new NdArray(new int[] { 1, 4, 4, 1 }, v);
		double std = Math.sqrt(21.25);
		Preprocessing.Planes p = Deprocess.toDisplay(img, 1, false);
		assertEquals(2, p.width);
		assertEquals(2, p.height);
		int[] src = { 5, 6, 9, 10 };
		for (int k = 0; k < 4; k++) assertEquals((src[k] - 7.5) / std * 64 + 128, p.channels()[0][k], 1e-4);
		// clipping: one extreme pixel
		float[] e = new float[16];
		e[0] = 1000;
		Preprocessing.Planes q = Deprocess.toDisplay(new NdArray(new int[] { 1, 4, 4, 1 }, e), 0, false);
		assertEquals(255, q.channels()[0][0], 0);
		assertTrue(q.channels()[0][1] < 128);
		// BGR comes out as RGB
		float[] rgb = new float[2 * 2 * 3];
		for (int i = 0; i < 4; i++) rgb[i * 3] = 10; // channel 0 high
		Preprocessing.Planes b = Deprocess.toDisplay(new NdArray(new int[] { 1, 2, 2, 3 }, rgb), 0, true);
		assertTrue(b.rgb);
		assertTrue(b.channels()[2][0] > b.channels()[0][0]);
		// a flat image is mid-grey, not NaN
		Preprocessing.Planes f = Deprocess.toDisplay(new NdArray(new int[] { 1, 3, 3, 1 }, new float[9]), 0, false);
		assertEquals(128, f.channels()[0][4], 0);
	}

	@Test
	void montagePlacesTilesRowByRow() {
		Preprocessing.Planes a = new Preprocessing.Planes(new float[][] { { 1, 1, 1, 1 } }, 2, 2, 255, false);
		Preprocessing.Planes b = new Preprocessing.Planes(new float[][] { { 2, 2, 2, 2 } }, 2, 2, 255, false);
		Preprocessing.Planes c = new Preprocessing.Planes(new float[][] { { 3, 3, 3, 3 } }, 2, 2, 255, false);
		Preprocessing.Planes m = Montage.grid(List.of(a, b, c), 2, 1, 9);
		assertEquals(5, m.width);
		assertEquals(5, m.height);
		float[] want = {
			1, 1, 9, 2, 2,
			1, 1, 9, 2, 2,
			9, 9, 9, 9, 9,
			3, 3, 9, 9, 9,
			3, 3, 9, 9, 9 };
		assertArrayEquals(want, m.channels()[0]);
		assertArrayEquals(new int[] { 0, 3 }, Montage.origin(2, 3, 2, 2, 2, 1));
	}

	@Test
	void kernelImagesMapZeroToGreyAndZoomByRepetition() {
		// kernel [2,1,1,2]: filter 0 = (0.5, -1), filter 1 = (0.25, 0)
		NdArray k = new NdArray(new int[] { 2, 1, 1, 2 }, new float[] { 0.5f, 0.25f, -1f, 0f });
		List<Preprocessing.Planes> shared = KernelImages.render(k, 2, KernelImages.Contrast.SHARED, true, false);
		assertEquals(2, shared.size());
		Preprocessing.Planes f0 = shared.get(0);
		assertEquals(2, f0.width);
		assertEquals(4, f0.height);
		assertArrayEquals(new float[] { 191.5f, 191.5f, 191.5f, 191.5f, 1, 1, 1, 1 }, f0.channels()[0], 1e-4f);
		assertEquals(128 + 127 * 0.25f, shared.get(1).channels()[0][0], 1e-4);
		List<Preprocessing.Planes> per = KernelImages.render(k, 1, KernelImages.Contrast.PER_KERNEL, true, false);
		assertEquals(255, per.get(1).channels()[0][0], 1e-4);
		assertEquals(128, per.get(1).channels()[0][1], 1e-4);
		// 3 input channels: RGB, with BGR swapped
		float[] d = new float[3 * 1];
		d[0] = 1; // input channel 0 (blue in a BGR model)
		NdArray k3 = new NdArray(new int[] { 1, 1, 3, 1 }, d);
		Preprocessing.Planes rgb = KernelImages.render(k3, 1, KernelImages.Contrast.SHARED, true, true).get(0);
		assertTrue(rgb.rgb);
		assertEquals(255, rgb.channels()[2][0], 1e-4);
		assertEquals(128, rgb.channels()[0][0], 1e-4);
		Preprocessing.Planes planes = KernelImages.render(k3, 1, KernelImages.Contrast.SHARED, false, false).get(0);
		assertTrue(!planes.rgb);
		assertEquals(3, planes.channels().length);
	}

	@Test
	void inputRangeFollowsThePreprocessing() {
		Preprocessing d = Preprocessing.defaults();
		int[] gray = { -1, 28, 28, 1 }, rgb = { -1, 64, 64, 3 };
		InputRange unit = InputRange.of(d, gray, 255);
		assertEquals(0, unit.low(), 1e-9);
		assertEquals(1, unit.high(), 1e-6);
		InputRange raw = InputRange.of(d.withNormalization(Normalization.NONE), rgb, 255);
		assertEquals(0, raw.low(), 1e-9);
		assertEquals(255, raw.high(), 1e-9);
		assertEquals(0.4 * 255, raw.at(0.4), 1e-9);
		InputRange sym = InputRange.of(d.withNormalization(Normalization.SYMMETRIC), gray, 255);
		assertEquals(-1, sym.low(), 1e-6);
		assertEquals(1, sym.high(), 1e-6);
		InputRange ms = InputRange.of(d.withMeanStd(new float[] { 100 }, new float[] { 50 }), gray, 255);
		assertEquals(-2, ms.low(), 1e-6);
		assertEquals(3.1, ms.high(), 1e-5);
		assertEquals(InputRange.UNIT, InputRange.of(d.withPercentiles(1, 99), gray, 65535));
		// Keras normalize(axis=1): a white column of 64 pixels becomes 1/8 each
		InputRange l2 = InputRange.of(d.withNormalization(Normalization.L2_COLUMNS), rgb, 255);
		assertEquals(0, l2.low(), 1e-9);
		assertEquals(1 / 8.0, l2.high(), 1e-6);
	}
}
