package org.convlens.explain.dataset;

import java.util.Locale;
import org.convlens.explain.core.Progress;

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
		private double learningRate = Double.NaN; // NaN: auto
		private Method method = Method.AUTO;
		private double theta = 0.5;
		private int pcaDims = PCA_DIMS;

		/** At most this many principal components go into t-SNE (0 = the codes as they are). */
		public TsneOptions pca(int dims) {
			if (dims < 0) throw new IllegalArgumentException("PCA dimensions must be 0 (none) or more: " + dims);
			this.pcaDims = dims;
			return this;
		}

		public int pca() { return pcaDims; }

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

		/** A fixed learning rate (exact t-SNE; Barnes-Hut's is fixed at 200). */
		public TsneOptions learningRate(double r) {
			if (!(r > 0) || Double.isInfinite(r)) throw new IllegalArgumentException("Learning rate must be a positive number: " + r);
			this.learningRate = r;
			return this;
		}

		/** The learning rate grows with the number of images: {@link Embedding#autoLearningRate(int)} (the default). */
		public TsneOptions autoLearningRate() {
			this.learningRate = Double.NaN;
			return this;
		}

		/**
		 * Reads {@code auto} or a positive number.
		 *
		 * @throws IllegalArgumentException naming the valid values
		 */
		public TsneOptions learningRate(String s) {
			String t = s == null ? "" : s.trim();
			if (t.isEmpty() || t.equalsIgnoreCase("auto")) return autoLearningRate();
			double v;
			try {
				v = Double.parseDouble(t);
			}
			catch (NumberFormatException e) {
				throw new IllegalArgumentException("Learning rate '" + s + "' is neither 'auto' nor a number; use auto or a positive number such as 200.");
			}
			if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("Learning rate must be auto or a positive number, not " + s + ".");
			return learningRate(v);
		}

		/** Whether the learning rate is {@code auto}. */
		public boolean learningRateAuto() { return Double.isNaN(learningRate); }

		public double perplexity() { return perplexity; }
		public int iterations() { return iterations; }
		public long seed() { return seed; }
		/** The fixed learning rate, NaN for auto. */
		public double learningRate() { return learningRate; }

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "perplexity=%s iterations=%d seed=%d learning_rate=%s method=%s theta=%s pca=%d", perplexity, iterations,
				seed, learningRateAuto() ? "auto" : String.valueOf(learningRate), method.name().toLowerCase(Locale.ROOT).replace('_', '-'), theta, pcaDims);
		}
	}

	/** Components kept by the PCA before t-SNE, by default (scikit-learn's and openTSNE's advice). */
	public static final int PCA_DIMS = 50;
	/** Smile's early exaggeration (the first 100 iterations), also the usual one. */
	public static final double EARLY_EXAGGERATION = 12;
	/** Fewest images for t-SNE; fewer (but at least 2) get a PCA map. */
	public static final int MIN_TSNE = 5;
	/** Barnes-Hut's learning rate (the library's, fixed). */
	public static final double BARNES_HUT_LEARNING_RATE = 200;
	/**
	 * A map counts as converged when its points moved, over the last 50 iterations, less than this
	 * fraction of the map's RMS radius.
	 */
	public static final double CONVERGED_MOVEMENT = 0.01;

	/**
	 * scikit-learn's {@code learning_rate='auto'}: {@code max(n / early exaggeration / 4, 50)}
	 * (Belkina et al. 2019, with scikit-learn's factor 4 in the gradient, which Smile's has too).
	 */
	public static double autoLearningRate(int n) {
		return Math.max(n / EARLY_EXAGGERATION / 4, 50);
	}

	/**
	 * The {@code auto} learning rate of the exact t-SNE: {@link #autoLearningRate(int)}, capped at
	 * {@code n * perplexity / 12} for small sets. There each input similarity is large (about
	 * {@code 1 / (n * perplexity)}), and with Smile's gains a rate of 50 makes nine points oscillate
	 * for ever instead of settling; the cap changes nothing from about 50 images on (perplexity 30).
	 */
	public static double autoLearningRate(int n, double perplexity) {
		return Math.min(autoLearningRate(n), n * perplexity / EARLY_EXAGGERATION);
	}

	/** A 2-D map and how it was made. */
	public static final class Map {
		private final double[][] xy;
		private final String kind;
		private final Method method;
		private final Pca.Result pca;
		private final double learningRate;
		private final double movement;
		private final String note;

		Map(double[][] xy, String kind, Method method, Pca.Result pca, double learningRate, double movement, String note) {
			this.xy = xy;
			this.kind = kind;
			this.method = method;
			this.pca = pca;
			this.learningRate = learningRate;
			this.movement = movement;
			this.note = note;
		}

		/** One {@code {x, y}} per code. */
		public double[][] xy() { return xy; }
		/** {@code t-SNE}, or {@code PCA} for too few images. */
		public String kind() { return kind; }
		/** The t-SNE used (null for a PCA map). */
		public Method method() { return method; }
		/** The PCA before t-SNE (or the PCA map); null when the codes went in as they are. */
		public Pca.Result pca() { return pca; }
		/** Learning rate used (NaN for a PCA map). */
		public double learningRate() { return learningRate; }
		/** Movement over the last 50 iterations relative to the map's radius (NaN where not measured: Barnes-Hut, PCA). */
		public double movement() { return movement; }
		/** False when the points still moved {@link #CONVERGED_MOVEMENT} of the map's radius or more at the end. */
		public boolean converged() { return !(movement >= CONVERGED_MOVEMENT); }
		/** One line for the Log and the Info when the map is not a converged t-SNE (too few images, unconverged); else null. */
		public String note() { return note; }

		/** PCA in words for the Info, e.g. {@code 4096 -> 8 dimensions (97.2% of the variance)}; "none" when not used. */
		public String pcaText() {
			if (pca == null) return "none";
			return String.format(Locale.ROOT, "%d -> %d dimensions (%.1f%% of the variance)", pca.inputDims(), pca.dims(), 100 * pca.explained());
		}
	}

	/**
	 * The map of the codes: t-SNE after a PCA to at most {@link TsneOptions#pca()} dimensions; for
	 * 2 to 4 images, too few for t-SNE, the first two principal components, with a note saying so.
	 *
	 * @throws DatasetException for fewer than 2 codes, non-finite codes, too little memory, or a
	 *         t-SNE that diverged (non-finite coordinates)
	 */
	public static Map map(float[][] codes, TsneOptions o, Progress progress) {
		int n = codes.length;
		if (n < 2) throw new DatasetException("An embedding map needs at least 2 images; there " + (n == 1 ? "is 1." : "are " + n + "."));
		if (n < MIN_TSNE) {
			Pca.Result r = Pca.reduce(doubles(codes), 2);
			double[][] xy = new double[n][2];
			for (int i = 0; i < n; i++) {
				xy[i][0] = r.scores()[i][0];
				xy[i][1] = r.dims() > 1 ? r.scores()[i][1] : 0;
			}
			String note = String.format(Locale.ROOT, "%d images are too few for t-SNE (it needs at least %d): the map shows the first two " +
				"principal components of the codes instead.", n, MIN_TSNE);
			return new Map(xy, "PCA", null, r, Double.NaN, Double.NaN, note);
		}
		return tsneMap(codes, o, progress);
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
	 * Embeds the codes in 2-D with t-SNE (after the PCA of {@link #map}). The same codes, options
	 * and seed give the same map.
	 *
	 * @return one {@code {x, y}} per code
	 * @throws DatasetException when there are too few points or too little memory
	 */
	public static double[][] tsne(float[][] codes, TsneOptions o, Progress progress) {
		if (codes.length < MIN_TSNE) throw new DatasetException("t-SNE needs at least " + MIN_TSNE + " images; there are " + codes.length + ".");
		return tsneMap(codes, o, progress).xy();
	}

	private static Map tsneMap(float[][] codes, TsneOptions o, Progress progress) {
		Progress p = progress == null ? Progress.NONE : progress;
		int n = codes.length;
		long need = tsneBytes(n), free = freeBytes();
		Method method = chosen(o.method(), n, need <= free * 0.8);
		if (method == Method.EXACT && need > free * 0.8) {
			throw new DatasetException(String.format(Locale.ROOT, "Exact t-SNE of %d images needs about %d MB of memory but only %d MB " +
				"are free. Use method barnes-hut, fewer images, or give ImageJ more memory (Edit > Options > Memory & Threads).", n,
				need >> 20, free >> 20));
		}
		double[][] x = doubles(codes);
		Pca.Result pca = null;
		if (o.pca() > 0 && x[0].length > o.pca()) {
			p.update(0, "PCA of " + n + " codes of " + x[0].length + " values");
			pca = Pca.reduce(x, o.pca());
			x = pca.scores();
		}
		x = TsneEngines.unitScale(x);
		double perplexity = Math.min(o.perplexity(), maxPerplexity(n));
		double rate = method == Method.BARNES_HUT ? BARNES_HUT_LEARNING_RATE : o.learningRateAuto() ? autoLearningRate(n, perplexity) :
			o.learningRate();
		double[] movement = { Double.NaN };
		double[][] y = method == Method.BARNES_HUT ? TsneEngines.barnesHut(x, perplexity, o, p) : TsneEngines.exact(x, perplexity, rate, o, p, movement);
		for (double[] r : y) {
			if (!Double.isFinite(r[0]) || !Double.isFinite(r[1])) {
				throw new DatasetException(String.format(Locale.ROOT, "t-SNE diverged (non-finite coordinates) with learning rate %s; " +
					"try a lower learning rate (option 'learning rate') or perplexity.", num(rate)));
			}
		}
		String note = null;
		if (movement[0] >= CONVERGED_MOVEMENT) {
			note = String.format(Locale.ROOT, "t-SNE did not converge: over its last 50 iterations the points still moved %.1f%% of the " +
				"map's radius (limit %.0f%%); try more iterations or another learning rate (now %s).", 100 * movement[0],
				100 * CONVERGED_MOVEMENT, num(rate));
		}
		return new Map(y, "t-SNE", method, pca, rate, movement[0], note);
	}

	private static String num(double v) {
		return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.4g", v);
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
