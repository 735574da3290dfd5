package org.convlens.explain.patterns;

/**
 * A complex fast Fourier transform of any length (mixed radix, decimation in time; prime factors
 * fall back to a direct sum), and the unitary 2-D transform of interleaved {@code H x W x C}
 * images built on it. Small and allocation-happy: meant for images of at most a few hundred pixels
 * a side.
 */
final class Fft {

	private final int n;
	/** cos and sin of {@code 2 pi j / n}. */
	private final double[] cos;
	private final double[] sin;

	Fft(int n) {
		if (n < 1) throw new IllegalArgumentException("FFT length must be positive: " + n);
		this.n = n;
		cos = new double[n];
		sin = new double[n];
		for (int j = 0; j < n; j++) {
			double a = 2 * Math.PI * j / n;
			cos[j] = Math.cos(a);
			sin[j] = Math.sin(a);
		}
	}

	int length() {
		return n;
	}

	/**
	 * Transforms {@code re, im} in place, without normalisation: forward is
	 * {@code X_k = sum_j x_j exp(-2 pi i jk/n)}, inverse uses {@code +i}.
	 */
	void transform(double[] re, double[] im, boolean inverse) {
		double[] or = new double[n];
		double[] oi = new double[n];
		rec(re, im, 0, 1, n, or, oi, 0, inverse ? 1 : -1);
		System.arraycopy(or, 0, re, 0, n);
		System.arraycopy(oi, 0, im, 0, n);
	}

	private void rec(double[] ir, double[] ii, int off, int stride, int len, double[] or, double[] oi, int oo, int sign) {
		if (len == 1) {
			or[oo] = ir[off];
			oi[oo] = ii[off];
			return;
		}
		int p = smallestFactor(len);
		int m = len / p;
		// sub-transforms of the p interleaved subsequences, stored one after another
		for (int r = 0; r < p; r++) rec(ir, ii, off + r * stride, stride * p, m, or, oi, oo + r * m, sign);
		int step = n / len; // twiddle W_len^j = W_n^(j*step)
		double[] tr = new double[len];
		double[] ti = new double[len];
		for (int k = 0; k < m; k++) {
			for (int q = 0; q < p; q++) {
				int kk = k + q * m;
				double sr = 0, si = 0;
				for (int r = 0; r < p; r++) {
					int t = (int) ((long) r * kk * step % n);
					double c = cos[t];
					double s = sign * sin[t];
					double yr = or[oo + r * m + k];
					double yi = oi[oo + r * m + k];
					sr += yr * c - yi * s;
					si += yr * s + yi * c;
				}
				tr[kk] = sr;
				ti[kk] = si;
			}
		}
		System.arraycopy(tr, 0, or, oo, len);
		System.arraycopy(ti, 0, oi, oo, len);
	}

	private static int smallestFactor(int len) {
		if (len % 2 == 0) return 2;
		for (int f = 3; (long) f * f <= len; f += 2) {
			if (len % f == 0) return f;
		}
		return len;
	}

	/**
	 * Unitary 2-D transform of each channel of an interleaved {@code h x w x c} complex image
	 * (separate real and imaginary arrays, index {@code (y*w+x)*c+ch}), in place.
	 */
	static void transform2d(double[] re, double[] im, int h, int w, int c, Fft fy, Fft fx, boolean inverse) {
		double norm = 1 / Math.sqrt((double) h * w);
		double[] rr = new double[w];
		double[] ri = new double[w];
		double[] cr = new double[h];
		double[] ci = new double[h];
		for (int ch = 0; ch < c; ch++) {
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					int i = (y * w + x) * c + ch;
					rr[x] = re[i];
					ri[x] = im[i];
				}
				fx.transform(rr, ri, inverse);
				for (int x = 0; x < w; x++) {
					int i = (y * w + x) * c + ch;
					re[i] = rr[x];
					im[i] = ri[x];
				}
			}
			for (int x = 0; x < w; x++) {
				for (int y = 0; y < h; y++) {
					int i = (y * w + x) * c + ch;
					cr[y] = re[i];
					ci[y] = im[i];
				}
				fy.transform(cr, ci, inverse);
				for (int y = 0; y < h; y++) {
					int i = (y * w + x) * c + ch;
					re[i] = cr[y] * norm;
					im[i] = ci[y] * norm;
				}
			}
		}
	}
}
