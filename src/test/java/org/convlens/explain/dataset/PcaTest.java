package org.convlens.explain.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * PCA before t-SNE, against eigenvalues found another way (power iteration with deflation on the
 * covariance matrix), on all three paths: Gram matrix (few long codes), covariance (many short
 * codes) and block power iteration (both large).
 */
class PcaTest {

	/** Rows of {@code n} codes of {@code d} values with a decaying spectrum: random directions scaled 1/(1+j), plus an offset. */
	static double[][] data(int n, int d, long seed) {
		Random r = new Random(seed);
		int rank = Math.min(d, 20);
		double[][] dirs = new double[rank][d];
		for (double[] v : dirs) for (int j = 0; j < d; j++) v[j] = r.nextGaussian();
		double[][] x = new double[n][d];
		for (int i = 0; i < n; i++) {
			for (int a = 0; a < rank; a++) {
				double s = r.nextGaussian() * 10.0 / (1 + a * a);
				for (int j = 0; j < d; j++) x[i][j] += s * dirs[a][j];
			}
			for (int j = 0; j < d; j++) x[i][j] += 1000 + 0.01 * r.nextGaussian();
		}
		return x;
	}

	/** The {@code k} largest eigenvalues of the covariance (divided by n - 1), by power iteration and deflation. */
	static double[] powerEigenvalues(double[][] x, int k) {
		int n = x.length, d = x[0].length;
		double[] mean = new double[d];
		for (double[] r : x) for (int j = 0; j < d; j++) mean[j] += r[j] / n;
		double[][] c = new double[d][d];
		for (double[] r : x) for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i][j] += (r[i] - mean[i]) * (r[j] - mean[j]) / (n - 1);
		double[] out = new double[k];
		Random rnd = new Random(5);
		for (int a = 0; a < k; a++) {
			double[] v = new double[d];
			for (int j = 0; j < d; j++) v[j] = rnd.nextGaussian();
			double lambda = 0;
			for (int it = 0; it < 3000; it++) {
				double[] w = new double[d];
				for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) w[i] += c[i][j] * v[j];
				double nrm = 0;
				for (double e : w) nrm += e * e;
				nrm = Math.sqrt(nrm);
				lambda = nrm;
				for (int j = 0; j < d; j++) v[j] = w[j] / nrm;
			}
			out[a] = lambda;
			for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i][j] -= lambda * v[i] * v[j];
		}
		return out;
	}

	static void matchesPowerIteration(int n, int d, int k, double tol) {
		double[][] x = data(n, d, n * 31L + d);
		Pca.Result r = Pca.reduce(x, k);
		double[] want = powerEigenvalues(x, Math.min(k, 5));
		double[] got = r.variances();
		for (int a = 0; a < want.length; a++) assertEquals(want[a], got[a], tol * want[a], n + "x" + d + " component " + a);
		// each score column's variance is its eigenvalue; columns are uncorrelated
		for (int a = 0; a < Math.min(3, r.dims()); a++) {
			for (int b = 0; b <= a; b++) {
				double s = 0;
				for (double[] row : r.scores()) s += row[a] * row[b];
				s /= n - 1;
				assertEquals(a == b ? got[a] : 0, s, 1e-6 * got[0], "covariance of scores " + a + "," + b);
			}
		}
	}

	@Test
	void fewLongCodesGramPath() {
		matchesPowerIteration(12, 60, 50, 1e-6);
	}

	@Test
	void manyShortCodesCovariancePath() {
		matchesPowerIteration(80, 30, 10, 1e-6);
	}

	@Test
	void bothLargeBlockPowerPath() {
		// min(n, d) above the exact limit
		matchesPowerIteration(Pca.EXACT_LIMIT + 20, Pca.EXACT_LIMIT + 40, 10, 1e-4);
	}

	@Test
	void allComponentsKeepDistancesAndVarianceRankDeficitDropped() {
		double[][] x = data(9, 300, 3);
		Pca.Result r = Pca.reduce(x, 50);
		assertEquals(8, r.dims(), "9 centred points span at most 8 dimensions");
		assertEquals(300, r.inputDims());
		assertEquals(1.0, r.explained(), 1e-9);
		for (int i = 0; i < 9; i++) {
			for (int j = 0; j < 9; j++) {
				double a = 0, b = 0;
				for (int c = 0; c < 300; c++) a += (x[i][c] - x[j][c]) * (x[i][c] - x[j][c]);
				for (int c = 0; c < 8; c++) b += (r.scores()[i][c] - r.scores()[j][c]) * (r.scores()[i][c] - r.scores()[j][c]);
				assertEquals(Math.sqrt(a), Math.sqrt(b), 1e-6 * (1 + Math.sqrt(a)));
			}
		}
		// two components hold part of the variance
		Pca.Result two = Pca.reduce(x, 2);
		double[] v = r.variances();
		assertEquals((v[0] + v[1]) / r.totalVariance(), two.explained(), 1e-9);
		assertTrue(two.explained() < 1);
	}

	@Test
	void signIsFixedByTheLargestScore() {
		double[][] x = data(15, 40, 9);
		double[][] neg = new double[15][40];
		for (int i = 0; i < 15; i++) for (int j = 0; j < 40; j++) neg[i][j] = -x[i][j];
		Pca.Result a = Pca.reduce(x, 5), b = Pca.reduce(neg, 5);
		for (int c = 0; c < 5; c++) {
			int arg = 0;
			for (int i = 0; i < 15; i++) if (Math.abs(a.scores()[i][c]) > Math.abs(a.scores()[arg][c])) arg = i;
			assertTrue(a.scores()[arg][c] > 0, "component " + c);
			// mirrored codes: the same scores (up to rounding), not mirrored ones
			for (int i = 0; i < 15; i++) assertEquals(a.scores()[i][c], b.scores()[i][c], 1e-7 * Math.abs(a.scores()[arg][c]));
		}
	}
}
