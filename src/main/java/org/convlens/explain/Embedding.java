package org.convlens.explain;

import java.util.Locale;

/**
 * Two-dimensional maps of CNN codes: t-SNE from Smile ({@code smile.manifold.TSNE}, LGPL), plus
 * the neighbour statistic used to judge a map.
 *
 * <p>Smile's t-SNE is exact: time and memory grow with the square of the number of images
 * (three {@code n x n} double matrices), which suits up to a few thousand images;
 * {@link #tsneBytes(int)} gives the estimate checked before starting.
 */
public final class Embedding {

	private Embedding() {}

	/** t-SNE settings. */
	public static final class TsneOptions {
		private double perplexity = 30;
		private int iterations = 1000;
		private long seed = 42;
		private double learningRate = 200;

		public TsneOptions perplexity(double p) {
			if (!(p > 0)) throw new IllegalArgumentException("Perplexity must be positive: " + p);
			this.perplexity = p;
			return this;
		}

		public TsneOptions iterations(int n) {
			if (n < 1) throw new IllegalArgumentException("Iterations must be at least 1: " + n);
			this.iterations = n;
			return this;
		}

		public TsneOptions seed(long s) {
			this.seed = s;
			return this;
		}

		public TsneOptions learningRate(double r) {
			if (!(r > 0)) throw new IllegalArgumentException("Learning rate must be positive: " + r);
			this.learningRate = r;
			return this;
		}

		public double perplexity() { return perplexity; }
		public int iterations() { return iterations; }
		public long seed() { return seed; }
		public double learningRate() { return learningRate; }

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "perplexity=%s iterations=%d seed=%d learning_rate=%s", perplexity, iterations, seed,
				learningRate);
		}
	}

	/** Approximate memory t-SNE of {@code n} points needs, in bytes. */
	public static long tsneBytes(int n) {
		return 3L * 8 * n * n + 64L * n;
	}

	/** The largest perplexity that makes sense for {@code n} points: {@code (n - 1) / 3}. */
	public static double maxPerplexity(int n) {
		return (n - 1) / 3.0;
	}

	/**
	 * Embeds the codes in 2-D with t-SNE. The same codes, options and seed give the same map.
	 *
	 * @return one {@code {x, y}} per code
	 * @throws DatasetException when there are too few points or too little memory
	 */
	public static double[][] tsne(float[][] codes, TsneOptions o, Progress progress) {
		Progress p = progress == null ? Progress.NONE : progress;
		int n = codes.length;
		if (n < 5) throw new DatasetException("t-SNE needs at least 5 images; there are " + n + ".");
		long need = tsneBytes(n);
		Runtime rt = Runtime.getRuntime();
		long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		if (need > free * 0.8) {
			throw new DatasetException(String.format(Locale.ROOT, "t-SNE of %d images needs about %d MB of memory but only %d MB " +
				"are free. Use fewer images, or give ImageJ more memory (Edit > Options > Memory & Threads).", n, need >> 20, free >> 20));
		}
		int dim = codes[0].length;
		double[][] x = new double[n][dim];
		for (int i = 0; i < n; i++) {
			if (codes[i].length != dim) throw new IllegalArgumentException("Code " + i + " has " + codes[i].length + " values, not " + dim);
			for (int j = 0; j < dim; j++) {
				float v = codes[i][j];
				if (!Float.isFinite(v)) throw new DatasetException("Code " + i + " holds a non-finite value; t-SNE needs finite codes.");
				x[i][j] = v;
			}
		}
		// Smile treats a square matrix as a distance matrix; one zero column keeps codes as codes
		if (dim == n) x = appendZeroColumn(x);
		double perplexity = Math.min(o.perplexity(), maxPerplexity(n));
		p.update(0, "t-SNE: similarities of " + n + " images");
		smile.math.MathEx.setSeed(o.seed()); // Smile's random generator is per thread: seed it on this one
		smile.manifold.TSNE t = new smile.manifold.TSNE(x, 2, perplexity, o.learningRate(), 1);
		x = null;
		int done = 1;
		int chunk = 50;
		while (done < o.iterations()) {
			p.checkCancelled();
			int step = Math.min(chunk, o.iterations() - done);
			t.update(step);
			done += step;
			p.update((double) done / o.iterations(), "t-SNE: iteration " + done + " of " + o.iterations());
		}
		double[][] y = t.coordinates;
		for (double[] r : y) {
			if (!Double.isFinite(r[0]) || !Double.isFinite(r[1])) {
				throw new DatasetException("t-SNE did not converge (non-finite coordinates); try a lower learning rate or perplexity.");
			}
		}
		return y;
	}

	private static double[][] appendZeroColumn(double[][] x) {
		double[][] r = new double[x.length][];
		for (int i = 0; i < x.length; i++) r[i] = java.util.Arrays.copyOf(x[i], x[i].length + 1);
		return r;
	}

	/**
	 * Leave-one-out k-nearest-neighbour accuracy of labels in a point set: the fraction of points
	 * whose label is the majority among their k nearest other points (ties go to the nearest
	 * neighbour's label). 1 = classes perfectly separated.
	 */
	public static double knnAccuracy(double[][] points, int[] labels, int k) {
		int n = points.length;
		if (n != labels.length) throw new IllegalArgumentException("Points and labels differ in number");
		if (n < 2) return Double.NaN;
		int kk = Math.min(k, n - 1);
		int maxLabel = 0;
		for (int l : labels) maxLabel = Math.max(maxLabel, l);
		int correct = 0;
		int[] nn = new int[kk];
		double[] nd = new double[kk];
		for (int i = 0; i < n; i++) {
			java.util.Arrays.fill(nd, Double.POSITIVE_INFINITY);
			java.util.Arrays.fill(nn, -1);
			for (int j = 0; j < n; j++) {
				if (j == i) continue;
				double d = 0;
				for (int c = 0; c < points[i].length; c++) {
					double e = points[i][c] - points[j][c];
					d += e * e;
				}
				if (d < nd[kk - 1]) {
					int pos = kk - 1;
					while (pos > 0 && nd[pos - 1] > d) {
						nd[pos] = nd[pos - 1];
						nn[pos] = nn[pos - 1];
						pos--;
					}
					nd[pos] = d;
					nn[pos] = j;
				}
			}
			int[] votes = new int[maxLabel + 1];
			for (int j : nn) votes[labels[j]]++;
			int best = labels[nn[0]];
			for (int l = 0; l < votes.length; l++) if (votes[l] > votes[best]) best = l;
			if (best == labels[i]) correct++;
		}
		return (double) correct / n;
	}
}
