package org.convlens.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place that turns image data into a model input: channel mapping, bilinear resizing to
 * the model's input size, and normalisation. A spec prints as a short text (see
 * {@link #toString()}) that {@link #parse(String)} reads back, so every output can record how it
 * was made and a macro can reproduce it.
 *
 * <p>Image data comes as {@link Planes}: one float array or one ImageJ pixel array per channel (or
 * packed RGB), row-major {@code y*w+x}. The result is a batch of one, {@code [1, H, W, C]} (NHWC),
 * or the same values written into a caller's array ({@link #applyInto}).
 */
public final class Preprocessing {

	/** How pixel values are scaled before they reach the model. */
	public enum Normalization {
		/** Raw pixel values. */
		NONE,
		/** Divide by the type's maximum (255, 65535; 32-bit unchanged) to get [0, 1]. */
		TYPE_RANGE,
		/** Type range mapped to [-1, 1]. */
		SYMMETRIC,
		/** (value - mean) / std, per channel; set {@code mean} and {@code std}. */
		MEAN_STD,
		/** Percentiles {@code low}..{@code high} of the image mapped to 0..1, as CSBDeep does. */
		PERCENTILE,
		/**
		 * Each column of each channel scaled to unit L2 norm, as Keras's
		 * {@code keras.utils.normalize(x, axis=1)} does on an NHWC batch (after resizing).
		 */
		L2_COLUMNS
	}

	/**
	 * Image data for one position (slice/frame): channel planes of equal size. Either float planes,
	 * or the pixel arrays as ImageJ holds them ({@link #ofPixels}: {@code byte[]}, {@code short[]},
	 * {@code float[]} per channel, or packed RGB {@code int[]}), which {@link #apply} reads
	 * directly where it can (same size, per-pixel normalization) and turns into float planes only
	 * where it must: the float copies were most of the cost of a large RGB input.
	 */
	public static final class Planes {
		private volatile float[][] channels;
		/** Pixel arrays per channel, or one packed RGB array; null for float planes. */
		private final Object[] pixels;
		public final int width;
		public final int height;
		/** Maximum of the pixel type: 255, 65535, or 1 for float images. */
		public final double typeMax;
		/** Whether the channels are the R, G, B of an RGB image. */
		public final boolean rgb;

		public Planes(float[][] channels, int width, int height, double typeMax, boolean rgb) {
			if (channels.length == 0) throw new IllegalArgumentException("No channels");
			for (float[] c : channels) {
				if (c.length != width * height) throw new IllegalArgumentException("Channel size does not match " + width + "x" + height);
			}
			this.channels = channels;
			this.pixels = null;
			this.width = width;
			this.height = height;
			this.typeMax = typeMax;
			this.rgb = rgb;
		}

		private Planes(Object[] pixels, int width, int height, double typeMax, boolean rgb) {
			this.pixels = pixels;
			this.width = width;
			this.height = height;
			this.typeMax = typeMax;
			this.rgb = rgb;
		}

		/**
		 * Planes backed by pixel arrays, not copied (the caller must not change them while the
		 * planes are in use): one {@code byte[]} (8-bit, type maximum 255), {@code short[]}
		 * (16-bit unsigned, 65535) or {@code float[]} (32-bit, 1) per channel, all of one type; or
		 * a single {@code int[]} of packed RGB pixels ({@code 0xRRGGBB}), which gives R, G, B.
		 */
		public static Planes ofPixels(Object[] pixels, int width, int height) {
			if (pixels == null || pixels.length == 0) throw new IllegalArgumentException("No channels");
			int n = width * height;
			Class<?> type = pixels[0] == null ? null : pixels[0].getClass();
			for (Object o : pixels) {
				if (o == null || o.getClass() != type) throw new IllegalArgumentException("Channels must be pixel arrays of one type");
				if (java.lang.reflect.Array.getLength(o) != n) throw new IllegalArgumentException("Channel size does not match " + width + "x" + height);
			}
			if (type == int[].class) {
				if (pixels.length != 1) throw new IllegalArgumentException("Packed RGB comes as one int[]");
				return new Planes(pixels, width, height, 255, true);
			}
			double max = type == byte[].class ? 255 : type == short[].class ? 65535 : type == float[].class ? 1 : -1;
			if (max < 0) throw new IllegalArgumentException("Unsupported pixel array " + type.getSimpleName());
			return new Planes(pixels, width, height, max, false);
		}

		/** The channels as float planes (for pixel-backed planes: made on first use; not copies to change). */
		public float[][] channels() {
			float[][] c = channels;
			if (c == null) channels = c = toFloat(pixels, width * height);
			return c;
		}

		/** Whether float planes exist (made, or given): the direct path must not make them. */
		boolean hasFloatPlanes() {
			return channels != null;
		}

		/** The number of channels, without making float planes. */
		public int channelCount() {
			if (pixels == null) return channels.length;
			return pixels[0] instanceof int[] ? 3 : pixels.length;
		}

		private static float[][] toFloat(Object[] px, int n) {
			if (px[0] instanceof int[]) {
				int[] p = (int[]) px[0];
				float[] r = new float[n], g = new float[n], b = new float[n];
				for (int i = 0; i < n; i++) {
					int c = p[i];
					r[i] = (c >> 16) & 0xff;
					g[i] = (c >> 8) & 0xff;
					b[i] = c & 0xff;
				}
				return new float[][] { r, g, b };
			}
			float[][] out = new float[px.length][n];
			for (int c = 0; c < px.length; c++) {
				Object o = px[c];
				float[] f = out[c];
				if (o instanceof byte[]) {
					byte[] b = (byte[]) o;
					for (int i = 0; i < n; i++) f[i] = b[i] & 0xff;
				}
				else if (o instanceof short[]) {
					short[] s = (short[]) o;
					for (int i = 0; i < n; i++) f[i] = s[i] & 0xffff;
				}
				else System.arraycopy((float[]) o, 0, f, 0, n);
			}
			return out;
		}
	}

	private final Normalization normalization;
	private final float[] mean;
	private final float[] std;
	private final double low;
	private final double high;
	private final boolean resize;
	private final int channel;
	private final boolean bgr;
	/** Whether NaN and infinite pixel values become 0 (else an image holding them is refused). */
	private final boolean nonfiniteZero;

	private Preprocessing(Normalization n, float[] mean, float[] std, double low, double high, boolean resize, int channel, boolean bgr) {
		this(n, mean, std, low, high, resize, channel, bgr, false);
	}

	private Preprocessing(Normalization n, float[] mean, float[] std, double low, double high, boolean resize, int channel, boolean bgr,
		boolean nonfiniteZero)
	{
		this.nonfiniteZero = nonfiniteZero;
		this.normalization = n;
		this.mean = mean;
		this.std = std;
		this.low = low;
		this.high = high;
		this.resize = resize;
		this.channel = channel;
		this.bgr = bgr;
	}

	/** Scale by type range to [0, 1], resize, channels mapped automatically. */
	public static Preprocessing defaults() {
		return new Preprocessing(Normalization.TYPE_RANGE, new float[] { 0 }, new float[] { 1 }, 1, 99.8, true, -1, false);
	}

	public Preprocessing withNormalization(Normalization n) {
		return new Preprocessing(n, mean, std, low, high, resize, channel, bgr, nonfiniteZero);
	}

	public Preprocessing withMeanStd(float[] m, float[] s) {
		return new Preprocessing(Normalization.MEAN_STD, m.clone(), s.clone(), low, high, resize, channel, bgr, nonfiniteZero);
	}

	public Preprocessing withPercentiles(double lo, double hi) {
		return new Preprocessing(Normalization.PERCENTILE, mean, std, lo, hi, resize, channel, bgr, nonfiniteZero);
	}

	/** Whether to resize to the model's input size (bilinear); off keeps the image size. */
	public Preprocessing withResize(boolean r) {
		return new Preprocessing(normalization, mean, std, low, high, r, channel, bgr, nonfiniteZero);
	}

	/** Feed only image channel {@code c} (0-based) to a one-channel model; -1 = automatic. */
	public Preprocessing withChannel(int c) {
		return new Preprocessing(normalization, mean, std, low, high, resize, c, bgr, nonfiniteZero);
	}

	/** Feed an RGB image as B, G, R (models trained on OpenCV-loaded images). */
	public Preprocessing withBgr(boolean b) {
		return new Preprocessing(normalization, mean, std, low, high, resize, channel, b, nonfiniteZero);
	}

	/** Replace NaN and infinite pixel values by 0 instead of refusing the image ({@code nonfinite=zero}). */
	public Preprocessing withNonfiniteZero(boolean z) {
		return new Preprocessing(normalization, mean, std, low, high, resize, channel, bgr, z);
	}

	public Normalization normalization() { return normalization; }
	public boolean nonfiniteZero() { return nonfiniteZero; }
	public boolean resize() { return resize; }
	public int channel() { return channel; }
	public boolean bgr() { return bgr; }

	/**
	 * Turns one position of an image into a {@code [1, H, W, C]} batch for a model whose image
	 * input has the given shape ({@code [-1, H, W, C]}, -1 for free dimensions).
	 *
	 * @throws ModelException when the image's channels cannot be mapped to the model's
	 */
	public NdArray apply(Planes p, int[] inputShape) {
		p = finite(p);
		int[] hw = size(p, inputShape);
		int h = hw[0], w = hw[1];
		if (perPixel()) {
			int C = inputShape[3] > 0 ? inputShape[3] : p.channelCount(); // what mapChannels gives
			float[] out = new float[h * w * C];
			perPixelInto(p, inputShape[3], h, w, out, 0);
			return new NdArray(new int[] { 1, h, w, C }, out);
		}
		boolean same = w == p.width && h == p.height;
		float[][] ch = same ? mapChannels(p, inputShape[3]) : resampled(p, inputShape[3], w, h);
		float[][] scaled = new float[ch.length][];
		for (int c = 0; c < ch.length; c++) {
			// normalize() works in place: a plane fed to several channels needs its own copy each time
			float[] r = ch[c];
			scaled[c] = same || contains(scaled, c, r) ? r.clone() : r;
		}
		normalize(scaled, p.typeMax);
		if (normalization == Normalization.L2_COLUMNS) {
			for (float[] c : scaled) {
				for (int x = 0; x < w; x++) {
					double ss = 0;
					for (int y = 0; y < h; y++) ss += (double) c[y * w + x] * c[y * w + x];
					double n = Math.sqrt(ss);
					if (n == 0) continue; // Keras leaves all-zero columns at zero
					for (int y = 0; y < h; y++) c[y * w + x] = (float) (c[y * w + x] / n);
				}
			}
		}
		float[] out = new float[h * w * scaled.length];
		interleave(scaled, h * w, out, 0);
		return new NdArray(new int[] { 1, h, w, scaled.length }, out);
	}

	/**
	 * As {@link #apply(Planes, int[])}, written into {@code dst} from {@code offset} (e.g. one item
	 * of a batch array) instead of a new array.
	 *
	 * @return the item's shape {@code [1, H, W, C]}
	 */
	public int[] applyInto(Planes p, int[] inputShape, float[] dst, int offset) {
		p = finite(p);
		if (!perPixel()) {
			// statistics of the whole image: made in a new array, then copied
			NdArray a = apply(p, inputShape);
			room(dst, offset, a.size());
			System.arraycopy(a.data(), 0, dst, offset, a.size());
			return a.shape();
		}
		int[] hw = size(p, inputShape);
		int C = inputShape[3] > 0 ? inputShape[3] : p.channelCount();
		room(dst, offset, hw[0] * hw[1] * C);
		perPixelInto(p, inputShape[3], hw[0], hw[1], dst, offset);
		return new int[] { 1, hw[0], hw[1], C };
	}

	private static void room(float[] dst, int offset, int n) {
		if (offset < 0 || offset + n > dst.length) throw new IllegalArgumentException("The array has no room for " + n + " values at " + offset);
	}

	/**
	 * The input's height and width for this image: the model's where it fixes them and resizing is
	 * on, else the image's.
	 *
	 * @throws ModelException when the input is not [N, H, W, C] or the image does not fit without resizing
	 */
	private int[] size(Planes p, int[] inputShape) {
		if (inputShape == null || inputShape.length != 4) {
			throw new ModelException("The model's image input must be [N, H, W, C]; it is " + Arrays.toString(inputShape));
		}
		if (!resize && ((inputShape[1] > 0 && inputShape[1] != p.height) || (inputShape[2] > 0 && inputShape[2] != p.width))) {
			throw new ModelException("The image is " + p.width + "x" + p.height + " but the model needs " + inputShape[2] + "x" +
				inputShape[1] + "; allow resizing or crop the image.");
		}
		return new int[] { resize && inputShape[1] > 0 ? inputShape[1] : p.height, resize && inputShape[2] > 0 ? inputShape[2] : p.width };
	}

	/**
	 * A per-pixel normalization of the image at {@code h x w} into {@code out}: straight from the
	 * pixel arrays when the size stays and channels are only picked, else from resampled float
	 * planes (a plane fed to several channels resampled once).
	 */
	private void perPixelInto(Planes p, int mc, int h, int w, float[] out, int offset) {
		boolean same = w == p.width && h == p.height;
		if (same && p.pixels != null) {
			int[] src = directChannels(p, mc);
			if (src != null) {
				direct(p, src, out, offset);
				return;
			}
		}
		float[][] src = same ? mapChannels(p, mc) : resampled(p, mc, w, h);
		interleaved(src, h * w, p.typeMax, out, offset);
	}

	/**
	 * The model's channels resized to {@code w x h}, a plane fed to several channels resampled once
	 * (the same array in each). Pixel-backed planes are sampled straight from their pixel arrays:
	 * a 20000x20000 image is not first copied whole to float (1.6 GB) to make a 224x224 input.
	 */
	private float[][] resampled(Planes p, int mc, int w, int h) {
		if (p.pixels != null && !p.hasFloatPlanes()) {
			int[] src = directChannels(p, mc);
			boolean gray = src == null && mc == 1 && p.rgb && channel < 0;
			if (gray) return new float[][] { bilinear(luminance((int[]) p.pixels[0]), p.width, p.height, w, h) };
			if (src != null) {
				float[][] out = new float[src.length][];
				for (int c = 0; c < src.length; c++) {
					for (int e = 0; e < c && out[c] == null; e++) if (src[e] == src[c]) out[c] = out[e];
					if (out[c] == null) out[c] = bilinear(sampler(p, src[c]), p.width, p.height, w, h);
				}
				return out;
			}
		}
		float[][] ch = mapChannels(p, mc);
		float[][] r = new float[ch.length][];
		for (int c = 0; c < ch.length; c++) r[c] = resizedOnce(ch, r, c, p.width, p.height, w, h);
		return r;
	}

	/** Reads one value of a plane by index: the float value {@link Planes#channels()} would hold. */
	@FunctionalInterface
	private interface Sampler {
		float at(int i);
	}

	/** Channel {@code c} of pixel-backed planes, read in place. */
	private static Sampler sampler(Planes p, int c) {
		if (p.pixels[0] instanceof int[]) {
			int[] a = (int[]) p.pixels[0];
			int shift = 16 - 8 * c;
			return i -> (a[i] >> shift) & 0xff;
		}
		Object o = p.pixels[c];
		if (o instanceof byte[]) {
			byte[] b = (byte[]) o;
			return i -> b[i] & 0xff;
		}
		if (o instanceof short[]) {
			short[] sh = (short[]) o;
			return i -> sh[i] & 0xffff;
		}
		float[] f = (float[]) o;
		return i -> f[i];
	}

	/** The unweighted grey value of packed RGB, as {@link #mapChannels} computes it. */
	private static Sampler luminance(int[] a) {
		return i -> {
			int v = a[i];
			return ((float) ((v >> 16) & 0xff) + (float) ((v >> 8) & 0xff) + (float) (v & 0xff)) / 3f;
		};
	}

	/**
	 * The planes with NaN and infinite values checked: refused with a message, or (with
	 * {@code nonfinite=zero}) replaced by 0 in a copy. Only float data can hold them.
	 */
	private Planes finite(Planes p) {
		float[][] fl;
		if (p.pixels == null) fl = p.channels();
		else if (p.pixels[0] instanceof float[]) {
			fl = new float[p.pixels.length][];
			for (int c = 0; c < fl.length; c++) fl[c] = (float[]) p.pixels[c];
		}
		else return p; // 8-bit, 16-bit and RGB pixels are always finite
		long bad = 0;
		int first = -1;
		for (float[] c : fl) {
			for (int i = 0; i < c.length; i++) {
				if (!Float.isFinite(c[i])) {
					if (first < 0) first = i;
					bad++;
				}
			}
		}
		if (bad == 0) return p;
		if (!nonfiniteZero) {
			throw new NonFiniteException("The image has " + bad + " NaN or infinite pixel value(s) (the first at x=" + first % p.width + ", y=" +
				first / p.width + "); a model cannot be explained on them. Replace them (e.g. Process > Math > Remove NaNs) or add " +
				"'nonfinite=zero' to the preprocessing.");
		}
		float[][] z = new float[fl.length][];
		for (int c = 0; c < fl.length; c++) {
			z[c] = fl[c].clone();
			for (int i = 0; i < z[c].length; i++) if (!Float.isFinite(z[c][i])) z[c][i] = 0;
		}
		return new Planes(z, p.width, p.height, p.typeMax, p.rgb);
	}


	/**
	 * Channel {@code c}'s plane resized, reusing the result of an earlier channel fed from the same
	 * plane (a grey image for an RGB model: one resampling, not three).
	 */
	private static float[] resizedOnce(float[][] ch, float[][] done, int c, int sw, int sh, int dw, int dh) {
		for (int e = 0; e < c; e++) if (ch[e] == ch[c] && done[e] != null) return done[e];
		return bilinear(ch[c], sw, sh, dw, dh);
	}

	private static boolean contains(float[][] a, int before, float[] x) {
		for (int i = 0; i < before; i++) if (a[i] == x) return true;
		return false;
	}

	/**
	 * The source channel of each model channel where {@link #mapChannels} only picks channels
	 * (no averaging), reading the channel count without making float planes; null otherwise.
	 */
	private int[] directChannels(Planes p, int mc) {
		int ic = p.channelCount();
		if (mc <= 0) mc = ic;
		int[] src = new int[mc];
		if (channel >= 0) {
			if (channel >= ic) return null; // mapChannels says what is wrong
			Arrays.fill(src, channel);
		}
		else if (ic == mc) {
			boolean reverse = p.rgb && bgr && ic == 3;
			for (int c = 0; c < mc; c++) src[c] = reverse ? ic - 1 - c : c;
		}
		else if (ic != 1) return null;
		return src;
	}

	/**
	 * {@link #interleaved} straight from pixel arrays: the same arithmetic on the same float
	 * values ({@code b & 0xff}, {@code s & 0xffff}), with 8-bit values looked up in a table of
	 * the 256 results. {@code PixelDirectTest} checks both paths give the same bits.
	 */
	private void direct(Planes p, int[] src, float[] out, int offset) {
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

	/** Tables of {@link #byteValues}: a spec is shared by every image of a run. */
	private final Map<Integer, float[]> byteValues = new java.util.concurrent.ConcurrentHashMap<>();

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

	private float[][] mapChannels(Planes p, int mc) {
		int ic = p.channels().length;
		if (mc <= 0) mc = ic;
		if (channel >= 0) {
			if (channel >= ic) throw new ModelException("Channel " + (channel + 1) + " was asked for but the image has " + ic + " channel(s).");
			float[] c = p.channels()[channel];
			float[][] r = new float[mc][];
			for (int i = 0; i < mc; i++) r[i] = c;
			return r;
		}
		if (ic == mc) {
			if (p.rgb && bgr && ic == 3) return new float[][] { p.channels()[2], p.channels()[1], p.channels()[0] };
			return p.channels();
		}
		if (ic == 1) {
			float[][] r = new float[mc][];
			for (int i = 0; i < mc; i++) r[i] = p.channels()[0];
			return r;
		}
		if (mc == 1 && p.rgb) {
			// luminance, as ImageJ's unweighted RGB-to-gray conversion
			float[] g = new float[p.width * p.height];
			for (int i = 0; i < g.length; i++) g[i] = (p.channels()[0][i] + p.channels()[1][i] + p.channels()[2][i]) / 3f;
			return new float[][] { g };
		}
		throw new ModelException("The image has " + ic + " channels but the model takes " + mc +
			". Choose one channel (option 'channel') or convert the image.");
	}

	/** Whether each value is normalized on its own (not from statistics of the whole image). */
	private boolean perPixel() {
		return normalization == Normalization.NONE || normalization == Normalization.TYPE_RANGE ||
			normalization == Normalization.SYMMETRIC || normalization == Normalization.MEAN_STD;
	}

	/** {@link #normalize} of a {@link #perPixel} normalization and the NHWC interleaving in one pass; same arithmetic. */
	/** Planes to NHWC order, one sequential pass over the output. */
	private static void interleave(float[][] planes, int n, float[] out, int offset) {
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

	/** The normalized planes, interleaved into {@code out} from {@code offset} (NHWC). */
	private void interleaved(float[][] ch, int n, double typeMax, float[] out, int offset) {
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


	private void normalize(float[][] ch, double typeMax) {
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
				return; // needs the resized geometry: done in apply()
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

	private static double percentile(float[] sorted, double p) {
		double pos = p / 100.0 * (sorted.length - 1);
		int i = (int) Math.floor(pos);
		int j = Math.min(i + 1, sorted.length - 1);
		double f = pos - i;
		return sorted[i] * (1 - f) + sorted[j] * f;
	}

	/** {@link #bilinear(float[], int, int, int, int)} reading the source through a sampler (same arithmetic). */
	private static float[] bilinear(Sampler src, int sw, int sh, int dw, int dh) {
		int[] x0 = new int[dw], x1 = new int[dw], y0 = new int[dh], y1 = new int[dh];
		float[] wx = new float[dw], wy = new float[dh];
		table(sw, dw, x0, x1, wx);
		table(sh, dh, y0, y1, wy);
		float[] rows = new float[sh * dw];
		for (int sy = 0; sy < sh; sy++) {
			int r = sy * sw, o = sy * dw;
			for (int x = 0; x < dw; x++) {
				float a = src.at(r + x0[x]);
				rows[o + x] = a + wx[x] * (src.at(r + x1[x]) - a);
			}
		}
		float[] out = new float[dw * dh];
		for (int y = 0; y < dh; y++) {
			int r0 = y0[y] * dw, r1 = y1[y] * dw, o = y * dw;
			float b = wy[y];
			for (int x = 0; x < dw; x++) out[o + x] = rows[r0 + x] + b * (rows[r1 + x] - rows[r0 + x]);
		}
		return out;
	}

	/** Bilinear resampling with pixel centres aligned (half-pixel), as TensorFlow's resize does. */
	public static float[] bilinear(float[] src, int sw, int sh, int dw, int dh) {
		// separable: rows first (sh x dw), then columns, with index and weight tables computed once
		int[] x0 = new int[dw], x1 = new int[dw], y0 = new int[dh], y1 = new int[dh];
		float[] wx = new float[dw], wy = new float[dh];
		table(sw, dw, x0, x1, wx);
		table(sh, dh, y0, y1, wy);
		float[] rows = new float[sh * dw];
		for (int sy = 0; sy < sh; sy++) {
			int r = sy * sw, o = sy * dw;
			for (int x = 0; x < dw; x++) rows[o + x] = src[r + x0[x]] + wx[x] * (src[r + x1[x]] - src[r + x0[x]]);
		}
		float[] out = new float[dw * dh];
		for (int y = 0; y < dh; y++) {
			int r0 = y0[y] * dw, r1 = y1[y] * dw, o = y * dw;
			float b = wy[y];
			for (int x = 0; x < dw; x++) out[o + x] = rows[r0 + x] + b * (rows[r1 + x] - rows[r0 + x]);
		}
		return out;
	}

	/** Source indices and weights of each target position, pixel centres aligned, clamped at the edges. */
	private static void table(int n, int N, int[] i0, int[] i1, float[] wt) {
		double s = (double) n / N;
		for (int i = 0; i < N; i++) {
			double f = Math.max(0, Math.min(n - 1, (i + 0.5) * s - 0.5));
			i0[i] = (int) Math.floor(f);
			i1[i] = Math.min(i0[i] + 1, n - 1);
			wt[i] = (float) (f - i0[i]);
		}
	}

	/**
	 * The spec as text, e.g. {@code normalization=percentile low=1 high=99.8 resize=true channel=auto}.
	 * Macro-friendly: space-separated key=value pairs.
	 */
	@Override
	public String toString() {
		Map<String, String> m = new LinkedHashMap<>();
		m.put("normalization", normalization.name().toLowerCase(Locale.ROOT).replace('_', '-'));
		if (normalization == Normalization.MEAN_STD) {
			m.put("mean", join(mean));
			m.put("std", join(std));
		}
		if (normalization == Normalization.PERCENTILE) {
			m.put("low", fmt(low));
			m.put("high", fmt(high));
		}
		m.put("resize", Boolean.toString(resize));
		m.put("channel", channel < 0 ? "auto" : Integer.toString(channel + 1));
		if (bgr) m.put("bgr", "true");
		if (nonfiniteZero) m.put("nonfinite", "zero");
		StringBuilder sb = new StringBuilder();
		m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
		return sb.toString();
	}

	/** Reads a spec written by {@link #toString()}; missing keys keep their defaults. */
	public static Preprocessing parse(String spec) {
		if (spec == null || spec.isBlank()) return defaults();
		// commands parse the same few specs on every run; Preprocessing is immutable, so share them
		Preprocessing cached = PARSED.get(spec);
		if (cached != null) return cached;
		Preprocessing p = parseNew(spec);
		if (PARSED.size() >= 64) PARSED.clear();
		PARSED.put(spec, p);
		return p;
	}

	/** Parsed specs by text, bounded (cleared when full). */
	private static final Map<String, Preprocessing> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

	/** The keys a spec may hold. */
	public static final List<String> KEYS = List.of("normalization", "mean", "std", "low", "high", "resize", "channel", "bgr", "nonfinite");

	/**
	 * Strict: an unknown key, a misspelt value or an out-of-range number is an error naming the
	 * valid keys or values, never dropped or read as a default.
	 */
	private static Preprocessing parseNew(String spec) {
		Preprocessing p = defaults();
		String body = spec.trim();
		// the bracketed form macros use for a value with spaces: preprocessing=[normalization=none resize=false]
		while (body.length() >= 2 && body.startsWith("[") && body.endsWith("]")) body = body.substring(1, body.length() - 1).trim();
		if (body.isEmpty()) return p;
		Map<String, String> m = new LinkedHashMap<>();
		for (String tok : body.split("[\\s;]+")) {
			int eq = tok.indexOf('=');
			if (eq <= 0 || eq == tok.length() - 1) {
				throw new ModelException("Cannot read preprocessing '" + tok + "' in '" + spec + "'; expected key=value with a key among " + KEYS + ".");
			}
			String key = tok.substring(0, eq).toLowerCase(Locale.ROOT);
			if (!KEYS.contains(key)) {
				throw new ModelException("Unknown preprocessing key '" + tok.substring(0, eq) + "' in '" + spec + "'; the keys are " + KEYS + ".");
			}
			// a later value wins: a command's overrides follow the model's defaults
			m.put(key, tok.substring(eq + 1));
		}
		Normalization n = m.containsKey("normalization") ? normalizationOf(m.get("normalization")) : p.normalization;
		float[] mean = m.containsKey("mean") ? floats("mean", m.get("mean"), spec) : p.mean;
		float[] std = m.containsKey("std") ? floats("std", m.get("std"), spec) : p.std;
		for (float f : std) if (f == 0) throw new ModelException("Preprocessing std must not be 0 (in '" + spec + "').");
		double low = m.containsKey("low") ? number("low", m.get("low"), spec) : p.low;
		double high = m.containsKey("high") ? number("high", m.get("high"), spec) : p.high;
		if (!(low >= 0 && high <= 100 && low < high)) {
			throw new ModelException("Preprocessing percentiles need 0 <= low < high <= 100; got low=" + fmt(low) + " high=" + fmt(high) + ".");
		}
		boolean resize = !m.containsKey("resize") || bool("resize", m.get("resize"), spec);
		String c = m.getOrDefault("channel", "auto").trim();
		int channel;
		if (c.equalsIgnoreCase("auto")) channel = -1;
		else {
			try {
				channel = Integer.parseInt(c) - 1;
			}
			catch (NumberFormatException e) {
				channel = -2;
			}
			if (channel < 0) {
				throw new ModelException("Preprocessing channel=" + c + " is not a channel: use auto or 1, 2, ... (channels count from 1).");
			}
		}
		boolean bgr = m.containsKey("bgr") && bool("bgr", m.get("bgr"), spec);
		String nf = m.getOrDefault("nonfinite", "error").trim().toLowerCase(Locale.ROOT);
		if (!nf.equals("error") && !nf.equals("zero")) {
			throw new ModelException("Preprocessing nonfinite=" + nf + " is unknown: use error (refuse images with NaN or infinite pixels) or zero.");
		}
		return new Preprocessing(n, mean, std, low, high, resize, channel, bgr, nf.equals("zero"));
	}

	private static boolean bool(String key, String v, String spec) {
		if (v.equalsIgnoreCase("true")) return true;
		if (v.equalsIgnoreCase("false")) return false;
		throw new ModelException("Preprocessing " + key + "=" + v + " in '" + spec + "': use true or false.");
	}

	private static double number(String key, String v, String spec) {
		try {
			double d = Double.parseDouble(v.trim());
			if (Double.isFinite(d)) return d;
		}
		catch (NumberFormatException e) {
			// reported below
		}
		throw new ModelException("Preprocessing " + key + "=" + v + " in '" + spec + "' is not a finite number.");
	}

	private static float[] floats(String key, String s, String spec) {
		String[] parts = s.split(",");
		float[] f = new float[parts.length];
		for (int i = 0; i < parts.length; i++) f[i] = (float) number(key, parts[i], spec);
		return f;
	}

	public static Normalization normalizationOf(String s) {
		String k = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
		switch (k) {
			case "[0,1]": case "0-1": case "RANGE": return Normalization.TYPE_RANGE;
			case "[-1,1]": return Normalization.SYMMETRIC;
			default:
		}
		try {
			return Normalization.valueOf(k);
		}
		catch (IllegalArgumentException e) {
			throw new ModelException("Unknown normalization '" + s + "'; use one of " + Arrays.toString(Normalization.values()).toLowerCase(Locale.ROOT));
		}
	}

	private static String join(float[] f) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < f.length; i++) sb.append(i == 0 ? "" : ",").append(fmt(f[i]));
		return sb.toString();
	}

	private static String fmt(double d) {
		return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
	}

	/**
	 * Default preprocessing for a model: a {@code preprocessing.txt} beside the SavedModel holds a
	 * spec in the same syntax; otherwise raw pixels ({@code normalization=none}) when the model
	 * scales its input in its own graph ({@link ModelInfo#inGraphScaling()}, e.g. a Keras
	 * {@code Rescaling} layer), else scale by type range. {@link #defaultReason} says which.
	 */
	public static Preprocessing forModel(ModelInfo info) {
		if (info != null && info.path() != null) {
			// read as data from inside the model folder (no link out, size-capped)
			String spec = ModelFiles.readText(info.path(), "preprocessing.txt", ModelFiles.MAX_SPEC_BYTES);
			if (spec != null) {
				try {
					return parse(spec);
				}
				catch (ModelException e) {
					throw new ModelException(info.path().resolve("preprocessing.txt") + ": " + e.getMessage(), e);
				}
			}
		}
		if (info != null && info.inGraphScaling() != null) return defaults().withNormalization(Normalization.NONE);
		return defaults();
	}

	/**
	 * Why {@link #forModel} gives what it gives, for the Log and the Info, e.g. {@code model
	 * rescales its input in-graph (rescaling layer 'rescaling' (x * 0.00392157)): raw pixels}.
	 */
	public static String defaultReason(ModelInfo info) {
		if (info != null && info.path() != null && java.nio.file.Files.isRegularFile(info.path().resolve("preprocessing.txt"))) {
			return "from the model's preprocessing.txt";
		}
		if (info != null && info.inGraphScaling() != null) {
			return "model rescales its input in-graph (" + info.inGraphScaling() + "): raw pixels, normalization=none";
		}
		return "no preprocessing.txt and no in-graph scaling: pixels divided by the type's maximum";
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Preprocessing && o.toString().equals(toString());
	}

	@Override
	public int hashCode() {
		return toString().hashCode();
	}
}
