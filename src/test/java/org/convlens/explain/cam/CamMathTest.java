package org.convlens.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.core.Progress;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.Test;

/**
 * Each method against numbers worked out by hand (in the comments) on a layer of 1 x 2 positions
 * and 2 channels:
 *
 * <pre>
 *            channel 0   channel 1
 * A  p0:        1           2
 *    p1:        3           0
 * G  p0:       0.5         -3
 *    p1:       1.5          1
 * </pre>
 */
class CamMathTest {

	private static final float EPS = 1e-6f;

	private static FeatureMaps fm(int h, int w, int k, float... v) {
		return new FeatureMaps(h, w, k, v);
	}

	private static final FeatureMaps A = fm(1, 2, 2, 1, 2, 3, 0);
	private static final FeatureMaps G = fm(1, 2, 2, 0.5f, -3, 1.5f, 1);

	@Test
	void gradCam() {
		// w0 = mean(0.5, 1.5) = 1, w1 = mean(-3, 1) = -1
		assertArrayEquals(new float[] { 1, -1 }, CamMath.gradCamWeights(G), EPS);
		// p0: 1*1 - 1*2 = -1 -> ReLU 0;  p1: 1*3 - 1*0 = 3
		assertArrayEquals(new float[] { 0, 3 }, CamMath.gradCam(A, G), EPS);
	}

	@Test
	void gradCamPlusPlus() {
		// sum A: channel 0 = 4, channel 1 = 2
		// c0 p0: g=0.5: a = 0.25 / (0.5 + 4*0.125) = 0.25, a*relu(g) = 0.125
		// c0 p1: g=1.5: a = 2.25 / (4.5 + 4*3.375) = 0.125, a*relu(g) = 0.1875  -> w0 = 0.3125
		// c1 p0: g=-3: relu(g) = 0;  c1 p1: g=1: a = 1 / (2 + 2*1) = 0.25, a*1 = 0.25 -> w1 = 0.25
		assertArrayEquals(new float[] { 0.3125f, 0.25f }, CamMath.gradCamPlusPlusWeights(A, G), EPS);
		// p0: 0.3125*1 + 0.25*2 = 0.8125;  p1: 0.3125*3 = 0.9375
		assertArrayEquals(new float[] { 0.8125f, 0.9375f }, CamMath.gradCamPlusPlus(A, G), EPS);
	}

	@Test
	void hiResCam() {
		// p0: 0.5*1 + (-3)*2 = -5.5 -> 0;  p1: 1.5*3 + 1*0 = 4.5
		assertArrayEquals(new float[] { 0, 4.5f }, CamMath.hiResCam(A, G), EPS);
	}

	@Test
	void xGradCam() {
		// w0 = (0.5*1 + 1.5*3) / (1 + 3) = 1.25;  w1 = (-3*2 + 1*0) / (2 + 0) = -3
		assertArrayEquals(new float[] { 1.25f, -3 }, CamMath.xGradCamWeights(A, G), EPS);
		// p0: 1.25 - 6 < 0 -> 0;  p1: 3.75
		assertArrayEquals(new float[] { 0, 3.75f }, CamMath.xGradCam(A, G), EPS);
		// an all-zero channel has weight 0, not NaN
		assertArrayEquals(new float[] { 0 }, CamMath.xGradCamWeights(fm(1, 2, 1, 0, 0), fm(1, 2, 1, 1, 1)), 0);
	}

	@Test
	void layerCam() {
		// p0: 0.5*1 + relu(-3)*2 = 0.5;  p1: 1.5*3 + 1*0 = 4.5
		assertArrayEquals(new float[] { 0.5f, 4.5f }, CamMath.layerCam(A, G), EPS);
	}

	@Test
	void gradientMapDispatches() {
		assertArrayEquals(CamMath.gradCam(A, G), CamMath.gradientMap(CamMethod.GRAD_CAM, A, G), 0);
		assertArrayEquals(CamMath.layerCam(A, G), CamMath.gradientMap(CamMethod.LAYER_CAM, A, G), 0);
		assertThrows(IllegalArgumentException.class, () -> CamMath.gradientMap(CamMethod.SCORE_CAM, A, G));
		assertThrows(IllegalArgumentException.class, () -> CamMath.gradCam(A, fm(2, 1, 2, 0, 0, 0, 0)));
	}

