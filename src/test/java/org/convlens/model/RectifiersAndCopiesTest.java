package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ConvModel#rectifiers()} and copies of randomised copies. */
class RectifiersAndCopiesTest {

	static NdArray randomBatch(int[] inputShape, int n, float scale, long seed) {
		int[] s = inputShape.clone();
		s[0] = n;
		Random r = new Random(seed);
		NdArray x = NdArray.zeros(s);
		for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat() * scale;
		return x;
	}

	/** Every ReLU layer of the catalogue is listed, in order, and its input is what it rectifies. */
	static void checkRectifiers(ConvModel m, int expected, float scale) {
		Map<String, String> rect = m.rectifiers();
		assertEquals(expected, rect.size(), rect.toString());
		List<String> reluLayers = new ArrayList<>();
		for (LayerInfo l : m.info().layers()) if (l.opType().equals("Relu")) reluLayers.add(l.tensorName());
		assertEquals(reluLayers, new ArrayList<>(rect.keySet()), "the catalogue's ReLU layers, in graph order");
		NdArray x = randomBatch(m.info().imageInput().shape(), 2, scale, 3);
		List<String> fetch = new ArrayList<>();
		rect.forEach((out, in) -> {
			fetch.add(out);
			fetch.add(in);
		});
		Map<String, NdArray> v = m.run(x, fetch);
		for (Map.Entry<String, String> e : rect.entrySet()) {
			float[] out = v.get(e.getKey()).data(), in = v.get(e.getValue()).data();
			assertEquals(out.length, in.length);
			int positive = 0;
			for (int i = 0; i < out.length; i++) {
				assertEquals(Math.max(0f, in[i]), out[i], 0f, e.getKey());
				if (in[i] > 0) positive++;
			}
			assertTrue(positive > 0 && positive < in.length, "the pre-activation has both signs at " + e.getValue());
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "shapes-tf1", "shapes-keras", "shapes-gap" })
	void generatedModels(String name) {
		try (ConvModel m = Models.open(TestPaths.model(name))) {
			checkRectifiers(m, 3, 1f);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "fashion-mnist-cnn", "brain-mri-tumor64" })
	void realKerasModels(String name) {
		Path dir = TestPaths.sharedOrSkip("models/" + name);
		try (ConvModel m = Models.open(dir)) {
			// conv, conv, conv, dense: four ReLUs each (the brain model has them as Activation layers)
			checkRectifiers(m, 4, name.startsWith("brain") ? 255f : 1f);
		}
	}

	@Test
	void aCopyOfACopyStartsFromTheCopysWeights() {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			float[] conv = m.kernel("conv2d").data().clone(), dense = m.kernel("dense").data().clone();
			try (ConvModel u = m.randomizedCopy(List.of("dense", "conv2d"), 1)) {
				float[] uConv = u.kernel("conv2d").data(), uDense = u.kernel("dense").data();
				assertFalse(Arrays.equals(conv, uConv));
				try (ConvModel v = u.randomizedCopy(List.of("dense"), 2)) {
					assertArrayEquals(uConv, v.kernel("conv2d").data(), 0f, "kept the copy's random conv2d, not the checkpoint's");
					assertFalse(Arrays.equals(uDense, v.kernel("dense").data()));
					assertFalse(Arrays.equals(dense, v.kernel("dense").data()));
					NdArray x = randomBatch(m.info().imageInput().shape(), 1, 1f, 4);
					assertArrayEquals(u.run(x, List.of("conv2d_2")).get("conv2d_2").data(), v.run(x, List.of("conv2d_2")).get("conv2d_2").data(), 0f);
				}
				assertArrayEquals(uDense, u.kernel("dense").data(), 0f, "the copy is unchanged by its own copy");
			}
			assertArrayEquals(conv, m.kernel("conv2d").data(), 0f);
			assertArrayEquals(dense, m.kernel("dense").data(), 0f);
		}
	}
}
