package org.convlens.explain.dataset;

import java.util.Random;

/**
 * Principal component analysis of a few thousand codes, before t-SNE (as scikit-learn and
 * openTSNE advise: at most 50 dimensions, which keeps the neighbourhoods and removes noise and
 * cost). The components come from the eigen-decomposition of whichever of the two Gram matrices
 * is smaller ({@code n x n} for few images with long codes, {@code d x d} for short codes), by
 * cyclic Jacobi rotations; when both are large, from a seeded block power iteration on the
 * covariance with a Rayleigh-Ritz step. Each component's sign is fixed so that its largest score
 * (in absolute value) is positive, as scikit-learn's {@code svd_flip} does: the same codes always
 * give the same scores.
 */
public final class Pca {

	/** Above this size of the smaller Gram matrix the block power iteration is used (Jacobi is cubic). */
	static final int EXACT_LIMIT = 400;

	/** The projection of the codes on their leading components. */
	public static final class Result {
		private final double[][] scores;
		private final double[] variances;
		private final double totalVariance;
		private final int inputDims;

		Result(double[][] scores, double[] variances, double totalVariance, int inputDims) {
			this.scores = scores;
			this.variances = variances;
			this.totalVariance = totalVariance;
			this.inputDims = inputDims;
		}

		/** One row per code: its coordinates on the components, largest variance first. */
		public double[][] scores() { return scores; }
		/** Number of components kept. */
		public int dims() { return variances.length; }
		/** Dimensions of the codes. */
		public int inputDims() { return inputDims; }
		/** Variance (divided by n - 1) along each component kept. */
		public double[] variances() { return variances.clone(); }
		/** Total variance of the codes (sum over all dimensions). */
		public double totalVariance() { return totalVariance; }

		/** Fraction of the total variance the kept components hold (1 for codes without variance). */
		public double explained() {
			if (!(totalVariance > 0)) return 1;
			double s = 0;
			for (double v : variances) s += v;
			return Math.min(1, s / totalVariance);
		}
	}

	private Pca() {}

	/** An item's score on eigenvector {@code col}, whose eigenvalue is {@code lambda}. */
	private interface Score {
		double of(int item, int col, double lambda);
	}

	/**
	 * The {@code lambda.length} largest eigenvalues of {@code ev} (clipped at 0) into {@code lambda},
	 * and the {@code n} items' scores on their eigenvectors, largest first.
	 */
	private static double[][] components(double[] ev, int n, double[] lambda, Score score) {
		int[] order = descending(ev);
		double[][] scores = new double[n][lambda.length];
		for (int a = 0; a < lambda.length; a++) {
			int col = order[a];
			lambda[a] = Math.max(0, ev[col]);
			for (int i = 0; i < n; i++) scores[i][a] = score.of(i, col, lambda[a]);
		}
		return scores;
	}