	@Test
	void eigenCamRankOne() {
		// A = u v^T with u = (1, 2) over positions, v = (3, 4) over channels: v1 = (0.6, 0.8),
		// projection A v1 = (3*0.6 + 4*0.8, 6*0.6 + 8*0.8) = (5, 10)
		FeatureMaps a = fm(1, 2, 2, 3, 4, 6, 8);
		assertArrayEquals(new float[] { 5, 10 }, CamMath.eigenCam(a), 1e-5f);
		// -A: the component is oriented with the mean activation, which is negative everywhere, so
		// the oriented projection is (-5, -10) and nothing survives the ReLU (the old sum-sign rule gave 5, 10)
		assertArrayEquals(new float[] { -5, -10 }, CamMath.firstComponentProjection(fm(1, 2, 2, -3, -4, -6, -8)), 1e-5f);
	}

	@Test
	void eigenCamIsOrientedWithTheMeanActivation() {
		// A = 5 u1 v1^T + 1 u2 v2^T, u1 = (0.8, -0.6, 0), v1 = (0.6, -0.8), u2 = (0.6, 0.8, 0), v2 = (0.8, 0.6):
		// p0 = (2.88, -2.84), p1 = (-1.16, 2.88), p2 = (0, 0); mean over channels = (0.02, 0.86, 0).
		// A v1 = 5 u1 = (4, -3, 0) sums to +1, but it is anti-correlated with the mean map, so the
		// component is flipped: (-4, 3, 0), ReLU (0, 3, 0): high where the layer fires most (p1)
		FeatureMaps a = fm(1, 3, 2, 2.88f, -2.84f, -1.16f, 2.88f, 0, 0);
		assertArrayEquals(new float[] { -4, 3, 0 }, CamMath.firstComponentProjection(a), 1e-4f);
		assertArrayEquals(new float[] { 0, 3, 0 }, CamMath.eigenCam(a), 1e-4f);
		// random signed layers: the oriented component never anti-correlates with the mean map
		java.util.Random r = new java.util.Random(7);
		for (int t = 0; t < 50; t++) {
			int h = 3 + r.nextInt(4), w = 3 + r.nextInt(4), k = 2 + r.nextInt(6);
			float[] d = new float[h * w * k];
			for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian() + (i % k == 0 ? 0.5f : 0);
			float[] proj = CamMath.firstComponentProjection(fm(h, w, k, d));
			double[] mean = new double[h * w];
			for (int p = 0; p < h * w; p++) for (int c = 0; c < k; c++) mean[p] += d[p * k + c] / (double) k;
			double pm = 0, mm = 0, cov = 0;
			for (int p = 0; p < h * w; p++) { pm += proj[p]; mm += mean[p]; }
			pm /= h * w;
			mm /= h * w;
			for (int p = 0; p < h * w; p++) cov += (proj[p] - pm) * (mean[p] - mm);
			assertTrue(cov >= 0, "trial " + t + ": covariance " + cov);
		}
	}

	@Test
	void eigenCamTwoComponents() {
		// 3 positions, 2 channels: A = 3 e0 e0^T + 2 e1 e1^T; first component is channel 0 (sigma 3)
		FeatureMaps a = fm(1, 3, 2, 3, 0, 0, 2, 0, 0);
		assertArrayEquals(new float[] { 3, 0, 0 }, CamMath.eigenCam(a), 1e-5f);
		// transposed situation (more channels than positions) goes through A A^T
		FeatureMaps b = fm(1, 2, 3, 0, 2, 0, 3, 0, 0);
		// rows p0 = 2 e1, p1 = 3 e0: sigma1 = 3 with v1 = e0: projection = (0, 3)
		assertArrayEquals(new float[] { 0, 3 }, CamMath.eigenCam(b), 1e-5f);
	}

