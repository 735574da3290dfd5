package org.convlens.imagej;

import java.util.List;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import ij.process.LUT;

/**
 * Heatmaps at the image's size: one 32-bit plane per slice/frame of the source, resampled
 * (bilinear, pixel centres aligned) from the model input's size, with the source's calibration.
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
	 * A 32-bit image (a stack over the source's Z and T) of maps already at the source's size.
	 *
	 * @param signed diverging LUT with a range symmetric around 0, else a sequential LUT from 0
	 */
	public static ImagePlus image(ImagePlus source, List<float[]> maps, String title, String label, boolean signed) {
		int W = source.getWidth(), H = source.getHeight();
		int nz = source.getNSlices(), nt = source.getNFrames();
		ImageStack s = new ImageStack(W, H);
		for (int i = 0; i < maps.size(); i++) {
			String pos = maps.size() > 1 ? " (" + (nz > 1 ? "z=" + (i % nz + 1) : "") + (nz > 1 && nt > 1 ? " " : "") + (nt > 1 ? "t=" + (i / nz + 1) : "") + ")" : "";
			s.addSlice(label + pos, new FloatProcessor(W, H, maps.get(i)));
		}
		ImagePlus imp = new ImagePlus(title, s);
		if (maps.size() == nz * nt && maps.size() > 1) {
			imp.setDimensions(1, nz, nt);
			imp.setOpenAsHyperStack(nz > 1 && nt > 1);
		}
		imp.setCalibration(FeatureMaps.calibration(source, W, H));
		double lo = 0, hi = 0;
		for (float[] m : maps) for (float v : m) {
			if (!Float.isFinite(v)) continue;
			lo = Math.min(lo, v);
			hi = Math.max(hi, v);
		}
		LUT lut;
		if (signed) {
			double a = Math.max(Math.abs(lo), Math.abs(hi));
			lo = -a;
			hi = a;
			lut = FeatureMaps.diverging();
		}
		else {
			lo = 0;
			lut = sequential();
		}
		if (!(hi > lo)) hi = lo + 1;
		imp.getProcessor().setLut(lut);
		for (int i = 1; i <= s.getSize(); i++) s.getProcessor(i).setLut(lut);
		imp.setDisplayRange(lo, hi);
		return imp;
	}

	/** A perceptually ordered dark-to-bright LUT (black - purple - orange - yellow, like "inferno"). */
	public static LUT sequential() {
		double[][] stops = { { 0, 0, 0, 4 }, { 0.25, 87, 16, 110 }, { 0.5, 188, 55, 84 }, { 0.75, 249, 142, 9 }, { 1, 252, 255, 164 } };
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 0; i < 256; i++) {
			double f = i / 255.0;
			int k = 0;
			while (k < stops.length - 2 && f > stops[k + 1][0]) k++;
			double u = (f - stops[k][0]) / (stops[k + 1][0] - stops[k][0]);
			r[i] = (byte) Math.round(stops[k][1] + u * (stops[k + 1][1] - stops[k][1]));
			g[i] = (byte) Math.round(stops[k][2] + u * (stops[k + 1][2] - stops[k][2]));
			b[i] = (byte) Math.round(stops[k][3] + u * (stops[k + 1][3] - stops[k][3]));
		}
		return new LUT(r, g, b);
	}

	/**
	 * A black image of the source's size and channels, through the model's preprocessing: the
	 * "black" baseline as the model sees it (zeros after a mean/std or percentile normalisation
	 * are not black).
	 */
	public static NdArray black(ImagePlus source, Preprocessing prep, int[] inputShape) {
		Preprocessing.Planes p = ImageInput.planes(source, ImageInput.current(source));
		float[][] zeros = new float[p.channels.length][p.width * p.height];
		return prep.apply(new Preprocessing.Planes(zeros, p.width, p.height, p.typeMax, p.rgb), inputShape);
	}
}
