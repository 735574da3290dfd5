package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The random transforms: the adjoint is exact, and simple cases match hand-made images. */
class WarpTest {

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

	@Test
	void adjointSatisfiesTheDotProductIdentity() {
		int h = 13, w = 17, c = 3;
		Warp t = new Warp(h, w, 1.07, 8.5, 2, -3);
		for (int k = 0; k < 5; k++) {
			float[] x = random(h * w * c, k), y = random(h * w * c, 100 + k);
			double lhs = dot(t.apply(x, c), y);
			double rhs = dot(x, t.adjoint(y, c));
			assertEquals(lhs, rhs, 1e-4 * (Math.abs(lhs) + 1));
		}
	}

	@Test
	void integerShiftMovesPixelsAndRepeatsTheEdge() {
		int h = 5, w = 6, c = 2;
		float[] x = random(h * w * c, 7);
		float[] out = new Warp(h, w, 1, 0, 2, -1).apply(x, c);
		for (int y = 0; y < h; y++) {
			for (int xx = 0; xx < w; xx++) {
				int sx = Math.max(0, Math.min(w - 1, xx - 2));
				int sy = Math.max(0, Math.min(h - 1, y + 1));
				for (int ch = 0; ch < c; ch++) assertEquals(x[(sy * w + sx) * c + ch], out[(y * w + xx) * c + ch], 1e-6);
			}
		}
	}

	@Test
	void quarterTurnOfASquareImage() {
		int n = 7;
		float[] x = random(n * n, 3);
		float[] out = new Warp(n, n, 1, 90, 0, 0).apply(x, 1);
		// output(x, y) = input(cx + (y - cy), cy - (x - cx)) for a 90 degree turn with our inverse map
		int cc = (n - 1) / 2;
		for (int y = 0; y < n; y++) {
			for (int xx = 0; xx < n; xx++) {
				int sx = cc + (y - cc);
				int sy = cc - (xx - cc);
				assertEquals(x[sy * n + sx], out[y * n + xx], 1e-5);
			}
		}
	}

	@Test
	void identityChangesNothing() {
		float[] x = random(4 * 5 * 3, 9);
		Warp id = Warp.identity(4, 5);
		assertArrayEquals(x, id.apply(x, 3));
		assertArrayEquals(x, id.adjoint(x, 3));
		assertArrayEquals(x, new Warp(4, 5, 1, 0, 0, 0).apply(x, 3));
	}
}