	@Test
	void eigenCamAgainstSvdOfRotatedData() {
		// A = sigma1 u1 v1^T + sigma2 u2 v2^T with orthonormal but non-axis vectors
		double c = Math.cos(0.3), s = Math.sin(0.3);
		double[] u1 = { c, s, 0 }, u2 = { -s, c, 0 };
		double[] v1 = { 0.6, 0.8 }, v2 = { -0.8, 0.6 };
		float[] d = new float[6];
		for (int p = 0; p < 3; p++) for (int k = 0; k < 2; k++) d[p * 2 + k] = (float) (5 * u1[p] * v1[k] + 2 * u2[p] * v2[k]);
		float[] expect = { (float) (5 * c), (float) (5 * s), 0 };
		assertArrayEquals(expect, CamMath.eigenCam(fm(1, 3, 2, d)), 1e-5f);
	}

	@Test
	void scoreCamSameSize() {
		// input 1x2, one channel: X = (2, 4); layer 1x2 with channel 0 = (1, 3), channel 1 = (5, 5)
		// masks: normalize(1, 3) = (0, 1); channel 1 is constant -> all-zero mask
		// scorer f(X) = 1*X0 + 0.5*X1: s0 = f(0, 4) = 2, s1 = f(0, 0) = 0
		// weights = softmax(2, 0) = (e^2, 1) / (e^2 + 1)
		float[] x = { 2, 4 };
		FeatureMaps a = fm(1, 2, 2, 1, 5, 3, 5);
		List<float[]> seen = new ArrayList<>();
		BatchScorer f = batch -> {
			float[] out = new float[batch.dim(0)];
			for (int i = 0; i < out.length; i++) {
				float[] item = batch.item(i).data();
				seen.add(item);
				out[i] = item[0] + 0.5f * item[1];
			}
			return out;
		};
		assertArrayEquals(new float[] { 2, 0 }, CamMath.scoreCamScores(x, 1, 2, 1, a, f, 8, Progress.NONE), EPS);
		assertArrayEquals(new float[] { 0, 4 }, seen.get(0), 0);
		assertArrayEquals(new float[] { 0, 0 }, seen.get(1), 0);
		double e2 = Math.exp(2);
		float w0 = (float) (e2 / (e2 + 1)), w1 = (float) (1 / (e2 + 1));
		assertArrayEquals(new float[] { w0, w1 }, CamMath.scoreCamWeights(x, 1, 2, 1, a, f, 8, null), EPS);
		assertArrayEquals(new float[] { w0 * 1 + w1 * 5, w0 * 3 + w1 * 5 }, CamMath.scoreCam(x, 1, 2, 1, a, f, 1, null), 1e-5f);
	}

	@Test
	void scoreCamUpsamplesMasksAndBatches() {
		// layer 1x2 -> input 1x4 with 2 input channels. Half-pixel bilinear of (1, 3) to 4 columns:
		// x=0 -> 1 (clamped), x=1 -> 0.75*1 + 0.25*3 = 1.5, x=2 -> 2.5, x=3 -> 3; scaled to [0, 1]:
		// (0, 0.25, 0.75, 1), applied to both input channels
		float[] x = { 1, 10, 2, 20, 3, 30, 4, 40 };
		FeatureMaps a = fm(1, 2, 3, 1, 0, 2, 3, 1, 2);
		List<Integer> batchSizes = new ArrayList<>();
		List<float[]> seen = new ArrayList<>();
		BatchScorer sum = batch -> {
			batchSizes.add(batch.dim(0));
			float[] out = new float[batch.dim(0)];
			for (int i = 0; i < out.length; i++) {
				float[] item = batch.item(i).data();
				seen.add(item);
				for (float v : item) out[i] += v;
			}
			return out;
		};
		float[] s = CamMath.scoreCamScores(x, 1, 4, 2, a, sum, 2, Progress.NONE);
		assertEquals(List.of(2, 1), batchSizes);
		assertArrayEquals(new float[] { 0, 10 * 0, 2 * 0.25f, 20 * 0.25f, 3 * 0.75f, 30 * 0.75f, 4, 40 }, seen.get(0), EPS);
		// channel 1 = (0, 1): x=0 -> 0, x=1 -> 0.25, x=2 -> 0.75, x=3 -> 1: same mask
		assertArrayEquals(seen.get(0), seen.get(1), EPS);
		// channel 2 = (2, 2): constant -> zero mask
		assertArrayEquals(new float[8], seen.get(2), 0);
		float s0 = 0 + 22 * 0.25f + 33 * 0.75f + 44;
		assertArrayEquals(new float[] { s0, s0, 0 }, s, 1e-4f);
		// one masked input per call gives the same scores
		assertArrayEquals(s, CamMath.scoreCamScores(x, 1, 4, 2, a, sum, 1, Progress.NONE), 0);
	}

