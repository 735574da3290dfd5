package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;
import java.util.Locale;

import ij.gui.Roi;
import ij.process.ColorProcessor;

/**
 * The colour scale of a heatmap overlay, kept as a property of its ROI so that a figure
 * ({@link Outputs#figure}) can draw it under the image: a PNG of an overlay is read without
 * ImageJ's LUT window, and a signed map's blue means nothing without its scale. The bar shows the
 * overlay's colours from the low to the high end of the range the map was coloured with (for a
 * signed map, from {@code -a} through 0 to {@code +a}), the values at its ends, and the threshold
 * below which nothing was drawn.
 */
final class HeatmapScale {

	/** The ROI property that holds the scale. */
	static final String PROPERTY = "convlens.scale";
	/** Height of the bar and its labels, in pixels. */
	static final int HEIGHT = 32;

	private final String lut;
	private final float lo;
	private final float hi;
	private final boolean signed;
	private final double threshold;

	private HeatmapScale(String lut, float lo, float hi, boolean signed, double threshold) {
		this.lut = lut;
		this.lo = lo;
		this.hi = hi;
		this.signed = signed;
		this.threshold = threshold;
	}

	/** Records on {@code roi} that its colours span {@code lo..hi} of {@code lut} (for a signed map {@code -hi..hi}). */
	static void set(Roi roi, String lut, float lo, float hi, boolean signed, double threshold) {
		roi.setProperty(PROPERTY, String.join(";", lut, Float.toString(lo), Float.toString(hi), Boolean.toString(signed), Double.toString(threshold)));
	}

	/** The scale recorded on {@code roi}, or null when there is none (or it cannot be read). */
	static HeatmapScale of(Roi roi) {
		String p = roi.getProperty(PROPERTY);
		if (p == null) return null;
		String[] f = p.split(";");
		if (f.length != 5) return null;
		try {
			return new HeatmapScale(f[0], Float.parseFloat(f[1]), Float.parseFloat(f[2]), Boolean.parseBoolean(f[3]), Double.parseDouble(f[4]));
		}
		catch (NumberFormatException e) {
			return null;
		}
	}

	/** Draws the bar and its labels into {@code out} from row {@code y}, {@code 4} pixels in from each side. */
	void draw(ColorProcessor out, int y, Font font) {
		int[] colours = HeatmapLuts.overlayColours(signed ? HeatmapDisplay.DIVERGING : lut);
		int x0 = 4, w = Math.max(2, out.getWidth() - 8), barH = 10;
		for (int x = 0; x < w; x++) {
			double f = (double) x / (w - 1);
			if ((signed ? Math.abs(2 * f - 1) : f) < threshold) continue; // not drawn on the image: white here too
			// the index the overlay gives a value at this point of the range (0 is transparent: its neighbour)
			int idx = Math.max(1, Math.min(255, (int) Math.round(1 + 254.0 * x / (w - 1))));
			out.setColor(new Color(colours[idx] & 0xffffff));
			out.drawLine(x0 + x, y, x0 + x, y + barH - 1);
		}
		out.setColor(Color.BLACK);
		out.drawRect(x0 - 1, y - 1, w + 2, barH + 2);
		out.setFont(font);
		out.setAntialiasedText(true);
		int ty = y + barH + 2 + out.getFontMetrics().getAscent();
		String left = signed ? num(-Math.abs(hi)) : num(lo), right = signed ? num(Math.abs(hi)) : num(hi);
		out.drawString(left, x0, ty);
		out.drawString(right, x0 + w - out.getStringWidth(right), ty);
		String middle = signed ? "0" : "";
		if (threshold > 0) middle += String.format(Locale.ROOT, signed ? " (|v| under %.0f%%: not drawn)" : "under %.0f%%: not drawn", 100 * threshold);
		int mw = out.getStringWidth(middle), mx = x0 + (w - mw) / 2;
		// only where it clears the end labels (a narrow figure keeps the ends)
		if (!middle.isEmpty() && mx >= x0 + out.getStringWidth(left) + 6 && mx + mw <= x0 + w - out.getStringWidth(right) - 6) out.drawString(middle, mx, ty);
	}

	private static String num(float v) {
		return String.format(Locale.ROOT, "%.3g", v);
	}
}
