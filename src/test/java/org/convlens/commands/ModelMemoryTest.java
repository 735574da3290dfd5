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
		Path a = TestPaths.model("fashion-resnet"), b = TestPaths.testData().resolve("models").resolve("never-used-in-a-dialog");
		ModelMemory.prefs().put(a, "preprocessing", "normalization=symmetric");
		assertEquals("normalization=symmetric", ModelMemory.prefs().get(a, "preprocessing"));
		assertEquals("normalization=symmetric", ij.Prefs.get(ModelMemory.key(a, "preprocessing"), null));
		assertNull(ModelMemory.prefs().get(b, "preprocessing"));
	}

	@Test
	void listChoiceAndTextMakeOneSpec() {
		assertEquals("normalization=percentile low=2", CommandModel.joinSpec("percentile", "low=2"));
		assertEquals("low=2", CommandModel.joinSpec(ConvLensCommand.MODEL_DEFAULT, " low=2 "));
		assertEquals("", CommandModel.joinSpec(null, null));
		// the text's normalization comes later, so it wins when parsed
		assertEquals(org.convlens.model.Preprocessing.Normalization.NONE,
			org.convlens.model.Preprocessing.parse(CommandModel.joinSpec("symmetric", "normalization=none")).normalization());
	}

	@Test
	void theListOffersEveryNormalizationAfterTheModelDefault() {
		Module module = CommandRunner.create(Contexts.get(), ShowPredictions.class);
		java.util.List<String> expected = new java.util.ArrayList<>(java.util.List.of(ConvLensCommand.MODEL_DEFAULT));
		for (org.convlens.model.Preprocessing.Normalization n : org.convlens.model.Preprocessing.Normalization.values()) expected.add(ConvLensCommand.specName(n));
		assertEquals(expected, module.getInfo().getInput("normalization").getChoices());
		assertEquals(ConvLensCommand.MODEL_DEFAULT, module.getInput("normalization"));
	}

	@Test
	void recordedNormalizationReplaysFromAMacro() {
		Context ctx = Contexts.get();
		Module module = CommandRunner.create(ctx, ShowPredictions.class);
		Map<String, Object> in = IJ1Bridge.fromMacro(module, "model=[/m] normalization=none preprocessing=[channel=1]");
		assertEquals("none", in.get("normalization"));
		assertEquals("channel=1", in.get("preprocessing"));
		in = IJ1Bridge.fromMacro(module, "model=[/m] normalization=[model default] preprocessing=[]");
		assertEquals(ConvLensCommand.MODEL_DEFAULT, in.get("normalization"));
		in = IJ1Bridge.fromMacro(module, "model=[/m] preprocessing=[normalization=percentile]");
		assertEquals("normalization=percentile", in.get("preprocessing"));
		assertEquals(null, in.get("normalization"));
		assertThrows(IllegalArgumentException.class, () -> IJ1Bridge.fromMacro(module, "model=[/m] normalisation=none"));
	}

	@Test
	void theListChoiceDecidesThePreprocessingOfARun() {
		Context ctx = Contexts.get();
		ij.ImagePlus imp = ij.IJ.openImage(TestPaths.testData().resolve("images/fashion/00-ankle-boot.tif").toString());
		Map<String, Object> in = new HashMap<>();
		in.put("image", imp);
		in.put("model", TestPaths.model("fashion-resnet").toFile());
		in.put("layer", "activation_5");
		in.put("normalization", "type-range");
		in.put("preprocessing", "channel=1");
		ij.ImagePlus acts = (ij.ImagePlus) CommandRunner.run(ctx, CommandRunner.create(ctx, ShowActivations.class), in, false).get("activations");
		assertEquals("normalization=type-range resize=true channel=1", org.convlens.imagej.Provenance.get(acts, "preprocessing"));
		in.put("normalization", "bogus");
		RuntimeException e = assertThrows(RuntimeException.class, () -> CommandRunner.run(ctx, CommandRunner.create(ctx, ShowActivations.class), in, false));
		org.junit.jupiter.api.Assertions.assertTrue(ConvLensCommand.message(e).startsWith("Unknown normalization 'bogus'"), ConvLensCommand.message(e));
	}

	/** A layer is remembered per model AND command (a CAM layer is no code layer); preprocessing per model only. */
	@Test
	void layersAreRememberedPerCommandPreprocessingPerModel() {
		org.scijava.Context ctx = Contexts.get();
		org.scijava.module.Module act = CommandRunner.create(ctx, ShowActivations.class);
		org.scijava.module.Module codes = CommandRunner.create(ctx, CnnCodesExport.class);
		java.util.function.BiFunction<org.scijava.module.Module, String, String> key =
			(m, name) -> IJ1Bridge.memoryKey(m, m.getInfo().getInput(name));
		org.junit.jupiter.api.Assertions.assertNotEquals(key.apply(act, "layer"), key.apply(codes, "layer"));
		org.junit.jupiter.api.Assertions.assertEquals(key.apply(act, "preprocessing"), key.apply(codes, "preprocessing"));
		org.junit.jupiter.api.Assertions.assertEquals(key.apply(act, "normalization"), key.apply(codes, "normalization"));
		Map<String, String> backing = new java.util.HashMap<>();
		ModelMemory m = memory(backing);
		java.nio.file.Path model = java.nio.file.Paths.get("/models/a");
		m.put(model, key.apply(act, "layer"), "conv2d");
		org.junit.jupiter.api.Assertions.assertNull(m.get(model, key.apply(codes, "layer")), "Show Activations' layer leaked into CNN Codes");
		org.junit.jupiter.api.Assertions.assertEquals("conv2d", m.get(model, key.apply(act, "layer")));
	}
}
