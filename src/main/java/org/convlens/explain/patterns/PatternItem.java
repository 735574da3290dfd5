package org.convlens.explain.patterns;

import java.util.SplittableRandom;

/** One target's optimisation state in {@link FilterPatterns}: its variables, image, Adam moments and history. */
final class PatternItem {
	final PatternTarget target;
	final float[] weights;
	final SplittableRandom rnd;
	float[] p;
	/** The rendered image, unit scale, centred on 0. */
	float[] img;
	float[] m;
	float[] v;
	int t;
	boolean dead;
	double start;
	float[] history;
	Warp warp;
	/** The variables at the last image whose gradient was not zero, its objective, and the step taken from it. */
	float[] prevP;
	double prevValue;
	float[] delta;
	double stepScale = 1;
	int rescues;

	PatternItem(PatternTarget target, float[] weights, long seed) {
		this.target = target;
		this.weights = weights;
		this.rnd = new SplittableRandom(seed);
	}
}
