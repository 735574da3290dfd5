package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.core.Progress;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * The commands at their defaults and on a 1x1 layer (the generated last-1x1 model): the default
 * CAM layer first in every CAM dialog, a 1x1 layer warned about in the Info, caption and table,
 * the randomisation check "Not meaningful" there, and Integrated Gradients' steps and completeness
 * error in the Info.
 */
class CamDefaultsCommandsTest extends CommandTestBase {

	private static ImagePlus ring() {
		return IJ.openImage(BatchAndCliTest.demoImage().toString());
	}

	@Test
	void everyCamDialogListsTheDefaultLayerFirstInTheSameOrder() throws Exception {
		Path oneByOne = org.convlens.TestPaths.model("last-1x1");
		for (Path model : List.of(modelPath, oneByOne)) {
			List<String> want;
			try (ConvModel m = Models.open(model)) {
				want = m.info().camLayerChoices();
			}
			for (Class<? extends org.scijava.command.Command> cls : List.of(ClassActivationMap.class, SaliencyMap.class, HeatmapFaithfulness.class)) {
				org.scijava.module.Module mod = CommandRunner.create(ctx, cls);
				mod.setInput("model", model.toFile());
				mod.getInfo().getInput("model").callback(mod);
				assertEquals(want, mod.getInfo().getInput("layer").getChoices(), cls.getSimpleName() + " on " + model.getFileName());
				assertEquals(want.get(0), mod.getInput("layer"));
			}
		}
	}

	@Test
	void oneByOneLayerIsWarnedAboutAndItsMapNamedConstant() {
		File model = org.convlens.TestPaths.model("last-1x1").toFile();
		ImagePlus imp = ring();
		Map<String, Object> at = run(ClassActivationMap.class, "image", imp, "model", model, "layer", "max_pooling2d_1", "overlay", false);
		ImagePlus hm = (ImagePlus) at.get("heatmap");
		String warning = Provenance.get(hm, "warning");
		assertNotNull(warning);
		assertTrue(warning.contains("1x1") && warning.contains("max_pooling2d_1"), warning);
		String label = hm.getStack().getSliceLabel(1);
		assertTrue(label.contains("1x1"), label);
		// and on the picture (so under it in its PNG)
		assertNotNull(hm.getOverlay(), "a caption on the heatmap image");
		String onPicture = ((ij.gui.TextRoi) hm.getOverlay().get(0)).getText().trim();
		assertTrue(onPicture.startsWith("Grad-CAM max_pooling2d_1: ") && onPicture.contains("1x1"), onPicture);
		ResultsTable t = (ResultsTable) at.get("predictions");
		assertTrue(t.getStringValue("heatmap", 0).startsWith("not meaningful"), t.getStringValue("heatmap", 0));
		// the default: the activated last convolution, no warning
		Map<String, Object> def = run(ClassActivationMap.class, "image", ring(), "model", model, "overlay", false);
		ImagePlus d = (ImagePlus) def.get("heatmap");
		assertEquals("conv2d_1", Provenance.get(d, "layers"));
		assertNull(Provenance.get(d, "warning"));
		assertNull(d.getOverlay());
		assertTrue(((ResultsTable) def.get("predictions")).getColumnIndex("heatmap") == ResultsTable.COLUMN_NOT_FOUND);
	}

	@Test
	void faithfulnessOnTheOneByOneLayerIsNotMeaningful() {
		File model = org.convlens.TestPaths.model("last-1x1").toFile();
		Map<String, Object> out = run(HeatmapFaithfulness.class, "image", ring(), "model", model, "layer", "max_pooling2d_1", "steps", 8);
		ResultsTable c = (ResultsTable) out.get("cascade");
		String verdict = c.getStringValue("Flag", c.size() - 1);
		assertTrue(verdict.startsWith("not meaningful: Not meaningful: the original map is"), verdict);
		assertTrue(!verdict.contains("Passed"), verdict);
		for (int i = 0; i < c.size() - 1; i++) {
			assertTrue(Double.isNaN(c.getValue("Spearman", i)), "step " + i);
			assertTrue(c.getStringValue("Flag", i).startsWith("undefined"), c.getStringValue("Flag", i));
		}
		ResultsTable a = (ResultsTable) out.get("aucs");
		assertTrue(a.getStringValue("Heatmap", 0).contains("[map "), a.getStringValue("Heatmap", 0));
		String w = Provenance.get((ImagePlus) out.get("curves"), "warning");
		assertTrue(w != null && w.contains("1x1"), w);
		// at the default layer
		Map<String, Object> def = run(HeatmapFaithfulness.class, "image", ring(), "model", model, "steps", 8, "randomization", false);
		assertEquals("conv2d_1", Provenance.get((ImagePlus) def.get("curves"), "layer"));
	}

	@Test
	void integratedGradientsRecordsStepsAndCompletenessError() {
		ImagePlus imp = ring();
		for (int steps : new int[] { 1, 50 }) {
			Map<String, Object> out = run(SaliencyMap.class, "image", imp, "method", "integrated-gradients", "steps", steps, "overlay", false);
			ImagePlus s = (ImagePlus) out.get("saliency");
			String st = Provenance.get(s, "ig steps"), err = Provenance.get(s, "ig completeness error");
			assertNotNull(st);
			assertNotNull(err);
			// the same run in the explain room, black baseline through the model's preprocessing
			NdArray x = ImageInput.batch(imp, List.of(ImageInput.current(imp)), org.convlens.model.Preprocessing.forModel(engine.info()),
				engine.info().imageInput().shape());
			int k = org.convlens.explain.core.Heatmaps.argmax(engine.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data());
			NdArray black = org.convlens.imagej.SaliencyMaps.black(imp, org.convlens.model.Preprocessing.forModel(engine.info()),
				engine.info().imageInput().shape());
			IntegratedGradients.Result r = new IntegratedGradients().withSteps(steps).withBatchSize(16).withBaselineImage(black)
				.attribute(engine, x, k, Progress.NONE);
			assertEquals(Integer.toString(r.steps()), st);
			assertEquals(String.format(Locale.ROOT, "%.2f %%", 100 * r.completenessError()), err);
			String w = Provenance.get(s, "warning");
			if (r.completenessError() > IntegratedGradients.WARN_ERROR) assertTrue(w != null && w.contains("unconverged"), String.valueOf(w));
			else assertNull(w);
		}
	}
}
