package org.convlens.imagej;

import java.awt.image.IndexColorModel;
import java.util.Locale;

/**
 * The heatmaps' lookup tables by name: built-in jet, magma, viridis, inferno, grays, red and the
 * diverging LUT of signed maps, ImageJ's fire and ice, any LUT of ImageJ's luts folder, and the
 * overlay's colours made from them (index 0 transparent, no other index black).
 */
final class HeatmapLuts {

	private HeatmapLuts() {}

	/** {@link HeatmapDisplay#lut(String)}. */
	static IndexColorModel lut(String name) {
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
		throw new IllegalArgumentException("Unknown LUT '" + name + "'; use one of " + String.join(", ", HeatmapDisplay.LUTS) + " or a LUT from ImageJ's luts folder.");
	}

	/** The overlay's colours for a LUT name: {@link #transparentZero} as ARGB, made once per name. */
	static int[] overlayColours(String name) {
		return OVERLAY_LUTS.computeIfAbsent(name, l -> argb(transparentZero(lut(l))));
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

	/** The built-in LUTs and ImageJ's own fire and ice, made once (IndexColorModels are immutable). */
	private static final class BuiltIn {
		static final java.util.Map<String, IndexColorModel> LUTS = new java.util.HashMap<>();
		static {
			for (String n : new String[] { "jet", "magma", "viridis", "inferno", "grays", "red" }) LUTS.put(n, builtIn(n));
			LUTS.put("gray", LUTS.get("grays"));
			LUTS.put(HeatmapDisplay.DIVERGING, (IndexColorModel) FeatureMaps.diverging().getColorModel());
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
}