	/**
	 * Projects the rows of {@code x} (not changed) on at most {@code maxDims} leading principal
	 * components; components without variance (beyond rank {@code n - 1}) are left out, but at
	 * least one is kept.
	 */
	public static Result reduce(double[][] x, int maxDims) {
		int n = x.length;
		if (n == 0) throw new IllegalArgumentException("No codes.");
		int d = x[0].length;
		if (maxDims < 1) throw new IllegalArgumentException("At least one component: " + maxDims);
		double[][] c = centred(x);
		double total = 0;
		for (double[] r : c) for (double v : r) total += v * v;
		double denom = Math.max(1, n - 1);
		int k = Math.min(maxDims, Math.min(n, d));
		double[][] scores;
		double[] lambda;
		if (Math.min(n, d) <= EXACT_LIMIT) {
			if (n <= d) {
				// eigenvectors u of X X^T: scores = u * sqrt(lambda)
				double[][] g = new double[n][n];
				for (int i = 0; i < n; i++) for (int j = i; j < n; j++) g[i][j] = g[j][i] = dot(c[i], c[j]);
				double[][] u = new double[n][n];
				double[] ev = jacobi(g, u);
				lambda = new double[k];
				scores = components(ev, n, lambda, (i, col, l) -> u[i][col] * Math.sqrt(l));
			}
			else {
				// eigenvectors v of X^T X: scores = X v
				double[][] cov = new double[d][d];
				for (double[] r : c) {
					for (int i = 0; i < d; i++) {
						double ri = r[i];
						if (ri == 0) continue;
						for (int j = i; j < d; j++) cov[i][j] += ri * r[j];
					}
				}
				for (int i = 0; i < d; i++) for (int j = 0; j < i; j++) cov[i][j] = cov[j][i];
				double[][] v = new double[d][d];
				double[] ev = jacobi(cov, v);
				lambda = new double[k];
				scores = components(ev, n, lambda, (i, col, l) -> {
					double s = 0;
					for (int j = 0; j < d; j++) s += c[i][j] * v[j][col];
					return s;
				});
			}
		}
		else {
			double[][] r = blockPower(c, k);
			scores = java.util.Arrays.copyOf(r, n);
			lambda = r[n];
		}
		// drop components without variance (rank deficit), keep at least one
		int keep = 0;
		double tol = 1e-10 * Math.max(total, Double.MIN_NORMAL);
		while (keep < lambda.length && lambda[keep] > tol) keep++;
		keep = Math.max(1, keep);
		double[] var = new double[keep];
		double[][] out = new double[n][keep];
		for (int a = 0; a < keep; a++) {
			var[a] = lambda[a] / denom;
			// sign: the largest score in absolute value is positive
			int arg = 0;
			for (int i = 1; i < n; i++) if (Math.abs(scores[i][a]) > Math.abs(scores[arg][a])) arg = i;
			double sign = scores[arg][a] < 0 ? -1 : 1;
			for (int i = 0; i < n; i++) out[i][a] = sign * scores[i][a] + 0.0; // + 0.0: no negative zeros
		}
		return new Result(out, var, total / denom, d);
	}

