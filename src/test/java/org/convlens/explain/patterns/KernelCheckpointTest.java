package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;

import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

/**
 * Kernels read through the model equal the values stored in the checkpoint, which the test
 * reads itself from the TensorBundle files ({@link TensorBundle}); and the kernel images show
 * exactly those values.
 */
class KernelCheckpointTest {

	/**
	 * The checkpoint key of the j-th weighted layer: a variable name ending in
	 * {@code <layer>/kernel} (TF1 style, e.g. {@code sequential/conv2d/kernel}), else the Keras
	 * object-graph name {@code layer_with_weights-<j>/kernel/...}.
	 */
	static String kernelKey(TensorBundle b, String layer, int j) {
		for (String k : b.entries().keySet()) {
			if (k.equals(layer + "/kernel") || k.endsWith("/" + layer + "/kernel")) return k;
		}
		return "layer_with_weights-" + j + "/kernel/.ATTRIBUTES/VARIABLE_VALUE";
	}

	private static void check(Path dir) throws Exception {
		TensorBundle bundle = new TensorBundle(dir);
		try (ConvModel m = Models.open(dir)) {
			List<String> convs = KernelImages.convLayers(m);
			assertFalse(convs.isEmpty(), "no conv layers found in " + dir);
			for (int j = 0; j < convs.size(); j++) {
				String key = kernelKey(bundle, convs.get(j), j);
				NdArray k = m.kernel(convs.get(j));
				assertArrayEquals(bundle.shape(key), k.shape(), convs.get(j) + " vs " + key);
				assertArrayEquals(bundle.floats(key), k.data(), convs.get(j) + " vs " + key);
			}
			// the first layer's images show the checkpoint values
			String key = kernelKey(bundle, convs.get(0), 0);
			int[] s = bundle.shape(key);
			float[] ck = bundle.floats(key);
			double shared = 0;
			for (float v : ck) shared = Math.max(shared, Math.abs(v));
			int zoom = 3;
			boolean rgb = s[2] == 3;
			List<Preprocessing.Planes> imgs = KernelImages.render(m.kernel(convs.get(0)), zoom, KernelImages.Contrast.SHARED, true, false);
			assertEquals(s[3], imgs.size());
			for (int o = 0; o < s[3]; o++) {
				Preprocessing.Planes p = imgs.get(o);
				assertEquals(s[1] * zoom, p.width);
				assertEquals(rgb, p.rgb);
				for (int y = 0; y < p.height; y++) {
					for (int x = 0; x < p.width; x++) {
						for (int c = 0; c < s[2]; c++) {
							float v = ck[(((y / zoom) * s[1] + x / zoom) * s[2] + c) * s[3] + o];
							assertEquals(128 + 127 * v / shared, p.channels()[c][y * p.width + x], 1e-3, "filter " + o);
						}
					}
				}
			}
		}
	}

	@Test
	void brainModelKernelsMatchTheCheckpoint() throws Exception {
		check(PatternTestModels.sharedModel(PatternTestModels.BRAIN));
	}

	@Test
	void fashionModelKernelsMatchTheCheckpoint() throws Exception {
		check(PatternTestModels.sharedModel(PatternTestModels.FASHION));
	}

	@Test
	void generatedTf1ModelKernelsMatchTheCheckpoint() throws Exception {
		check(PatternTestModels.generated("shapes-tf1"));
	}

	@Test
	void generatedKerasModelKernelsMatchTheCheckpoint() throws Exception {
		check(PatternTestModels.generated("shapes-keras"));
	}
}
