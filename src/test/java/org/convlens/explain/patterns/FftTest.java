package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The FFT against a direct sum, and the 2-D transform's round trip and energy. */
class FftTest {

	@Test
	void matchesDirectSumForManyLengths() {
		Random r = new Random(1);
		for (int n : new int[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 28, 30, 49, 62, 64 }) {
			double[] re = new double[n], im = new double[n];
			for (int i = 0; i < n; i++) {
				re[i] = r.nextGaussian();
				im[i] = r.nextGaussian();
			}
			for (boolean inverse : new boolean[] { false, true }) {
				double sign = inverse ? 1 : -1;
				double[] er = new double[n], ei = new double[n];
				for (int k = 0; k < n; k++) {
					for (int j = 0; j < n; j++) {
						double a = sign * 2 * Math.PI * j * k / n;
						er[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
						ei[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
					}
				}
				double[] gr = re.clone(), gi = im.clone();
				new Fft(n).transform(gr, gi, inverse);
				for (int k = 0; k < n; k++) {
					assertEquals(er[k], gr[k], 1e-9 * n, "re n=" + n + " k=" + k);
					assertEquals(ei[k], gi[k], 1e-9 * n, "im n=" + n + " k=" + k);
				}
			}
		}
	}

	@Test
	void twoDimensionalRoundTripAndParseval() {
		Random r = new Random(2);
		int h = 6, w = 10, c = 3;
		double[] re = new double[h * w * c], im = new double[h * w * c];
		double energy = 0;
		for (int i = 0; i < re.length; i++) {
			re[i] = r.nextGaussian();
			energy += re[i] * re[i];
		}
		double[] orig = re.clone();
		Fft fy = new Fft(h), fx = new Fft(w);
		Fft.transform2d(re, im, h, w, c, fy, fx, false);
		double e2 = 0;
		for (int i = 0; i < re.length; i++) e2 += re[i] * re[i] + im[i] * im[i];
		assertEquals(energy, e2, 1e-9 * energy, "unitary transform keeps the energy");
		// DC of channel 1 = sum / sqrt(h w)
		double sum = 0;
		for (int p = 0; p < h * w; p++) sum += orig[p * c + 1];
		assertEquals(sum / Math.sqrt(h * w), re[1], 1e-9);
		Fft.transform2d(re, im, h, w, c, fy, fx, true);
		for (int i = 0; i < re.length; i++) {
			assertEquals(orig[i], re[i], 1e-9);
			assertEquals(0, im[i], 1e-9);
		}
	}
}
