package org.convlens.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.OpNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.core.Degenerate;
import org.convlens.explain.faithfulness.DeletionInsertion;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.core.ForwardingModel;
import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.core.Progress;

/**
 * Outputs that do not mislead: degenerate maps named, the score=auto rule on a saturated softmax,
 * deletion/insertion areas on a comparable scale, guided backpropagation decided from the graph.
 */
class TrustworthyOutputsTest {

	static ConvModel model;

	@BeforeAll
	static void open() {
		model = Models.open(Fixtures.shapesModel());
	}

	@AfterAll
	static void close() {
		model.close();
	}

	/** The demo ring with its contrast raised until the softmax saturates (p = 1 at float precision). */
	private static NdArray saturatedRing() {
		NdArray x = Fixtures.demoRing();
		float[] d = x.data().clone();
		for (int i = 0; i < d.length; i++) d[i] *= 40;
		return new NdArray(x.shape(), d);
	}

	@Test
	void degenerateMapsAreNamed() {
		assertNull(Degenerate.describe(new float[] { 0, 1, 2 }));
		assertEquals("all zero", Degenerate.describe(new float[4]));
		assertTrue(Degenerate.describe(new float[] { 3, 3, 3 }).startsWith("constant"));
		assertTrue(Degenerate.describe(new float[] { 1, Float.NaN, 2 }).contains("NaN/Inf"));
		assertTrue(Degenerate.describe(new float[] { 1, Float.POSITIVE_INFINITY }).contains("NaN/Inf"));
		assertTrue(Double.isNaN(ExplainMath.pearson(new double[] { 1, 1, 1 }, new double[] { 1, 2, 3 })));
	}

