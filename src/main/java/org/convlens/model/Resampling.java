package org.convlens.model;

/**
 * Bilinear resampling for {@link Preprocessing}: pixel centres aligned (half-pixel), as
 * TensorFlow's resize does, from float planes or straight from ImageJ pixel arrays.
 */
final class Resampling {

	private Resampling() {}

	/** Reads one value of a plane by index: the float value {@link Preprocessing.Planes#channels()} would hold. */
	@FunctionalInterface
	interface Sampler {
		float at(int i);
	}

	/**
	 * The model's channels resized to {@code w x h}, a plane fed to several channels resampled once
	 * (the same array in each). Pixel-backed planes are sampled straight from their pixel arrays:
	 * a 20000x20000 image is not first copied whole to float (1.6 GB) to make a 224x224 input.
	 */
	static float[][] resampled(Preprocessing.Planes p, int mc, int w, int h, int channel, boolean bgr) {
		if (p.pixels != null && !p.hasFloatPlanes()) {
			int[] src = PlaneChannels.direct(p, mc, channel, bgr);
			boolean gray = src == null && mc == 1 && p.rgb && channel < 0;
			if (gray) return new float[][] { bilinear(PlaneChannels.luminance((int[]) p.pixels[0]), p.width, p.height, w, h) };
			if (src != null) {
				float[][] out = new float[src.length][];
				for (int c = 0; c < src.length; c++) {
					for (int e = 0; e < c && out[c] == null; e++) if (src[e] == src[c]) out[c] = out[e];
					if (out[c] == null) out[c] = bilinear(PlaneChannels.sampler(p, src[c]), p.width, p.height, w, h);
				}
				return out;
			}
		}
		float[][] ch = PlaneChannels.map(p, mc, channel, bgr);
		float[][] r = new float[ch.length][];
		for (int c = 0; c < ch.length; c++) r[c] = resizedOnce(ch, r, c, p.width, p.height, w, h);
		return r;
	}

	/**
	 * Channel {@code c}'s plane resized, reusing the result of an earlier channel fed from the same
	 * plane (a grey image for an RGB model: one resampling, not three).
	 */
	private static float[] resizedOnce(float[][] ch, float[][] done, int c, int sw, int sh, int dw, int dh) {
		for (int e = 0; e < c; e++) if (ch[e] == ch[c] && done[e] != null) return done[e];
		return bilinear(ch[c], sw, sh, dw, dh);
	}

	/** Bilinear resampling with pixel centres aligned (half-pixel), as TensorFlow's resize does. */
	static float[] bilinear(float[] src, int sw, int sh, int dw, int dh) {
		return separable(sw, sh, dw, dh, (t, r, rows, o) -> {
			int[] x0 = t.x0, x1 = t.x1;
			float[] wx = t.wx;
			for (int x = 0; x < dw; x++) rows[o + x] = src[r + x0[x]] + wx[x] * (src[r + x1[x]] - src[r + x0[x]]);
		});
	}

	/** {@link #bilinear(float[], int, int, int, int)} reading the source through a sampler (same arithmetic). */
	static float[] bilinear(Sampler src, int sw, int sh, int dw, int dh) {
		return separable(sw, sh, dw, dh, (t, r, rows, o) -> {
			for (int x = 0; x < dw; x++) {
				float a = src.at(r + t.x0[x]);
				rows[o + x] = a + t.wx[x] * (src.at(r + t.x1[x]) - a);
			}
		});
	}

	/** One source row (starting at index {@code r}) resized to {@code dw} values at {@code rows[o..]}. */
	@FunctionalInterface
	private interface RowPass {
		void row(Tables t, int r, float[] rows, int o);
	}

	/** Rows first ({@code sh x dw}), then columns, with index and weight tables computed once. */
	private static float[] separable(int sw, int sh, int dw, int dh, RowPass pass) {
		Tables t = new Tables(sw, sh, dw, dh);
		float[] rows = new float[sh * dw];
		for (int sy = 0; sy < sh; sy++) pass.row(t, sy * sw, rows, sy * dw);
		return t.columns(rows);
	}

	/** Source indices and weights of each target column and row, and the column pass shared by both sources. */
	private static final class Tables {
		final int[] x0, x1, y0, y1;
		final float[] wx, wy;
		final int dw, dh;

		Tables(int sw, int sh, int dw, int dh) {
			this.dw = dw;
			this.dh = dh;
			x0 = new int[dw];
			x1 = new int[dw];
			y0 = new int[dh];
			y1 = new int[dh];
			wx = new float[dw];
			wy = new float[dh];
			table(sw, dw, x0, x1, wx);
			table(sh, dh, y0, y1, wy);
		}

		/** The second pass: rows resized to {@code dw} ({@code sh x dw}) resized to {@code dh} rows. */
		float[] columns(float[] rows) {
			float[] out = new float[dw * dh];
			for (int y = 0; y < dh; y++) {
				int r0 = y0[y] * dw, r1 = y1[y] * dw, o = y * dw;
				float b = wy[y];
				for (int x = 0; x < dw; x++) out[o + x] = rows[r0 + x] + b * (rows[r1 + x] - rows[r0 + x]);
			}
			return out;
		}
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
}
