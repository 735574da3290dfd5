package org.convlens.explain.patterns;

/**
 * The update rule of {@link FilterPatterns} for one item and step: normalise the image gradient,
 * subtract the regularisers' gradients, send it back to the variables and step (plain ascent of
 * fixed length, or Adam), undoing and halving a step that switched the target off.
 */
final class PatternAscent {

	private final PatternOptions opt;
	private final int h;
	private final int w;
	private final int c;

	PatternAscent(PatternOptions opt, int h, int w, int c) {
		this.opt = opt;
		this.h = h;
		this.w = w;
		this.c = c;
	}

	/**
	 * Applies step {@code step} to {@code it}, given the model's gradient {@code gi} of its image
	 * (already sent back through the warp) and the objective's {@code value}; the {@code last}
	 * pass only evaluates (and undoes a step that landed on a zero gradient).
	 */
	void step(PatternItem it, float[] gi, float value, int step, boolean last, Parametrization param) {
		double norm = l2(gi);
		if (norm == 0 || !Double.isFinite(norm)) {
			// the last step switched the target off, where no gradient leads back: undo it, retry half as far
			if (it.prevP == null) return;
			it.rescues++;
			if (last) {
				it.p = it.prevP;
				it.history[step] = (float) it.prevValue;
			}
			else {
				it.stepScale *= 0.5;
				for (int k = 0; k < it.p.length; k++) it.p[k] = it.prevP[k] + (float) it.stepScale * it.delta[k];
			}
			it.img = param.render(it.p);
			return;
		}
		if (last) return;
		it.prevP = it.p.clone();
		it.prevValue = value;
		int npix = gi.length;
		float s = (float) (Math.sqrt(npix) / norm);
		for (int k = 0; k < npix; k++) gi[k] *= s;
		regularize(gi, it.img);
		it.delta = direction(it, param.adjoint(gi));
		if (it.delta != null) for (int k = 0; k < it.p.length; k++) it.p[k] += (float) it.stepScale * it.delta[k];
		if (opt.blurSigma() > 0 && (step + 1) % opt.blurEvery() == 0) param.blur(it.p, opt.blurSigma());
		it.img = param.render(it.p);
	}

	/** Subtracts the gradients of the total-variation and L2 penalties of the (unit) image. */
	private void regularize(float[] g, float[] img) {
		double tv = opt.totalVariation(), l2 = opt.l2();
		if (l2 > 0) for (int k = 0; k < g.length; k++) g[k] -= (float) (l2 * img[k]);
		if (tv > 0) {
			float t = (float) tv;
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					for (int ch = 0; ch < c; ch++) {
						int i = (y * w + x) * c + ch;
						if (x + 1 < w) {
							float s = Math.signum(img[i + c] - img[i]) * t;
							g[i + c] -= s;
							g[i] += s;
						}
						if (y + 1 < h) {
							float s = Math.signum(img[i + w * c] - img[i]) * t;
							g[i + w * c] -= s;
							g[i] += s;
						}
					}
				}
			}
		}
	}

	/** The full-length update of the variables for this gradient, or null for a zero gradient. */
	private float[] direction(PatternItem it, float[] gp) {
		double norm = l2(gp);
		if (norm == 0 || !Double.isFinite(norm)) return null;
		float[] d = new float[gp.length];
		if (opt.optimizer() == PatternOptions.Optimizer.ASCENT) {
			float s = (float) (opt.stepSize() / norm);
			for (int k = 0; k < gp.length; k++) d[k] = s * gp[k];
			return d;
		}
		// Adam on the gradient scaled to unit root mean square
		final double b1 = 0.9, b2 = 0.999, eps = 1e-8;
		if (it.m == null) {
			it.m = new float[gp.length];
			it.v = new float[gp.length];
		}
		it.t++;
		double s = Math.sqrt(gp.length) / norm;
		double c1 = 1 - Math.pow(b1, it.t), c2 = 1 - Math.pow(b2, it.t);
		for (int k = 0; k < gp.length; k++) {
			double gk = gp[k] * s;
			it.m[k] = (float) (b1 * it.m[k] + (1 - b1) * gk);
			it.v[k] = (float) (b2 * it.v[k] + (1 - b2) * gk * gk);
			d[k] = (float) (opt.adamRate() * (it.m[k] / c1) / (Math.sqrt(it.v[k] / c2) + eps));
		}
		return d;
	}

	static double l2(float[] a) {
		double s = 0;
		for (float v : a) s += (double) v * v;
		return Math.sqrt(s);
	}
}
