package org.convlens.explain.patterns;

import java.util.Locale;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

/**
 * One optimised pattern: the input image that maximises a {@link PatternTarget}, the objective
 * for the starting noise and at the end, and whether the target is dead (its gradient was zero
 * from the start, so nothing could be optimised: shown black and flagged, not as grey noise).
 */
public final class Pattern {

	private final PatternTarget target;
	private final String name;
	private final NdArray image;
	private final double start;
	private final double last;
	private final boolean dead;
	private final Preprocessing.Planes display;
	private final float[] history;
	private final int rescues;

	Pattern(PatternTarget target, String name, NdArray image, double start, double last, boolean dead, Preprocessing.Planes display,
		float[] history, int rescues)
	{
		this.target = target;
		this.name = name;
		this.image = image;
		this.start = start;
		this.last = last;
		this.dead = dead;
		this.display = display;
		this.history = history;
		this.rescues = rescues;
	}

	/**
	 * How often a step left the target with a zero gradient (switched off, with no way back) and
	 * was undone and retried at half the length.
	 */
	public int rescues() {
		return rescues;
	}

	/**
	 * The objective at each step: entry {@code i} for the image fed at step {@code i} (after the
	 * step's random transform, if any), the last entry for the final image.
	 */
	public float[] history() {
		return history.clone();
	}

	public PatternTarget target() { return target; }

	/** The optimised input {@code [1, H, W, C]} in the model's input units (uncropped). */
	public NdArray image() { return image; }

	/** The objective (e.g. mean activation) for the starting noise. */
	public double startActivation() { return start; }

	/** The objective for the final image. */
	public double finalActivation() { return last; }

	/** Whether the gradient was zero from the start. */
	public boolean dead() { return dead; }

	/** The deprocessed, cropped image in 0..255 (black for a dead target). */
	public Preprocessing.Planes display() { return display; }

	/**
	 * How many times the final objective exceeds the starting noise's in magnitude:
	 * {@code final / |start|}; infinite when the start was 0 and the end is positive.
	 */
	public double gain() {
		if (start == 0) return last > 0 ? Double.POSITIVE_INFINITY : last < 0 ? Double.NEGATIVE_INFINITY : 0;
		return last / Math.abs(start);
	}

	/** Whether the image and both activations are finite numbers. */
	public boolean isFinite() {
		if (!Double.isFinite(start) || !Double.isFinite(last)) return false;
		for (float v : image.data()) if (!Float.isFinite(v)) return false;
		return true;
	}

	/** E.g. {@code conv2d_1 filter 7: 3.214 (x104)} or {@code conv2d_1 filter 7: DEAD (zero gradient)}. */
	public String label() {
		if (dead) return name + ": DEAD (zero gradient)";
		double g = gain();
		String gs = Double.isInfinite(g) ? "from 0" : String.format(Locale.ROOT, "x%.3g", g);
		return String.format(Locale.ROOT, "%s: %.4g (%s)", name, last, gs);
	}

	@Override
	public String toString() {
		return label();
	}
}
