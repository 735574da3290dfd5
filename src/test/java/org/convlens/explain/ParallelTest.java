package org.convlens.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.convlens.explain.cam.CamMath;
import org.convlens.explain.cam.FeatureMaps;
import org.junit.jupiter.api.Test;

class ParallelTest {

	@Test
	void everyIndexOnceInChunksOfTheGivenSize() {
		for (int n : new int[] { 0, 1, 7, 64, 65, 1000, 100_003 }) {
			for (int chunk : new int[] { 1, 3, 64, 4096 }) {
				AtomicIntegerArray seen = new AtomicIntegerArray(n);
				Parallel.forChunks(n, chunk, (from, to) -> {
					assertEquals(0, from % chunk, "chunks start on multiples of the chunk size");
					assertEquals(Math.min(n, from + chunk), to);
					for (int i = from; i < to; i++) seen.incrementAndGet(i);
				});
				for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " chunk=" + chunk + " index " + i);
				assertEquals(n == 0 ? 0 : (n + chunk - 1) / chunk, Parallel.chunks(n, chunk));
			}
		}
		assertThrows(IllegalArgumentException.class, () -> Parallel.forChunks(5, 0, (a, b) -> {}));
	}

	@Test
	void anExceptionInAnyChunkReachesTheCaller() {
		for (int bad : new int[] { 0, 50_000, 99_999 }) {
			IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forChunks(100_000, 1000, (from, to) -> {
				if (bad >= from && bad < to) throw new IllegalStateException("chunk " + from);
			}));
			assertEquals("chunk " + (bad / 1000 * 1000), e.getMessage());
		}
	}

	@Test
	void gradCamWeightsDoNotDependOnThreadsAndMatchAPlainSum() {
		// positions * channels well above one chunk, so the sums are split
		int h = 96, w = 96, k = 32;
		float[] g = new float[h * w * k];
		java.util.Random r = new java.util.Random(5);
		for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
		float[] got = CamMath.gradCamWeights(new FeatureMaps(h, w, k, g));
		for (int c = 0; c < k; c++) {
			java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
			for (int p = 0; p < h * w; p++) exact = exact.add(new java.math.BigDecimal(g[p * k + c]));
			float want = (float) (exact.doubleValue() / (h * w));
			assertEquals(want, got[c], Math.ulp(want) * 2, "channel " + c);
		}
		// the same bits on every call, whichever worker ran which chunk
		for (int rep = 0; rep < 20; rep++) {
			float[] again = CamMath.gradCamWeights(new FeatureMaps(h, w, k, g));
			for (int c = 0; c < k; c++) assertEquals(Float.floatToIntBits(got[c]), Float.floatToIntBits(again[c]));
		}
	}
}
