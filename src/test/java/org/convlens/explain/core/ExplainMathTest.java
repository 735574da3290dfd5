package org.convlens.explain.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.convlens.model.NdArray;
import org.junit.jupiter.api.Test;
import org.convlens.explain.faithfulness.TrainedCheck;

/** Helpers against hand-computed values. */
class ExplainMathTest {

	@Test
	void ranksAverageTies() {
		assertArrayEquals(new double[] { 1, 2.5, 2.5, 4 }, ExplainMath.ranks(new float[] { 0, 5, 5, 9 }), 0);
		assertArrayEquals(new double[] { 3, 1, 2 }, ExplainMath.ranks(new float[] { 7, -1, 2 }), 0);
	}

	@Test
	void spearman() {
		// monotone but non-linear: rank correlation 1, reversed -1
		assertEquals(1, ExplainMath.spearman(new float[] { 1, 2, 3, 4 }, new float[] { 1, 8, 27, 1000 }), 1e-12);
		assertEquals(-1, ExplainMath.spearman(new float[] { 1, 2, 3, 4 }, new float[] { 4, 3, 2, 1 }), 1e-12);
		// textbook: ranks (1,2,3,4,5) vs (2,1,4,3,5): d^2 = 1+1+1+1+0 = 4, rho = 1 - 6*4/(5*24) = 0.8
		assertEquals(0.8, ExplainMath.spearman(new float[] { 10, 20, 30, 40, 50 }, new float[] { 2, 1, 4, 3, 5 }), 1e-12);
		assertTrue(Double.isNaN(ExplainMath.spearman(new float[] { 1, 1, 1 }, new float[] { 1, 2, 3 })), "constant side: undefined, not 0");
	}

	@Test
	void trapezoid() {
		double[] x = { 0, 0.5, 1 };
		assertEquals(0.5, ExplainMath.trapezoid(x, new double[] { 1, 0.5, 0 }), 1e-12);
		assertEquals(0.75, ExplainMath.trapezoid(x, new double[] { 1, 1, 0 }), 1e-12);
	}

	@Test
	void channelReductions() {
		NdArray a = new NdArray(new int[] { 1, 1, 2, 3 }, new float[] { 1, -4, 2, 0.5f, 0.25f, -0.5f });
		assertArrayEquals(new float[] { 4, 0.5f }, ExplainMath.maxAbsOverChannels(a).data());
		assertArrayEquals(new float[] { -1, 0.25f }, ExplainMath.sumOverChannels(a).data(), 1e-6f);
		assertArrayEquals(new float[] { 0.75f, -1.875f, 0.75f }, ExplainMath.channelMeans(a), 1e-6f);
	}

	@Test
	void blurKeepsConstantsAndMass() {
		NdArray c = NdArray.zeros(1, 9, 7, 2);
		java.util.Arrays.fill(c.data(), 0.3f);
		for (float v : ExplainMath.blur(c, 2).data()) assertEquals(0.3f, v, 1e-6f);
		// an impulse far from the edges spreads symmetrically and keeps its mass
		NdArray d = NdArray.zeros(1, 21, 21, 1);
		d.set(1f, 0, 10, 10, 0);
		NdArray b = ExplainMath.blur(d, 1.5);
		double sum = 0;
		for (float v : b.data()) sum += v;
		assertEquals(1, sum, 1e-5);
		assertEquals(b.get(0, 10, 8, 0), b.get(0, 10, 12, 0), 1e-7);
		assertEquals(b.get(0, 8, 10, 0), b.get(0, 10, 8, 0), 1e-7);
		// Gaussian profile: the ratio of neighbours is exp(-1/(2 sigma^2)) up to discretisation
		assertEquals(Math.exp(-1 / (2 * 1.5 * 1.5)), b.get(0, 10, 11, 0) / b.get(0, 10, 10, 0), 1e-3);
		assertEquals(0.3f, c.data()[5], 0f, "input untouched");
	}

	@Test
	void fills() {
		NdArray x = new NdArray(new int[] { 1, 2, 2, 1 }, new float[] { 0, 1, 2, 5 });
		assertArrayEquals(new float[] { 0, 0, 0, 0 }, Fill.ZERO.replacement(x, 1).data());
		assertArrayEquals(new float[] { 2, 2, 2, 2 }, Fill.MEAN.replacement(x, 1).data());
		assertArrayEquals(new float[] { 0, 1, 2, 5 }, x.data(), "input untouched");
		assertEquals(Fill.BLUR, Fill.of(" Blur "));
	}

	@Test
	void resizeIsIdentityAtTheSameSize() {
		NdArray m = Fixtures.randomMap(5, 4, 1);
		assertTrue(m == ExplainMath.resize(m, 5, 4));
		NdArray up = ExplainMath.resize(new NdArray(new int[] { 1, 2 }, new float[] { 0, 1 }), 1, 4);
		// half-pixel centres: 0, 0.25, 0.75, 1
		assertArrayEquals(new float[] { 0, 0.25f, 0.75f, 1 }, up.data(), 1e-6f);
	}

	@Test
	void spikeRatioSeparatesRandomFromStructured() {
		Random r = new Random(2);
		int m = 288, n = 64;
		float[] w = new float[m * n];
		for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 0.05);
		double random = TrainedCheck.spikeRatio(new NdArray(new int[] { 3, 3, 32, 64 }, w));
		assertTrue(random > 0.85 && random < 1.1, "iid Gaussian: near the Marchenko-Pastur edge, " + random);
		// uniform entries (Glorot-like) too
		float[] u = new float[m * n];
		for (int i = 0; i < u.length; i++) u[i] = (float) ((r.nextDouble() * 2 - 1) * 0.1);
		double uni = TrainedCheck.spikeRatio(new NdArray(new int[] { m, n }, u));
		assertTrue(uni > 0.85 && uni < 1.1, "iid uniform: " + uni);
		// plant a rank-one direction of singular value 3x the edge: sd * (sqrt m + sqrt n) * 3
		double edge = 0.05 * (Math.sqrt(m) + Math.sqrt(n));
		double[] a = new double[m], b = new double[n];
		for (int i = 0; i < m; i++) a[i] = r.nextGaussian() / Math.sqrt(m);
		for (int j = 0; j < n; j++) b[j] = r.nextGaussian() / Math.sqrt(n);
		float[] s = w.clone();
		for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) s[i * n + j] += (float) (3 * edge * a[i] * b[j]);
		double spiked = TrainedCheck.spikeRatio(new NdArray(new int[] { m, n }, s));
		assertTrue(spiked > 2.5, "planted spike found: " + spiked);
		// the entries' mean does not count as structure
		float[] shifted = w.clone();
		for (int i = 0; i < shifted.length; i++) shifted[i] += 0.2f;
		assertEquals(random, TrainedCheck.spikeRatio(new NdArray(new int[] { m, n }, shifted)), 1e-3);
	}
}
