package org.convlens.explain.core;

import java.util.Locale;

/**
 * Names a degenerate map (all zero, constant, or holding NaN/Inf), so that commands can say so
 * in the Log, the caption, the Info and the tables instead of showing a uniform picture as if
 * it meant something.
 */
public final class Degenerate {

	private Degenerate() {}

	/**
	 * What is wrong with a map, or null when it is usable: {@code holds N NaN/Inf values},
	 * {@code all zero}, {@code constant (v)}. A map whose finite values are equal counts as constant.
	 */
	public static String describe(float[] map) {
		if (map == null || map.length == 0) return "empty";
		int bad = 0;
		double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
		for (float v : map) {
			if (!Float.isFinite(v)) {
				bad++;
				continue;
			}
			min = Math.min(min, v);
			max = Math.max(max, v);
		}
		if (bad > 0) return "holds " + bad + " NaN/Inf value" + (bad == 1 ? "" : "s") + " of " + map.length;
		if (max == 0 && min == 0) return "all zero";
		// relative to the map's scale: float noise on a constant must not count as structure
		if (max - min <= 1e-6 * Math.max(Math.abs(max), Math.abs(min))) return String.format(Locale.ROOT, "constant (%.4g)", max);
		return null;
	}

	/** As {@link #describe}, prefixed for a message: {@code "map is all zero"}; null when usable. */
	public static String message(String what, float[] map) {
		String d = describe(map);
		return d == null ? null : what + " is " + d;
	}
}
