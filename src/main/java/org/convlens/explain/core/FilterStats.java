package org.convlens.explain.core;

import org.convlens.model.NdArray;

/**
 * Per-filter summary of a feature map {@code [N, H, W, C]} over all items and pixels: mean, min,
 * max and the fraction of exactly-zero values. A filter whose values are all zero is dead on
 * this input (typical of ReLU units that never fire).
 */
public final class FilterStats {

	public final int filter;
	public final double mean;
	public final double min;
	public final double max;
	public final double zeroFraction;

	private FilterStats(int filter, double mean, double min, double max, double zeroFraction) {
		this.filter = filter;
		this.mean = mean;
		this.min = min;
		this.max = max;
		this.zeroFraction = zeroFraction;
	}

	/** All values are zero. */
	public boolean dead() {
		return zeroFraction >= 1.0;
	}

	/** One entry per channel (last axis) of {@code a}. */
	public static FilterStats[] of(NdArray a) {
		int c = a.dim(-1);
		float[] d = a.data();
		int n = d.length / c;
		double[] sum = new double[c];
		double[] min = new double[c];
		double[] max = new double[c];
		long[] zeros = new long[c];
		java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
		java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
		for (int i = 0; i < d.length; i++) {
			int k = i % c;
			float v = d[i];
			sum[k] += v;
			if (v < min[k]) min[k] = v;
			if (v > max[k]) max[k] = v;
			if (v == 0f) zeros[k]++;
		}
		FilterStats[] s = new FilterStats[c];
		for (int k = 0; k < c; k++) s[k] = new FilterStats(k, n == 0 ? 0 : sum[k] / n, min[k], max[k], n == 0 ? 0 : (double) zeros[k] / n);
		return s;
	}
}
