package org.convlens.explain.dataset;

import org.convlens.explain.core.Progress;

/**
 * The two t-SNE engines behind {@link Embedding}: Smile's exact t-SNE, run in chunks so that it
 * reports progress, can be cancelled and measures how far the points still move, and bh-tsne's
 * Barnes-Hut t-SNE for large sets.
 */
final class TsneEngines {

	private TsneEngines() {}

	/**
	 * The points centred and scaled so that their RMS distance to the mean is 1. t-SNE's input
	 * similarities depend on distances only through a per-point kernel width fitted to the
	 * perplexity, so the scale changes nothing but the numbers: codes with values in the thousands
	 * would otherwise start Smile's width search with kernels that underflow to zero.
	 */
	static double[][] unitScale(double[][] x) {
		int n = x.length, d = x[0].length;
		double[] mean = new double[d];
		for (double[] r : x) for (int j = 0; j < d; j++) mean[j] += r[j] / n;
		double ss = 0;
		for (double[] r : x) for (int j = 0; j < d; j++) ss += (r[j] - mean[j]) * (r[j] - mean[j]);
		double rms = Math.sqrt(ss / n);
		if (!(rms > 0) || !Double.isFinite(rms)) return x;
		double[][] out = new double[n][d];
		for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) out[i][j] = (x[i][j] - mean[j]) / rms;
		return out;
	}

	/** Smile's exact t-SNE; {@code movement[0]} receives the last 50 iterations' movement relative to the map's radius. */
	static double[][] exact(double[][] x, double perplexity, double rate, Embedding.TsneOptions o, Progress p, double[] movement) {
		int n = x.length;
		// Smile treats a square matrix as a distance matrix; one zero column keeps codes as codes
		if (x[0].length == n) x = appendZeroColumn(x);
		p.update(0, "t-SNE: similarities of " + n + " images");
		smile.math.MathEx.setSeed(o.seed()); // Smile's random generator is per thread: seed it on this one
		smile.manifold.TSNE t = new smile.manifold.TSNE(x, 2, perplexity, rate, 1);
		x = null;
		int done = 1;
		int chunk = 50;
		double[][] before = null;
		while (done < o.iterations()) {
			p.checkCancelled();
			int step = Math.min(chunk, o.iterations() - done);
			if (o.iterations() - done <= chunk) before = copy(t.coordinates);
			t.update(step);
			done += step;
			p.update((double) done / o.iterations(), "t-SNE: iteration " + done + " of " + o.iterations());
		}
		movement[0] = before == null ? Double.NaN : relativeMovement(before, t.coordinates);
		return t.coordinates;
	}

	private static double[][] copy(double[][] a) {
		double[][] c = new double[a.length][];
		for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
		return c;
	}

	/** RMS displacement between two maps over the RMS radius of the second (infinite when not finite). */
	static double relativeMovement(double[][] a, double[][] b) {
		int n = b.length;
		double mx = 0, my = 0;
		for (double[] r : b) {
			mx += r[0] / n;
			my += r[1] / n;
		}
		double rad = 0, mv = 0;
		for (int i = 0; i < n; i++) {
			rad += (b[i][0] - mx) * (b[i][0] - mx) + (b[i][1] - my) * (b[i][1] - my);
			mv += (b[i][0] - a[i][0]) * (b[i][0] - a[i][0]) + (b[i][1] - a[i][1]) * (b[i][1] - a[i][1]);
		}
		double r = Math.sqrt(mv / Math.max(rad, Double.MIN_NORMAL));
		return Double.isFinite(r) ? r : Double.POSITIVE_INFINITY;
	}

	/**
	 * Barnes-Hut t-SNE on the codes as they are (initial dimensions = the codes' own: the library's
	 * optional PCA, which needs EJML, is not used: ours runs before). Its learning rate is fixed (200).
	 */
	static double[][] barnesHut(double[][] x, double perplexity, Embedding.TsneOptions o, Progress p) {
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
}
