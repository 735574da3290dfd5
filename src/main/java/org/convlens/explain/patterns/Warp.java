package org.convlens.explain.patterns;

/**
 * A random-transform step of the optimisation: scale, rotation and translation about the image
 * centre, sampled bilinearly with edge pixels repeated. It is linear in the image, so the
 * gradient flows back exactly through its adjoint ({@link #adjoint}), which scatters with the
 * same weights that {@link #apply} gathers with.
 */
final class Warp {

	private final int h;
	private final int w;
	/** Per output pixel: four source pixel indices and four weights. */
	private final int[] src;
	private final float[] wt;
	private final boolean identity;

	/**
	 * @param scale zoom factor (1 = none)
	 * @param degrees rotation, counter-clockwise in image display terms
	 * @param tx shift right in pixels
	 * @param ty shift down in pixels
	 */
	Warp(int h, int w, double scale, double degrees, double tx, double ty) {
		this.h = h;
		this.w = w;
		this.identity = scale == 1 && degrees == 0 && tx == 0 && ty == 0;
		src = new int[h * w * 4];
		wt = new float[h * w * 4];
		double a = Math.toRadians(degrees);
		double cos = Math.cos(a) / scale;
		double sin = Math.sin(a) / scale;
		double cx = (w - 1) / 2.0;
		double cy = (h - 1) / 2.0;
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				// inverse map: where in the source this output pixel comes from
				double dx = x - cx - tx;
				double dy = y - cy - ty;
				double sx = cx + cos * dx + sin * dy;
				double sy = cy - sin * dx + cos * dy;
				int x0 = (int) Math.floor(sx);
				int y0 = (int) Math.floor(sy);
				double fx = sx - x0;
				double fy = sy - y0;
				int xa = clamp(x0, w), xb = clamp(x0 + 1, w);
				int ya = clamp(y0, h), yb = clamp(y0 + 1, h);
				int k = (y * w + x) * 4;
				src[k] = ya * w + xa;
				src[k + 1] = ya * w + xb;
				src[k + 2] = yb * w + xa;
				src[k + 3] = yb * w + xb;
				wt[k] = (float) ((1 - fy) * (1 - fx));
				wt[k + 1] = (float) ((1 - fy) * fx);
				wt[k + 2] = (float) (fy * (1 - fx));
				wt[k + 3] = (float) (fy * fx);
			}
		}
	}

	static Warp identity(int h, int w) {
		return new Warp(h, w, 1, 0, 0, 0);
	}

	boolean isIdentity() {
		return identity;
	}

	private static int clamp(int v, int n) {
		return v < 0 ? 0 : v >= n ? n - 1 : v;
	}

	/** The transformed image of an interleaved {@code h x w x c} array. */
	float[] apply(float[] in, int c) {
		if (identity) return in.clone();
		float[] out = new float[in.length];
		for (int p = 0; p < h * w; p++) {
			int k = p * 4;
			for (int ch = 0; ch < c; ch++) {
				out[p * c + ch] = wt[k] * in[src[k] * c + ch] + wt[k + 1] * in[src[k + 1] * c + ch] +
					wt[k + 2] * in[src[k + 2] * c + ch] + wt[k + 3] * in[src[k + 3] * c + ch];
			}
		}
		return out;
	}

	/** The adjoint: maps a gradient on the transformed image back to the source image. */
	float[] adjoint(float[] g, int c) {
		if (identity) return g.clone();
		float[] out = new float[g.length];
		for (int p = 0; p < h * w; p++) {
			int k = p * 4;
			for (int ch = 0; ch < c; ch++) {
				float v = g[p * c + ch];
				for (int j = 0; j < 4; j++) out[src[k + j] * c + ch] += wt[k + j] * v;
			}
		}
		return out;
	}
}
