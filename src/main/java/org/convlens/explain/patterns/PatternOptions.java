package org.convlens.explain.patterns;

import java.util.Locale;

/**
 * Settings of a filter-pattern optimisation, immutable; {@code with...} methods return changed
 * copies. The defaults are the recipe of Chollet's <i>Deep Learning with Python</i> (2nd/3rd ed.):
 * uniform noise in 0.4..0.6 of the input range, 30 steps of plain gradient ascent of size 10 along
 * the L2-normalised gradient, the loss averaged over the feature map without a 2-pixel border.
 * The "sharper" options follow Olah et al. (Distill 2017, the Lucid library): random jitter,
 * scale and rotation per step, a 1/f-scaled Fourier parametrisation, colour decorrelation,
 * total-variation, L2 and blur regularisers, and Adam.
 *
 * <p>Step sizes and regulariser weights are in units of the model's input range
 * ({@link InputRange}), so the same numbers work for a model that takes 0..1 and one that takes
 * 0..255.
 */
public final class PatternOptions {

	/** How each step moves the image. */
	public enum Optimizer {
		/** {@code p += step * g / |g|} (DLwP). */
		ASCENT,
		/** Adam (Kingma and Ba) on the normalised gradient, learning rate {@link #adamRate()}. */
		ADAM
	}

	/** What the optimised variables are. */
	public enum Parametrization {
		/** The pixels themselves. */
		PIXELS,
		/** A Fourier spectrum scaled by {@code 1/f^decay}. */
		FOURIER
	}

	private int iterations = 30;
	private double stepSize = 10;
	private long seed = 0;
	private int width = 0;
	private int height = 0;
	private int lossBorder = 2;
	private int outputCrop = -1;
	private int batchSize = 0;
	private InputRange inputRange = InputRange.UNIT;
	private double noiseLow = 0.4;
	private double noiseHigh = 0.6;
	private Optimizer optimizer = Optimizer.ASCENT;
	private double adamRate = 0.05;
	private Parametrization parametrization = Parametrization.PIXELS;
	private double decay = 1;
	private boolean decorrelate = false;
	private int jitter = 0;
	private double scaleJitter = 0;
	private double rotation = 0;
	private double tv = 0;
	private double l2 = 0;
	private double blurSigma = 0;
	private int blurEvery = 4;
	private boolean bgr = false;

	/** The DLwP baseline. */
	public static PatternOptions defaults() {
		return new PatternOptions();
	}

	/**
	 * Lucid-style settings for sharper patterns: Fourier parametrisation with decorrelated colour,
	 * jitter of about 1/16 of the image, up to 5% zoom and 5 degrees of rotation per step, and
	 * Adam; more iterations help (e.g. 128).
	 */
	public PatternOptions sharper(int imageSize) {
		return withParametrization(Parametrization.FOURIER).withDecorrelation(true)
			.withJitter(Math.max(1, imageSize / 16)).withScaleJitter(0.05).withRotation(5).withOptimizer(Optimizer.ADAM);
	}

	private PatternOptions copy() {
		PatternOptions o = new PatternOptions();
		o.iterations = iterations;
		o.stepSize = stepSize;
		o.seed = seed;
		o.width = width;
		o.height = height;
		o.lossBorder = lossBorder;
		o.outputCrop = outputCrop;
		o.batchSize = batchSize;
		o.inputRange = inputRange;
		o.noiseLow = noiseLow;
		o.noiseHigh = noiseHigh;
		o.optimizer = optimizer;
		o.adamRate = adamRate;
		o.parametrization = parametrization;
		o.decay = decay;
		o.decorrelate = decorrelate;
		o.jitter = jitter;
		o.scaleJitter = scaleJitter;
		o.rotation = rotation;
		o.tv = tv;
		o.l2 = l2;
		o.blurSigma = blurSigma;
		o.blurEvery = blurEvery;
		o.bgr = bgr;
		return o;
	}

