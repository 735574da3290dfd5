package org.convlens.explain.faithfulness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.attribution.GuidedBackprop;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.attribution.Occlusion;
import org.convlens.explain.core.Progress;
import org.convlens.explain.attribution.SmoothGrad;
import org.convlens.explain.attribution.VanillaGradient;

/** The cascading model-randomisation check on the generated shapes model. */
class RandomizationCheckTest {

	static ConvModel model;
	static NdArray ring;

	@BeforeAll
	static void open() {
		model = Models.open(Fixtures.shapesModel());
		ring = Fixtures.demoRing();
	}

	@AfterAll
	static void close() {
		model.close();
	}

	static String describe(RandomizationCheck.Result r) {
		StringBuilder sb = new StringBuilder();
		for (RandomizationCheck.Step s : r.steps()) sb.append(String.format(Locale.ROOT, " %s %.2f", s.layer(), s.spearman()));
		return sb.toString();
	}

	@Test
	void cascadeOrderAndMaps() {
		assertEquals(List.of("dense", "conv2d_2", "conv2d_1", "conv2d"), RandomizationCheck.weightLayers(model));
		RandomizationCheck.Result r = new RandomizationCheck().withSeed(5).run(model, ring, 1, new VanillaGradient(), Progress.NONE);
		assertEquals(4, r.steps().size());
		assertEquals(List.of("dense", "conv2d_2"), r.steps().get(1).randomized());
		assertArrayEquals(new VanillaGradient().heatmap(model, ring, 1, Progress.NONE).data(), r.original().data(), 0f);
		// step k is the map of the model with the top k+1 layers re-initialised (same seed: same weights)
		try (ConvModel copy = model.randomizedCopy(List.of("dense", "conv2d_2"), 5)) {
			NdArray expected = new VanillaGradient().heatmap(copy, ring, 1, Progress.NONE);
			assertArrayEquals(expected.data(), r.steps().get(1).map().data(), 0f);
			assertEquals(ExplainMath.spearman(r.original().data(), expected.data()), r.steps().get(1).spearman(), 1e-12);
			assertEquals(copy.run(ring, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[1], r.steps().get(1).score(), 1e-6);
		}
		assertEquals(model.run(ring, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[1], r.originalScore(), 1e-6);
	}

	/** A trained model: gradient explanations lose their rank correlation once the top layers are re-initialised. */
	@Test
	void trainedModelPasses() {
		List<Fixtures.Labelled> loc = Fixtures.localization();
		HeatmapMethod[] methods = { new VanillaGradient(), new SmoothGrad().withSamples(25), new IntegratedGradients().withSteps(25) };
		for (HeatmapMethod m : methods) {
			StringBuilder log = new StringBuilder();
			for (int i = 0; i < 3; i++) {
				NdArray x = i == 0 ? ring : loc.get(i).input;
				int k = i == 0 ? 1 : loc.get(i).label;
				RandomizationCheck.Result r = new RandomizationCheck().run(model, x, k, m, Progress.NONE);
				log.append(String.format(Locale.ROOT, "%n  image %d:%s -> %s", i, describe(r), r.verdict()));
				assertTrue(r.trained().looksTrained(), r.trained().toString());
				assertTrue(r.steps().get(1).spearman() < 0.5, m + " after re-initialising dense and conv2d_2:" + log);
				assertFalse(r.insensitive(), log.toString());
				assertTrue(r.verdict().startsWith("Passed"), r.verdict());
			}
			System.out.println("randomisation check, trained shapes model, " + m + ":" + log);
		}
		// other methods, for the record
		for (HeatmapMethod m : new HeatmapMethod[] { new GuidedBackprop(), new CamHeatmap(), new Occlusion() }) {
			RandomizationCheck.Result r = new RandomizationCheck().run(model, ring, 1, m, Progress.NONE);
			System.out.println("randomisation check, demo ring, " + (m instanceof Occlusion || m instanceof GuidedBackprop ? m : "grad-cam") + ":" +
				describe(r) + " -> " + r.verdict());
		}
	}

	@Test
	void untrainedModelIsReportedAsSuch() {
		TrainedCheck trained = TrainedCheck.of(model, ring, Progress.NONE);
		assertTrue(trained.looksTrained(), trained.toString());
		try (ConvModel untrained = model.randomizedCopy(RandomizationCheck.weightLayers(model), 99)) {
			RandomizationCheck.Result r = new RandomizationCheck().run(untrained, ring, 1, new VanillaGradient(), Progress.NONE);
			assertFalse(r.trained().looksTrained(), r.trained().toString());
			for (double s : r.trained().spikes().values()) assertTrue(s < 1.1, r.trained().toString());
			assertTrue(r.verdict().startsWith("Not meaningful"), r.verdict());
			System.out.println("trained: " + trained + "\nuntrained copy: " + r.trained() + "\n  -> " + r.verdict() + "\n  cascade:" + describe(r));
		}
	}

	/** A "method" that only looks at the image cannot notice the model being destroyed. */
	@Test
	void anExplanationThatIgnoresTheModelIsFlagged() {
		HeatmapMethod edges = (m, x, target, p) -> {
			float[] d = x.data();
			float[] out = new float[32 * 32];
			for (int y = 1; y < 31; y++) for (int xx = 1; xx < 31; xx++) out[y * 32 + xx] = Math.abs(d[y * 32 + xx + 1] - d[y * 32 + xx - 1]) + Math.abs(d[(y + 1) * 32 + xx] - d[(y - 1) * 32 + xx]);
			return new NdArray(new int[] { 32, 32 }, out);
		};
		RandomizationCheck.Result r = new RandomizationCheck().run(model, ring, 1, edges, Progress.NONE);
		for (RandomizationCheck.Step s : r.steps()) assertEquals(1, s.spearman(), 1e-12);
		assertTrue(r.insensitive());
		assertEquals(-1, r.firstChange());
		assertTrue(r.verdict().startsWith("FLAGGED"), r.verdict());
	}
}
