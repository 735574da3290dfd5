package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convlens.ShapesModelTest;
import org.convlens.TestPaths;
import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.core.Progress;
import org.convlens.explain.faithfulness.DeletionInsertion;
import org.convlens.explain.faithfulness.DeletionInsertion.Curve;
import org.convlens.explain.faithfulness.DeletionInsertion.Mode;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * The faithfulness workflow without SciJava: its AUC table holds the curves of the heatmap and of
 * the random baseline computed here step by step for the image's top class, its settings reach
 * the curves and the Info, and the cascade comes only when asked.
 */
class FaithfulnessRunTest extends ShapesModelTest {

	private static ImagePlus ring() {
		return IJ.openImage(TestPaths.testData().resolve("images").resolve("demo-ring.tif").toString());
	}

	@Test
	void aucTableHoldsTheCurvesOfTheMapAndOfTheRandomBaseline() {
		ImagePlus imp = ring();
		Preprocessing prep = Preprocessing.forModel(model.info());
		FaithfulnessRun.Result r = FaithfulnessRun.run("Heatmap Faithfulness", imp, model, prep, "vanilla", "top", 8, "", "probability", false,
			Progress.NONE);
		// the expected curves, step by step: the top class from the model's output, the plain gradient map
		NdArray x = ImageInput.batch(imp, List.of(ImageInput.current(imp)), prep, model.info().imageInput().shape());
		float[] p = model.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
		int top = 0;
		for (int k = 1; k < p.length; k++) if (p[k] > p[top]) top = k;
		NdArray map = HeatmapMethods.parse("vanilla").heatmap(model, x, top, Progress.NONE);
		DeletionInsertion di = new DeletionInsertion().withSteps(8).withScore(ConvModel.OUTPUT);
		NdArray random = HeatmapMethods.randomMap(x.dim(1), x.dim(2), 1);
		Curve[][] want = { { di.curve(model, x, map, top, Mode.DELETION, Progress.NONE), di.curve(model, x, map, top, Mode.INSERTION, Progress.NONE) },
			{ di.curve(model, x, random, top, Mode.DELETION, Progress.NONE), di.curve(model, x, random, top, Mode.INSERTION, Progress.NONE) } };
		ResultsTable t = r.aucs;
		assertEquals(2, t.size());
		assertEquals("vanilla", t.getStringValue("Heatmap", 0));
		assertEquals("random heatmap", t.getStringValue("Heatmap", 1));
		for (int row = 0; row < 2; row++) {
			assertEquals("probability", t.getStringValue("Score", row));
			assertEquals(want[row][0].normalizedAuc(), t.getValue("Deletion AUC (normalised)", row), 1e-6, "row " + row);
			assertEquals(want[row][1].normalizedAuc(), t.getValue("Insertion AUC (normalised)", row), 1e-6, "row " + row);
			assertEquals(want[row][0].auc(), t.getValue("Deletion AUC", row), 1e-6);
			assertEquals(p[top], t.getValue("Image score", row), 1e-5);
			assertEquals(8, (int) t.getValue("Steps", row));
		}
		assertNotNull(r.curves);
		assertTrue(Provenance.get(r.curves, "target").startsWith("vanilla, " + model.info().className(top)), Provenance.get(r.curves, "target"));
		assertEquals("probability (chosen)", Provenance.get(r.curves, "score"));
		assertEquals(di.toString(), Provenance.get(r.curves, "curves"));
		assertNull(r.cascade);
		assertNull(r.cascadePlot);
		assertEquals(1, imp.getStackSize()); // the source is only read
	}

	@Test
	void aLayerThatIsNoFeatureMapIsRefused() {
		String vector = model.info().layers().stream().filter(l -> l.kind() == org.convlens.model.LayerKind.VECTOR).findFirst().orElseThrow().name();
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaithfulnessRun.run("Heatmap Faithfulness", ring(), model,
			Preprocessing.forModel(model.info()), "Grad-CAM", "top", 4, vector, "auto", false, Progress.NONE));
		assertTrue(e.getMessage().startsWith("Layer '" + vector + "' is not a feature map"), e.getMessage());
		assertTrue(e.getMessage().endsWith("choose one of " + model.info().camLayerChoices()), e.getMessage());
	}
}