	/** A changed copy, after checking the new value ({@code ok} false: {@code message} as an IllegalArgumentException). */
	private PatternOptions with(boolean ok, String message, java.util.function.Consumer<PatternOptions> change) {
		if (!ok) throw new IllegalArgumentException(message);
		PatternOptions o = copy();
		change.accept(o);
		return o;
	}

	public PatternOptions withIterations(int n) {
		return with(n >= 0, "Iterations must be 0 or more: " + n, o -> o.iterations = n);
	}

	/** Step length of plain ascent, in input ranges per step of the unit-length gradient. */
	public PatternOptions withStepSize(double s) {
		return with(s >= 0 && Double.isFinite(s), "Step size must be 0 or more: " + s, o -> o.stepSize = s);
	}

	public PatternOptions withSeed(long s) {
		return with(true, null, o -> o.seed = s);
	}

	/**
	 * Image size for models whose input size is free; 0 = the model's. A model with a fixed input
	 * size accepts only that size.
	 */
	public PatternOptions withImageSize(int w, int h) {
		return with(w >= 0 && h >= 0, "Image size must be 0 (the model's) or positive", o -> {
			o.width = w;
			o.height = h;
		});
	}

	/** Feature-map pixels left out of the mean at each edge (clipped for small maps). */
	public PatternOptions withLossBorder(int b) {
		return with(b >= 0, "Border must be 0 or more: " + b, o -> o.lossBorder = b);
	}

	/** Image pixels cut from each edge of the displayed pattern; -1 = automatic (1/8 of the size). */
	public PatternOptions withOutputCrop(int c) {
		return with(true, null, o -> o.outputCrop = c);
	}

	/** Images optimised together; 0 = automatic from the model's size. */
	public PatternOptions withBatchSize(int b) {
		return with(b >= 0, "Batch size must be 0 (automatic) or more: " + b, o -> o.batchSize = b);
	}

	public PatternOptions withInputRange(InputRange r) {
		return with(r != null, "No input range", o -> o.inputRange = r);
	}

	/** Starting noise, as fractions of the input range (default 0.4..0.6). */
	public PatternOptions withNoise(double low, double high) {
		return with(low <= high, "Noise low must not exceed high", o -> {
			o.noiseLow = low;
			o.noiseHigh = high;
		});
	}

	public PatternOptions withOptimizer(Optimizer opt) {
		return with(true, null, o -> o.optimizer = opt);
	}

	public PatternOptions withAdamRate(double r) {
		return with(r > 0, "Learning rate must be positive: " + r, o -> o.adamRate = r);
	}

	public PatternOptions withParametrization(Parametrization p) {
		return with(true, null, o -> o.parametrization = p);
	}

	/** Exponent of the {@code 1/f} spectrum scaling (1 = pink noise). */
	public PatternOptions withDecay(double d) {
		return with(true, null, o -> o.decay = d);
	}

	/** Optimise in decorrelated colour space (3-channel models only; ignored otherwise). */
	public PatternOptions withDecorrelation(boolean d) {
		return with(true, null, o -> o.decorrelate = d);
	}

	/** Random shift of up to this many pixels in x and y each step. */
	public PatternOptions withJitter(int px) {
		return with(px >= 0, "Jitter must be 0 or more: " + px, o -> o.jitter = px);
	}

	/** Random zoom by up to this fraction each step (0.05 = 0.95..1.05). */
	public PatternOptions withScaleJitter(double f) {
		return with(f >= 0 && f < 1, "Scale jitter must be in [0, 1): " + f, o -> o.scaleJitter = f);
	}

	/** Random rotation by up to this many degrees each step. */
	public PatternOptions withRotation(double deg) {
		return with(deg >= 0, "Rotation must be 0 or more: " + deg, o -> o.rotation = deg);
	}

