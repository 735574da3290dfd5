package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
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
		check(source, mapsPerPosition);
		int w = source.getWidth(), h = source.getHeight();
		ImageStack st = new ImageStack(w, h);
		float max = 0, min = 0;
		for (int i = 0; i < mapsPerPosition.size(); i++) {
			float[] m = mapsPerPosition.get(i);
			for (float v : m) {
				if (v > max) max = v;
				if (v < min) min = v;
			}
			st.addSlice(label(labels, i), new FloatProcessor(w, h, m.clone()));
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
		out.getProcessor().setLut(lutObject("fire"));
		out.setLut(lutObject("fire"));
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
		check(source, mapsPerPosition);
		OverlayStyle s = style == null ? OverlayStyle.defaults() : style;
		Overlay ov = source.getOverlay() == null ? new Overlay() : source.getOverlay();
		removeFrom(ov);
		int n = mapsPerPosition.size();
		List<ImageInput.Position> ps = ImageInput.positions(source);
		float[] range = s.shared() ? range(mapsPerPosition) : null;
		int[] argb = OVERLAY_LUTS.computeIfAbsent(s.signed() ? DIVERGING : s.lut(), l -> argb(transparentZero(lut(l))));
		for (int i = 0; i < n; i++) {
			float[] m = mapsPerPosition.get(i);
			float[] r = range != null ? range : range(List.of(m));
			int[] px = s.signed() ? signedColours(m, Math.max(-r[0], r[1]), s.threshold(), argb) : colours(m, r[0], r[1], s.threshold(), argb);
			ImageRoi roi = new HeatmapRoi(source.getWidth(), source.getHeight(), px);
			roi.setOpacity(s.opacity());
			roi.setName(OVERLAY_NAME);
			String text = label(labels, i);
			if (text != null) roi.setProperty("label", text);
			if (n > 1) position(roi, source, ps.get(i));
			ov.add(roi);
			if (s.legend() && text != null && !text.isEmpty()) {
				Roi legend = legend(source, text);
				if (n > 1) position(legend, source, ps.get(i));
				ov.add(legend);
			}
		}
		source.setOverlay(ov);
	}

	/** Removes the heatmap and its captions from the image's overlay, keeping everything else. */
	public static void remove(ImagePlus source) {
		Overlay ov = source.getOverlay();
		if (ov == null) return;
		removeFrom(ov);
		source.setOverlay(ov.size() == 0 ? null : ov);
	}

	/** The heatmap {@link ImageRoi}s in the image's overlay (empty when none). */
	public static List<ImageRoi> heatmapRois(ImagePlus source) {
		List<ImageRoi> l = new ArrayList<>();
		Overlay ov = source.getOverlay();
		if (ov == null) return l;
		for (int i = 0; i < ov.size(); i++) if (ov.get(i) instanceof ImageRoi && OVERLAY_NAME.equals(ov.get(i).getName())) l.add((ImageRoi) ov.get(i));
		return l;
	}

	private static void removeFrom(Overlay ov) {
		for (int i = ov.size() - 1; i >= 0; i--) {
			String name = ov.get(i).getName();
			if (name != null && name.startsWith(OVERLAY_NAME)) ov.remove(i);
		}
	}

	private static void position(Roi roi, ImagePlus source, ImageInput.Position p) {
		if (source.isHyperStack() || source.getNChannels() > 1) roi.setPosition(0, p.z, p.t);
		else roi.setPosition(source.getStackIndex(1, p.z, p.t));
	}

	private static Roi legend(ImagePlus source, String text) {
		// screen-sized text, whatever the zoom: small images (32 px) would otherwise be covered by it
		TextRoi t = new TextRoi(0, 0, text, new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		t.setNonScalable(true);
		t.setStrokeColor(Color.WHITE);
		t.setFillColor(new Color(0, 0, 0, 128));
		t.setAntiAlias(true);
		t.setName(LEGEND_NAME);
		return t;
	}

	/**
	 * The source as shown (current position, display range, LUT or channel colours) blended with
	 * the map as the overlay shows it: an RGB image, e.g. for a PNG file. The source is not changed.
	 */
	public static ImagePlus blended(ImagePlus source, float[] map, OverlayStyle style) {
		OverlayStyle s = style == null ? OverlayStyle.defaults() : style;
		int w = source.getWidth(), h = source.getHeight();
		if (map.length != w * h) throw new IllegalArgumentException("The map has " + map.length + " values, not " + w + "x" + h + ".");
		ColorProcessor base = rendered(source);
		float[] r = range(List.of(map));
		byte[] idx;
		if (s.signed()) {
			int[] k = signedColours(map, Math.max(-r[0], r[1]), s.threshold(), IDENTITY);
			idx = new byte[k.length];
			for (int i = 0; i < k.length; i++) idx[i] = (byte) k[i];
		}
		else idx = indices(map, r[0], r[1], s.threshold());
		IndexColorModel cm = lut(s.signed() ? DIVERGING : s.lut());
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

	/**
	 * Map values to LUT indices: 0 (transparent) below {@code threshold} of {@code [lo, hi]}, else
	 * 1..255 in proportion: {@code f = (m[i] - lo) / (hi - lo)}, 0 unless {@code f >= threshold}
	 * and {@code f > 0}, else {@code round(f * 255)} within 1..255.
	 */
	static byte[] indices(float[] m, float lo, float hi, double threshold) {
		int[] k = colours(m, lo, hi, threshold, IDENTITY);
		byte[] b = new byte[m.length];
		for (int i = 0; i < b.length; i++) b[i] = (byte) k[i];
		return b;
	}

	/** Index k to k: {@link #colours} with it gives the indices themselves. */
	private static final int[] IDENTITY = java.util.stream.IntStream.range(0, 256).toArray();

	/** {@link #indices} looked up in {@code colours} (256 values, the first 0, e.g. ARGB) in the same pass. */
	static int[] colours(float[] m, float lo, float hi, double threshold, int[] colours) {
		int[] c = new int[m.length];
		double d = hi - lo;
		if (!(d > 0)) return c;
		// (x / d >= threshold) rises with x = m[i] - lo, so most transparent pixels are those below
		// one float and need no division (the test on f stays for the rest)
		float xs = smallestAtLeast(d, threshold);
		for (int i = 0; i < m.length; i++) {
			float x = m[i] - lo;
			if (!(x >= xs) || !(x > 0)) continue;
			double f = x / d;
			if (!(f >= threshold) || f <= 0) continue;
			// f > 0 here, so adding 0.5 and truncating is Math.round (without its slow path)
			c[i] = colours[Math.max(1, Math.min(255, (int) (f * 255 + 0.5)))];
		}
		return c;
	}

	/**
	 * A signed map's LUT indices looked up in {@code colours} (256 values, the first transparent):
	 * {@code f = m[i] / a} in [-1, 1] goes to index {@code 128 + round(127 f)} (1 = most negative,
	 * 128 = zero, 255 = most positive), and values with {@code |f| < threshold} (zero included),
	 * NaN and infinities are transparent (index 0): around zero nothing is painted.
	 *
	 * @param a the largest absolute value (the scale); nothing is painted when it is not positive
	 */
	static int[] signedColours(float[] m, float a, double threshold, int[] colours) {
		int[] c = new int[m.length];
		if (!(a > 0) || !Float.isFinite(a)) return c;
		for (int i = 0; i < m.length; i++) {
			float v = m[i];
			if (!Float.isFinite(v) || v == 0) continue;
			double f = v / (double) a;
			if (Math.abs(f) < threshold) continue;
			c[i] = colours[Math.max(1, Math.min(255, 128 + (int) Math.round(127 * Math.max(-1, Math.min(1, f)))))];
		}
		return c;
	}

	/** The smallest non-negative float {@code x} with {@code x / d >= threshold} (binary search over the float bits). */
	static float smallestAtLeast(double d, double threshold) {
		int lo = 0, hi = Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (Float.intBitsToFloat(mid) / d >= threshold) hi = mid;
			else lo = mid + 1;
		}
		return Float.intBitsToFloat(lo);
	}

	/** {@code [min(0, min), max]} of the finite values of the maps. */
	static float[] range(List<float[]> maps) {
		float lo = 0, hi = Float.NEGATIVE_INFINITY;
		for (float[] m : maps) {
			for (float v : m) {
				// NaN fails both comparisons; infinities are left out
				if (v < lo && v != Float.NEGATIVE_INFINITY) lo = v;
				if (v > hi && v != Float.POSITIVE_INFINITY) hi = v;
			}
		}
		return new float[] { lo, Math.max(hi, lo) };
	}

	private static IndexColorModel transparentZero(IndexColorModel cm) {
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		cm.getReds(r);
		cm.getGreens(g);
		cm.getBlues(b);
		// index 0 is black and no other index is: a zero-transparent ImageRoi read back from a file
		// (HeatmapRoi) makes exactly the black pixels transparent
		// (ImageJ keeps pixels brighter than 1, unweighted or weighted: near-black entries become (2, 2, 2) or brighter)
		r[0] = g[0] = b[0] = 0;
		for (int i = 1; i < 256; i++) {
			int rr = r[i] & 0xff, gg = g[i] & 0xff, bb = b[i] & 0xff;
			if ((rr + gg + bb) / 3.0 <= 1.5 || 0.299 * rr + 0.587 * gg + 0.114 * bb <= 1.5) {
				r[i] = (byte) Math.max(rr, 2);
				g[i] = (byte) Math.max(gg, 2);
				b[i] = (byte) Math.max(bb, 2);
			}
		}
		return new IndexColorModel(8, 256, r, g, b);
	}

	/**
	 * A LUT by name: jet, fire, magma, viridis, inferno, grays, red, ice, or any LUT ImageJ can load
	 * by name (Fiji's luts folder).
	 *
	 * @throws IllegalArgumentException for an unknown name
	 */
	public static IndexColorModel lut(String name) {
		String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
		IndexColorModel built = BuiltIn.LUTS.get(n);
		if (built != null) return built;
		if (!n.isEmpty()) {
			try {
				IndexColorModel cm = ij.plugin.LutLoader.getLut(n);
				if (cm != null) return cm;
			}
			catch (RuntimeException e) {
				// not a LUT ImageJ knows
			}
		}
		throw new IllegalArgumentException("Unknown LUT '" + name + "'; use one of " + String.join(", ", LUTS) + " or a LUT from ImageJ's luts folder.");
	}

	/** {@link #lut(String)} as an ImageJ {@link LUT}. */
	public static LUT lutObject(String name) {
		return new LUT(lut(name), 0, 255);
	}

	/** The built-in LUTs and ImageJ's own fire and ice, made once (IndexColorModels are immutable). */
	private static final class BuiltIn {
		static final java.util.Map<String, IndexColorModel> LUTS = new java.util.HashMap<>();
		static {
			for (String n : new String[] { "jet", "magma", "viridis", "inferno", "grays", "red" }) LUTS.put(n, builtIn(n));
			LUTS.put("gray", LUTS.get("grays"));
			LUTS.put(DIVERGING, (IndexColorModel) FeatureMaps.diverging().getColorModel());
			LUTS.put("grey", LUTS.get("grays"));
			for (String n : new String[] { "fire", "ice" }) {
				IndexColorModel cm = ij.plugin.LutLoader.getLut(n);
				if (cm != null) LUTS.put(n, cm);
			}
		}
	}

	/** Overlay colours ({@link #transparentZero} as ARGB) by LUT name; a LUT file changed on disk meanwhile is not seen. */
	private static final java.util.concurrent.ConcurrentMap<String, int[]> OVERLAY_LUTS = new java.util.concurrent.ConcurrentHashMap<>();

	/** The 256 colours as ARGB: index 0 fully transparent black, the others opaque. */
	private static int[] argb(IndexColorModel cm) {
		int[] c = new int[256];
		for (int k = 1; k < 256; k++) c[k] = 0xff000000 | cm.getRGB(k);
		return c;
	}

	private static IndexColorModel builtIn(String n) {
		switch (n) {
			case "jet": return fromFunction(x -> new double[] { clip(1.5 - Math.abs(4 * x - 3)), clip(1.5 - Math.abs(4 * x - 2)), clip(1.5 - Math.abs(4 * x - 1)) });
			case "magma": return fromStops(MAGMA);
			case "viridis": return fromStops(VIRIDIS);
			case "inferno": return fromStops(INFERNO);
			case "grays": return fromFunction(x -> new double[] { x, x, x });
			case "red": return fromFunction(x -> new double[] { x, 0, 0 });
			default: throw new IllegalArgumentException(n);
		}
	}

	private static double clip(double v) {
		return Math.max(0, Math.min(1, v));
	}

	private static IndexColorModel fromFunction(java.util.function.DoubleFunction<double[]> f) {
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 0; i < 256; i++) {
			double[] c = f.apply(i / 255.0);
			r[i] = (byte) Math.round(255 * c[0]);
			g[i] = (byte) Math.round(255 * c[1]);
			b[i] = (byte) Math.round(255 * c[2]);
		}
		return new IndexColorModel(8, 256, r, g, b);
	}

	private static IndexColorModel fromStops(int[][] stops) {
		return fromFunction(x -> {
			double p = x * (stops.length - 1);
			int i = Math.min(stops.length - 2, (int) Math.floor(p));
			double f = p - i;
			double[] c = new double[3];
			for (int k = 0; k < 3; k++) c[k] = (stops[i][k] + f * (stops[i + 1][k] - stops[i][k])) / 255.0;
			return c;
		});
	}

	// matplotlib's maps sampled at 9 points
	private static final int[][] MAGMA = { { 0, 0, 4 }, { 28, 16, 68 }, { 79, 18, 123 }, { 129, 37, 129 }, { 181, 54, 122 }, { 229, 80, 100 },
		{ 251, 135, 97 }, { 254, 194, 135 }, { 252, 253, 191 } };
	private static final int[][] VIRIDIS = { { 68, 1, 84 }, { 71, 44, 122 }, { 59, 81, 139 }, { 44, 113, 142 }, { 33, 144, 141 }, { 39, 173, 129 },
		{ 92, 200, 99 }, { 170, 220, 50 }, { 253, 231, 37 } };
	private static final int[][] INFERNO = { { 0, 0, 4 }, { 31, 12, 72 }, { 85, 15, 109 }, { 136, 34, 106 }, { 186, 54, 85 }, { 227, 89, 51 },
		{ 249, 140, 10 }, { 249, 201, 50 }, { 252, 255, 164 } };

	private static List<String> labels(String label, int n) {
		List<String> l = new ArrayList<>(n);
		for (int i = 0; i < n; i++) l.add(label);
		return l;
	}

	private static String label(List<String> labels, int i) {
		if (labels == null || labels.isEmpty()) return null;
		return labels.get(Math.min(i, labels.size() - 1));
	}

	private static void check(ImagePlus source, List<float[]> maps) {
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
