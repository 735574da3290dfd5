package org.convlens.explain.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps the rows of a {@link CnnCodes} run in memory, for an embedding and tables. Holds one
 * vector per image: for very large datasets stream to a {@link CodeCsvWriter} instead.
 */
public final class CodeCollector implements Consumer<CnnCodes.Row> {

	private final List<CnnCodes.Row> rows = new ArrayList<>();

	@Override
	public synchronized void accept(CnnCodes.Row r) {
		rows.add(r);
	}

	public synchronized List<CnnCodes.Row> rows() {
		return List.copyOf(rows);
	}

	public synchronized int size() {
		return rows.size();
	}

	/** The code vectors, one row per image (not copies). */
	public synchronized float[][] codes() {
		float[][] c = new float[rows.size()][];
		for (int i = 0; i < c.length; i++) c[i] = rows.get(i).code();
		return c;
	}

	/** Predicted class per image. */
	public synchronized int[] predicted() {
		return rows.stream().mapToInt(CnnCodes.Row::predicted).toArray();
	}

	/** The distinct labels in order of first appearance; null labels are {@code ""}. */
	public synchronized List<String> labelNames() {
		Map<String, Integer> m = labelIndex();
		return new ArrayList<>(m.keySet());
	}

	/** Each image's label as an index into {@link #labelNames()}. */
	public synchronized int[] labels() {
		Map<String, Integer> m = labelIndex();
		int[] r = new int[rows.size()];
		for (int i = 0; i < r.length; i++) r[i] = m.get(label(rows.get(i)));
		return r;
	}

	/** Whether any image has a label. */
	public synchronized boolean hasLabels() {
		return rows.stream().anyMatch(r -> r.label() != null && !r.label().isEmpty());
	}

	private Map<String, Integer> labelIndex() {
		Map<String, Integer> m = new LinkedHashMap<>();
		for (CnnCodes.Row r : rows) m.putIfAbsent(label(r), m.size());
		return m;
	}

	private static String label(CnnCodes.Row r) {
		return r.label() == null ? "" : r.label();
	}
}
