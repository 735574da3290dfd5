package org.convlens.model;

import java.util.Arrays;
import java.util.Map;

import org.convlens.model.Preprocessing.Normalization;
import org.convlens.model.Preprocessing.Planes;

/**
 * The value scaling of one {@link Preprocessing} spec and the NHWC interleaving: per pixel
 * (type range, symmetric, mean/std) in one pass from float planes or pixel arrays, or from
 * statistics of the whole image (percentiles, L2 columns) in place.
 */
final class Normalizer {

	private final Normalization normalization;
	private final float[] mean;
	private final float[] std;
	private final double low;
	private final double high;
	/** Tables of {@link #byteValues}: a spec is shared by every image of a run. */
	private final Map<Integer, float[]> byteValues = new java.util.concurrent.ConcurrentHashMap<>();

	Normalizer(Normalization normalization, float[] mean, float[] std, double low, double high) {
		this.normalization = normalization;
		this.mean = mean;
		this.std = std;
		this.low = low;
		this.high = high;
	}

	/** Whether each value is normalized on its own (not from statistics of the whole image). */
	boolean perPixel() {
		return normalization == Normalization.NONE || normalization == Normalization.TYPE_RANGE ||
			normalization == Normalization.SYMMETRIC || normalization == Normalization.MEAN_STD;
	}

	/** The normalization in place, but for {@link Normalization#L2_COLUMNS}, which needs the geometry ({@link #l2Columns}). */
	void normalize(float[][] ch, double typeMax) {
		switch (normalization) {
			case NONE:
				return;
			case TYPE_RANGE:
			case SYMMETRIC: {
				double max = typeMax > 1 ? typeMax : 1;
				for (float[] c : ch) {
					for (int i = 0; i < c.length; i++) {
						double v = c[i] / max;
						c[i] = (float) (normalization == Normalization.SYMMETRIC ? v * 2 - 1 : v);
					}
				}
				return;
			}
			case MEAN_STD:
				for (int k = 0; k < ch.length; k++) {
					float m = mean[Math.min(k, mean.length - 1)];
					float s = std[Math.min(k, std.length - 1)];
					if (s == 0) throw new ModelException("Standard deviation 0 in the preprocessing.");
					float[] c = ch[k];
					for (int i = 0; i < c.length; i++) c[i] = (c[i] - m) / s;
				}
				return;
			case L2_COLUMNS:
				return; // needs the resized geometry: l2Columns
			case PERCENTILE: {
				int n = 0;
				for (float[] c : ch) n += c.length;
				float[] all = new float[n];
				int o = 0;
				for (float[] c : ch) {
					System.arraycopy(c, 0, all, o, c.length);
					o += c.length;
				}
				Arrays.sort(all);
				double lo = percentile(all, low);
				double hi = percentile(all, high);
				double d = hi - lo < 1e-20 ? 1e-20 : hi - lo;
				for (float[] c : ch) for (int i = 0; i < c.length; i++) c[i] = (float) ((c[i] - lo) / d);
				return;
			}
			default:
		}
	}

	/** With {@link Normalization#L2_COLUMNS}: each column of each {@code w x h} plane scaled to unit L2 norm, in place. */
	void l2Columns(float[][] planes, int w, int h) {
		if (normalization != Normalization.L2_COLUMNS) return;
		for (float[] c : planes) {
			for (int x = 0; x < w; x++) {
				double ss = 0;
				for (int y = 0; y < h; y++) ss += (double) c[y * w + x] * c[y * w + x];
				double n = Math.sqrt(ss);
				if (n == 0) continue; // Keras leaves all-zero columns at zero
				for (int y = 0; y < h; y++) c[y * w + x] = (float) (c[y * w + x] / n);
			}
		}
	}

	private static double percentile(float[] sorted, double p) {
		double pos = p / 100.0 * (sorted.length - 1);
		int i = (int) Math.floor(pos);
		int j = Math.min(i + 1, sorted.length - 1);
		double f = pos - i;
		return sorted[i] * (1 - f) + sorted[j] * f;
	}

	/** Planes to NHWC order, one sequential pass over the output. */
	static void interleave(float[][] planes, int n, float[] out, int offset) {
		int C = planes.length;
		if (C == 1) {
			System.arraycopy(planes[0], 0, out, offset, n);
			return;
		}
		if (C == 3) {
			float[] a = planes[0], b = planes[1], c = planes[2];
			for (int i = 0, o = offset; i < n; i++, o += 3) {
				out[o] = a[i];
				out[o + 1] = b[i];
				out[o + 2] = c[i];
			}
			return;
		}
		for (int i = 0, o = offset; i < n; i++) for (int k = 0; k < C; k++) out[o++] = planes[k][i];
	}

