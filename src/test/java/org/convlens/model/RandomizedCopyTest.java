package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;

/** Copies of randomised copies keep the copy's weights (cascading randomisation). */
class RandomizedCopyTest {

	static NdArray randomBatch(int[] inputShape, int n, float scale, long seed) {
		int[] s = inputShape.clone();
		s[0] = n;
		Random r = new Random(seed);
		NdArray x = NdArray.zeros(s);
		for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat() * scale;
		return x;
	}

	@Test
	void aCopyOfACopyStartsFromTheCopysWeights() {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			float[] conv = m.kernel("conv2d").data().clone(), dense = m.kernel("dense").data().clone();
			try (ConvModel u = m.randomizedCopy(List.of("dense", "conv2d"), 1)) {
				float[] uConv = u.kernel("conv2d").data(), uDense = u.kernel("dense").data();
				assertFalse(Arrays.equals(conv, uConv));
				try (ConvModel v = u.randomizedCopy(List.of("dense"), 2)) {
					assertArrayEquals(uConv, v.kernel("conv2d").data(), 0f, "kept the copy's random conv2d, not the checkpoint's");
					assertFalse(Arrays.equals(uDense, v.kernel("dense").data()));
					assertFalse(Arrays.equals(dense, v.kernel("dense").data()));
					NdArray x = randomBatch(m.info().imageInput().shape(), 1, 1f, 4);
					assertArrayEquals(u.run(x, List.of("conv2d_2")).get("conv2d_2").data(), v.run(x, List.of("conv2d_2")).get("conv2d_2").data(), 0f);
				}
				assertArrayEquals(uDense, u.kernel("dense").data(), 0f, "the copy is unchanged by its own copy");
			}
			assertArrayEquals(conv, m.kernel("conv2d").data(), 0f);
			assertArrayEquals(dense, m.kernel("dense").data(), 0f);
		}
	}
}
