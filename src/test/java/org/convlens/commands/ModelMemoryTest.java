package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.module.Module;

/** The dialogs' memory of preprocessing and layers per model path, and the normalization list's macro form. */
class ModelMemoryTest {

	static ModelMemory memory(Map<String, String> backing) {
		return new ModelMemory(new ModelMemory.Store() {
			@Override
			public String get(String key) {
				return backing.get(key);
			}

			@Override
			public void set(String key, String value) {
				backing.put(key, value);
			}
		});
	}

	@Test
	void valuesStayWithTheirModelPath() {
		Map<String, String> backing = new HashMap<>();
		ModelMemory m = memory(backing);
		Path a = Paths.get("/models/a"), b = Paths.get("/models/b");
		m.put(a, "preprocessing", "normalization=none channel=2");
		m.put(a, "layer", "conv2d_1");
		assertEquals("normalization=none channel=2", m.get(a, "preprocessing"));
		assertEquals("conv2d_1", m.get(a, "layer"));
		assertNull(m.get(b, "preprocessing"), "model a's preprocessing must not be offered for model b");
		assertNull(m.get(b, "layer"));
		// the same folder written differently is the same model
		assertEquals("conv2d_1", m.get(Paths.get("/models/x/../a/"), "layer"));
		m.put(b, "preprocessing", "normalization=percentile");
		assertEquals("normalization=none channel=2", m.get(a, "preprocessing"));
		assertEquals(3, backing.size());
		assertNull(m.get(null, "layer"));
	}

	@Test
	void imagejPrefsBackTheDefaultMemory() {
		Path a = TestPaths.model("fashion-resnet"), b = TestPaths.model("fashion-plain");
		ModelMemory.prefs().put(a, "preprocessing", "normalization=symmetric");
		assertEquals("normalization=symmetric", ModelMemory.prefs().get(a, "preprocessing"));
		assertEquals("normalization=symmetric", ij.Prefs.get(ModelMemory.key(a, "preprocessing"), null));
		assertNull(ModelMemory.prefs().get(b, "preprocessing"));
	}

	@Test
	void specSplitsIntoTheListChoiceAndTheRest() {
		assertEquals("[none, channel=2 resize=false]", java.util.Arrays.toString(IJ1Bridge.splitSpec("normalization=none channel=2 resize=false")));
		assertEquals("[model default, channel=2]", java.util.Arrays.toString(IJ1Bridge.splitSpec("channel=2")));
		assertEquals("[type-range, ]", java.util.Arrays.toString(IJ1Bridge.splitSpec("normalization=range")));
		assertEquals("[model default, normalization=bogus]", java.util.Arrays.toString(IJ1Bridge.splitSpec("normalization=bogus")));
		assertEquals("normalization=percentile low=2", IJ1Bridge.joinSpec("percentile", "low=2"));
		assertEquals("low=2", IJ1Bridge.joinSpec(IJ1Bridge.MODEL_DEFAULT, " low=2 "));
		assertEquals(IJ1Bridge.MODEL_DEFAULT, IJ1Bridge.normalizationChoices()[0]);
		assertEquals(java.util.List.of("model default", "none", "type-range", "symmetric", "mean-std", "percentile", "l2-columns"),
			java.util.List.of(IJ1Bridge.normalizationChoices()));
	}

	@Test
	void recordedNormalizationReplaysFromAMacro() {
		Context ctx = Contexts.get();
		Module module = CommandRunner.create(ctx, ShowPredictions.class);
		Map<String, Object> in = IJ1Bridge.fromMacro(module, "model=[/m] normalization=none preprocessing=[channel=1]");
		assertEquals("normalization=none channel=1", in.get("preprocessing"));
		in = IJ1Bridge.fromMacro(module, "model=[/m] normalization=[model default] preprocessing=[]");
		assertEquals("", in.get("preprocessing"));
		in = IJ1Bridge.fromMacro(module, "model=[/m] preprocessing=[normalization=percentile]");
		assertEquals("normalization=percentile", in.get("preprocessing"));
		assertThrows(IllegalArgumentException.class, () -> IJ1Bridge.fromMacro(module, "model=[/m] normalisation=none"));
	}
}
