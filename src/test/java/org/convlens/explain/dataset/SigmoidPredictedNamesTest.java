package org.convlens.explain.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelInfo;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.model.TensorInfo;
import org.junit.jupiter.api.Test;

/**
 * A single sigmoid output predicts 1 (the output unit, positive) or 0 (its complement), as the
 * predictions table counts them. The dataset commands named index 0 with the positive class's name and
 * index 1 "class 1": an image the model calls negative was listed, coloured and warned about as positive.
 */
class SigmoidPredictedNamesTest {

	private static ModelInfo info(int[] outputShape, List<String> names, String activation) {
		return new ModelInfo(Paths.get("m"), "serving_default", List.of(new TensorInfo("x", "x:0", "DT_FLOAT", new int[] { -1, 8, 8, 1 })),
			List.of(new TensorInfo("y", "y:0", "DT_FLOAT", outputShape)),
			List.of(new LayerInfo(0, "conv", "conv/Relu", "Relu", new int[] { -1, 8, 8, 4 })), names, "logit:0", activation, "NHWC", false);
	}

	private static final ModelInfo TUMOUR = info(new int[] { -1, 1 }, List.of("tumour"), "sigmoid");
	private static final ModelInfo PLAIN = info(new int[] { -1, 1 }, List.of(), "sigmoid");

	@Test
	void predictedIndicesOfASigmoidAreNamedAsThePredictionsTableNamesThem() {
		assertEquals("tumour", TUMOUR.predictedName(1));
		assertEquals("not tumour", TUMOUR.predictedName(0));
		assertEquals("positive", PLAIN.predictedName(1));
		assertEquals("not positive", PLAIN.predictedName(0));
		// a softmax keeps its own indices
		ModelInfo three = info(new int[] { -1, 3 }, List.of("disc", "ring", "cross"), "softmax");
		assertEquals("disc", three.predictedName(0));
		assertEquals("ring", three.predictedName(1));
	}

	@Test
	void embeddingGroupsAndTheOneClassWarningUseThoseNames() {
		CodeCollector rows = new CodeCollector();
		for (int i = 0; i < 4; i++) rows.accept(new CnnCodes.Row(i, "img" + i, null, i == 3 ? 1 : 0, "", 0.99f, new float[] { i, 1 }));
		EmbeddingGroups g = EmbeddingGroups.of(rows, TUMOUR, "predicted");
		assertEquals(List.of("not tumour", "tumour"), g.names());
		assertEquals("not tumour", g.names().get(g.group()[0]));
		assertEquals("tumour", g.names().get(g.group()[3]));
		SameClassCheck same = new SameClassCheck();
		same.addScores(new float[] { 0.01f, 0.02f, 0.001f, 0.03f, 0.05f }, 5);
		String w = same.warning(TUMOUR, Preprocessing.defaults());
		assertTrue(w.startsWith("all 5 images were predicted as 'not tumour'"), w);
	}

	@Test
	void codesOfTheRealSigmoidModelNameTheSideItPredicts() throws Exception {
		Path dir = TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		try (ConvModel m = Models.open(dir)) {
			CodeCollector all = new CodeCollector();
			List<ImageSource.Entry> e = DatasetRunnerTest.shapes(4, 64, 4, 0);
			new CnnCodes(m).extract(ImageSource.of("t", e), new DatasetRunner(m, null), null, all);
			for (int i = 0; i < 4; i++) {
				NdArray x = Preprocessing.forModel(m.info()).apply(e.get(i).read(), m.info().imageInput().shape());
				float p = m.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[0];
				assertEquals(p >= 0.5f ? "positive" : "not positive", all.rows().get(i).predictedName(), "image " + i + ", p = " + p);
			}
		}
	}
}
