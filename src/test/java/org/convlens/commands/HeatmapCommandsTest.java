package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.faithfulness.DeletionInsertion;
import org.convlens.explain.core.Fill;
import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.attribution.Occlusion;
import org.convlens.explain.core.Progress;
import org.convlens.explain.faithfulness.RandomizationCheck;
import org.convlens.explain.attribution.SmoothGrad;
import org.convlens.explain.attribution.VanillaGradient;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ImageProcessor;

/**
 * Occlusion Map, Saliency Map and Heatmap Faithfulness through the SciJava context, the macro path
 * and Batch: the maps equal the explain-level results resized to the image; the source is untouched.
 */
class HeatmapCommandsTest extends CommandTestBase {

	@BeforeAll
	static void noDialogs() {
		System.setProperty("convlens.dialogs", "false");
	}

	@AfterAll
	static void dialogsBack() {
		System.clearProperty("convlens.dialogs");
	}

	/** The demo ring, scaled up 2x (bilinear) so that maps must be resampled to the image. */
	static ImagePlus ring2x() {
		ImagePlus src = IJ.openImage(BatchAndCliTest.demoImage().toString());
		ImageProcessor ip = src.getProcessor().resize(2 * size, 2 * size, true);
		ImagePlus imp = new ImagePlus("ring2x", ip);
		imp.getCalibration().pixelWidth = 0.25;
		imp.getCalibration().pixelHeight = 0.25;
		imp.getCalibration().setUnit("um");
		return imp;
	}

	/** The model input for an 8-bit image: pixel / 255, bilinear to the model's size. */
	static NdArray input(ImagePlus imp, int slice) {
		float[] px = new float[imp.getWidth() * imp.getHeight()];
		ImageProcessor ip = imp.getStack().getProcessor(slice);
		for (int i = 0; i < px.length; i++) px[i] = ip.getf(i) / 255f;
		float[] r = org.convlens.model.Preprocessing.bilinear(px, imp.getWidth(), imp.getHeight(), size, size);
		return new NdArray(new int[] { 1, size, size, 1 }, r);
	}

	static int top(NdArray x) {
		return Heatmaps.argmax(engine.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data());
	}

	static void assertMap(NdArray expected, ImagePlus maps, int slice, double tol) {
		float[] e = Heatmaps.upsample(expected.data(), expected.dim(0), expected.dim(1), maps.getHeight(), maps.getWidth());
		ImageProcessor ip = maps.getStack().getProcessor(slice);
		double max = Math.max(Heatmaps.max(e), -Heatmaps.min(e));
		for (int i = 0; i < e.length; i++) assertEquals(e[i], ip.getf(i), tol * (1 + max), "pixel " + i);
	}

	/**
	 * The Info gives the automatic patch and stride in image pixels too (it said "0 image px"), and
	 * the Log's score line names the image (a folder run logs one line per image).
	 */
	@Test
	void occlusionInfoGivesTheAutomaticPatchInImagePixels() {
		ImagePlus imp = ring2x(); // twice the model's input size
		ImagePlus[] maps = new ImagePlus[1];
		String log = FashionModelsTest.stdout(() -> maps[0] = (ImagePlus) run(OcclusionMap.class, "image", imp, "fill", "zero").get("occlusion"));
		assertTrue(log.contains("Occlusion Map, ring2x: score "), log);
		ImagePlus map = maps[0];
		NdArray x = input(imp, 1);
		int patch = new Occlusion().patchFor(x.dim(1), x.dim(2)), stride = new Occlusion().strideFor(x.dim(1), x.dim(2));
		assertEquals("auto, about " + 2 * patch + " image px = " + patch + " model px", Provenance.get(map, "patch"));
		assertEquals("auto, about " + 2 * stride + " image px = " + stride + " model px", Provenance.get(map, "stride"));
	}

