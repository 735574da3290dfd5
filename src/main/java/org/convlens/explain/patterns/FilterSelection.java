package org.convlens.explain.patterns;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Reads which filters to show: {@code all} (or empty), a range {@code 4-11}, a list
 * {@code 0,3,7}, or a mix {@code 0-3, 8, 12-15}. Indices are 0-based; ranges include both ends;
 * repeats are dropped, the order kept.
 */
public final class FilterSelection {

	private FilterSelection() {}

	/**
	 * @param count number of filters of the layer
	 * @throws IllegalArgumentException naming the bad part and the valid range
	 */
	public static int[] parse(String spec, int count) {
		if (count <= 0) throw new IllegalArgumentException("The layer has no filters.");
		String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
		if (s.isEmpty() || s.equals("all") || s.equals("*")) {
			int[] all = new int[count];
			for (int i = 0; i < count; i++) all[i] = i;
			return all;
		}
		Set<Integer> out = new LinkedHashSet<>();
		for (String tok : s.split("[,;\\s]+")) {
			if (tok.isEmpty()) continue;
			int dash = tok.indexOf('-', 1);
			try {
				if (dash > 0) {
					int a = Integer.parseInt(tok.substring(0, dash).trim());
					int b = Integer.parseInt(tok.substring(dash + 1).trim());
					check(a, count, tok);
					check(b, count, tok);
					if (b < a) throw new IllegalArgumentException("Range '" + tok + "' runs backwards.");
					for (int i = a; i <= b; i++) out.add(i);
				}
				else {
					int a = Integer.parseInt(tok);
					check(a, count, tok);
					out.add(a);
				}
			}
			catch (NumberFormatException e) {
				throw new IllegalArgumentException("Cannot read filters '" + tok + "' in '" + spec + "'; use all, a range like 0-7 or a list like 0,3,5.");
			}
		}
		if (out.isEmpty()) throw new IllegalArgumentException("No filters selected by '" + spec + "'.");
		return out.stream().mapToInt(Integer::intValue).toArray();
	}

	private static void check(int i, int count, String tok) {
		if (i < 0 || i >= count) {
			throw new IllegalArgumentException("Filter " + i + " (in '" + tok + "') does not exist: the layer has filters 0-" + (count - 1) + ".");
		}
	}
}
