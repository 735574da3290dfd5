package org.convlens.explain;

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
	 * (255 for 8-bit): found by pushing black and white through it, averaged over channels.
	 * Percentile normalisation maps every image to about 0..1.
	 */
	public static InputRange of(Preprocessing p, int channels, double typeMax) {
		if (p.normalization() == Preprocessing.Normalization.PERCENTILE) return UNIT;
		int c = Math.max(1, channels);
		int[] shape = { -1, 1, 1, c };
		double lo = mean(p.withResize(false).withChannel(-1).apply(constant(c, 0, typeMax), shape).data());
		double hi = mean(p.withResize(false).withChannel(-1).apply(constant(c, typeMax, typeMax), shape).data());
		if (hi < lo) {
			double t = lo;
			lo = hi;
			hi = t;
		}
		if (!(hi > lo)) return UNIT;
		return new InputRange(lo, hi);
	}

	/** The range for a model's default preprocessing ({@code preprocessing.txt} or 0..1) on 8-bit images. */
	public static InputRange forModel(ModelInfo info) {
		int[] s = info.imageInput().shape();
		int c = s != null && s.length == 4 && s[3] > 0 ? s[3] : 1;
		return of(Preprocessing.forModel(info), c, 255);
	}

	private static Preprocessing.Planes constant(int c, double v, double typeMax) {
		float[][] ch = new float[c][1];
		for (float[] a : ch) a[0] = (float) v;
		return new Preprocessing.Planes(ch, 1, 1, typeMax, c == 3);
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