	@Test
	void occlusionInImagePixelsEqualsTheExplainResult() {
		ImagePlus imp = ring2x();
		String before = fingerprint(imp);
		// patch 12 and stride 4 image pixels = 6 and 2 model pixels
		Map<String, Object> out = run(OcclusionMap.class, "image", imp, "patch", 12, "stride", 4, "fill", "zero", "batch", 7, "blend", true);
		ImagePlus map = (ImagePlus) out.get("occlusion");
		assertEquals(32, map.getBitDepth());
		assertEquals(imp.getWidth(), map.getWidth());
		assertEquals(0.25, map.getCalibration().pixelWidth, 1e-12);
		assertEquals(imp.getCalibration().getUnit(), map.getCalibration().getUnit());
		NdArray x = input(imp, 1);
		NdArray expected = new Occlusion().withPatch(6).withStride(2).withFill(Fill.ZERO).heatmap(engine, x, top(x), Progress.NONE);
		assertMap(expected, map, 1, 1e-4);
		assertEquals("zero", Provenance.get(map, "fill"));
		// the output names the exact model files it was made with
		assertEquals(engine.info().fingerprint(), Provenance.get(map, "model.fingerprint"));
		assertTrue(Provenance.get(map, "model.fingerprint").matches("[0-9a-f]{16}"), Provenance.get(map, "model.fingerprint"));
		ImagePlus blend = (ImagePlus) out.get("blended");
		assertEquals(24, blend.getBitDepth());
		assertEquals(imp.getWidth(), blend.getWidth());
		assertNotNull(imp.getOverlay(), "heatmap laid over the source");
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void aStackGivesOneMapPerSlice() {
		ImagePlus imp = random("stack", size, size, 8, 1, 3, 1, 5);
		String before = fingerprint(imp);
		ImagePlus map = (ImagePlus) run(SaliencyMap.class, "image", imp, "method", "vanilla", "target", "2").get("saliency");
		assertEquals(3, map.getStackSize());
		assertEquals(3, map.getNSlices());
		for (int z = 1; z <= 3; z++) assertMap(new VanillaGradient().heatmap(engine, input(imp, z), 2, Progress.NONE), map, z, 1e-4);
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void saliencyMethodsThroughTheMacroPath() {
		ImagePlus imp = ring2x();
		String before = fingerprint(imp);
		NdArray x = input(imp, 1);
		int k = top(x);
		String cls = "org.convlens.commands.SaliencyMap";
		ImagePlus sg = (ImagePlus) MacroPathTest.macro(imp, cls, MacroPathTest.opts("method=smoothgrad samples=8 noise=10")).get("saliency");
		assertMap(new SmoothGrad().withSamples(8).withNoise(0.1).heatmap(engine, x, k, Progress.NONE), sg, 1, 1e-4);
		// integrated gradients from black through the preprocessing (zeros here), signed
		ImagePlus[] igOut = new ImagePlus[1];
		String log = FashionModelsTest.stdout(() -> igOut[0] = (ImagePlus) MacroPathTest.macro(imp, cls,
			MacroPathTest.opts("method=integrated-gradients steps=20 baseline=black")).get("saliency"));
		ImagePlus ig = igOut[0];
		// the Log line starts "<command>, <image>:" as the command's others do
		assertTrue(log.lines().anyMatch(l -> l.matches("(WARNING: )?Saliency Map, ring2x: (WARNING )?integrated gradients used \\d+ steps; completeness error .*")), log);
		IntegratedGradients.Result r = new IntegratedGradients().withSteps(20).attribute(engine, x, k, Progress.NONE);
		assertMap(r.map(), ig, 1, 1e-3);
		assertTrue(ig.getDisplayRangeMin() < 0 && ig.getDisplayRangeMin() == -ig.getDisplayRangeMax(), "symmetric range for signed maps");
		// the Info names the baseline chosen (it said 'custom': black is passed as an image through the preprocessing)
		String settings = Provenance.get(ig, "settings");
		assertTrue(settings.contains(" baseline=black ") && !settings.contains("custom"), settings);
		ImagePlus gg = (ImagePlus) MacroPathTest.macro(imp, cls, MacroPathTest.opts("method=guided-gradcam layer=conv2d_2")).get("saliency");
		assertMap(new org.convlens.explain.attribution.GuidedGradCam(new CamHeatmap()).heatmap(engine, x, k, Progress.NONE), gg, 1, 1e-4);
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void badInputsGiveMessages() {
		ImagePlus imp = random("bad", size, size, 8, 1, 1, 1, 3);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(SaliencyMap.class, "image", imp, "method", "magic"));
		assertTrue(e.getMessage().contains("Unknown saliency method 'magic'"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> run(SaliencyMap.class, "image", imp, "baseline", "grey"));
		assertTrue(e.getMessage().contains("black, blurred or mean"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> run(OcclusionMap.class, "image", imp, "fill", "noise"));
		assertTrue(e.getMessage().contains("zero, mean or blur"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> run(OcclusionMap.class, "image", imp, "target", "9"));
		assertTrue(e.getMessage().contains("out of range"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> run(HeatmapFaithfulness.class, "image", imp, "method", "astrology"));
		assertTrue(e.getMessage().contains("Unknown heatmap method"), e.getMessage());
	}

	@Test
	void faithfulnessTablesEqualTheExplainResults() {
		ImagePlus imp = IJ.openImage(BatchAndCliTest.demoImage().toString());
		String before = fingerprint(imp);
		Map<String, Object> out = run(HeatmapFaithfulness.class, "image", imp, "method", "Grad-CAM", "steps", 20);
		NdArray x = input(imp, 1);
		int k = top(x);
		NdArray cam = new CamHeatmap().heatmap(engine, x, k, Progress.NONE);
		// score=auto: the rule of ScoreRule (the logit when the class probability is saturated)
		org.convlens.explain.attribution.ScoreRule rule = org.convlens.explain.attribution.ScoreRule.resolve("auto", engine, x, k);
		DeletionInsertion di = new DeletionInsertion().withSteps(20).withScore(rule.tensor());
		ResultsTable t = (ResultsTable) out.get("aucs");
		assertEquals(2, t.size());
		assertEquals("Grad-CAM", t.getStringValue("Heatmap", 0));
		assertEquals("random heatmap", t.getStringValue("Heatmap", 1));
		double del = di.curve(engine, x, cam, k, DeletionInsertion.Mode.DELETION, Progress.NONE).auc();
		double ins = di.curve(engine, x, cam, k, DeletionInsertion.Mode.INSERTION, Progress.NONE).auc();
		assertEquals(del, t.getValue("Deletion AUC", 0), 1e-5);
		assertEquals(ins, t.getValue("Insertion AUC", 0), 1e-5);
		assertEquals(rule.name(), t.getStringValue("Score", 0));
		DeletionInsertion.Curve dc = di.curve(engine, x, cam, k, DeletionInsertion.Mode.DELETION, Progress.NONE);
		assertEquals(dc.normalizedAuc(), t.getValue("Deletion AUC (normalised)", 0), 1e-5);
		assertTrue(t.getValue("Deletion AUC (normalised)", 0) < t.getValue("Deletion AUC (normalised)", 1), "on the normalised scale too");
		assertEquals(rule.reason(), org.convlens.imagej.Provenance.get((ImagePlus) out.get("curves"), "score"));
		assertTrue(t.getValue("Deletion AUC", 0) < t.getValue("Deletion AUC", 1), "Grad-CAM deletes faster than a random map");
		assertNotNull(out.get("curves"));
		ResultsTable c = (ResultsTable) out.get("cascade");
		RandomizationCheck.Result r = new RandomizationCheck().run(engine, x, k, new CamHeatmap(), Progress.NONE);
		assertEquals(r.steps().size() + 1, c.size());
		for (int i = 0; i < r.steps().size(); i++) {
			assertEquals(r.steps().get(i).layer(), c.getStringValue("Layer randomised", i));
			assertEquals(r.steps().get(i).spearman(), c.getValue("Spearman", i), 1e-6);
		}
		assertTrue(c.getStringValue("Flag", r.steps().size()).contains(r.verdict()));
		// the verdict row has no NaN: every column says something
		int v = r.steps().size();
		assertEquals("verdict", c.getStringValue("Step", v));
		for (String col : c.getHeadings()) {
			if (col.equals("Label") || col.isEmpty()) continue;
			assertFalse(c.getStringValue(col, v).equals("NaN"), col + " of the verdict row: " + c.getRowAsString(v));
		}
		assertEquals(r.steps().get(v - 1).spearmanSigned(), c.getValue("Spearman (signed)", v), 1e-6);
		assertNotNull(out.get("cascadeplot"));
		assertEquals(before, fingerprint(imp));
		// without the check: no cascade
		Map<String, Object> quick = run(HeatmapFaithfulness.class, "image", imp, "method", "vanilla", "steps", 10, "randomization", false);
		assertNull(quick.get("cascade"));
		assertEquals(ConvModel.OUTPUT, org.convlens.explain.attribution.HeatmapMethods.faithfulnessScore(engine.info()), "softmax model: probabilities");
	}

	@Test
	void batchWritesTheOutputs(@TempDir Path tmp) throws Exception {
		Path img = BatchAndCliTest.demoImage();
		assertTrue(Batch.run("occlusion", img, tmp, Map.of("model", modelPath.toString(), "patch", "6", "stride", "3", "blend", "true"), null).failures.isEmpty());
		assertTrue(Batch.run("saliency", img, tmp, Map.of("model", modelPath.toString(), "method", "guided-backprop"), null).failures.isEmpty());
		Batch.Report r = Batch.run("faithfulness", img, tmp, Map.of("model", modelPath.toString(), "steps", "10", "randomization", "false"), null);
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		for (String f : new String[] { "demo-ring_occlusion.tif", "demo-ring_saliency.tif", "demo-ring_blended.png", "demo-ring_aucs.csv", "demo-ring_curves.png" }) {
			assertTrue(Files.exists(tmp.resolve(f)), f + " in " + r.files);
		}
		ImagePlus occ = IJ.openImage(tmp.resolve("demo-ring_occlusion.tif").toString());
		assertEquals(32, occ.getBitDepth());
	}
}