	@Test
	void ablationCam() {
		// scorer: y(A) = sum(A * V) + 1 with V p0 = (1, 1), p1 = (2, -1)
		// y = 1 + 2 + 6 + 0 + 1 = 10; channel 0 zeroed: 2 + 1 = 3; channel 1 zeroed: 1 + 6 + 1 = 8
		// w = ((10 - 3) / 10, (10 - 8) / 10) = (0.7, 0.2); map p0 = 0.7 + 0.4 = 1.1, p1 = 2.1
		float[] v = { 1, 1, 2, -1 };
		List<float[]> seen = new ArrayList<>();
		BatchScorer lin = batch -> {
			float[] out = new float[batch.dim(0)];
			for (int i = 0; i < out.length; i++) {
				float[] item = batch.item(i).data();
				seen.add(item);
				out[i] = 1;
				for (int j = 0; j < item.length; j++) out[i] += item[j] * v[j];
			}
			return out;
		};
		assertArrayEquals(new float[] { 3, 8 }, CamMath.ablatedScores(A, lin, 5, null), EPS);
		assertArrayEquals(new float[] { 0, 2, 0, 0 }, seen.get(0), 0);
		assertArrayEquals(new float[] { 1, 0, 3, 0 }, seen.get(1), 0);
		assertArrayEquals(new float[] { 0.7f, 0.2f }, CamMath.ablationCamWeights(A, 10, lin, 1, null), EPS);
		assertArrayEquals(new float[] { 1.1f, 2.1f }, CamMath.ablationCam(A, 10, lin, 2, null), EPS);
		assertThrows(IllegalArgumentException.class, () -> CamMath.ablationCamWeights(A, 0, lin, 1, null));
	}

	@Test
	void perturbationMethodsCanBeCancelled() {
		Progress cancelled = new Progress() {
			@Override
			public void update(double fraction, String message) {}

			@Override
			public boolean isCancelled() {
				return true;
			}
		};
		BatchScorer zero = b -> new float[b.dim(0)];
		assertThrows(CancelledException.class, () -> CamMath.ablatedScores(A, zero, 1, cancelled));
		assertThrows(CancelledException.class, () -> CamMath.scoreCamScores(new float[2], 1, 2, 1, A, zero, 1, cancelled));
		assertThrows(IllegalStateException.class, () -> CamMath.ablatedScores(A, b -> new float[1], 2, null));
	}

	@Test
	void softmaxAndWeightedSum() {
		float[] sm = CamMath.softmax(new float[] { 1000, 1000 });
		assertArrayEquals(new float[] { 0.5f, 0.5f }, sm, EPS);
		assertArrayEquals(new float[] { -1, 3 }, CamMath.weightedSum(A, new float[] { 1, -1 }), EPS);
	}

	@Test
	void heatmapHelpers() {
		assertArrayEquals(new float[] { 0, 0.5f, 1 }, Heatmaps.normalize(new float[] { 2, 3, 4 }), EPS);
		assertArrayEquals(new float[3], Heatmaps.normalize(new float[] { 7, 7, 7 }), 0);
		assertArrayEquals(new float[] { 0, 2 }, Heatmaps.relu(new float[] { -1, 2 }), 0);
		assertArrayEquals(new float[] { 2, 3 }, Heatmaps.mean(List.of(new float[] { 1, 2 }, new float[] { 3, 4 })), 0);
		assertEquals(1, Heatmaps.argmax(new float[] { 1, 5, 5 }));
		// upsampling 1x2 -> 1x4 (worked out in scoreCamUpsamplesMasksAndBatches)
		assertArrayEquals(new float[] { 1, 1.5f, 2.5f, 3 }, Heatmaps.upsample(new float[] { 1, 3 }, 1, 2, 1, 4), EPS);
		// 2x2 -> 4x4: the centre of the four values at the middle
		float[] up = Heatmaps.upsample(new float[] { 0, 4, 8, 12 }, 2, 2, 4, 4);
		assertEquals(0.75f * 0.75f * 0 + 0.75f * 0.25f * 4 + 0.25f * 0.75f * 8 + 0.25f * 0.25f * 12, up[1 * 4 + 1], EPS);
		assertTrue(Heatmaps.max(up) == 12 && Heatmaps.min(up) == 0);
	}

