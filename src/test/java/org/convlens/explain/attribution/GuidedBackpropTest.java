package org.convlens.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.core.ForwardingModel;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * Guided backpropagation and DeconvNet as chains of vector-Jacobian products, checked against
 * the engine's own gradients and against masks computed here from the forward values.
 */
class GuidedBackpropTest {

	static ConvModel model;
	static NdArray batch;

	@BeforeAll
	static void open() {
		model = Models.open(Fixtures.shapesModel());
		List<NdArray> items = new ArrayList<>();
		items.add(Fixtures.demoRing());
		List<Fixtures.Labelled> loc = Fixtures.localization();
		for (int i = 0; i < 3; i++) items.add(loc.get(i).input);
		batch = NdArray.concat(items);
	}

	@AfterAll
	static void close() {
		model.close();
	}

	@Test
	void thePlainChainIsTheTrueGradient() {
		for (int k = 0; k < 3; k++) {
			NdArray chained = new GuidedBackprop(GuidedBackprop.Rule.GRADIENT).trace(model, batch, k, GuidedBackprop.Rule.GRADIENT).gradient();
			NdArray direct = model.gradients(batch, ConvModel.LOGITS, ExplainMath.oneHot(4, 3, k), List.of(ConvModel.INPUT)).gradient(ConvModel.INPUT);
			float max = 0;
			for (float v : direct.data()) max = Math.max(max, Math.abs(v));
			assertTrue(max > 0);
			assertArrayEquals(direct.data(), chained.data(), 1e-5f * max, "class " + k);
		}
		assertEquals(0, GuidedBackprop.chainError(model, Fixtures.demoRing(), 1), 1e-5);
	}

	/** Each step's rule, against masks computed from the forward values of the pre-activations. */
	@Test
	void everyRectifierAppliesItsRule() {
		Map<String, String> rect = GuidedBackprop.rectifiers(model);
		assertEquals(3, rect.size());
		Map<String, NdArray> pre = model.run(batch, new ArrayList<>(rect.values()));
		for (GuidedBackprop.Rule rule : GuidedBackprop.Rule.values()) {
			GuidedBackprop.Trace t = new GuidedBackprop(rule).trace(model, batch, 1, rule);
			assertEquals(3, t.steps().size());
			for (GuidedBackprop.Step s : t.steps()) {
				float[] g = s.upstream.data(), d = s.downstream.data(), p = pre.get(s.input).data();
				assertEquals(p.length, d.length);
				for (int i = 0; i < d.length; i++) {
					float expected;
					switch (rule) {
						case GRADIENT:
							expected = p[i] > 0 ? g[i] : 0;
							break;
						case GUIDED:
							expected = p[i] > 0 && g[i] > 0 ? g[i] : 0;
							break;
						default:
							expected = g[i] > 0 ? g[i] : 0;
					}
					assertEquals(expected, d[i], 1e-6f * (1 + Math.abs(g[i])), rule + " at " + s.output + " [" + i + "]");
				}
			}
			// the first upstream gradient is the ordinary gradient of the logit at the top ReLU
			String top = t.steps().get(0).output;
			NdArray direct = model.gradients(batch, ConvModel.LOGITS, ExplainMath.oneHot(4, 3, 1), List.of(top)).gradient(top);
			assertArrayEquals(direct.data(), t.steps().get(0).upstream.data(), 1e-6f);
		}
	}

	/**
	 * Guided backpropagation and the gradient start from the same upstream gradient at the top
	 * ReLU; what they send below differs exactly where that gradient is negative (at active units:
	 * inactive ones block both), and the differences then reach the input.
	 */
	@Test
	void guidedDiffersFromTheGradientExactlyWhereTheUpstreamGradientIsNegative() {
		GuidedBackprop.Step guided = new GuidedBackprop().trace(model, batch, 1, GuidedBackprop.Rule.GUIDED).steps().get(0);
		GuidedBackprop.Step plain = new GuidedBackprop().trace(model, batch, 1, GuidedBackprop.Rule.GRADIENT).steps().get(0);
		assertArrayEquals(plain.upstream.data(), guided.upstream.data(), 0f);
		float[] g = plain.upstream.data();
		float[] p = model.run(batch, List.of(plain.input)).get(plain.input).data();
		int negativeActive = 0, differ = 0, negativeInactive = 0;
		for (int i = 0; i < g.length; i++) {
			boolean differs = guided.downstream.data()[i] != plain.downstream.data()[i];
			boolean expected = g[i] < 0 && p[i] > 0;
			assertEquals(expected, differs, "unit " + i + ": upstream " + g[i] + ", pre-activation " + p[i]);
			if (expected) negativeActive++;
			if (differs) differ++;
			if (g[i] < 0 && p[i] <= 0) negativeInactive++;
		}
		assertTrue(negativeActive > 0 && negativeInactive > 0, "both cases occur: " + negativeActive + ", " + negativeInactive);
		System.out.println(String.format(Locale.ROOT, "top ReLU: %d of %d units differ (negative upstream gradient at an active unit); " +
			"%d negative at inactive units do not", differ, g.length, negativeInactive));
		NdArray gi = new GuidedBackprop().gradient(model, batch, 1);
		NdArray vi = new GuidedBackprop(GuidedBackprop.Rule.GRADIENT).gradient(model, batch, 1);
		assertFalse(java.util.Arrays.equals(gi.data(), vi.data()));
	}

