package org.convlens.explain.core;

import java.util.Arrays;
import java.util.Comparator;

/** The {@code k} highest scores of a vector, best first (ties keep the lower index first). */
public final class TopK {

	private TopK() {}

	/** Indices of the {@code k} largest values of {@code scores}, in decreasing order of value. */
	public static int[] indices(float[] scores, int k) {
		Integer[] idx = new Integer[scores.length];
		for (int i = 0; i < idx.length; i++) idx[i] = i;
		Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
		int n = Math.max(0, Math.min(k, scores.length));
		int[] out = new int[n];
		for (int i = 0; i < n; i++) out[i] = idx[i];
		return out;
	}
}
