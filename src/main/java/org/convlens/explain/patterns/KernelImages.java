package org.convlens.explain.patterns;

import java.util.ArrayList;
import java.util.List;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

/**
 * The kernels of a convolution as images: one image per output filter, enlarged by
 * nearest-neighbour sampling, with zero at mid-grey (128) and the largest magnitude at 1 or 255,
 * either over all kernels (shared contrast, comparable strengths) or per kernel.
 */
public final class KernelImages {

	/** Which kernels share one contrast scale. */
	public enum Contrast {
		/** One scale for the whole layer. */
		SHARED,
		/** Each output filter scaled to its own largest magnitude. */
		PER_KERNEL
	}

	private KernelImages() {}

	/** Names of the layers with a convolution kernel {@code [kh, kw, in, out]}, in graph order. */
	public static List<String> convLayers(ConvModel model) {
		List<String> out = new ArrayList<>();
		for (LayerInfo l : model.info().layers()) {
			if (l.kind() != LayerKind.SPATIAL) continue;
			try {
				if (model.kernel(l.name()).rank() == 4) out.add(l.name());
			}
			catch (ModelException e) {
				// pooling, activation and other layers without weights
			}
		}
		return out;
	}

	/**
	 * @param kernel {@code [kh, kw, in, out]} as {@link ConvModel#kernel} returns it
	 * @param zoom display pixels per kernel tap (1 or more)
	 * @param rgb show a 3-input-channel kernel as one RGB image; otherwise one plane per input channel
	 * @param bgr the model's channels are B, G, R (swapped to R, G, B for display)
	 * @return one image per output filter, values 1..255
	 */
	public static List<Preprocessing.Planes> render(NdArray kernel, int zoom, Contrast contrast, boolean rgb, boolean bgr) {
		if (kernel.rank() != 4) throw new IllegalArgumentException("Expected a convolution kernel [kh, kw, in, out], got " + kernel);
		if (zoom < 1) throw new IllegalArgumentException("Zoom must be 1 or more: " + zoom);
		int kh = kernel.dim(0), kw = kernel.dim(1), in = kernel.dim(2), out = kernel.dim(3);
		float[] k = kernel.data();
		double[] maxAbs = new double[out];
		double shared = 0;
		for (int i = 0; i < k.length; i++) {
			int o = i % out;
			maxAbs[o] = Math.max(maxAbs[o], Math.abs(k[i]));
			shared = Math.max(shared, Math.abs(k[i]));
		}
		boolean asRgb = rgb && in == 3;
		int w = kw * zoom, h = kh * zoom;
		List<Preprocessing.Planes> list = new ArrayList<>();
		for (int o = 0; o < out; o++) {
			double m = contrast == Contrast.SHARED ? shared : maxAbs[o];
			float[][] planes = new float[in][w * h];
			for (int ci = 0; ci < in; ci++) {
				int pc = asRgb && bgr ? 2 - ci : ci;
				for (int y = 0; y < h; y++) {
					for (int x = 0; x < w; x++) {
						float v = k[((y / zoom * kw + x / zoom) * in + ci) * out + o];
						planes[pc][y * w + x] = display(v, m);
					}
				}
			}
			list.add(new Preprocessing.Planes(planes, w, h, 255, asRgb));
		}
		return list;
	}

	/** A weight's display value: 128 for zero, 1 and 255 for {@code -maxAbs} and {@code +maxAbs}. */
	public static float display(double v, double maxAbs) {
		if (maxAbs <= 0) return 128;
		return (float) Math.max(1, Math.min(255, 128 + 127 * v / maxAbs));
	}
}
