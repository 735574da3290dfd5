package org.convlens.explain.core;

import org.convlens.model.NdArray;

/**
 * What takes the place of removed pixels in occlusion and deletion: zeros (black for inputs
 * scaled to [0, 1] or raw pixel values), the image's per-channel mean, or a strongly blurred copy
 * of the image (which removes the detail but keeps the colours, so that the model sees fewer
 * unnatural edges).
 */
public enum Fill {
	ZERO, MEAN, BLUR;

	/**
	 * The replacement image for an {@code [1, H, W, C]} input: removed pixels take its values.
	 *
	 * @param blurSigma Gaussian sigma in pixels for {@link #BLUR}
	 */
	public NdArray replacement(NdArray input, double blurSigma) {
		switch (this) {
			case ZERO:
				return NdArray.zeros(input.shape());
			case MEAN: {
				float[] m = ExplainMath.channelMeans(input);
				NdArray r = NdArray.zeros(input.shape());
				float[] d = r.data();
				for (int i = 0; i < d.length; i++) d[i] = m[i % m.length];
				return r;
			}
			case BLUR:
				return ExplainMath.blur(input, blurSigma);
			default:
				throw new IllegalStateException(name());
		}
	}

	/** Reads {@code zero}, {@code mean} or {@code blur} (any case). */
	public static Fill of(String s) {
		try {
			return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("Unknown fill '" + s + "'; use zero, mean or blur");
		}
	}
}
