package org.convlens.imagej;

import java.util.List;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.LUT;

/**
 * Heatmaps at the image's size: maps at the model input's size resampled (bilinear, pixel centres
 * aligned) to the source; shown with {@link HeatmapDisplay}.
 */
public final class SaliencyMaps {

	private SaliencyMaps() {}

	/** Each {@code [H, W]} map resampled to the source's width and height, row-major. */
	public static java.util.List<float[]> toImageSize(List<NdArray> maps, ImagePlus source) {
		java.util.List<float[]> out = new java.util.ArrayList<>();
		int W = source.getWidth(), H = source.getHeight();
		for (NdArray m : maps) {
			int h = m.dim(0), w = m.dim(1);
			out.add(w == W && h == H ? m.data().clone() : Preprocessing.bilinear(m.data(), w, h, W, H));
		}
		return out;
	}

	/**
	 * Shows a signed map (Integrated Gradients attributions) with a diverging LUT, white at 0, and a
	 * display range symmetric around 0.
	 */
	public static void signedDisplay(ImagePlus map) {
		double a = 0;
		ImageStack s = map.getStack();
		for (int i = 1; i <= s.getSize(); i++) {
			for (float v : (float[]) s.getPixels(i)) if (Float.isFinite(v)) a = Math.max(a, Math.abs(v));
		}
		if (!(a > 0)) a = 1;
		LUT lut = FeatureMaps.diverging();
		map.getProcessor().setLut(lut);
		map.setLut(lut);
		map.setDisplayRange(-a, a);
	}

	/**
	 * A black image of the source's size and channels, through the model's preprocessing: the
	 * "black" baseline as the model sees it (zeros after a mean/std or percentile normalisation
	 * are not black).
	 */
	public static NdArray black(ImagePlus source, Preprocessing prep, int[] inputShape) {
		// zero pixel arrays of the image's own type: no float copies of a large image (same values, same type range)
		int w = source.getWidth(), h = source.getHeight(), n = w * h, bd = source.getBitDepth();
		Object[] px;
		if (bd == 24) px = new Object[] { new int[n] };
		else {
			px = new Object[source.getNChannels()];
			for (int c = 0; c < px.length; c++) px[c] = bd == 8 ? new byte[n] : bd == 16 ? new short[n] : new float[n];
		}
		return prep.apply(Preprocessing.Planes.ofPixels(px, w, h), inputShape);
	}
}
