package org.convlens.imagej;

import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.TextRoi;
import ij.process.LUT;

/**
 * The display of any per-pixel explanation map (class activation maps, saliency, occlusion) over
 * the image it explains: an overlay of {@link ImageRoi}s that never touches the image's pixels, the
 * map as a 32-bit image with the image's size and calibration, and an RGB blend for PNG files.
 *
 * <p>Maps are {@code float[]} of {@code width * height} values, row-major, one per position
 * (slice/frame) of the source in {@link ImageInput#positions} order (slice fastest). Values are
 * shown from {@code min(0, min)} to the maximum, so for the non-negative maps of CAM methods zero
 * stays zero; values below {@link OverlayStyle#threshold()} of that range are transparent.
 *
 * <p>This class is the public face; the work is done by {@link HeatmapImages} (32-bit map, RGB
 * blend), {@link HeatmapOverlay} (the overlay), {@link HeatmapColours} (values to LUT indices) and
 * {@link HeatmapLuts} (LUTs by name).
 */
public final class HeatmapDisplay {

	/** Name of the heatmap {@link ImageRoi}s; overlay elements with this name are replaced, others kept. */
	public static final String OVERLAY_NAME = "ConvLens heatmap";

	/** Name of the caption {@link TextRoi} drawn with the heatmap (replaced with it). */
	public static final String LEGEND_NAME = OVERLAY_NAME + " legend";

	/** Name of the diverging LUT of signed maps (blue, white at 0, red; {@link #lut(String)} knows it). */
	public static final String DIVERGING = "diverging";

	/** LUT names {@link #lut(String)} knows without ImageJ's luts folder. */
	public static final String[] LUTS = { "jet", "fire", "magma", "viridis", "inferno", "grays", "red", "ice" };

	private HeatmapDisplay() {}

	/** How the overlay looks; immutable, each {@code with...} returns a changed copy. */
	public static final class OverlayStyle {
		private final String lut;
		private final double opacity;
		private final double threshold;
		private final boolean shared;
		private final boolean legend;
		private final boolean signed;

		public OverlayStyle(String lut, double opacity, double threshold, boolean shared, boolean legend) {
			this(lut, opacity, threshold, shared, legend, false);
		}

		private OverlayStyle(String lut, double opacity, double threshold, boolean shared, boolean legend, boolean signed) {
			this.signed = signed;
			if (!(opacity >= 0 && opacity <= 1)) throw new IllegalArgumentException("Opacity must be between 0 and 1, not " + opacity + ".");
			if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("Threshold must be between 0 and 1, not " + threshold + ".");
			HeatmapDisplay.lut(lut); // checks the name
			this.lut = lut;
			this.opacity = opacity;
			this.threshold = threshold;
			this.shared = shared;
			this.legend = legend;
		}

		/** jet, opacity 0.5, values below 0.15 of the range transparent, each position scaled to its own maximum, with a caption. */
		public static OverlayStyle defaults() {
			return new OverlayStyle("jet", 0.5, 0.15, false, true);
		}

		public OverlayStyle withLut(String l) { return new OverlayStyle(l, opacity, threshold, shared, legend, signed); }
		public OverlayStyle withOpacity(double o) { return new OverlayStyle(lut, o, threshold, shared, legend, signed); }
		public OverlayStyle withThreshold(double t) { return new OverlayStyle(lut, opacity, t, shared, legend, signed); }
		/** true: one scale for all positions of a stack (compare slices); false: each position to its own maximum. */
		public OverlayStyle withShared(boolean s) { return new OverlayStyle(lut, opacity, threshold, s, legend, signed); }
		/** Whether the overlay also gets a caption (the label) in its top-left corner. */
		public OverlayStyle withLegend(boolean l) { return new OverlayStyle(lut, opacity, threshold, shared, l, signed); }
		/**
		 * true: the map is signed (Integrated Gradients, a signed gradient): shown with the
		 * {@link #DIVERGING} LUT centred on 0 (blue negative, red positive), values within
		 * {@code threshold} of the largest |value| transparent; the LUT name is then not used.
		 */
		public OverlayStyle withSigned(boolean sg) { return new OverlayStyle(lut, opacity, threshold, shared, legend, sg); }
		public boolean signed() { return signed; }

