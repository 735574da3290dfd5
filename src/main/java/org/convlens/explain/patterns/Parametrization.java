package org.convlens.explain.patterns;

import org.convlens.explain.core.ExplainMath;

/**
 * How the optimised variables become an image (Olah et al., "Feature Visualization", Distill
 * 2017): directly as pixels, or as a Fourier spectrum scaled by {@code 1/f} so that the
 * optimisation favours low frequencies; either optionally in decorrelated colour space for
 * 3-channel models. Images here are in unit scale and centred: the optimiser maps them to the
 * model's input range. All maps are linear, so the gradient goes back through {@link #adjoint}.
 */
abstract class Parametrization {

	/**
	 * Square root of the colour correlation of natural (ImageNet) images, from the Lucid
	 * library's published constants; columns are the decorrelated directions.
	 */
	private static final double[][] COLOR_SQRT = {
		{ 0.26, 0.09, 0.02 },
		{ 0.27, 0.00, -0.05 },
		{ 0.27, -0.09, 0.03 } };

	final int h;
	final int w;
	final int c;
	/** Colour mixing (decorrelated to image channels) and its inverse, or null. */
	private final double[][] mix;
	private final double[][] mixT;
	private final double[][] unmix;

	Parametrization(int h, int w, int c, boolean decorrelate) {
		this.h = h;
		this.w = w;
		this.c = c;
		if (decorrelate && c == 3) {
			double maxNorm = 0;
			for (int j = 0; j < 3; j++) {
				double s = 0;
				for (int i = 0; i < 3; i++) s += COLOR_SQRT[i][j] * COLOR_SQRT[i][j];
				maxNorm = Math.max(maxNorm, Math.sqrt(s));
			}
			mix = new double[3][3];
			for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) mix[i][j] = COLOR_SQRT[i][j] / maxNorm;
			mixT = new double[3][3];
			for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) mixT[i][j] = mix[j][i];
			unmix = invert3(mix);
		}
		else {
			mix = null;
			mixT = null;
			unmix = null;
		}
	}

	static Parametrization create(PatternOptions.Parametrization kind, int h, int w, int c, boolean decorrelate, double decay) {
		return kind == PatternOptions.Parametrization.FOURIER ? new Fourier(h, w, c, decorrelate, decay) : new Pixels(h, w, c, decorrelate);
	}

	/** Number of variables. */
	abstract int size();

	/** Variables that render exactly to the given (unit, centred) image. */
	abstract float[] init(float[] image);

	/** The image the variables stand for. */
	abstract float[] render(float[] p);

	/** Gradient on the variables from a gradient on the image. */
	abstract float[] adjoint(float[] g);

	/** Blurs the rendered image in place, through the variables. */
	abstract void blur(float[] p, double sigma);

	// ---------------------------------------------------------------- colour

	boolean decorrelated() {
		return mix != null;
	}

	/** In place: decorrelated colour to image channels. */
	void mixColors(double[] v) {
		if (mix != null) apply3(mix, v);
	}

	/** In place: image channels to decorrelated colour. */
	void unmixColors(double[] v) {
		if (mix != null) apply3(unmix, v);
	}

	/** In place: the adjoint of {@link #mixColors}. */
	void mixColorsAdjoint(double[] v) {
		if (mix != null) apply3(mixT, v);
	}

	private static void apply3(double[][] m, double[] v) {
		for (int i = 0; i + 2 < v.length; i += 3) {
			double a = v[i], b = v[i + 1], d = v[i + 2];
			for (int r = 0; r < 3; r++) v[i + r] = m[r][0] * a + m[r][1] * b + m[r][2] * d;
		}
	}

	private static double[][] invert3(double[][] m) {
		double a = m[0][0], b = m[0][1], cc = m[0][2];
		double d = m[1][0], e = m[1][1], f = m[1][2];
		double g = m[2][0], hh = m[2][1], i = m[2][2];
		double det = a * (e * i - f * hh) - b * (d * i - f * g) + cc * (d * hh - e * g);
		return new double[][] {
			{ (e * i - f * hh) / det, (cc * hh - b * i) / det, (b * f - cc * e) / det },
			{ (f * g - d * i) / det, (a * i - cc * g) / det, (cc * d - a * f) / det },
			{ (d * hh - e * g) / det, (b * g - a * hh) / det, (a * e - b * d) / det } };
	}

	static double[] toDouble(float[] f) {
		double[] d = new double[f.length];
		for (int i = 0; i < f.length; i++) d[i] = f[i];
		return d;
	}

	static float[] toFloat(double[] d) {
		float[] f = new float[d.length];
		for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
		return f;
	}

	/** Separable Gaussian blur of an interleaved image, edge pixels repeated ({@link ExplainMath#gaussianBlur}). */
	static void gaussianBlur(float[] img, int h, int w, int c, double sigma) {
		ExplainMath.gaussianBlur(img, 0, h, w, c, sigma);
	}

	// ---------------------------------------------------------------- pixels

	/** The variables are the pixels (in decorrelated colour when asked). */
	static final class Pixels extends Parametrization {

		Pixels(int h, int w, int c, boolean decorrelate) {
			super(h, w, c, decorrelate);
		}

		@Override
		int size() {
			return h * w * c;
		}

		@Override
		float[] init(float[] image) {
			if (!decorrelated()) return image.clone();
			double[] v = toDouble(image);
			unmixColors(v);
			return toFloat(v);
		}

		@Override
		float[] render(float[] p) {
			if (!decorrelated()) return p.clone();
			double[] v = toDouble(p);
			mixColors(v);
			return toFloat(v);
		}

		@Override
		float[] adjoint(float[] g) {
			if (!decorrelated()) return g.clone();
			double[] v = toDouble(g);
			mixColorsAdjoint(v);
			return toFloat(v);
		}

		@Override
		void blur(float[] p, double sigma) {
			// a per-pixel colour mix commutes with a per-channel blur
			gaussianBlur(p, h, w, c, sigma);
		}
	}

	// ---------------------------------------------------------------- Fourier

	/**
	 * The variables are a complex spectrum per channel (real and imaginary parts interleaved);
	 * the image is the real part of its unitary inverse transform after scaling each frequency
	 * by {@code 1/f^decay} (normalised to a root mean square of 1, so that step sizes mean about
	 * the same as for pixels).
	 */
	static final class Fourier extends Parametrization {

		private final Fft fy;
		private final Fft fx;
		/** Scale per frequency {@code (y*w+x)}. */
		final double[] scale;
		/** Squared frequency in cycles per pixel, per {@code (y*w+x)}. */
		private final double[] freq2;

		Fourier(int h, int w, int c, boolean decorrelate, double decay) {
			super(h, w, c, decorrelate);
			fy = new Fft(h);
			fx = new Fft(w);
			scale = new double[h * w];
			freq2 = new double[h * w];
			double floor = 1.0 / Math.max(h, w);
			double ss = 0;
			for (int y = 0; y < h; y++) {
				double f1 = frequency(y, h);
				for (int x = 0; x < w; x++) {
					double f2 = frequency(x, w);
					double f = Math.sqrt(f1 * f1 + f2 * f2);
					freq2[y * w + x] = f * f;
					double s = 1 / Math.pow(Math.max(f, floor), decay);
					scale[y * w + x] = s;
					ss += s * s;
				}
			}
			double rms = Math.sqrt(ss / (h * w));
			for (int i = 0; i < scale.length; i++) scale[i] /= rms;
		}

		/** Signed frequency of FFT bin {@code k} of {@code n}, in cycles per pixel. */
		static double frequency(int k, int n) {
			return (k <= n / 2 ? k : k - n) / (double) n;
		}

		@Override
		int size() {
			return 2 * h * w * c;
		}

		@Override
		float[] init(float[] image) {
			double[] re = toDouble(image);
			unmixColors(re);
			double[] im = new double[re.length];
			Fft.transform2d(re, im, h, w, c, fy, fx, false);
			float[] p = new float[size()];
			for (int i = 0; i < re.length; i++) {
				double s = scale[i / c];
				p[2 * i] = (float) (re[i] / s);
				p[2 * i + 1] = (float) (im[i] / s);
			}
			return p;
		}

		@Override
		float[] render(float[] p) {
			int n = h * w * c;
			double[] re = new double[n];
			double[] im = new double[n];
			for (int i = 0; i < n; i++) {
				double s = scale[i / c];
				re[i] = p[2 * i] * s;
				im[i] = p[2 * i + 1] * s;
			}
			Fft.transform2d(re, im, h, w, c, fy, fx, true);
			mixColors(re);
			return toFloat(re);
		}

		@Override
		float[] adjoint(float[] g) {
			// adjoint of Re(IDFT(s z)) is s * DFT(g), both unitary
			double[] re = toDouble(g);
			mixColorsAdjoint(re);
			double[] im = new double[re.length];
			Fft.transform2d(re, im, h, w, c, fy, fx, false);
			float[] out = new float[size()];
			for (int i = 0; i < re.length; i++) {
				double s = scale[i / c];
				out[2 * i] = (float) (re[i] * s);
				out[2 * i + 1] = (float) (im[i] * s);
			}
			return out;
		}

		@Override
		void blur(float[] p, double sigma) {
			// a (circular) Gaussian blur multiplies the spectrum by a Gaussian
			if (sigma <= 0) return;
			double k = 2 * Math.PI * Math.PI * sigma * sigma;
			for (int i = 0; i < h * w * c; i++) {
				float g = (float) Math.exp(-k * freq2[i / c]);
				p[2 * i] *= g;
				p[2 * i + 1] *= g;
			}
		}
	}
}
