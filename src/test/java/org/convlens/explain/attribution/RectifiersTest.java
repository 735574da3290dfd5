package org.convlens.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link GuidedBackprop#rectifiers}: every ReLU on the path, in order, with what it rectifies. */
class RectifiersTest {

	static void check(ConvModel m, int expected, float scale) {
		Map<String, String> rect = GuidedBackprop.rectifiers(m);
		assertEquals(expected, rect.size(), rect.toString());
		List<String> reluLayers = new ArrayList<>();
		for (LayerInfo l : m.info().layers()) if (l.opType().equals("Relu")) reluLayers.add(l.tensorName());
		assertEquals(reluLayers, new ArrayList<>(rect.keySet()), "the catalogue's ReLU layers, in graph order");
		int[] s = m.info().imageInput().shape();
		s[0] = 2;
		NdArray x = NdArray.zeros(s);
		Random r = new Random(3);
		for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat() * scale;
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
			check(m, 3, 1f);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "fashion-mnist-cnn", "brain-mri-tumor64" })
	void realKerasModels(String name) {
		Path dir = TestPaths.sharedOrSkip("models/" + name);
		try (ConvModel m = Models.open(dir)) {
			// conv, conv, conv, dense: four ReLUs each (the brain model has them as Activation layers)
			check(m, 4, name.startsWith("brain") ? 255f : 1f);
		}
	}
}
