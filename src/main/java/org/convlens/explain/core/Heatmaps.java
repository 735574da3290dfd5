package org.convlens.explain.core;

import java.util.List;

/**
 * Small helpers for 2-D maps stored as row-major {@code float[]} ({@code y * w + x}), shared by the
 * explanation methods: resampling to the input or image size, ReLU, normalisation for display.
 */
public final class Heatmaps {

	private Heatmaps() {}

	/**
	 * Bilinear resampling of an {@code h x w} map to {@code H x W}, pixel centres aligned
	 * (half-pixel convention, as TensorFlow's and OpenCV's resize), so a map of a layer that covers
	 * the whole input lands where the layer's receptive fields are centred: the same resampling as
	 * {@link org.convlens.model.Preprocessing#bilinear}, which images get on their way into the model.
	 */
	public static float[] upsample(float[] map, int h, int w, int H, int W) {
		if (map.length != h * w) throw new IllegalArgumentException("Map of " + map.length + " values is not " + w + "x" + h);
		if (H <= 0 || W <= 0) throw new IllegalArgumentException("Cannot resample to " + W + "x" + H);
		if (h == H && w == W) return map.clone();
		return org.convlens.model.Preprocessing.bilinear(map, w, h, W, H);
	}

	/** {@code max(v, 0)} of each value, in a new array. */
	public static float[] relu(float[] map) {
		float[] r = new float[map.length];
		for (int i = 0; i < r.length; i++) r[i] = map[i] > 0 ? map[i] : 0;
		return r;
	}

	/**
	 * Maps the values linearly to [0, 1] (minimum to 0, maximum to 1), in a new array; a constant
	 * map gives zeros. Non-finite values become 0.
	 */
	public static float[] normalize(float[] map) {
		double min = Double.POSITIVE_INFINITY;
		double max = Double.NEGATIVE_INFINITY;
		for (float v : map) {
			if (!Float.isFinite(v)) continue;
			if (v < min) min = v;
			if (v > max) max = v;
		}
		float[] r = new float[map.length];
		double d = max - min;
		if (!(d > 0)) return r;
		for (int i = 0; i < r.length; i++) r[i] = Float.isFinite(map[i]) ? (float) ((map[i] - min) / d) : 0;
		return r;
	}

	/** The element-wise mean of equally long maps. */
	public static float[] mean(List<float[]> maps) {
		if (maps.isEmpty()) throw new IllegalArgumentException("No maps to average");
		int n = maps.get(0).length;
		double[] s = new double[n];
		for (float[] m : maps) {
			if (m.length != n) throw new IllegalArgumentException("Maps of different sizes: " + m.length + " and " + n);
			for (int i = 0; i < n; i++) s[i] += m[i];
		}
		float[] r = new float[n];
		for (int i = 0; i < n; i++) r[i] = (float) (s[i] / maps.size());
		return r;
	}

	/** Index of the largest value (the first one on ties), or -1 for an empty array. */
	public static int argmax(float[] v) {
		int best = -1;
		for (int i = 0; i < v.length; i++) if (best < 0 || v[i] > v[best]) best = i;
		return best;
	}

	public static float min(float[] v) {
		float m = Float.POSITIVE_INFINITY;
		for (float x : v) m = Math.min(m, x);
		return m;
	}

	public static float max(float[] v) {
		float m = Float.NEGATIVE_INFINITY;
		for (float x : v) m = Math.max(m, x);
		return m;
	}
}
