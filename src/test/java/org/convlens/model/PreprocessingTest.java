package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PreprocessingTest {

	private static Preprocessing.Planes gray(float... v) {
		return new Preprocessing.Planes(new float[][] { v }, 2, v.length / 2, 255, false);
	}

	@Test
	void normalizationAliasesWithADashAreUnderstood() {
		// the aliases hold '-', which names of the enum spell '_': "[-1,1]" and "0-1" were once never matched
		assertEquals(Preprocessing.Normalization.SYMMETRIC, Preprocessing.normalizationOf("[-1,1]"));
		assertEquals(Preprocessing.Normalization.SYMMETRIC, Preprocessing.normalizationOf(" [-1, 1] "));
		assertEquals(Preprocessing.Normalization.TYPE_RANGE, Preprocessing.normalizationOf("0-1"));
		assertEquals(Preprocessing.Normalization.TYPE_RANGE, Preprocessing.normalizationOf("[0,1]"));
		assertEquals(Preprocessing.Normalization.MEAN_STD, Preprocessing.normalizationOf("mean-std"));
		assertEquals(Preprocessing.Normalization.TYPE_RANGE, Preprocessing.normalizationOf("type-range"));
		assertThrows(ModelException.class, () -> Preprocessing.normalizationOf("[-2,2]"));
	}

	@Test
	void typeRangeScalesToUnitAndKeepsLayout() {
		NdArray a = Preprocessing.defaults().apply(gray(0, 51, 102, 255), new int[] { -1, 2, 2, 1 });
		assertArrayEquals(new int[] { 1, 2, 2, 1 }, a.shape());
		assertArrayEquals(new float[] { 0, 0.2f, 0.4f, 1 }, a.data(), 1e-6f);
	}

	@Test
	void grayIsReplicatedAndRgbInterleavedAsNhwc() {
		NdArray a = Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE).apply(gray(1, 2, 3, 4), new int[] { -1, 2, 2, 3 });
		assertArrayEquals(new float[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4 }, a.data());
		Preprocessing.Planes rgb = new Preprocessing.Planes(new float[][] { { 1, 2 }, { 10, 20 }, { 100, 200 } }, 2, 1, 255, true);
		NdArray b = Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE).apply(rgb, new int[] { -1, 1, 2, 3 });
		assertArrayEquals(new float[] { 1, 10, 100, 2, 20, 200 }, b.data());
		NdArray bgr = Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE).withBgr(true).apply(rgb, new int[] { -1, 1, 2, 3 });
		assertArrayEquals(new float[] { 100, 10, 1, 200, 20, 2 }, bgr.data());
		NdArray lum = Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE).apply(rgb, new int[] { -1, 1, 2, 1 });
		assertArrayEquals(new float[] { 37, 74 }, lum.data(), 1e-5f);
	}

	@Test
	void channelMismatchIsAClearError() {
		Preprocessing.Planes two = new Preprocessing.Planes(new float[][] { { 1 }, { 2 } }, 1, 1, 255, false);
		ModelException e = assertThrows(ModelException.class, () -> Preprocessing.defaults().apply(two, new int[] { -1, 1, 1, 3 }));
		assertTrue(e.getMessage().contains("2 channels") && e.getMessage().contains("takes 3"), e.getMessage());
		NdArray picked = Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE).withChannel(1).apply(two, new int[] { -1, 1, 1, 1 });
		assertEquals(2f, picked.data()[0]);
	}

	@Test
	void bilinearResizeKeepsConstantsAndInterpolates() {
		float[] c = new float[16];
		java.util.Arrays.fill(c, 7);
		for (float v : Preprocessing.bilinear(c, 4, 4, 9, 5)) assertEquals(7f, v, 1e-6f);
		// a horizontal ramp stays a ramp with the same mean after downsampling by 2
		float[] ramp = { 0, 1, 2, 3 };
		float[] half = Preprocessing.bilinear(ramp, 4, 1, 2, 1);
		assertArrayEquals(new float[] { 0.5f, 2.5f }, half, 1e-6f);
		NdArray up = Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE).apply(gray(0, 10, 0, 10), new int[] { -1, 4, 4, 1 });
		assertArrayEquals(new int[] { 1, 4, 4, 1 }, up.shape());
		assertEquals(0f, up.get(0, 0, 0, 0), 1e-6f);
		assertEquals(10f, up.get(0, 0, 3, 0), 1e-6f);
	}

	@Test
	void percentileAndMeanStd() {
		float[] v = new float[100];
		for (int i = 0; i < 100; i++) v[i] = i;
		Preprocessing.Planes p = new Preprocessing.Planes(new float[][] { v }, 10, 10, 65535, false);
		NdArray a = Preprocessing.defaults().withPercentiles(0, 100).apply(p, new int[] { -1, 10, 10, 1 });
		assertEquals(0f, a.data()[0], 1e-6f);
		assertEquals(1f, a.data()[99], 1e-6f);
		NdArray b = Preprocessing.defaults().withMeanStd(new float[] { 50 }, new float[] { 10 }).apply(p, new int[] { -1, 10, 10, 1 });
		assertEquals(-5f, b.data()[0], 1e-6f);
	}

	@Test
	void l2ColumnsMatchesKerasNormalizeAxis1() {
		// keras.utils.normalize(x, axis=1) on [1, H, W, C]: every (w, c) column over H has unit norm
		Preprocessing.Planes p = new Preprocessing.Planes(new float[][] { { 3, 0, 4, 0 }, { 1, 1, 1, 1 } }, 2, 2, 255, false);
		NdArray a = Preprocessing.parse("normalization=l2-columns").apply(p, new int[] { -1, 2, 2, 2 });
		assertArrayEquals(new float[] { 0.6f, 0.70710677f, 0, 0.70710677f, 0.8f, 0.70710677f, 0, 0.70710677f }, a.data(), 1e-6f);
		assertEquals("normalization=l2-columns resize=true channel=auto", Preprocessing.parse("normalization=l2-columns").toString());
	}

	@Test
	void specRoundTripsThroughText() {
		Preprocessing p = Preprocessing.defaults().withPercentiles(2, 99.5).withResize(false).withChannel(2).withBgr(true);
		String s = p.toString();
		assertEquals(p, Preprocessing.parse(s));
		assertEquals("normalization=percentile low=2 high=99.5 resize=false channel=3 bgr=true", s);
		Preprocessing m = Preprocessing.parse("normalization=mean-std mean=0.5,0.4,0.3 std=0.2,0.2,0.2");
		assertEquals(Preprocessing.Normalization.MEAN_STD, m.normalization());
		assertEquals(m, Preprocessing.parse(m.toString()));
		ModelException e = assertThrows(ModelException.class, () -> Preprocessing.parse("normalization=fancy"));
		assertTrue(e.getMessage().contains("Unknown normalization"));
		assertThrows(ModelException.class, () -> Preprocessing.parse("resize"));
	}

	@Test
	void fixedSizeWithoutResizeIsRefused() {
		ModelException e = assertThrows(ModelException.class,
			() -> Preprocessing.defaults().withResize(false).apply(gray(1, 2, 3, 4), new int[] { -1, 4, 4, 1 }));
		assertTrue(e.getMessage().contains("needs 4x4"), e.getMessage());
	}

	@Test
	void byteValuesScaleExactlyAsTheDivision() {
		// every 8-bit value, plus values the table does not cover (fractions, negatives, -0, > 255)
		float[] v = new float[256 + 6];
		for (int k = 0; k < 256; k++) v[k] = k;
		float[] extra = { 0.5f, -3, -0f, 256, 65535, 254.75f };
		System.arraycopy(extra, 0, v, 256, extra.length);
		Preprocessing.Planes p = new Preprocessing.Planes(new float[][] { v }, v.length, 1, 255, false);
		NdArray range = Preprocessing.defaults().apply(p, new int[] { -1, 1, v.length, 1 });
		NdArray sym = Preprocessing.defaults().withNormalization(Preprocessing.Normalization.SYMMETRIC).apply(p, new int[] { -1, 1, v.length, 1 });
		for (int i = 0; i < v.length; i++) {
			assertEquals(Float.floatToIntBits((float) ((double) v[i] / 255)), Float.floatToIntBits(range.data()[i]), "type range of " + v[i]);
			assertEquals(Float.floatToIntBits((float) ((double) v[i] / 255 * 2 - 1)), Float.floatToIntBits(sym.data()[i]), "symmetric of " + v[i]);
		}
	}

	@Test
	void parsedSpecsAreEqualWhetherCachedOrNot() {
		String spec = "normalization=mean-std mean=1,2,3 std=4,5,6 resize=false";
		Preprocessing a = Preprocessing.parse(spec), b = Preprocessing.parse(spec);
		assertEquals(a, b);
		assertEquals(a.toString(), Preprocessing.parse(a.toString()).toString());
	}

	@Test
	void nonFinitePixelsAreRefusedOrReplacedOnRequest() {
		float[] px = { 0.5f, Float.NaN, 0.25f, Float.POSITIVE_INFINITY };
		int[] shape = { -1, 2, 2, 1 };
		Preprocessing.Planes planes = Preprocessing.Planes.ofPixels(new Object[] { px.clone() }, 2, 2);
		NonFiniteException e = assertThrows(NonFiniteException.class, () -> Preprocessing.parse("normalization=none").apply(planes, shape));
		assertTrue(e.getMessage().contains("2 NaN or infinite") && e.getMessage().contains("x=1, y=0") && e.getMessage().contains("nonfinite=zero"),
			e.getMessage());
		Preprocessing zero = Preprocessing.parse("[normalization=symmetric nonfinite=zero]");
		assertEquals("normalization=symmetric resize=true channel=auto nonfinite=zero", zero.toString());
		// replaced by 0 before normalising: the same values as an image with zeros there
		NdArray got = zero.apply(Preprocessing.Planes.ofPixels(new Object[] { px.clone() }, 2, 2), shape);
		NdArray want = Preprocessing.parse("normalization=symmetric").apply(Preprocessing.Planes.ofPixels(new Object[] { new float[] { 0.5f, 0, 0.25f, 0 } },
			2, 2), shape);
		assertArrayEquals(want.data(), got.data());
		float[] into = new float[4];
		zero.applyInto(Preprocessing.Planes.ofPixels(new Object[] { px.clone() }, 2, 2), shape, into, 0);
		assertArrayEquals(want.data(), into);
		assertThrows(NonFiniteException.class, () -> Preprocessing.defaults().applyInto(planes, shape, new float[4], 0));
	}

	@Test
	void specsAreStrict() {
		for (String bad : new String[] { "normalisation=none", "normalization=nonee", "channel=0", "channel=-2", "resize=yes", "bgr=1", "low=-1",
			"high=101", "low=50 high=10", "mean=1,x", "std=0", "[normalization", "normalization", "nonfinite=nan" }) {
			ModelException e = assertThrows(ModelException.class, () -> Preprocessing.parse(bad), bad);
			assertTrue(e.getMessage().length() > 20, e.getMessage());
		}
		assertTrue(assertThrows(ModelException.class, () -> Preprocessing.parse("normalisation=none")).getMessage().contains(Preprocessing.KEYS.toString()));
		assertEquals(Preprocessing.parse("normalization=none channel=2"), Preprocessing.parse("[normalization=none channel=2]"));
		assertEquals(1, Preprocessing.parse("channel=2").channel());
		assertEquals(-1, Preprocessing.parse("channel=auto").channel());
	}
}
