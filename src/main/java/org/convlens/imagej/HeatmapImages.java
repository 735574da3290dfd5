package org.convlens.imagej;

import java.awt.image.IndexColorModel;
import java.util.List;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;

import org.convlens.imagej.HeatmapDisplay.OverlayStyle;

/**
 * The heatmap as images of its own: the maps as a 32-bit stack with the source's dimensions and
 * calibration, and the source as shown blended with the map to one RGB image (e.g. for a PNG).
 */
final class HeatmapImages {

	private HeatmapImages() {}

	/** {@link HeatmapDisplay#heatmapImageLabelled}. */
	static ImagePlus heatmapImageLabelled(ImagePlus source, List<float[]> mapsPerPosition, String title, List<String> labels) {
		HeatmapDisplay.check(source, mapsPerPosition);
		int w = source.getWidth(), h = source.getHeight();
		ImageStack st = new ImageStack(w, h);
		float max = 0, min = 0;
		for (int i = 0; i < mapsPerPosition.size(); i++) {
			float[] m = mapsPerPosition.get(i);
			for (float v : m) {
				if (v > max) max = v;
				if (v < min) min = v;
			}
			st.addSlice(HeatmapDisplay.label(labels, i), new FloatProcessor(w, h, m.clone()));
		}
		ImagePlus out = new ImagePlus(title, st);
		int nz = source.getNSlices(), nt = source.getNFrames();
		if (mapsPerPosition.size() > 1) {
			out.setDimensions(1, nz, nt);
			if (nz > 1 && nt > 1) out.setOpenAsHyperStack(true);
		}
		Calibration cal = source.getCalibration().copy();
		cal.disableDensityCalibration();
		out.setCalibration(cal);
		out.getProcessor().setLut(HeatmapDisplay.lutObject("fire"));
		out.setLut(HeatmapDisplay.lutObject("fire"));
		out.setDisplayRange(min, max > min ? max : min + 1);
		StringBuilder info = new StringBuilder();
		if (labels != null && !labels.isEmpty()) {
			for (int i = 0; i < labels.size(); i++) {
				if (labels.get(i) != null) info.append(labels.size() > 1 ? "position " + (i + 1) + ": " : "").append(labels.get(i)).append('\n');
			}
		}
		if (info.length() > 0) out.setProperty("Info", info.toString());
		if (labels != null && !labels.isEmpty() && labels.get(0) != null) out.setProperty("Label", labels.get(0));
		return out;
	}

	/** {@link HeatmapDisplay#blended}. */
	static ImagePlus blended(ImagePlus source, float[] map, OverlayStyle style) {
		OverlayStyle s = style == null ? OverlayStyle.defaults() : style;
		int w = source.getWidth(), h = source.getHeight();
		if (map.length != w * h) throw new IllegalArgumentException("The map has " + map.length + " values, not " + w + "x" + h + ".");
		ColorProcessor base = rendered(source);
		float[] r = HeatmapColours.range(List.of(map));
		byte[] idx;
		if (s.signed()) {
			int[] k = HeatmapColours.signedColours(map, Math.max(-r[0], r[1]), s.threshold(), HeatmapColours.IDENTITY);
			idx = new byte[k.length];
			for (int i = 0; i < k.length; i++) idx[i] = (byte) k[i];
		}
		else idx = HeatmapColours.indices(map, r[0], r[1], s.threshold());
		IndexColorModel cm = HeatmapLuts.lut(s.signed() ? HeatmapDisplay.DIVERGING : s.lut());
		int[] px = (int[]) base.getPixels();
		double a = s.opacity();
		for (int i = 0; i < px.length; i++) {
			int k = idx[i] & 0xff;
			if (k == 0) continue;
			int c = cm.getRGB(k), p = px[i];
			int rr = mix((p >> 16) & 0xff, (c >> 16) & 0xff, a), gg = mix((p >> 8) & 0xff, (c >> 8) & 0xff, a), bb = mix(p & 0xff, c & 0xff, a);
			px[i] = (rr << 16) | (gg << 8) | bb;
		}
		ImagePlus out = new ImagePlus(source.getShortTitle() + " heatmap overlay", base);
		out.setCalibration(source.getCalibration().copy());
		return out;
	}

	private static int mix(int under, int over, double a) {
		return (int) Math.round(under * (1 - a) + over * a);
	}

	/** The current position of the image rendered to RGB as it is displayed (without its overlay). */
	static ColorProcessor rendered(ImagePlus source) {
		if (source instanceof CompositeImage && ((CompositeImage) source).getMode() == CompositeImage.COMPOSITE) {
			CompositeImage ci = (CompositeImage) source;
			ci.updateImage();
			return new ColorProcessor(ci.getImage());
		}
		ij.process.ImageProcessor ip = source.getProcessor();
		if (ip instanceof ColorProcessor) return (ColorProcessor) ip.duplicate();
		// convertToRGB uses the display range and LUT; on a copy, so nothing of the source changes
		ij.process.ImageProcessor copy = ip.duplicate();
		copy.setLut(ip.getLut());
		copy.setMinAndMax(ip.getMin(), ip.getMax());
		return (ColorProcessor) copy.convertToRGB();
	}
}