	@Test
	void deconvNetIgnoresTheForwardMask() {
		GuidedBackprop.Step deconv = new GuidedBackprop().trace(model, batch, 1, GuidedBackprop.Rule.DECONVNET).steps().get(0);
		GuidedBackprop.Step guided = new GuidedBackprop().trace(model, batch, 1, GuidedBackprop.Rule.GUIDED).steps().get(0);
		float[] g = deconv.upstream.data();
		float[] p = model.run(batch, List.of(deconv.input)).get(deconv.input).data();
		int passedInactive = 0;
		for (int i = 0; i < g.length; i++) {
			boolean differs = deconv.downstream.data()[i] != guided.downstream.data()[i];
			assertEquals(g[i] > 0 && p[i] <= 0, differs, "unit " + i);
			if (differs) passedInactive++;
		}
		assertTrue(passedInactive > 0);
	}

	@Test
	void heatmapsAndGuidedGradCam() {
		NdArray ring = Fixtures.demoRing();
		float[] before = ring.data().clone();
		for (GuidedBackprop.Rule r : GuidedBackprop.Rule.values()) {
			NdArray map = new GuidedBackprop(r).heatmap(model, ring, 1, Progress.NONE);
			NdArray g = new GuidedBackprop(r).gradient(model, ring, 1);
			assertArrayEquals(new int[] { 32, 32 }, map.shape());
			for (int i = 0; i < map.size(); i++) assertEquals(Math.abs(g.data()[i]), map.data()[i], 0f, "one channel: |gradient|");
		}
		// guided Grad-CAM: the guided gradient times the class activation map, pixel by pixel
		HeatmapMethod cam = new CamHeatmap(org.convlens.explain.cam.CamMethod.GRAD_CAM, List.of("conv2d_2"), 32);
		NdArray c = cam.heatmap(model, ring, 1, Progress.NONE);
		NdArray g = new GuidedBackprop().gradient(model, ring, 1);
		NdArray gg = new GuidedGradCam(cam).attributions(model, ring, 1, Progress.NONE);
		for (int i = 0; i < gg.size(); i++) assertEquals(g.data()[i] * c.data()[i], gg.data()[i], 1e-6f * (1 + Math.abs(g.data()[i])));
		NdArray ggMap = new GuidedGradCam(cam).heatmap(model, ring, 1, Progress.NONE);
		int zeroCam = 0;
		for (int i = 0; i < c.size(); i++) {
			if (c.data()[i] == 0) {
				zeroCam++;
				assertEquals(0f, ggMap.data()[i], "no class evidence, no detail");
			}
		}
		assertArrayEquals(before, ring.data(), 0f, "input untouched");
		System.out.println("guided Grad-CAM: " + zeroCam + " of " + c.size() + " pixels outside the class activation map");
	}

	@Test
	void aModelWithoutRectifiersGivesThePlainGradient() {
		// the same network with its ReLUs hidden from the graph description
		ConvModel plain = new ForwardingModel(model) {
			@Override
			public List<org.convlens.model.OpNode> graphPath() {
				List<org.convlens.model.OpNode> p = new ArrayList<>(super.graphPath());
				p.removeIf(n -> n.type().startsWith("Relu"));
				return p;
			}
		};
		assertTrue(GuidedBackprop.rectifiers(plain).isEmpty());
		NdArray ring = Fixtures.demoRing();
		NdArray g = new GuidedBackprop().gradient(plain, ring, 1);
		NdArray v = new VanillaGradient().gradient(model, ring, 1);
		assertArrayEquals(v.data(), g.data(), 0f);
	}

	@Test
	void worksOnTheTf1Layout() {
		try (ConvModel tf1 = Models.open(TestPaths.model("shapes-tf1"))) {
			NdArray ring = Fixtures.demoRing();
			assertArrayEquals(new GuidedBackprop().gradient(model, ring, 1).data(), new GuidedBackprop().gradient(tf1, ring, 1).data(), 1e-5f);
		}
	}
}