	private static double[][] centred(double[][] x) {
		int n = x.length, d = x[0].length;
		double[] mean = new double[d];
		for (double[] r : x) {
			if (r.length != d) throw new IllegalArgumentException("Codes differ in length: " + r.length + " and " + d);
			for (int j = 0; j < d; j++) mean[j] += r[j];
		}
		for (int j = 0; j < d; j++) mean[j] /= n;
		double[][] c = new double[n][d];
		for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) c[i][j] = x[i][j] - mean[j];
		return c;
	}

	private static double dot(double[] a, double[] b) {
		double s = 0;
		for (int i = 0; i < a.length; i++) s += a[i] * b[i];
		return s;
	}

	/** Indices of {@code v} from largest to smallest value (ties by index: deterministic). */
	private static int[] descending(double[] v) {
		Integer[] idx = new Integer[v.length];
		for (int i = 0; i < idx.length; i++) idx[i] = i;
		java.util.Arrays.sort(idx, (a, b) -> v[a] != v[b] ? Double.compare(v[b], v[a]) : Integer.compare(a, b));
		int[] r = new int[idx.length];
		for (int i = 0; i < r.length; i++) r[i] = idx[i];
		return r;
	}

	/**
	 * Eigenvalues of the symmetric matrix {@code a} (overwritten) by cyclic Jacobi rotations;
	 * {@code vectors} receives the eigenvectors as columns.
	 */
	static double[] jacobi(double[][] a, double[][] vectors) {
		int n = a.length;
		for (int i = 0; i < n; i++) {
			java.util.Arrays.fill(vectors[i], 0);
			vectors[i][i] = 1;
		}
		double norm = 0;
		for (double[] r : a) for (double v : r) norm += v * v;
		for (int sweep = 0; sweep < 100; sweep++) {
			double off = 0;
			for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
			if (off <= 1e-30 * norm || off == 0) break;
			for (int p = 0; p < n; p++) {
				for (int q = p + 1; q < n; q++) {
					double apq = a[p][q];
					if (apq == 0) continue;
					// the rotation that zeroes a[p][q]: t = tan(angle), the smaller root
					double theta = (a[q][q] - a[p][p]) / (2 * apq);
					double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
					if (theta == 0) t = 1;
					double cs = 1 / Math.sqrt(t * t + 1), sn = t * cs;
					for (int k = 0; k < n; k++) {
						double akp = a[k][p], akq = a[k][q];
						a[k][p] = cs * akp - sn * akq;
						a[k][q] = sn * akp + cs * akq;
					}
					for (int k = 0; k < n; k++) {
						double apk = a[p][k], aqk = a[q][k];
						a[p][k] = cs * apk - sn * aqk;
						a[q][k] = sn * apk + cs * aqk;
					}
					for (int k = 0; k < n; k++) {
						double vkp = vectors[k][p], vkq = vectors[k][q];
						vectors[k][p] = cs * vkp - sn * vkq;
						vectors[k][q] = sn * vkp + cs * vkq;
					}
				}
			}
		}
		double[] ev = new double[n];
		for (int i = 0; i < n; i++) ev[i] = a[i][i];
		return ev;
	}

	/**
	 * The leading {@code k} components of the centred rows by block power iteration on
	 * {@code X^T X} (a seeded start, 10 extra vectors, 10 steps, re-orthonormalised each step) and a
	 * Rayleigh-Ritz step. Returns the {@code n} score rows followed by the eigenvalues.
	 */
	private static double[][] blockPower(double[][] c, int k) {
		int n = c.length, d = c[0].length;
		int b = Math.min(Math.min(n, d), k + 10);
		Random rnd = new Random(42);
		double[][] q = new double[b][d]; // block of vectors in code space, one per row
		for (double[] r : q) for (int j = 0; j < d; j++) r[j] = rnd.nextGaussian();
		orthonormalise(q);
		double[][] xq = new double[b][n];
		for (int it = 0; it < 10; it++) { // a few power steps suffice with 10 extra vectors (Halko et al. 2011)
			// q <- X^T (X q)
			for (int a = 0; a < b; a++) for (int i = 0; i < n; i++) xq[a][i] = dot(c[i], q[a]);
			for (int a = 0; a < b; a++) {
				java.util.Arrays.fill(q[a], 0);
				for (int i = 0; i < n; i++) {
					double s = xq[a][i];
					double[] ci = c[i];
					for (int j = 0; j < d; j++) q[a][j] += s * ci[j];
				}
			}
			orthonormalise(q);
		}
		for (int a = 0; a < b; a++) for (int i = 0; i < n; i++) xq[a][i] = dot(c[i], q[a]);
		double[][] small = new double[b][b];
		for (int a = 0; a < b; a++) for (int e = a; e < b; e++) small[a][e] = small[e][a] = dot(xq[a], xq[e]);
		double[][] w = new double[b][b];
		double[] ev = jacobi(small, w);
		int[] order = descending(ev);
		double[][] out = new double[n + 1][];
		for (int i = 0; i < n; i++) {
			out[i] = new double[k];
			for (int a = 0; a < k; a++) {
				double s = 0;
				for (int e = 0; e < b; e++) s += xq[e][i] * w[e][order[a]];
				out[i][a] = s;
			}
		}
		out[n] = new double[k];
		for (int a = 0; a < k; a++) out[n][a] = Math.max(0, ev[order[a]]);
		return out;
	}

	/** Modified Gram-Schmidt on the rows (twice, for accuracy); a row that vanishes becomes zero. */
	private static void orthonormalise(double[][] q) {
		for (int pass = 0; pass < 2; pass++) {
			for (int a = 0; a < q.length; a++) {
				for (int e = 0; e < a; e++) {
					double s = dot(q[a], q[e]);
					for (int j = 0; j < q[a].length; j++) q[a][j] -= s * q[e][j];
				}
				double nrm = Math.sqrt(dot(q[a], q[a]));
				for (int j = 0; j < q[a].length; j++) q[a][j] = nrm > 1e-300 ? q[a][j] / nrm : 0;
			}
		}
	}
}
