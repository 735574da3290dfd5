package org.convlens.model;

import java.util.Arrays;
import java.util.List;
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
 *
 * <p>This class holds the spec and the order of the steps; the steps live beside it:
 * {@link PreprocessingSpec} (text), {@link PlaneChannels} (channel mapping, non-finite check),
 * {@link Resampling} (bilinear) and {@link Normalizer} (scaling, NHWC interleaving).
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
		final Object[] pixels;
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
			if (c == null) channels = c = PlaneChannels.toFloat(pixels, width * height);
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
	}

	private final Normalization normalization;
	final float[] mean;
	final float[] std;
	final double low;
	final double high;
	private final boolean resize;
	private final int channel;
	private final boolean bgr;
	/** Whether NaN and infinite pixel values become 0 (else an image holding them is refused). */
	private final boolean nonfiniteZero;
	/** The value scaling, with its 8-bit tables: one per spec, shared by every image of a run. */
	private final Normalizer norm;

	private Preprocessing(Normalization n, float[] mean, float[] std, double low, double high, boolean resize, int channel, boolean bgr) {
		this(n, mean, std, low, high, resize, channel, bgr, false);
	}

	Preprocessing(Normalization n, float[] mean, float[] std, double low, double high, boolean resize, int channel, boolean bgr,
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
		this.norm = new Normalizer(n, mean, std, low, high);
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
		p = PlaneChannels.finite(p, nonfiniteZero);
		int[] hw = size(p, inputShape);
		int h = hw[0], w = hw[1];
		if (norm.perPixel()) {
			int C = inputShape[3] > 0 ? inputShape[3] : p.channelCount(); // what PlaneChannels.map gives
			float[] out = new float[h * w * C];
			perPixelInto(p, inputShape[3], h, w, out, 0);
			return new NdArray(new int[] { 1, h, w, C }, out);
		}
		boolean same = w == p.width && h == p.height;
		float[][] ch = same ? PlaneChannels.map(p, inputShape[3], channel, bgr) : Resampling.resampled(p, inputShape[3], w, h, channel, bgr);
		float[][] scaled = new float[ch.length][];
		for (int c = 0; c < ch.length; c++) {
			// normalize() works in place: a plane fed to several channels needs its own copy each time
			float[] r = ch[c];
			scaled[c] = same || contains(scaled, c, r) ? r.clone() : r;
		}
		norm.normalize(scaled, p.typeMax);
		norm.l2Columns(scaled, w, h);
		float[] out = new float[h * w * scaled.length];
		Normalizer.interleave(scaled, h * w, out, 0);
		return new NdArray(new int[] { 1, h, w, scaled.length }, out);
	}

	/**
	 * As {@link #apply(Planes, int[])}, written into {@code dst} from {@code offset} (e.g. one item
	 * of a batch array) instead of a new array.
	 *
	 * @return the item's shape {@code [1, H, W, C]}
	 */
	public int[] applyInto(Planes p, int[] inputShape, float[] dst, int offset) {
		p = PlaneChannels.finite(p, nonfiniteZero);
		if (!norm.perPixel()) {
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
			int[] src = PlaneChannels.direct(p, mc, channel, bgr);
			if (src != null) {
				norm.direct(p, src, out, offset);
				return;
			}
		}
		float[][] src = same ? PlaneChannels.map(p, mc, channel, bgr) : Resampling.resampled(p, mc, w, h, channel, bgr);
		norm.interleaved(src, h * w, p.typeMax, out, offset);
	}

	private static boolean contains(float[][] a, int before, float[] x) {
		for (int i = 0; i < before; i++) if (a[i] == x) return true;
		return false;
	}

	/** Bilinear resampling with pixel centres aligned (half-pixel), as TensorFlow's resize does. */
	public static float[] bilinear(float[] src, int sw, int sh, int dw, int dh) {
		return Resampling.bilinear(src, sw, sh, dw, dh);
	}

	/**
	 * The spec as text, e.g. {@code normalization=percentile low=1 high=99.8 resize=true channel=auto}.
	 * Macro-friendly: space-separated key=value pairs.
	 */
	@Override
	public String toString() {
		return PreprocessingSpec.format(this);
	}

	/** Reads a spec written by {@link #toString()}; missing keys keep their defaults. */
	public static Preprocessing parse(String spec) {
		if (spec == null || spec.isBlank()) return defaults();
		// commands parse the same few specs on every run; Preprocessing is immutable, so share them
		Preprocessing cached = PARSED.get(spec);
		if (cached != null) return cached;
		Preprocessing p = PreprocessingSpec.parse(spec);
		if (PARSED.size() >= 64) PARSED.clear();
		PARSED.put(spec, p);
		return p;
	}

	/** Parsed specs by text, bounded (cleared when full). */
	private static final Map<String, Preprocessing> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

	/** The keys a spec may hold. */
	public static final List<String> KEYS = List.of("normalization", "mean", "std", "low", "high", "resize", "channel", "bgr", "nonfinite");

	/** A normalization by name ({@code mean-std}, {@code MEAN_STD}) or alias ({@code [0,1]}, {@code range}, {@code [-1,1]}). */
	public static Normalization normalizationOf(String s) {
		return PreprocessingSpec.normalizationOf(s);
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