		public String lut() { return lut; }
		/** 0 (invisible) to 1 (opaque). */
		public double opacity() { return opacity; }
		/** Fraction (0..1) of the scaled range below which the map is transparent. */
		public double threshold() { return threshold; }
		public boolean shared() { return shared; }
		public boolean legend() { return legend; }

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "lut=%s opacity=%.2f threshold=%.2f %s", signed ? DIVERGING + " (signed)" : lut, opacity, threshold,
				shared ? "shared" : "per-position");
		}
	}

	/**
	 * The maps as a 32-bit image: one plane per position, with the source's Z and T dimensions and
	 * calibration, a heat LUT, the label as slice labels and in the Info property.
	 *
	 * @param mapsPerPosition one map per (z, t) of the source, slice fastest
	 * @throws IllegalArgumentException when the number or size of the maps does not fit the source
	 */
	public static ImagePlus heatmapImage(ImagePlus source, List<float[]> mapsPerPosition, String title, String label) {
		return heatmapImageLabelled(source, mapsPerPosition, title, labels(label, mapsPerPosition.size()));
	}

	/** As {@link #heatmapImage(ImagePlus, List, String, String)} with a label per position. */
	public static ImagePlus heatmapImageLabelled(ImagePlus source, List<float[]> mapsPerPosition, String title, List<String> labels) {
		return HeatmapImages.heatmapImageLabelled(source, mapsPerPosition, title, labels);
	}

	/**
	 * Lays the maps over the source as {@link ImageRoi}s named {@link #OVERLAY_NAME}, one per
	 * position, each bound to its slice/frame; replaces the previous heatmap (and its caption) but
	 * keeps the other overlay elements. The source's pixels are not changed.
	 */
	public static void overlay(ImagePlus source, List<float[]> mapsPerPosition, OverlayStyle style, String label) {
		overlayLabelled(source, mapsPerPosition, style, labels(label, mapsPerPosition.size()));
	}

	/** As {@link #overlay(ImagePlus, List, OverlayStyle, String)} with a caption per position. */
	public static void overlayLabelled(ImagePlus source, List<float[]> mapsPerPosition, OverlayStyle style, List<String> labels) {
		HeatmapOverlay.overlayLabelled(source, mapsPerPosition, style, labels);
	}

	/** Removes the heatmap and its captions from the image's overlay, keeping everything else. */
	public static void remove(ImagePlus source) {
		HeatmapOverlay.remove(source);
	}

	/** The heatmap {@link ImageRoi}s in the image's overlay (empty when none). */
	public static List<ImageRoi> heatmapRois(ImagePlus source) {
		return HeatmapOverlay.heatmapRois(source);
	}

	/**
	 * The source as shown (current position, display range, LUT or channel colours) blended with
	 * the map as the overlay shows it: an RGB image, e.g. for a PNG file. The source is not changed.
	 */
	public static ImagePlus blended(ImagePlus source, float[] map, OverlayStyle style) {
		return HeatmapImages.blended(source, map, style);
	}

	/**
	 * A LUT by name: jet, fire, magma, viridis, inferno, grays, red, ice, or any LUT ImageJ can load
	 * by name (Fiji's luts folder).
	 *
	 * @throws IllegalArgumentException for an unknown name
	 */
	public static IndexColorModel lut(String name) {
		return HeatmapLuts.lut(name);
	}

	/** {@link #lut(String)} as an ImageJ {@link LUT}. */
	public static LUT lutObject(String name) {
		return new LUT(lut(name), 0, 255);
	}

	private static List<String> labels(String label, int n) {
		List<String> l = new ArrayList<>(n);
		for (int i = 0; i < n; i++) l.add(label);
		return l;
	}

	/** The label of position {@code i}: the last one for the positions past the list, null for none. */
	static String label(List<String> labels, int i) {
		if (labels == null || labels.isEmpty()) return null;
		return labels.get(Math.min(i, labels.size() - 1));
	}

	/** Refuses maps that are not one per position of the source, each of its size. */
	static void check(ImagePlus source, List<float[]> maps) {
		ImageInput.require(source);
		int n = source.getNSlices() * source.getNFrames();
		if (maps == null || maps.size() != n) {
			throw new IllegalArgumentException("Expected " + n + " map(s), one per slice/frame of '" + source.getTitle() + "', got " +
				(maps == null ? 0 : maps.size()) + ".");
		}
		int size = source.getWidth() * source.getHeight();
		for (float[] m : maps) {
			if (m.length != size) throw new IllegalArgumentException("A map has " + m.length + " values, not " + source.getWidth() + "x" + source.getHeight() + ".");
		}
	}
}
