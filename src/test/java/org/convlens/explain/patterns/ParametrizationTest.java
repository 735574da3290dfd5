package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** Pixel and Fourier parametrisations: exact start image, exact adjoint, blur and 1/f scaling. */
class ParametrizationTest {

	private static float[] random(int n, long seed) {
		Random r = new Random(seed);
		float[] a = new float[n];
		for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
		return a;
	}

	private static double dot(float[] a, float[] b) {
		double s = 0;
		for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
		return s;
	}

	private static Parametrization[] all(int h, int w, int c) {
		return new Parametrization[] {
			new Parametrization.Pixels(h, w, c, false), new Parametrization.Pixels(h, w, c, true),
			new Parametrization.Fourier(h, w, c, false, 1), new Parametrization.Fourier(h, w, c, true, 1),
			new Parametrization.Fourier(h, w, c, true, 1.5) };
	}

	@Test
	void initRendersBackTheStartingImage() {
		for (int[] s : new int[][] { { 12, 10, 3 }, { 28, 28, 1 }, { 7, 9, 3 } }) {
			float[] img = random(s[0] * s[1] * s[2], 1);
			for (Parametrization p : all(s[0], s[1], s[2])) {
				float[] back = p.render(p.init(img));
				for (int i = 0; i < img.length; i++) assertEquals(img[i], back[i], 1e-4, p.getClass().getSimpleName() + " " + i);
			}
		}
	}

	@Test
	void adjointSatisfiesTheDotProductIdentity() {
		int h = 10, w = 12, c = 3;
		for (Parametrization p : all(h, w, c)) {
			for (int k = 0; k < 3; k++) {
				float[] v = random(p.size(), 10 + k);
				float[] g = random(h * w * c, 20 + k);
				double lhs = dot(p.render(v), g);
				double rhs = dot(v, p.adjoint(g));
				assertEquals(lhs, rhs, 1e-4 * (Math.abs(lhs) + 1), p.getClass().getSimpleName());
			}
		}
	}

	@Test
	void colourDecorrelationMixesOnlyThreeChannelImages() {
		assertTrue(new Parametrization.Pixels(4, 4, 3, true).decorrelated());
		assertTrue(!new Parametrization.Pixels(4, 4, 1, true).decorrelated());
		// the mix is the published matrix scaled by its largest column norm: column 0 = (.26,.27,.27)/0.4620
		Parametrization p = new Parametrization.Pixels(1, 1, 3, true);
		float[] img = p.render(new float[] { 1, 0, 0 });
		double norm = Math.sqrt(0.26 * 0.26 + 0.27 * 0.27 * 2);
		assertEquals(0.26 / norm, img[0], 1e-6);
		assertEquals(0.27 / norm, img[1], 1e-6);
		assertEquals(0.27 / norm, img[2], 1e-6);
	}

	@Test
	void fourierScaleFallsAsOneOverFrequencyWithUnitRms() {
		int n = 16;
		Parametrization.Fourier f = new Parametrization.Fourier(n, n, 1, false, 1);
		double ss = 0;
		for (double s : f.scale) ss += s * s;
		assertEquals(1, Math.sqrt(ss / f.scale.length), 1e-9);
		// bin (0,1) has frequency 1/16, bin (0,4) 4/16: scale ratio 4; DC is floored at 1/16 like bin 1
		assertEquals(4, f.scale[1] / f.scale[4], 1e-9);
		assertEquals(f.scale[1], f.scale[0], 1e-12);
		assertEquals(f.scale[3], f.scale[n - 3], 1e-12);
	}

	@Test
	void blurKeepsTheMeanAndDampsDetail() {
		int h = 16, w = 16, c = 3;
		float[] img = random(h * w * c, 5);
		for (Parametrization p : all(h, w, c)) {
			float[] v = p.init(img);
			p.blur(v, 1.5);
			float[] b = p.render(v);
			double m0 = 0, m1 = 0, d0 = 0, d1 = 0;
			for (int i = 0; i < img.length; i++) {
				m0 += img[i];
				m1 += b[i];
			}
			for (int i = c; i < img.length; i++) {
				d0 += Math.abs(img[i] - img[i - c]);
				d1 += Math.abs(b[i] - b[i - c]);
			}
			assertEquals(m0 / img.length, m1 / img.length, 0.05, p.getClass().getSimpleName() + " mean");
			assertTrue(d1 < 0.5 * d0, p.getClass().getSimpleName() + " detail " + d1 + " vs " + d0);
		}
		// the pixel blur of a constant image is the constant
		float[] flat = new float[h * w * c];
		java.util.Arrays.fill(flat, 0.3f);
		Parametrization.gaussianBlur(flat, h, w, c, 2);
		for (float f : flat) assertEquals(0.3f, f, 1e-6);
	}
}
