package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import org.convlens.TestPaths;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.TensorInfo;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;

/**
 * A probability of 1 to the table's six decimals (a saturated sigmoid or softmax, e.g. the brain
 * MRI model on every image) reads as certainty: the Log says it is saturated.
 */
class SaturatedPredictionsTest {

	private static ModelInfo info(int classes, String activation) {
		return new ModelInfo(Paths.get("m"), "serving_default", List.of(new TensorInfo("x", "x:0", "DT_FLOAT", new int[] { -1, 8, 8, 1 })),
			List.of(new TensorInfo("y", "y:0", "DT_FLOAT", new int[] { -1, classes })),
			List.of(new LayerInfo(0, "conv", "conv/Relu", "Relu", new int[] { -1, 8, 8, 4 })), List.of(), "logit:0", activation, "NHWC", false);
	}

	@Test
	void saturatedRowsAreCountedAndOthersAreNot() {
		ModelInfo sig = info(1, "sigmoid");
		// p = 1 and p = 0 (its complement 1) saturate; 0.9 does not
		String w = PredictionTable.saturation(sig, new NdArray(new int[] { 3, 1 }, new float[] { 1f, 0f, 0.9f }));
		assertTrue(w.startsWith("the top probability of 2 of 3 items is 1.000000: the sigmoid output is saturated"), w);
		assertNull(PredictionTable.saturation(sig, new NdArray(new int[] { 2, 1 }, new float[] { 0.99f, 0.2f })));
		ModelInfo soft = info(3, "softmax");
		assertTrue(PredictionTable.saturation(soft, new NdArray(new int[] { 1, 3 }, new float[] { 0, 1, 0 })).startsWith("the top probability is 1.000000"));
		assertNull(PredictionTable.saturation(soft, new NdArray(new int[] { 1, 3 }, new float[] { 0.1f, 0.8f, 0.1f })));
		// logits (no activation) are not probabilities
		assertNull(PredictionTable.saturation(info(3, "none"), new NdArray(new int[] { 1, 3 }, new float[] { 0, 1, 0 })));
	}

	private static String log(ImagePlus imp, String normalization) {
		Context ctx = Contexts.get();
		return FashionModelsTest.stdout(() -> {
			Map<String, Object> out = CommandRunner.run(ctx, CommandRunner.create(ctx, ShowPredictions.class),
				Map.of("image", imp, "model", TestPaths.model("fashion-plain").toFile(), "top", 2, "normalization", normalization), false);
			assertEquals(2, ((ResultsTable) out.get("predictions")).size());
		});
	}

	@Test
	void showPredictionsSaysSoInTheLog() {
		// raw values up to 1080 where the model expects 0..1: the softmax saturates
		FloatProcessor fp = new FloatProcessor(28, 28);
		for (int i = 0; i < 28 * 28; i++) fp.setf(i, (i % 28) * 40f);
		String big = log(new ImagePlus("big", fp), "none");
		assertTrue(big.contains("WARNING: big: the top probability is 1.000000: the softmax output is saturated"), big);
		ImagePlus boot = IJ.openImage(TestPaths.testData().resolve("images/fashion/00-ankle-boot.tif").toString());
		String fine = log(boot, "model default");
		assertFalse(fine.contains("saturated"), fine);
	}

	@Test
	void aFolderRunSaysOnceHowManyImagesAreSaturated(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
		java.nio.file.Path in = tmp.resolve("in");
		java.nio.file.Files.createDirectories(in);
		for (int k = 0; k < 3; k++) {
			FloatProcessor fp = new FloatProcessor(28, 28);
			for (int i = 0; i < 28 * 28; i++) fp.setf(i, (i % 28) * (40f + k));
			new ij.io.FileSaver(new ImagePlus("big" + k, fp)).saveAsTiff(in.resolve("big" + k + ".tif").toString());
		}
		java.nio.file.Files.copy(TestPaths.testData().resolve("images/fashion/00-ankle-boot.tif"), in.resolve("boot.tif"));
		Map<String, String> opts = Map.of("model", TestPaths.model("fashion-plain").toString(), "normalization", "none");
		for (boolean perImage : new boolean[] { false, true }) {
			if (perImage) System.setProperty("convlens.perImage", "true");
			try {
				ByteArrayOutputStream said = new ByteArrayOutputStream();
				Batch.Report r = Batch.run("predictions", in, tmp.resolve("out-" + perImage), opts, new PrintStream(said, true, StandardCharsets.UTF_8));
				assertTrue(r.failures.isEmpty(), r.failures.toString());
				List<String> sat = r.warnings.stream().filter(w -> w.contains("saturated")).collect(java.util.stream.Collectors.toList());
				// the three raw ramps saturate the softmax; the boot, raw 0..255 into a 0..1 model, may too: at least 3 of 4
				assertEquals(1, sat.size(), (perImage ? "per-image: " : "batched: ") + r.warnings);
				assertTrue(sat.get(0).matches("the top probability of [34] of 4 images is 1\\.000000: the softmax output is saturated.*"), sat.get(0));
				assertTrue(said.toString(StandardCharsets.UTF_8).contains("WARNING: " + sat.get(0)), said.toString(StandardCharsets.UTF_8));
			}
			finally {
				System.clearProperty("convlens.perImage");
			}
		}
	}
}
