package org.convlens.explain.cam;

import java.util.Arrays;

import org.convlens.model.NdArray;

/**
 * The feature maps of one spatial layer for one image: {@code height x width x channels} floats,
 * channel fastest ({@code (y * width + x) * channels + k}), the layout of one item of an NHWC
 * batch. Used for activations and for their gradients alike.
 */
public final class FeatureMaps {

	private final int height;
	private final int width;
	private final int channels;
	private final float[] data;

	/** Wraps {@code data} (not copied). */
	public FeatureMaps(int height, int width, int channels, float[] data) {
		if (height <= 0 || width <= 0 || channels <= 0) {
			throw new IllegalArgumentException("Feature maps need positive sizes, not " + height + "x" + width + "x" + channels);
		}
		if (data.length != height * width * channels) {
			throw new IllegalArgumentException(data.length + " values do not fill " + height + "x" + width + "x" + channels);
		}
		this.height = height;
		this.width = width;
		this.channels = channels;
		this.data = data;
	}

	/**
	 * Item {@code item} of a batch {@code [N, h, w, k]}: a copy, or the batch's own array when it
	 * holds one item (the maps only read it).
	 *
	 * @throws IllegalArgumentException if the array is not rank 4
	 */
	public static FeatureMaps of(NdArray batch, int item) {
		if (batch.rank() != 4) {
			throw new IllegalArgumentException("Expected feature maps [N, H, W, C], got " + Arrays.toString(batch.shape()));
		}
		int h = batch.dim(1), w = batch.dim(2), k = batch.dim(3);
		int n = h * w * k;
		// a batch of one is wrapped, not copied (the maps of a 224x224 image fill megabytes)
		if (batch.dim(0) == 1 && item == 0) return new FeatureMaps(h, w, k, batch.data());
		return new FeatureMaps(h, w, k, Arrays.copyOfRange(batch.data(), item * n, (item + 1) * n));
	}

	public int height() { return height; }
	public int width() { return width; }
	public int channels() { return channels; }
	/** Number of positions, {@code height * width}. */
	public int positions() { return height * width; }

	/** The backing array (not a copy). */
	public float[] data() { return data; }

	public float get(int y, int x, int k) {
		return data[(y * width + x) * channels + k];
	}

	/** Channel {@code k} as a row-major {@code height x width} map. */
	public float[] channel(int k) {
		float[] c = new float[height * width];
		for (int p = 0; p < c.length; p++) c[p] = data[p * channels + k];
		return c;
	}

	/** Whether {@code other} has the same height, width and channels. */
	public boolean sameShape(FeatureMaps other) {
		return height == other.height && width == other.width && channels == other.channels;
	}

	/** As a batch of one, {@code [1, h, w, k]}. */
	public NdArray toBatch() {
		return new NdArray(new int[] { 1, height, width, channels }, data);
	}

	@Override
	public String toString() {
		return "FeatureMaps[" + height + "x" + width + "x" + channels + "]";
	}
}
