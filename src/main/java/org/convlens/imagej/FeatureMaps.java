package org.convlens.imagej;

import java.util.Arrays;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.LUT;

/**
 * Feature maps {@code [N, h, w, C]} as an ImageJ hyperstack: filters along the channel axis (a
 * {@link CompositeImage} in grayscale mode, so each filter keeps its own contrast and LUT; only
 * composite overlay mode is limited to 8 channels), and the N input positions back on the Z and T
 * axes they came from. Values are the layer's raw float outputs.
 */
public final class FeatureMaps {

	/** Percentiles used for display ranges. */
	public static final double LOW = 0.5, HIGH = 99.5;

	private FeatureMaps() {}

	/** One channel of item {@code n} of an NHWC array, as a row-major plane. */
	public static float[] plane(NdArray a, int n, int c) {
		int h = a.dim(1), w = a.dim(2), C = a.dim(3);
		float[] d = a.data();
		float[] p = new float[h * w];
		int base = n * h * w * C;
		for (int i = 0; i < p.length; i++) p[i] = d[base + i * C + c];
		return p;
	}

	/** Whether any value is negative, which calls for a diverging LUT centred on 0. */
	public static boolean signed(NdArray a) {
		for (float v : a.data()) if (v < 0) return true;
		return false;
	}

	/**
	 * Builds the hyperstack.
	 *
	 * @param a feature maps, {@code [nz*nt, h, w, C]}, items slice-fastest as {@link ImageInput#positions}
	 * @param layer the layer's name, for labels and title
	 * @param source the analysed image: its title, calibration and size
	 * @param nz slices, {@code nt} frames of the result
	 * @param scaleToSource resample each map (bilinear) to the source's width and height
	 */
	public static ImagePlus hyperstack(NdArray a, String layer, ImagePlus source, int nz, int nt, boolean scaleToSource) {
		if (a.rank() != 4) throw new IllegalArgumentException("Layer " + layer + " is not a feature map: " + a);
		int n = a.dim(0), h = a.dim(1), w = a.dim(2), C = a.dim(3);
		if (n != nz * nt) throw new IllegalArgumentException(n + " items for " + nz + " slices x " + nt + " frames");
		int W = scaleToSource ? source.getWidth() : w;
		int H = scaleToSource ? source.getHeight() : h;
		ImageStack stack = new ImageStack(W, H);
		for (int t = 0; t < nt; t++) {
			for (int z = 0; z < nz; z++) {
				int item = t * nz + z;
				for (int c = 0; c < C; c++) {
					float[] p = plane(a, item, c);
					if (W != w || H != h) p = Preprocessing.bilinear(p, w, h, W, H);
					String label = layer + " \u00b7 filter " + c + (n > 1 ? " (" + (nz > 1 ? "z=" + (z + 1) : "") + (nz > 1 && nt > 1 ? " " : "") + (nt > 1 ? "t=" + (t + 1) : "") + ")" : "");
					stack.addSlice(label, new FloatProcessor(W, H, p));
				}
			}
		}
		ImagePlus imp = new ImagePlus(Titles.of(source, "activations", layer), stack);
		imp.setDimensions(C, nz, nt);
		imp.setCalibration(calibration(source, W, H));
		ImagePlus out = C > 1 ? new CompositeImage(imp, IJ.GRAYSCALE) : imp;
		if (out != imp) out.setCalibration(imp.getCalibration());
		out.setOpenAsHyperStack(nz * nt > 1 || C > 1);
		applyContrast(out, a);
		return out;
	}

	/** Calibration of a map of size W x H covering the whole source image. */
	public static Calibration calibration(ImagePlus source, int W, int H) {
		Calibration cal = source.getCalibration().copy();
		double sx = (double) source.getWidth() / W, sy = (double) source.getHeight() / H;
		cal.pixelWidth *= sx;
		cal.pixelHeight *= sy;
		cal.xOrigin /= sx;
		cal.yOrigin /= sy;
		cal.disableDensityCalibration();
		return cal;
	}

