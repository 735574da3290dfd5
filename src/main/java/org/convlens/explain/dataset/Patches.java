package org.convlens.explain.dataset;

import org.convlens.model.Preprocessing;

/**
 * The pixels a max-activating run keeps or a montage shows: a receptive-field crop of an image, and
 * whole-factor box shrinking so that the kept pixels stay small whatever the image size.
 */
public final class Patches {

	private Patches() {}

	/**
	 * The whole factor by which a run shrinks a kept {@code w x h} patch or image so that its
	 * longer side is at most {@code maxSide} (1: kept as it is). A montage drawn from a file read
	 * again shrinks by the same factor, so that it shows the same pixels as one drawn from what a
	 * run kept.
	 */
	public static int shrinkFactor(int w, int h, int maxSide) {
		return Math.max(1, (int) Math.ceil((double) Math.max(w, h) / maxSide));
	}

	/**
	 * The planes shrunk by a whole factor: each pixel the mean of a {@code factor x factor} block
	 * (the partial blocks at the right and bottom edges over the pixels they have).
	 */
	public static Preprocessing.Planes shrink(Preprocessing.Planes p, int factor) {
		int w = (p.width + factor - 1) / factor, h = (p.height + factor - 1) / factor;
		float[][] out = new float[p.channels().length][w * h];
		for (int c = 0; c < out.length; c++) {
			float[] src = p.channels()[c];
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					double s = 0;
					int n = 0;
					for (int yy = y * factor; yy < Math.min(p.height, (y + 1) * factor); yy++) {
						for (int xx = x * factor; xx < Math.min(p.width, (x + 1) * factor); xx++) {
							s += src[yy * p.width + xx];
							n++;
						}
					}
					out[c][y * w + x] = (float) (s / n);
				}
			}
		}
		return new Preprocessing.Planes(out, w, h, p.typeMax, p.rgb);
	}

	/** A crop of the planes covering {@code rect = {x, y, w, h}} (rounded outwards, clipped). */
	public static Preprocessing.Planes crop(Preprocessing.Planes p, double[] rect) {
		int x0 = Math.max(0, (int) Math.floor(rect[0]));
		int y0 = Math.max(0, (int) Math.floor(rect[1]));
		int x1 = Math.min(p.width, (int) Math.ceil(rect[0] + rect[2]));
		int y1 = Math.min(p.height, (int) Math.ceil(rect[1] + rect[3]));
		int w = Math.max(1, x1 - x0);
		int h = Math.max(1, y1 - y0);
		x0 = Math.min(x0, p.width - w);
		y0 = Math.min(y0, p.height - h);
		float[][] out = new float[p.channels().length][w * h];
		for (int c = 0; c < out.length; c++) {
			for (int y = 0; y < h; y++) System.arraycopy(p.channels()[c], (y0 + y) * p.width + x0, out[c], y * w, w);
		}
		return new Preprocessing.Planes(out, w, h, p.typeMax, p.rgb);
	}
}
