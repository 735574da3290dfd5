package org.convlens.explain.patterns;

import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;

/**
 * The values a model's input takes for real images: what black and white become after the
 * model's preprocessing. Filter patterns start from noise in the middle of this range and step
 * in units of its width, so a model fed 0..1 and one fed raw 0..255 pixels behave alike.
 */
public final class InputRange {

	/** Inputs scaled to 0..1. */
	public static final InputRange UNIT = new InputRange(0, 1);

	private final double low;
	private final double high;

	public InputRange(double low, double high) {
		if (!(high > low) || !Double.isFinite(low) || !Double.isFinite(high)) {
			throw new IllegalArgumentException("Input range must have low < high: " + low + ".." + high);
		}
		this.low = low;
		this.high = high;
	}

	/**
	 * The range a preprocessing produces from images whose pixels go from 0 to {@code typeMax}
	 * (255 for 8-bit): found by pushing an all-black and an all-white image of the model's input
	 * size through it, averaged over pixels and channels. Percentile normalisation maps every
	 * image to about 0..1; L2 column normalisation maps white to {@code 1/sqrt(height)}.
	 *
	 * @param inputShape the model's image input {@code [-1, H, W, C]} (free sizes count as 1)
	 */
	public static InputRange of(Preprocessing p, int[] inputShape, double typeMax) {
		if (p.normalization() == Preprocessing.Normalization.PERCENTILE) return UNIT;
		int h = dim(inputShape, 1), w = dim(inputShape, 2), c = dim(inputShape, 3);
		int[] shape = { -1, h, w, c };
		Preprocessing q = p.withResize(false).withChannel(-1);
		double lo = mean(q.apply(constant(c, w, h, 0, typeMax), shape).data());
		double hi = mean(q.apply(constant(c, w, h, typeMax, typeMax), shape).data());
		if (hi < lo) {
			double t = lo;
			lo = hi;
			hi = t;
		}
		if (!(hi > lo)) return UNIT;
		return new InputRange(lo, hi);
	}

	private static int dim(int[] shape, int i) {
		return shape != null && shape.length == 4 && shape[i] > 0 ? shape[i] : 1;
	}

	/** The range for a model's default preprocessing ({@code preprocessing.txt} or 0..1) on 8-bit images. */
	public static InputRange forModel(ModelInfo info) {
		return of(Preprocessing.forModel(info), info.imageInput().shape(), 255);
	}

	private static Preprocessing.Planes constant(int c, int w, int h, double v, double typeMax) {
		float[][] ch = new float[c][w * h];
		for (float[] a : ch) java.util.Arrays.fill(a, (float) v);
		return new Preprocessing.Planes(ch, w, h, typeMax, c == 3);
	}

	private static double mean(float[] a) {
		double s = 0;
		for (float v : a) s += v;
		return s / a.length;
	}

	public double low() { return low; }
	public double high() { return high; }
	public double width() { return high - low; }

	/** The value at a fraction of the range (0 = low, 1 = high). */
	public double at(double fraction) {
		return low + fraction * (high - low);
	}

	@Override
	public String toString() {
		return PatternOptions.num(low) + ".." + PatternOptions.num(high);
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof InputRange && ((InputRange) o).low == low && ((InputRange) o).high == high;
	}

	@Override
	public int hashCode() {
		return Double.hashCode(low) * 31 + Double.hashCode(high);
	}
}