	/**
	 * {@link #normalize} of a {@link #perPixel} normalization and the NHWC interleaving in one
	 * pass, into {@code out} from {@code offset}; same arithmetic.
	 */
	void interleaved(float[][] ch, int n, double typeMax, float[] out, int offset) {
		int C = ch.length;
		// pixels outside, channels inside: one sequential pass over the output (a pass per channel
		// with stride C went through a large output C times)
		switch (normalization) {
			case TYPE_RANGE:
			case SYMMETRIC: {
				// times the reciprocal in double, not a division per value (which dominated batches
				// of resized images); value() and the 8-bit tables use the same formula
				boolean sym = normalization == Normalization.SYMMETRIC;
				double max = typeMax > 1 ? typeMax : 1, r = (sym ? 2 : 1) / max, off = sym ? 1 : 0;
				// each distinct plane scaled once in a plain loop (which the JIT vectorizes), then
				// interleaved by copying: a grey plane fed to three channels is scaled once
				float[][] scaled = new float[C][];
				for (int c = 0; c < C; c++) {
					for (int e = 0; e < c && scaled[c] == null; e++) if (ch[e] == ch[c]) scaled[c] = scaled[e];
					if (scaled[c] != null) continue;
					float[] src = ch[c], t = new float[n];
					for (int i = 0; i < n; i++) t[i] = (float) (src[i] * r - off);
					scaled[c] = t;
				}
				interleave(scaled, n, out, offset);
				break;
			}
			case MEAN_STD: {
				float[] m = new float[C], sd = new float[C];
				for (int c = 0; c < C; c++) {
					m[c] = mean[Math.min(c, mean.length - 1)];
					sd[c] = std[Math.min(c, std.length - 1)];
					if (sd[c] == 0) throw new ModelException("Standard deviation 0 in the preprocessing.");
				}
				float[][] scaled = new float[C][];
				for (int c = 0; c < C; c++) {
					float[] src = ch[c], t = new float[n];
					float mc = m[c], sc = sd[c];
					for (int i = 0; i < n; i++) t[i] = (src[i] - mc) / sc;
					scaled[c] = t;
				}
				interleave(scaled, n, out, offset);
				break;
			}
			default:
				interleave(ch, n, out, offset);
		}
	}

	/**
	 * {@link #interleaved} straight from pixel arrays ({@code src}: the pixel array of each model
	 * channel): the same arithmetic on the same float values ({@code b & 0xff}, {@code s & 0xffff}),
	 * with 8-bit values looked up in a table of the 256 results. {@code PixelDirectTest} checks
	 * both paths give the same bits.
	 */
	void direct(Planes p, int[] src, float[] out, int offset) {
		int n = p.width * p.height, C = src.length;
		double max = p.typeMax > 1 ? p.typeMax : 1;
		if (p.pixels[0] instanceof int[]) {
			// packed RGB, the common colour case: all channels of a pixel in one sequential pass
			int[] a = (int[]) p.pixels[0];
			float[][] t = new float[C][];
			int[] shift = new int[C];
			for (int c = 0; c < C; c++) {
				t[c] = byteValues(c);
				shift[c] = 16 - 8 * src[c];
			}
			if (C == 3) {
				float[] t0 = t[0], t1 = t[1], t2 = t[2];
				int s0 = shift[0], s1 = shift[1], s2 = shift[2];
				for (int i = 0, o = offset; i < n; i++, o += 3) {
					int v = a[i];
					out[o] = t0[(v >> s0) & 0xff];
					out[o + 1] = t1[(v >> s1) & 0xff];
					out[o + 2] = t2[(v >> s2) & 0xff];
				}
			}
			else {
				for (int i = 0, o = offset; i < n; i++) for (int c = 0; c < C; c++) out[o++] = t[c][(a[i] >> shift[c]) & 0xff];
			}
			return;
		}
		for (int c = 0; c < C; c++) {
			Object px = p.pixels[src[c]];
			if (px instanceof byte[]) {
				float[] t = byteValues(c);
				byte[] a = (byte[]) px;
				for (int i = 0, o = offset + c; i < n; i++, o += C) out[o] = t[a[i] & 0xff];
			}
			else if (px instanceof short[]) {
				short[] a = (short[]) px;
				for (int i = 0, o = offset + c; i < n; i++, o += C) out[o] = value(a[i] & 0xffff, c, max);
			}
			else {
				float[] a = (float[]) px;
				for (int i = 0, o = offset + c; i < n; i++, o += C) out[o] = value(a[i], c, max);
			}
		}
	}

	/** {@link #value} of 0..255 for model channel {@code c} (8-bit and RGB pixels; type maximum 255), made once per channel. */
	private float[] byteValues(int c) {
		return byteValues.computeIfAbsent(c, k -> {
			float[] t = new float[256];
			for (int v = 0; v < 256; v++) t[v] = value(v, k, 255);
			return t;
		});
	}

	/** One value as {@link #interleaved} normalizes it (model channel {@code c}). */
	private float value(float v, int c, double max) {
		switch (normalization) {
			case TYPE_RANGE:
				return (float) (v * (1 / max) - 0);
			case SYMMETRIC:
				return (float) (v * (2 / max) - 1);
			case MEAN_STD: {
				float sd = std[Math.min(c, std.length - 1)];
				if (sd == 0) throw new ModelException("Standard deviation 0 in the preprocessing.");
				return (v - mean[Math.min(c, mean.length - 1)]) / sd;
			}
			default:
				return v;
		}
	}
}