	/**
	 * Weights of the total-variation and L2 penalties, relative to the activation gradient
	 * normalised to a root mean square of 1 per pixel (e.g. 0.1..1).
	 */
	public PatternOptions withRegularizers(double totalVariation, double l2Weight) {
		return with(totalVariation >= 0 && l2Weight >= 0, "Regulariser weights must be 0 or more", o -> {
			o.tv = totalVariation;
			o.l2 = l2Weight;
		});
	}

	/** Gaussian blur of this sigma (pixels) every {@code every} steps; 0 = off. */
	public PatternOptions withBlur(double sigma, int every) {
		return with(sigma >= 0 && every >= 1, "Blur sigma must be 0 or more and every at least 1", o -> {
			o.blurSigma = sigma;
			o.blurEvery = every;
		});
	}

	/** Whether the model's channels are B, G, R: the displayed patterns are then swapped to RGB. */
	public PatternOptions withBgr(boolean b) {
		return with(true, null, o -> o.bgr = b);
	}

	public int iterations() { return iterations; }
	public double stepSize() { return stepSize; }
	public long seed() { return seed; }
	public int width() { return width; }
	public int height() { return height; }
	public int lossBorder() { return lossBorder; }
	public int outputCrop() { return outputCrop; }
	public int batchSize() { return batchSize; }
	public InputRange inputRange() { return inputRange; }
	public double noiseLow() { return noiseLow; }
	public double noiseHigh() { return noiseHigh; }
	public Optimizer optimizer() { return optimizer; }
	public double adamRate() { return adamRate; }
	public Parametrization parametrization() { return parametrization; }
	public double decay() { return decay; }
	public boolean decorrelate() { return decorrelate; }
	public int jitter() { return jitter; }
	public double scaleJitter() { return scaleJitter; }
	public double rotation() { return rotation; }
	public double totalVariation() { return tv; }
	public double l2() { return l2; }
	public double blurSigma() { return blurSigma; }
	public int blurEvery() { return blurEvery; }
	public boolean bgr() { return bgr; }

	/** Whether any random transform is applied per step. */
	public boolean transforms() {
		return jitter > 0 || scaleJitter > 0 || rotation > 0;
	}

	/** Output crop for an image of this size: the setting, or 1/8 of the smaller side. */
	public int outputCrop(int w, int h) {
		int c = outputCrop >= 0 ? outputCrop : Math.min(w, h) / 8;
		return Math.max(0, Math.min(c, (Math.min(w, h) - 1) / 2));
	}

	/** The settings as space-separated {@code key=value} pairs, for image info and logs. */
	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder();
		sb.append(String.format(Locale.ROOT, "iterations=%d optimizer=%s", iterations, optimizer.name().toLowerCase(Locale.ROOT)));
		if (optimizer == Optimizer.ASCENT) sb.append(" step=").append(num(stepSize));
		else sb.append(" rate=").append(num(adamRate));
		sb.append(" seed=").append(seed);
		if (width > 0) sb.append(" size=").append(width).append('x').append(height);
		sb.append(" border=").append(lossBorder);
		sb.append(" range=").append(inputRange);
		sb.append(" noise=").append(num(noiseLow)).append('-').append(num(noiseHigh));
		sb.append(" parametrization=").append(parametrization.name().toLowerCase(Locale.ROOT));
		if (parametrization == Parametrization.FOURIER) sb.append(" decay=").append(num(decay));
		if (decorrelate) sb.append(" decorrelate=true");
		if (jitter > 0) sb.append(" jitter=").append(jitter);
		if (scaleJitter > 0) sb.append(" scale=").append(num(scaleJitter));
		if (rotation > 0) sb.append(" rotation=").append(num(rotation));
		if (tv > 0) sb.append(" tv=").append(num(tv));
		if (l2 > 0) sb.append(" l2=").append(num(l2));
		if (blurSigma > 0) sb.append(" blur=").append(num(blurSigma)).append(" blur_every=").append(blurEvery);
		if (batchSize > 0) sb.append(" batch=").append(batchSize);
		return sb.toString();
	}

	static String num(double d) {
		return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.6g", d).replaceAll("\\.?0+$", "");
	}
}