	@Test
	void saturatedSoftmaxOcclusionUsesTheLogitAndIsNotFlat() {
		NdArray x = saturatedRing();
		int k = Heatmaps.argmax(model.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data());
		float p = model.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[k];
		assertTrue(p > 1 - ScoreRule.SATURATION, "the fixture saturates: p = " + p);
		ScoreRule rule = ScoreRule.resolve("auto", model, x, k);
		assertEquals(ConvModel.LOGITS, rule.tensor());
		assertTrue(rule.reason().contains("saturated"), rule.reason());
		Occlusion.Result auto = new Occlusion().compute(model, x, k, Progress.NONE);
		assertEquals(ConvModel.LOGITS, auto.score());
		assertEquals(rule.reason(), auto.scoreReason());
		Occlusion.Result prob = new Occlusion().withScore(ConvModel.OUTPUT).compute(model, x, k, Progress.NONE);
		float[] a = auto.map().data(), b = prob.map().data();
		double rangeAuto = Heatmaps.max(a) - Heatmaps.min(a), rangeProb = Heatmaps.max(b) - Heatmaps.min(b);
		System.out.printf(java.util.Locale.ROOT, "saturated p=%.7f: occlusion range, logit %.4g, probability %.4g%n", p, rangeAuto, rangeProb);
		assertNull(Degenerate.describe(a), "the logit map is not flat");
		// the map is structured: well over half of its pixels differ from its median
		float[] sorted = a.clone();
		java.util.Arrays.sort(sorted);
		float median = sorted[sorted.length / 2];
		int differ = 0;
		for (float v : a) if (Math.abs(v - median) > 1e-3 * rangeAuto) differ++;
		assertTrue(differ > a.length / 2, differ + " of " + a.length);
		// the probability barely moves (or not at all, when the explicit choice falls back to the logit and says so)
		if (prob.score().equals(ConvModel.OUTPUT)) assertTrue(rangeProb < 1e-3, "the probability barely moves: " + rangeProb);
		else assertTrue(prob.scoreReason().contains("did not move"), prob.scoreReason());
		// a clear, unsaturated image keeps the probability
		NdArray ring = Fixtures.demoRing();
		float p1 = model.run(ring, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[1];
		String want = p1 > 1 - ScoreRule.SATURATION || p1 < ScoreRule.SATURATION ? ConvModel.LOGITS : ConvModel.OUTPUT;
		assertEquals(want, ScoreRule.resolve("auto", model, ring, 1).tensor());
		assertEquals(ConvModel.OUTPUT, ScoreRule.resolve("probability", model, ring, 1).tensor());
		assertThrows(IllegalArgumentException.class, () -> ScoreRule.resolve("logprob", model, ring, 1));
	}

	@Test
	void normalisedAreasDoNotDependOnTheScoreUnits() {
		double[] f = { 0, 0.5, 1 };
		DeletionInsertion.Curve del = new DeletionInsertion.Curve(DeletionInsertion.Mode.DELETION, f, new double[] { 10, 6, 2 });
		// raw area 0.5 * (10 + 6) / 2 + 0.5 * (6 + 2) / 2 = 6; (6 - 2) / (10 - 2) = 0.5
		assertEquals(6, del.auc(), 1e-12);
		assertEquals(0.5, del.normalizedAuc(), 1e-12);
		// the same curve in logits of a raw-pixel model: thousands, offset and scaled
		DeletionInsertion.Curve big = new DeletionInsertion.Curve(DeletionInsertion.Mode.DELETION, f, new double[] { 30000, 14000, -2000 });
		assertEquals(0.5, big.normalizedAuc(), 1e-12);
		DeletionInsertion.Curve ins = new DeletionInsertion.Curve(DeletionInsertion.Mode.INSERTION, f, new double[] { 2, 9, 10 });
		// raw 0.5 * 11 / 2 + 0.5 * 19 / 2 = 7.5; (7.5 - 2) / 8 = 0.6875
		assertEquals(0.6875, ins.normalizedAuc(), 1e-12);
		DeletionInsertion.Curve flat = new DeletionInsertion.Curve(DeletionInsertion.Mode.DELETION, f, new double[] { 1, 1, 1 });
		assertTrue(flat.flat());
		assertTrue(Double.isNaN(flat.normalizedAuc()));
		assertFalse(del.flat());
		// on the model: Grad-CAM deletes faster than a random map on the same scale
		NdArray ring = Fixtures.demoRing();
		DeletionInsertion di = new DeletionInsertion().withSteps(16).withScore(ConvModel.LOGITS);
		NdArray cam = new CamHeatmap().heatmap(model, ring, 1, Progress.NONE);
		DeletionInsertion.Curve c = di.curve(model, ring, cam, 1, DeletionInsertion.Mode.DELETION, Progress.NONE);
		DeletionInsertion.Curve r = di.curve(model, ring, HeatmapMethods.randomMap(32, 32, 1), 1, DeletionInsertion.Mode.DELETION, Progress.NONE);
		assertEquals(c.imageScore(), r.imageScore(), 1e-4);
		assertEquals(c.removedScore(), r.removedScore(), 1e-4);
		assertTrue(c.normalizedAuc() < r.normalizedAuc(), c.normalizedAuc() + " vs random " + r.normalizedAuc());
	}

	private static OpNode op(String name, String type, String... inputs) {
		return new OpNode(name, type, List.of(inputs), new int[] { -1, 8, 8, 4 }, Map.of());
	}

	@Test
	void guidedBackpropIsDecidedFromTheGraph() {
		List<OpNode> chain = new ArrayList<>(List.of(op("in", "Placeholder"), op("c1", "Conv2D", "in:0", "k1:0"), op("b1", "BiasAdd", "c1:0", "bias:0"),
			op("r1", "Relu", "b1:0"), op("shape", "Shape", "r1:0"), op("flat", "Reshape", "r1:0", "shape:0"), op("d", "MatMul", "flat:0", "w:0"),
			op("sm", "Softmax", "d:0")));
		assertNull(GuidedBackprop.structureProblem(chain), "a Flatten reading its input's shape is no merge");
		List<OpNode> residual = new ArrayList<>(List.of(op("in", "Placeholder"), op("c1", "Conv2D", "in:0", "k1:0"), op("r1", "Relu", "c1:0"),
			op("c2", "Conv2D", "r1:0", "k2:0"), op("add", "AddV2", "c2:0", "r1:0"), op("r2", "Relu", "add:0"), op("sm", "Softmax", "r2:0")));
		String why = GuidedBackprop.structureProblem(residual);
		assertTrue(why != null && why.contains("add (AddV2)"), why);
		List<OpNode> concat = List.of(op("in", "Placeholder"), op("a", "Relu6", "in:0"), op("b", "Conv2D", "in:0", "k:0"),
			op("cat", "ConcatV2", "a:0", "b:0", "axis:0"));
		assertTrue(GuidedBackprop.structureProblem(concat).contains("ConcatV2"));
		// the generated plain CNN qualifies
		assertNull(GuidedBackprop.structureProblem(model.graphPath()));
		// the same weights behind a residual graph are refused before any gradient, with the refusal
		// message (the old check compared one image's gradients, which a plain model passes)
		ConvModel branched = new ForwardingModel(model) {
			@Override
			public List<OpNode> graphPath() {
				return residual;
			}
		};
		for (GuidedBackprop g : new GuidedBackprop[] { new GuidedBackprop(), new GuidedBackprop(GuidedBackprop.Rule.DECONVNET) }) {
			ModelException e = assertThrows(ModelException.class, () -> g.heatmap(branched, Fixtures.demoRing(), 1, Progress.NONE));
			assertTrue(e.getMessage().startsWith("Guided backpropagation and DeconvNet need a plain chain"), e.getMessage());
		}
		ModelException e = assertThrows(ModelException.class,
			() -> new GuidedGradCam(new CamHeatmap()).heatmap(branched, Fixtures.demoRing(), 1, Progress.NONE));
		assertTrue(e.getMessage().contains("merges"), e.getMessage());
	}
}