	/** Per-filter display range from the 0.5-99.5 percentiles; diverging LUT when values are signed. */
	static void applyContrast(ImagePlus imp, NdArray a) {
		int C = a.dim(3);
		boolean signed = signed(a);
		for (int c = 0; c < C; c++) {
			float[] all = channelValues(a, c);
			double[] r = range(all, signed);
			LUT lut = signed ? diverging() : gray();
			lut.min = r[0];
			lut.max = r[1];
			if (imp instanceof CompositeImage) {
				((CompositeImage) imp).setChannelLut(lut, c + 1);
			}
			else {
				imp.getProcessor().setLut(lut);
				imp.setDisplayRange(r[0], r[1]);
			}
		}
		if (imp instanceof CompositeImage) {
			CompositeImage ci = (CompositeImage) imp;
			ci.setC(1);
			ci.setDisplayRange(ci.getChannelLut(1).min, ci.getChannelLut(1).max);
		}
	}

	private static float[] channelValues(NdArray a, int c) {
		int C = a.dim(3);
		float[] d = a.data();
		float[] v = new float[d.length / C];
		for (int i = 0; i < v.length; i++) v[i] = d[i * C + c];
		return v;
	}

	/**
	 * Display range of values: percentiles {@link #LOW}..{@link #HIGH}, or symmetric around 0 when
	 * {@code signed}; never empty.
	 */
	public static double[] range(float[] values, boolean signed) {
		float[] s = values.clone();
		Arrays.sort(s);
		double lo = percentile(s, LOW), hi = percentile(s, HIGH);
		if (signed) {
			double m = Math.max(Math.abs(lo), Math.abs(hi));
			if (m == 0) m = 1;
			return new double[] { -m, m };
		}
		if (hi <= lo) hi = lo + (lo == 0 ? 1 : Math.abs(lo) * 1e-3);
		return new double[] { lo, hi };
	}

	/** Linear-interpolated percentile of sorted values. */
	public static double percentile(float[] sorted, double p) {
		if (sorted.length == 0) return 0;
		double pos = p / 100.0 * (sorted.length - 1);
		int i = (int) Math.floor(pos);
		int j = Math.min(i + 1, sorted.length - 1);
		return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
	}

	public static LUT gray() {
		byte[] r = new byte[256];
		for (int i = 0; i < 256; i++) r[i] = (byte) i;
		return new LUT(r, r.clone(), r.clone());
	}

	/** Blue - white - red, white at the middle (value 0 with a symmetric range). */
	public static LUT diverging() {
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 0; i < 256; i++) {
			double f = i / 255.0;
			double R, G, B;
			if (f < 0.5) { // blue (59,76,192) -> white
				double u = f / 0.5;
				R = 59 + u * (247 - 59); G = 76 + u * (247 - 76); B = 192 + u * (247 - 192);
			}
			else { // white -> red (180,4,38)
				double u = (f - 0.5) / 0.5;
				R = 247 + u * (180 - 247); G = 247 + u * (4 - 247); B = 247 + u * (38 - 247);
			}
			r[i] = (byte) Math.round(R);
			g[i] = (byte) Math.round(G);
			b[i] = (byte) Math.round(B);
		}
		return new LUT(r, g, b);
	}

	/** The maps of one item as tiles for {@link Montage}. */
	public static float[][] tiles(NdArray a, int item) {
		float[][] t = new float[a.dim(3)][];
		for (int c = 0; c < t.length; c++) t[c] = plane(a, item, c);
		return t;
	}

	/** Labels {@code 0..C-1} for montage tiles. */
	public static String[] filterLabels(int c) {
		String[] s = new String[c];
		for (int i = 0; i < c; i++) s[i] = Integer.toString(i);
		return s;
	}
}
