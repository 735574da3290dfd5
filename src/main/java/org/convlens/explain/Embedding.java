package org.convlens.explain;

import java.util.Locale;

/**
 * Two-dimensional maps of CNN codes with t-SNE, plus the neighbour statistic used to judge a map.
 * Two libraries, by the number of images ({@link Method#AUTO}):
 * <ul>
 * <li>exact t-SNE from Smile ({@code smile.manifold.TSNE}, LGPL): time and memory grow with the
 * square of the number of images (three {@code n x n} double matrices, {@link #tsneBytes(int)},
 * checked before starting), which suits up to about two thousand images;</li>
 * <li>Barnes-Hut t-SNE from {@code de.javagl:bh-tsne} (BSD, derived from T-SNE-Java): sparse
 * input similarities (3 x perplexity neighbours per image, from a vantage-point tree) and an
 * approximate repulsion (space-partitioning tree, accuracy {@code theta}); time O(n log n),
 * memory O(n), for thousands of images and more.</li>
 * </ul>
 */
public final class Embedding {

	private Embedding() {}

	/** Which t-SNE. */
	public enum Method {
		/** Exact up to {@link Embedding#EXACT_LIMIT} images (or while its memory fits), Barnes-Hut beyond. */
		AUTO,
		/** Smile's exact t-SNE. */
		EXACT,
		/** Barnes-Hut t-SNE. */
		BARNES_HUT;

		/** Reads auto, exact, barnes-hut (case and separators ignored). */
		public static Method parse(String s) {
			String k = s == null ? "auto" : s.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
			switch (k) {
				case "": case "auto": return AUTO;
				case "exact": return EXACT;
				case "barneshut": case "bh": return BARNES_HUT;
				default: throw new IllegalArgumentException("Unknown t-SNE method '" + s + "'; use auto, exact or barnes-hut.");
			}
		}
	}

	/** Most images {@link Method#AUTO} embeds with the exact t-SNE. */
	public static final int EXACT_LIMIT = 2000;

	/** t-SNE settings. */
	public static final class TsneOptions {
		private double perplexity = 30;
		private int iterations = 1000;
		private long seed = 42;
		private double learningRate = 200;
		private Method method = Method.AUTO;
		private double theta = 0.5;

		public TsneOptions method(Method m) {
			this.method = m == null ? Method.AUTO : m;
			return this;
		}

		/** Barnes-Hut accuracy: 0 is exact repulsion, larger is faster and coarser (0.5 is usual). */
		public TsneOptions theta(double t) {
			if (!(t > 0 && t <= 1)) throw new IllegalArgumentException("Theta must be in (0, 1]: " + t);
			this.theta = t;
			return this;
		}

		public Method method() { return method; }
		public double theta() { return theta; }

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
			return String.format(Locale.ROOT, "perplexity=%s iterations=%d seed=%d learning_rate=%s method=%s theta=%s", perplexity, iterations,
				seed, learningRate, method.name().toLowerCase(Locale.ROOT).replace('_', '-'), theta);
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
		long need = tsneBytes(n), free = freeBytes();
		Method method = chosen(o.method(), n, need <= free * 0.8);
		if (method == Method.EXACT && need > free * 0.8) {
			throw new DatasetException(String.format(Locale.ROOT, "Exact t-SNE of %d images needs about %d MB of memory but only %d MB " +
				"are free. Use method barnes-hut, fewer images, or give ImageJ more memory (Edit > Options > Memory & Threads).", n,
				need >> 20, free >> 20));
		}
		double[][] x = doubles(codes);
		double perplexity = Math.min(o.perplexity(), maxPerplexity(n));
		double[][] y = method == Method.BARNES_HUT ? barnesHut(x, perplexity, o, p) : exact(x, perplexity, o, p);
		for (double[] r : y) {
			if (!Double.isFinite(r[0]) || !Double.isFinite(r[1])) {
				throw new DatasetException("t-SNE did not converge (non-finite coordinates); try a lower learning rate or perplexity.");
			}
		}
		return y;
	}

	/** The method {@link #tsne} takes for {@code n} images with {@code m}, given the memory free now. */
	public static Method resolve(Method m, int n) {
		return chosen(m, n, tsneBytes(n) <= freeBytes() * 0.8);
	}

	/** Heap that can still be allocated. */
	private static long freeBytes() {
		Runtime rt = Runtime.getRuntime();
		return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
	}

	/** The method {@code m} means for {@code n} images; AUTO takes Barnes-Hut above the limit or when exact would not fit. */
	public static Method chosen(Method m, int n, boolean exactFits) {
		if (m != Method.AUTO) return m;
		return n > EXACT_LIMIT || !exactFits ? Method.BARNES_HUT : Method.EXACT;
	}

	/** The codes as doubles, checked: one length, finite values. */
	private static double[][] doubles(float[][] codes) {
		int n = codes.length, dim = codes[0].length;
		double[][] x = new double[n][dim];
		for (int i = 0; i < n; i++) {
			if (codes[i].length != dim) throw new IllegalArgumentException("Code " + i + " has " + codes[i].length + " values, not " + dim);
			for (int j = 0; j < dim; j++) {
				float v = codes[i][j];
				if (!Float.isFinite(v)) throw new DatasetException("Code " + i + " holds a non-finite value; t-SNE needs finite codes.");
				x[i][j] = v;
			}
		}
		return x;
	}

	/** Smile's exact t-SNE. */
	private static double[][] exact(double[][] x, double perplexity, TsneOptions o, Progress p) {
		int n = x.length;
		// Smile treats a square matrix as a distance matrix; one zero column keeps codes as codes
		if (x[0].length == n) x = appendZeroColumn(x);
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
		return t.coordinates;
	}

	/**
	 * Barnes-Hut t-SNE on the codes as they are (initial dimensions = the codes' own: the library's
	 * optional PCA, which needs EJML, is not used). Its learning rate is fixed (200).
	 */
	private static double[][] barnesHut(double[][] x, double perplexity, TsneOptions o, Progress p) {
		int n = x.length;
		// the library refuses n - 1 < 3 * perplexity
		double perp = Math.min(perplexity, Math.floor((n - 1) / 3.0 * 1000) / 1000);
		p.update(0, "t-SNE (Barnes-Hut): neighbours of " + n + " images");
		de.javagl.tsne.Tsne t = new de.javagl.tsne.Tsne();
		t.setOutputDims(2);
		t.setInitialDims(0);
		t.setMaxIterations(o.iterations());
		t.setPerplexity(perp);
		t.setTheta(o.theta());
		t.setRandomSeed(o.seed());
		t.setMessageConsumer(m -> {});
		t.setProgressConsumer(f -> {
			p.checkCancelled();
			p.update(f, "t-SNE (Barnes-Hut): " + Math.round(f * o.iterations()) + " of " + o.iterations() + " iterations");
		});
		return t.run(x);
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
