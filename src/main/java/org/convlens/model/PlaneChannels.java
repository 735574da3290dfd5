package org.convlens.model;

import java.util.Arrays;

import org.convlens.model.Preprocessing.Planes;

/**
 * Which image plane feeds which model channel ({@code channel}, {@code bgr}, grey to colour, RGB
 * to grey), read from float planes or in place from ImageJ pixel arrays, and the check for NaN
 * and infinite pixel values, for {@link Preprocessing}.
 */
final class PlaneChannels {

	private PlaneChannels() {}

	/** Pixel arrays (or one packed RGB array) as float planes. */
	static float[][] toFloat(Object[] px, int n) {
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

	/** Channel {@code c} of pixel-backed planes, read in place. */
	static Resampling.Sampler sampler(Planes p, int c) {
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

	/** The unweighted grey value of packed RGB, as {@link #map} computes it. */
	static Resampling.Sampler luminance(int[] a) {
		return i -> {
			int v = a[i];
			return ((float) ((v >> 16) & 0xff) + (float) ((v >> 8) & 0xff) + (float) (v & 0xff)) / 3f;
		};
	}

	/**
	 * The planes with NaN and infinite values checked: refused with a message, or (with
	 * {@code nonfinite=zero}) replaced by 0 in a copy. Only float data can hold them.
	 */
	static Planes finite(Planes p, boolean nonfiniteZero) {
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
	 * The source channel of each model channel where {@link #map} only picks channels (no
	 * averaging), reading the channel count without making float planes; null otherwise.
	 */
	static int[] direct(Planes p, int mc, int channel, boolean bgr) {
		int ic = p.channelCount();
		if (mc <= 0) mc = ic;
		int[] src = new int[mc];
		if (channel >= 0) {
			if (channel >= ic) return null; // map says what is wrong
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
	 * The float plane of each of the model's {@code mc} channels ({@code mc <= 0}: as many as the
	 * image has); a plane fed to several channels is the same array in each.
	 *
	 * @throws ModelException when the image's channels cannot be mapped to the model's
	 */
	static float[][] map(Planes p, int mc, int channel, boolean bgr) {
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
}