	@Test
	void upsampleAgreesWithAStraightforwardBilinear() {
		java.util.Random r = new java.util.Random(3);
		int[][] sizes = { { 8, 8, 32, 32 }, { 3, 5, 28, 17 }, { 6, 6, 630, 630 }, { 12, 9, 5, 4 }, { 1, 1, 4, 4 } };
		for (int[] s : sizes) {
			float[] m = new float[s[0] * s[1]];
			for (int i = 0; i < m.length; i++) m[i] = r.nextFloat() * 10 - 3;
			float[] ref = referenceBilinear(m, s[1], s[0], s[3], s[2]);
			assertArrayEquals(ref, Heatmaps.upsample(m, s[0], s[1], s[2], s[3]), 1e-5f);
		}
	}

	/** The textbook formula, in doubles, one target pixel at a time (half-pixel centres, clamped). */
	private static float[] referenceBilinear(float[] src, int sw, int sh, int dw, int dh) {
		float[] out = new float[dw * dh];
		for (int y = 0; y < dh; y++) {
			double fy = Math.max(0, Math.min(sh - 1, (y + 0.5) * sh / dh - 0.5));
			int y0 = (int) fy, y1 = Math.min(y0 + 1, sh - 1);
			for (int x = 0; x < dw; x++) {
				double fx = Math.max(0, Math.min(sw - 1, (x + 0.5) * sw / dw - 0.5));
				int x0 = (int) fx, x1 = Math.min(x0 + 1, sw - 1);
				double wx = fx - x0, wy = fy - y0;
				out[y * dw + x] = (float) ((1 - wy) * ((1 - wx) * src[y0 * sw + x0] + wx * src[y0 * sw + x1]) +
					wy * ((1 - wx) * src[y1 * sw + x0] + wx * src[y1 * sw + x1]));
			}
		}
		return out;
	}

	@Test
	void heatmapResizesFromTheLayerMaps() {
		float[] low = { 0, 1, 2, 3 };
		Heatmap h = new Heatmap(CamMethod.GRAD_CAM, List.of(new Heatmap.LayerMap("l", 2, 2, low)), 1, "ring", 2.5f, 8, 8);
		assertArrayEquals(Heatmaps.upsample(low, 2, 2, 8, 8), h.values(), 0);
		assertArrayEquals(Heatmaps.upsample(low, 2, 2, 13, 20), h.resized(20, 13), 0);
		// the clamped corner block x, y >= 6 holds the maximum; the first in row order is (6, 6)
		assertEquals(6 * 8 + 6, h.peak());
		assertEquals("Grad-CAM l: ring (1), score 2.500", h.caption());
		Heatmap two = new Heatmap(CamMethod.EIGEN_CAM, List.of(new Heatmap.LayerMap("a", 2, 2, low),
			new Heatmap.LayerMap("b", 1, 1, new float[] { 5 })), -1, "x", 0, 4, 4);
		// the constant layer normalises to zeros: the mean is half the first layer's [0, 1] map
		float[] a = Heatmaps.normalize(Heatmaps.upsample(low, 2, 2, 4, 4));
		for (int i = 0; i < 16; i++) assertEquals(a[i] / 2, two.values()[i], 1e-7f);
		assertEquals("EigenCAM a+b [layer b is 1x1]", two.caption());
	}

	@Test
	void featureMapsOfBatch() {
		NdArray b = new NdArray(new int[] { 2, 1, 2, 2 }, new float[] { 1, 2, 3, 4, 5, 6, 7, 8 });
		FeatureMaps f = FeatureMaps.of(b, 1);
		assertEquals(7, f.get(0, 1, 0), 0);
		assertArrayEquals(new float[] { 6, 8 }, f.channel(1), 0);
		assertThrows(IllegalArgumentException.class, () -> FeatureMaps.of(new NdArray(new int[] { 1, 4 }, new float[4]), 0));
	}
}
