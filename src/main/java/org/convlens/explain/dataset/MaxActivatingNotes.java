package org.convlens.explain.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one line that names a layer's dead filters (zero on every image) and constant ones, which
 * the max-activating images list last without a ranking; filter numbers as ranges.
 */
public final class MaxActivatingNotes {

	private MaxActivatingNotes() {}

	/** One line naming the dead and constant filters (listed after the live ones), or null when there are none. */
	public static String degenerate(MaxActivating.Result r, List<Integer> dead, List<Integer> constant) {
		return degenerate(r.layer(), r.filters().size(), r.report().processed(), dead, constant);
	}

	/** As {@link #degenerate(MaxActivating.Result, List, List)} of {@code filters} filters over {@code n} images (e.g. merged shards). */
	public static String degenerate(String layer, int filters, int n, List<Integer> dead, List<Integer> constant) {
		if (dead.isEmpty() && constant.isEmpty()) return null;
		StringBuilder sb = new StringBuilder();
		if (!dead.isEmpty()) sb.append(dead.size()).append(" of ").append(filters).append(" filters of ").append(layer)
			.append(" are dead (zero on all ").append(n).append(" images): ").append(ranges(dead));
		if (!constant.isEmpty()) sb.append(sb.length() > 0 ? "; " : "").append(constant.size()).append(" are constant: ")
			.append(ranges(constant));
		return sb.append(". They are listed last, without a ranking.").toString();
	}

	/** Filter numbers as ranges, e.g. {@code 0-3, 7, 9-10}. */
	public static String ranges(List<Integer> fs) {
		List<Integer> l = new ArrayList<>(fs);
		Collections.sort(l);
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < l.size();) {
			int j = i;
			while (j + 1 < l.size() && l.get(j + 1) == l.get(j) + 1) j++;
			sb.append(sb.length() > 0 ? ", " : "").append(l.get(i));
			if (j > i) sb.append('-').append(l.get(j));
			i = j + 1;
		}
		return sb.toString();
	}
}
