package org.convlens.imagej;

import java.util.List;

/**
 * Map values to LUT indices and colours, as the overlay and the blend show them: the range of the
 * maps, the threshold below which they are transparent, and the signed maps' scale centred on 0.
 */
final class HeatmapColours {

	private HeatmapColours() {}

	/**
	 * Map values to LUT indices: 0 (transparent) below {@code threshold} of {@code [lo, hi]}, else
	 * 1..255 in proportion: {@code f = (m[i] - lo) / (hi - lo)}, 0 unless {@code f >= threshold}
	 * and {@code f > 0}, else {@code round(f * 255)} within 1..255.
	 */
	static byte[] indices(float[] m, float lo, float hi, double threshold) {
		int[] k = colours(m, lo, hi, threshold, IDENTITY);
		byte[] b = new byte[m.length];
		for (int i = 0; i < b.length; i++) b[i] = (byte) k[i];
		return b;
	}

	/** Index k to k: {@link #colours} with it gives the indices themselves. */
	static final int[] IDENTITY = java.util.stream.IntStream.range(0, 256).toArray();

	/** {@link #indices} looked up in {@code colours} (256 values, the first 0, e.g. ARGB) in the same pass. */
	static int[] colours(float[] m, float lo, float hi, double threshold, int[] colours) {
		int[] c = new int[m.length];
		double d = hi - lo;
		if (!(d > 0)) return c;
		// (x / d >= threshold) rises with x = m[i] - lo, so most transparent pixels are those below
		// one float and need no division (the test on f stays for the rest)
		float xs = smallestAtLeast(d, threshold);
		for (int i = 0; i < m.length; i++) {
			float x = m[i] - lo;
			if (!(x >= xs) || !(x > 0)) continue;
			double f = x / d;
			if (!(f >= threshold) || f <= 0) continue;
			// f > 0 here, so adding 0.5 and truncating is Math.round (without its slow path)
			c[i] = colours[Math.max(1, Math.min(255, (int) (f * 255 + 0.5)))];
		}
		return c;
	}

	/**
	 * A signed map's LUT indices looked up in {@code colours} (256 values, the first transparent):
	 * {@code f = m[i] / a} in [-1, 1] goes to index {@code 128 + round(127 f)} (1 = most negative,
	 * 128 = zero, 255 = most positive), and values with {@code |f| < threshold} (zero included),
	 * NaN and infinities are transparent (index 0): around zero nothing is painted.
	 *
	 * @param a the largest absolute value (the scale); nothing is painted when it is not positive
	 */
	static int[] signedColours(float[] m, float a, double threshold, int[] colours) {
		int[] c = new int[m.length];
		if (!(a > 0) || !Float.isFinite(a)) return c;
		for (int i = 0; i < m.length; i++) {
			float v = m[i];
			if (!Float.isFinite(v) || v == 0) continue;
			double f = v / (double) a;
			if (Math.abs(f) < threshold) continue;
			c[i] = colours[Math.max(1, Math.min(255, 128 + (int) Math.round(127 * Math.max(-1, Math.min(1, f)))))];
		}
		return c;
	}

	/** The smallest non-negative float {@code x} with {@code x / d >= threshold} (binary search over the float bits). */
	static float smallestAtLeast(double d, double threshold) {
		int lo = 0, hi = Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (Float.intBitsToFloat(mid) / d >= threshold) hi = mid;
			else lo = mid + 1;
		}
		return Float.intBitsToFloat(lo);
	}

	/** {@code [min(0, min), max]} of the finite values of the maps. */
	static float[] range(List<float[]> maps) {
		float lo = 0, hi = Float.NEGATIVE_INFINITY;
		for (float[] m : maps) {
			for (float v : m) {
				// NaN fails both comparisons; infinities are left out
				if (v < lo && v != Float.NEGATIVE_INFINITY) lo = v;
				if (v > hi && v != Float.POSITIVE_INFINITY) hi = v;
			}
		}
		return new float[] { lo, Math.max(hi, lo) };
	}
}
