package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Pixel-backed planes ({@link Preprocessing.Planes#ofPixels}) are read straight into the model
 * input where possible; the result must be bit for bit what the float planes of the same pixels
 * give, for every pixel type, normalization and channel mapping, including the cases that fall
 * back to float planes (resizing, statistics-based normalizations, averaging channels).
 */
class PixelDirectTest {

	private static final int W = 7, H = 5, N = W * H;

	private static final String[] SPECS = { "normalization=none resize=false", "normalization=type-range resize=false",
		"normalization=symmetric resize=false", "normalization=mean-std mean=10,20,30 std=2,4,8 resize=false",
		"normalization=mean-std mean=0.5 std=0.25 resize=false", "normalization=type-range channel=2 resize=false",
		"normalization=type-range bgr=true resize=false", "normalization=percentile low=1 high=99 resize=false",
		"normalization=type-range resize=true", "normalization=l2-columns resize=false",
		"normalization=percentile low=1 high=99 resize=true", "normalization=symmetric bgr=true resize=true", "normalization=type-range channel=2 resize=true" };

	/** Pixel arrays of every type, with their float planes made independently. */
	private static List<Object[]> sources() {
		Random r = new Random(3);
		List<Object[]> out = new ArrayList<>();
		for (int nc : new int[] { 1, 2, 3 }) {
			byte[][] b = new byte[nc][N];
			short[][] s = new short[nc][N];
			float[][] f = new float[nc][N];
			float[][] fb = new float[nc][N], fs = new float[nc][N];
			for (int c = 0; c < nc; c++) {
				r.nextBytes(b[c]);
				for (int i = 0; i < N; i++) {
					s[c][i] = (short) r.nextInt(65536);
					f[c][i] = (float) (r.nextGaussian() * 3);
					fb[c][i] = b[c][i] & 0xff;
					fs[c][i] = s[c][i] & 0xffff;
				}
			}
			out.add(new Object[] { b, new Preprocessing.Planes(fb, W, H, 255, false) });
			out.add(new Object[] { s, new Preprocessing.Planes(fs, W, H, 65535, false) });
			float[][] fc = new float[nc][];
			for (int c = 0; c < nc; c++) fc[c] = f[c].clone();
			out.add(new Object[] { f, new Preprocessing.Planes(fc, W, H, 1, false) });
		}
		int[] rgb = new int[N];
		float[][] fr = new float[3][N];
		for (int i = 0; i < N; i++) {
			rgb[i] = r.nextInt() | 0xff000000; // ImageJ keeps alpha bits set
			fr[0][i] = (rgb[i] >> 16) & 0xff;
			fr[1][i] = (rgb[i] >> 8) & 0xff;
			fr[2][i] = rgb[i] & 0xff;
		}
		out.add(new Object[] { new int[][] { rgb }, new Preprocessing.Planes(fr, W, H, 255, true) });
		return out;
	}

	@Test
	void sameBitsAsFloatPlanes() {
		int cases = 0;
		for (Object[] src : sources()) {
			Object[] px = (Object[]) src[0];
			Preprocessing.Planes floats = (Preprocessing.Planes) src[1];
			Preprocessing.Planes backed = Preprocessing.Planes.ofPixels(px, W, H);
			assertEquals(floats.channels().length, backed.channelCount());
			for (String spec : SPECS) {
				Preprocessing prep = Preprocessing.parse(spec);
				for (int mc : new int[] { 1, 2, 3 }) {
					int[] shape = spec.contains("resize=true") ? new int[] { -1, 4, 9, mc } : new int[] { -1, H, W, mc };
					NdArray want;
					try {
						want = prep.apply(floats, shape);
					}
					catch (ModelException e) {
						// the same refusal, with the same message, from the pixel-backed planes
						ModelException got = assertThrows(ModelException.class, () -> prep.apply(Preprocessing.Planes.ofPixels(px, W, H), shape));
						assertEquals(e.getMessage(), got.getMessage());
						continue;
					}
					String what = spec + " " + px[0].getClass().getSimpleName() + " x" + px.length + " -> " + mc;
					Preprocessing.Planes once = Preprocessing.Planes.ofPixels(px, W, H);
					NdArray got = prep.apply(once, shape);
					// resized images are sampled from the pixel arrays too: no full-size float copy
					boolean direct = spec.contains("resize=true") || !spec.contains("percentile") && !spec.contains("l2") &&
						!(mc == 1 && backed.channelCount() == 3 && !spec.contains("channel=")) && !(mc == 1 && backed.channelCount() == 2 && !spec.contains("channel="));
					assertEquals(!direct, once.hasFloatPlanes(), what + ": read straight from the pixels where it can");
					assertArrayEquals(want.shape(), got.shape(), what);
					assertBits(want.data(), got.data(), what);
					// into a larger array at an offset, the rest untouched
					float[] dst = new float[want.size() + 5];
					java.util.Arrays.fill(dst, -7f);
					assertArrayEquals(want.shape(), prep.applyInto(Preprocessing.Planes.ofPixels(px, W, H), shape, dst, 3), what);
					assertBits(want.data(), java.util.Arrays.copyOfRange(dst, 3, 3 + want.size()), what);
					assertEquals(-7f, dst[0]);
					assertEquals(-7f, dst[dst.length - 1]);
					cases++;
				}
			}
		}
		assertEquals(true, cases > 150, "cases compared: " + cases);
	}

	@Test
	void pixelsAreNotChangedAndFloatPlanesMatch() {
		for (Object[] src : sources()) {
			Object[] px = (Object[]) src[0];
			Object[] copy = new Object[px.length];
			for (int c = 0; c < px.length; c++) copy[c] = cloneArray(px[c]);
			Preprocessing.Planes backed = Preprocessing.Planes.ofPixels(px, W, H);
			Preprocessing.parse("normalization=symmetric resize=false").apply(backed, new int[] { -1, H, W, backed.channelCount() });
			float[][] want = ((Preprocessing.Planes) src[1]).channels();
			float[][] got = backed.channels();
			assertEquals(want.length, got.length);
			for (int c = 0; c < want.length; c++) assertArrayEquals(want[c], got[c], 0f);
			for (int c = 0; c < px.length; c++) assertEquals(true, java.util.Objects.deepEquals(copy[c], px[c]));
		}
	}

	@Test
	void aGreyPlaneResizedForSeveralChannelsGivesTheSameValuesInEach() {
		Random r = new Random(9);
		float[] grey = new float[N];
		for (int i = 0; i < N; i++) grey[i] = r.nextInt(256);
		float[] resized = Preprocessing.bilinear(grey, W, H, 11, 6);
		for (String spec : new String[] { "normalization=none resize=true", "normalization=percentile low=0 high=100 resize=true" }) {
			NdArray a = Preprocessing.parse(spec).apply(new Preprocessing.Planes(new float[][] { grey }, W, H, 255, false), new int[] { -1, 6, 11, 3 });
			float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
			for (float v : resized) {
				lo = Math.min(lo, v);
				hi = Math.max(hi, v);
			}
			for (int i = 0; i < resized.length; i++) {
				float want = spec.contains("none") ? resized[i] : (float) ((resized[i] - (double) lo) / (hi - (double) lo));
				for (int c = 0; c < 3; c++) assertEquals(want, a.data()[i * 3 + c], 1e-6f, spec + " value " + i + " channel " + c);
			}
		}
	}

	@Test
	void refusesMixedOrMisfittingArrays() {
		assertThrows(IllegalArgumentException.class, () -> Preprocessing.Planes.ofPixels(new Object[] { new byte[N], new short[N] }, W, H));
		assertThrows(IllegalArgumentException.class, () -> Preprocessing.Planes.ofPixels(new Object[] { new byte[N - 1] }, W, H));
		assertThrows(IllegalArgumentException.class, () -> Preprocessing.Planes.ofPixels(new Object[] { new int[N], new int[N] }, W, H));
		assertThrows(IllegalArgumentException.class, () -> Preprocessing.Planes.ofPixels(new Object[] { new double[N] }, W, H));
		float[] small = new float[10];
		assertThrows(IllegalArgumentException.class,
			() -> Preprocessing.defaults().applyInto(Preprocessing.Planes.ofPixels(new Object[] { new byte[N] }, W, H), new int[] { -1, H, W, 1 }, small, 0));
	}

	private static void assertBits(float[] want, float[] got, String what) {
		assertEquals(want.length, got.length, what);
		for (int i = 0; i < want.length; i++) {
			if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
				throw new AssertionError(what + ": value " + i + " is " + got[i] + ", float planes give " + want[i]);
			}
		}
	}

	private static Object cloneArray(Object o) {
		if (o instanceof byte[]) return ((byte[]) o).clone();
		if (o instanceof short[]) return ((short[]) o).clone();
		if (o instanceof int[]) return ((int[]) o).clone();
		return ((float[]) o).clone();
	}
}
