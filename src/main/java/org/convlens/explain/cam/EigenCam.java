package org.convlens.explain.cam;

/**
 * EigenCAM's first principal component of a layer's activations, by power iteration on the smaller
 * Gram matrix, oriented to agree with the mean activation. Reached through
 * {@link CamMath#firstComponentProjection} and {@link CamMath#eigenCam}.
 */
final class EigenCam {

	private EigenCam() {}

	static float[] firstComponentProjection(FeatureMaps a) {
		int n = a.positions(), K = a.channels();
		float[] d = a.data();
		double[] proj = new double[n];
		if (n <= K) {
			// left singular vector u_1 from A A^T (n x n); A v_1 = sigma_1 u_1
			double[][] gram = new double[n][n];
			for (int i = 0; i < n; i++) {
				for (int j = i; j < n; j++) {
					double s = 0;
					for (int k = 0; k < K; k++) s += (double) d[i * K + k] * d[j * K + k];
					gram[i][j] = s;
					gram[j][i] = s;
				}
			}
			double[] u = topEigenvector(gram);
			double lambda = rayleigh(gram, u);
			double sigma = Math.sqrt(Math.max(lambda, 0));
			for (int i = 0; i < n; i++) proj[i] = sigma * u[i];
		}
		else {
			double[][] gram = new double[K][K];
			for (int p = 0; p < n; p++) {
				for (int i = 0; i < K; i++) {
					double ai = d[p * K + i];
					if (ai == 0) continue;
					for (int j = i; j < K; j++) gram[i][j] += ai * d[p * K + j];
				}
			}
			for (int i = 0; i < K; i++) for (int j = 0; j < i; j++) gram[i][j] = gram[j][i];
			double[] v = topEigenvector(gram);
			for (int p = 0; p < n; p++) {
				double s = 0;
				for (int k = 0; k < K; k++) s += d[p * K + k] * v[k];
				proj[p] = s;
			}
		}
		boolean flip = orientation(proj, d, n, K) < 0;
		float[] r = new float[n];
		for (int i = 0; i < n; i++) r[i] = (float) (flip ? -proj[i] : proj[i]);
		return r;
	}

	/**
	 * The sign that orients a component: the sign of its (Pearson) covariance with the mean
	 * activation over channels, so that where the layer fires most the map is high (the singular
	 * vector's own sign is arbitrary). Falls back to the sign of its sum when the mean map is flat.
	 */
	static double orientation(double[] proj, float[] d, int n, int K) {
		double[] mean = new double[n];
		double mm = 0, pm = 0;
		for (int p = 0; p < n; p++) {
			double s = 0;
			for (int k = 0; k < K; k++) s += d[p * K + k];
			mean[p] = s / K;
			mm += mean[p];
			pm += proj[p];
		}
		mm /= n;
		pm /= n;
		double cov = 0;
		for (int p = 0; p < n; p++) cov += (proj[p] - pm) * (mean[p] - mm);
		if (cov != 0 && Double.isFinite(cov)) return Math.signum(cov);
		return Math.signum(pm);
	}

	/** Unit eigenvector of the largest eigenvalue of a symmetric positive semi-definite matrix. */
	static double[] topEigenvector(double[][] m) {
		int n = m.length;
		double[] v = new double[n];
		// a fixed, uneven start: all-ones could be orthogonal to v_1 for signed data
		for (int i = 0; i < n; i++) v[i] = 1 + 0.01 * ((i * 7919) % 101) / 101.0;
		normalizeInPlace(v);
		double[] next = new double[n];
		for (int it = 0; it < 5000; it++) {
			for (int i = 0; i < n; i++) {
				double s = 0;
				double[] row = m[i];
				for (int j = 0; j < n; j++) s += row[j] * v[j];
				next[i] = s;
			}
			if (normalizeInPlace(next) == 0) return v; // A = 0: any vector will do
			double diff = 0;
			for (int i = 0; i < n; i++) diff = Math.max(diff, Math.abs(next[i] - v[i]));
			double[] t = v;
			v = next;
			next = t;
			if (diff < 1e-12) break;
		}
		return v;
	}

	private static double rayleigh(double[][] m, double[] v) {
		double s = 0;
		for (int i = 0; i < v.length; i++) {
			double r = 0;
			for (int j = 0; j < v.length; j++) r += m[i][j] * v[j];
			s += v[i] * r;
		}
		return s;
	}

	private static double normalizeInPlace(double[] v) {
		double s = 0;
		for (double x : v) s += x * x;
		s = Math.sqrt(s);
		if (s == 0) return 0;
		for (int i = 0; i < v.length; i++) v[i] /= s;
		return s;
	}
}
