package org.convlens.explain.patterns;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

/**
 * Turns an optimised input image into something to look at, as DLwP does: standardise (over all
 * pixels and channels), multiply by 64, add 128, clip to 0..255 and cut a border. Returns
 * channel planes in 0..255 ({@code typeMax} 255), RGB when there are three channels.
 */
public final class Deprocess {

	private Deprocess() {}

	/**
	 * @param image one image {@code [1, H, W, C]} or {@code [H, W, C]} in the model's input units
	 * @param crop pixels cut from each edge
	 * @param bgr whether the channels are B, G, R (they come out as R, G, B)
	 */
	public static Preprocessing.Planes toDisplay(NdArray image, int crop, boolean bgr) {
		int r = image.rank();
		if (r != 3 && r != 4) throw new IllegalArgumentException("Expected an image [1,H,W,C], got " + image);
		int h = image.dim(-3), w = image.dim(-2), c = image.dim(-1);
		float[] v = image.data();
		int n = h * w * c;
		double mean = 0;
		for (int i = 0; i < n; i++) mean += v[i];
		mean /= n;
		double var = 0;
		for (int i = 0; i < n; i++) var += (v[i] - mean) * (v[i] - mean);
		double std = Math.sqrt(var / n);
		int cr = Math.max(0, Math.min(crop, (Math.min(w, h) - 1) / 2));
		int ow = w - 2 * cr, oh = h - 2 * cr;
		float[][] planes = new float[c][ow * oh];
		for (int y = 0; y < oh; y++) {
			for (int x = 0; x < ow; x++) {
				int base = ((y + cr) * w + x + cr) * c;
				for (int ch = 0; ch < c; ch++) {
					double z = std > 0 ? (v[base + ch] - mean) / std : 0;
					double d = z * 64 + 128;
					int oc = bgr && c == 3 ? 2 - ch : ch;
					planes[oc][y * ow + x] = (float) Math.max(0, Math.min(255, d));
				}
			}
		}
		return new Preprocessing.Planes(planes, ow, oh, 255, c == 3);
	}

	/** A black image of the displayed size, for patterns that could not be computed. */
	public static Preprocessing.Planes blank(int w, int h, int c, int crop) {
		int cr = Math.max(0, Math.min(crop, (Math.min(w, h) - 1) / 2));
		float[][] planes = new float[c][(w - 2 * cr) * (h - 2 * cr)];
		return new Preprocessing.Planes(planes, w - 2 * cr, h - 2 * cr, 255, c == 3);
	}
}
