package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.convlens.explain.core.Progress;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * A single-sigmoid model (brain-mri-tumor64 of ../shared, skipped when absent): the predictions
 * table's top class and the CAM caption name the same class, in the same words, with no bare
 * index and no "class class".
 */
class SigmoidClassNamesTest {

	@Test
	void tableAndCaptionNameTheSameClass() throws IOException {
		Path dir = TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		List<Path> samples;
		try (Stream<Path> s = Files.list(dir.resolve("samples"))) {
			samples = s.filter(p -> p.toString().endsWith(".jpg")).sorted().collect(Collectors.toList());
		}
		try (ConvModel m = Models.open(dir)) {
			ModelInfo info = m.info();
			assertTrue(info.singleSigmoid());
			int[] shape = info.imageInput().shape();
			int seenPositive = 0, seenNegative = 0;
			for (Path f : samples) {
				ImagePlus imp = IJ.openImage(f.toString());
				NdArray x = ImageInput.batch(imp, List.of(ImageInput.current(imp)), Preprocessing.defaults()
					.withNormalization(Preprocessing.Normalization.NONE), shape);
				normalizeColumns(x);
				Map<String, NdArray> fetched = new java.util.HashMap<>();
				Heatmap hm = new ClassActivationMaps(m).compute(x, null, List.of(ConvModel.OUTPUT), fetched, Progress.NONE).get(0);
				ResultsTable t = Tables.predictions(info, fetched.get(ConvModel.OUTPUT), List.of(imp.getTitle()), 2);
				String top = t.getStringValue("class", 0);
				assertEquals(top, hm.label(), f.getFileName() + ": table and CAM name the same class");
				String caption = hm.caption();
				// the caption's number is the logit of the class named (negated for the complement), not the table's probability
				assertTrue(caption.contains(": " + top + ", logit "), caption);
				assertEquals(t.getValue("probability", 0), 1 / (1 + Math.exp(-hm.score())), 1e-4, caption);
				assertFalse(caption.matches(".*class \\d.*"), caption);
				assertFalse(top.startsWith("class "), top);
				assertEquals(info.className(ModelInfo.COMPLEMENT), top.equals(info.className(0)) ? t.getStringValue("class", 1) : top);
				// the int-target methods (occlusion, saliency, faithfulness) explain the same class
				int k = org.convlens.explain.attribution.HeatmapMethods.classIndices(m, x, org.convlens.explain.cam.Target.topClass())[0];
				assertEquals(top, info.className(k), f.getFileName() + ": occlusion/saliency target");
				assertEquals(hm.classIndex(), k);
				// the complement is explained through the negated output: its occlusion map is the output's, negated
				org.convlens.explain.attribution.Occlusion occ = new org.convlens.explain.attribution.Occlusion().withScore(ConvModel.LOGITS);
				float[] pos = occ.heatmap(m, x, 0, Progress.NONE).data(), neg = occ.heatmap(m, x, ModelInfo.COMPLEMENT, Progress.NONE).data();
				float scale = 0;
				for (float v : pos) scale = Math.max(scale, Math.abs(v));
				assertTrue(scale > 0);
				for (int i = 0; i < pos.length; i++) assertEquals(-pos[i], neg[i], 1e-4 * scale);
				if (top.equals(info.className(0))) seenPositive++;
				else seenNegative++;
				System.out.println(f.getFileName() + ": " + caption + " | table: " + top + " " + t.getValue("probability", 0));
			}
			assertTrue(seenPositive + seenNegative == samples.size());
			assertTrue(seenPositive > 0 && seenNegative > 0, "the samples show both classes: " + seenPositive + " / " + seenNegative);
		}
	}

	/** {@code x / ||x||} along the height axis, as keras.utils.normalize(x, axis=1) in the model's training. */
	private static void normalizeColumns(NdArray x) {
		int H = x.dim(1), W = x.dim(2), C = x.dim(3);
		float[] d = x.data();
		for (int c = 0; c < C; c++) {
			for (int col = 0; col < W; col++) {
				double s = 0;
				for (int y = 0; y < H; y++) s += d[(y * W + col) * C + c] * d[(y * W + col) * C + c];
				if (s == 0) continue;
				for (int y = 0; y < H; y++) d[(y * W + col) * C + c] /= Math.sqrt(s);
			}
		}
	}
}
