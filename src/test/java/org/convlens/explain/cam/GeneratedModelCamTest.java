package org.convlens.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.convlens.TestPaths;
import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.core.Progress;
import org.convlens.model.ConvModel;
import org.convlens.model.GradientResult;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.OpNode;
import org.convlens.model.TensorInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The methods end to end on the generated models. On shapes-gap (conv2d_2 8x8x16 -> global average
 * pooling -> dense) every gradient of a logit with respect to conv2d_2 is {@code W[k, c] / 64} at
 * every position, so each method has a closed form in the dense kernel {@code W} and the
 * activations alone: Grad-CAM = HiResCAM = XGradCAM = ReLU(CAM) / 64 with CAM = sum_k W[k, c] A_k
 * (Zhou et al.), LayerCAM uses ReLU(W), Grad-CAM++ and Ablation-CAM have their own weights.
 */
class GeneratedModelCamTest {

	static ConvModel gap;
	static ConvModel keras;
	static List<CamTestImages.Located> images;
	static NdArray batch;
	static float[][] kernel; // [16][3]
	static NdArray acts; // conv2d_2 for the batch
	static NdArray logits;

	@BeforeAll
	static void open() {
		gap = Models.open(TestPaths.model("shapes-gap"));
		keras = Models.open(TestPaths.model("shapes-keras"));
		images = CamTestImages.localization();
		batch = CamTestImages.batch(images.subList(0, 12), gap.info());
		NdArray k = gap.kernel("dense");
		assertArrayEquals(new int[] { 16, 3 }, k.shape());
		kernel = new float[16][3];
		for (int i = 0; i < 16; i++) for (int c = 0; c < 3; c++) kernel[i][c] = k.get(i, c);
		Map<String, NdArray> r = gap.run(batch, List.of("conv2d_2", ConvModel.LOGITS));
		acts = r.get("conv2d_2");
		logits = r.get(ConvModel.LOGITS);
	}

	@AfterAll
	static void close() {
		gap.close();
		keras.close();
	}

	/** {@code sum_k w_k A_k} of item i, computed here from the raw activations. */
	static double[] combine(int item, double[] w) {
		FeatureMaps a = FeatureMaps.of(acts, item);
		double[] m = new double[64];
		for (int p = 0; p < 64; p++) for (int k = 0; k < 16; k++) m[p] += w[k] * a.get(p / 8, p % 8, k);
		return m;
	}

	static double[] column(int c) {
		double[] w = new double[16];
		for (int k = 0; k < 16; k++) w[k] = kernel[k][c];
		return w;
	}

	static double[] relu(double[] m) {
		double[] r = new double[m.length];
		for (int i = 0; i < m.length; i++) r[i] = Math.max(0, m[i]);
		return r;
	}

	/** Largest difference relative to the largest expected value; asserts it is at most tol. */
	static double assertClose(double[] expected, float[] actual, double scale, double tol, String what) {
		assertEquals(expected.length, actual.length, what);
		double max = 0, diff = 0;
		for (int i = 0; i < expected.length; i++) {
			max = Math.max(max, Math.abs(expected[i]));
			diff = Math.max(diff, Math.abs(expected[i] - actual[i] * scale));
		}
		double rel = max == 0 ? diff : diff / max;
		assertTrue(rel <= tol, String.format(Locale.ROOT, "%s: relative difference %.3g > %.1g", what, rel, tol));
		return rel;
	}

	List<Heatmap> run(CamMethod m, Target t) {
		return new ClassActivationMaps(gap).withMethod(m).withTarget(t).compute(batch, Progress.NONE);
	}

	@Test
	void gradCamEqualsCamOnGlobalAveragePooling() {
		assertEquals("conv2d_2", gap.info().lastSpatialLayer().name());
		double worst = 0;
		for (int c = 0; c < 3; c++) {
			List<Heatmap> maps = run(CamMethod.GRAD_CAM, Target.classIndex(c));
			for (int i = 0; i < maps.size(); i++) {
				double[] cam = relu(combine(i, column(c)));
				Heatmap.LayerMap lm = maps.get(i).layerMaps().get(0);
				assertEquals(8, lm.width());
				// the scale is exactly 1 / (8 * 8), the average pooling's factor
				worst = Math.max(worst, assertClose(cam, lm.values(), 64, 1e-5, "Grad-CAM vs CAM, class " + c + " image " + i));
				assertEquals(logits.get(i, c), maps.get(i).score(), 1e-4);
				assertEquals(c, maps.get(i).classIndex());
			}
		}
		System.out.printf(Locale.ROOT, "CAM check: max |64 * Grad-CAM - ReLU(CAM)| / max ReLU(CAM) = %.2g%n", worst);
	}

	@Test
	void hiResCamAndXGradCamEqualCamHere() {
		for (CamMethod m : List.of(CamMethod.HIRES_CAM, CamMethod.XGRAD_CAM)) {
			List<Heatmap> maps = run(m, Target.classIndex(1));
			for (int i = 0; i < maps.size(); i++) {
				assertClose(relu(combine(i, column(1))), maps.get(i).layerMaps().get(0).values(), 64, 1e-5, m + " image " + i);
			}
		}
	}

	@Test
	void layerCamUsesPositiveWeights() {
		double[] w = column(2);
		for (int k = 0; k < 16; k++) w[k] = Math.max(0, w[k]);
		List<Heatmap> maps = run(CamMethod.LAYER_CAM, Target.classIndex(2));
		for (int i = 0; i < maps.size(); i++) assertClose(relu(combine(i, w)), maps.get(i).layerMaps().get(0).values(), 64, 1e-5, "LayerCAM " + i);
	}

	@Test
	void gradCamPlusPlusClosedForm() {
		// g_k = W_kc / 64 everywhere: w_k = sum_i g^2 / (2 g^2 + S_k g^3) ReLU(g) = 64 ReLU(g_k) / (2 + S_k g_k)
		int c = 0;
		List<Heatmap> maps = run(CamMethod.GRAD_CAM_PLUS_PLUS, Target.classIndex(c));
		for (int i = 0; i < maps.size(); i++) {
			FeatureMaps a = FeatureMaps.of(acts, i);
			double[] w = new double[16];
			for (int k = 0; k < 16; k++) {
				double g = kernel[k][c] / 64.0, s = 0;
				for (float v : a.channel(k)) s += v;
				w[k] = g > 0 ? 64 * g / (2 + s * g) : 0;
			}
			assertClose(relu(combine(i, w)), maps.get(i).layerMaps().get(0).values(), 1, 1e-5, "Grad-CAM++ " + i);
		}
	}

	@Test
	void ablationCamClosedForm() {
		// zeroing channel k lowers the logit by W_kc * mean(A_k): w_k = W_kc mean(A_k) / y
		int c = 1;
		List<Heatmap> maps = new ClassActivationMaps(gap).withMethod(CamMethod.ABLATION_CAM).withTarget(Target.classIndex(c))
			.withBatchSize(5).compute(batch, Progress.NONE);
		for (int i = 0; i < maps.size(); i++) {
			FeatureMaps a = FeatureMaps.of(acts, i);
			double y = logits.get(i, c);
			double[] w = new double[16];
			for (int k = 0; k < 16; k++) {
				double mean = 0;
				for (float v : a.channel(k)) mean += v / 64.0;
				w[k] = kernel[k][c] * mean / y;
			}
			assertClose(relu(combine(i, w)), maps.get(i).layerMaps().get(0).values(), 1, 1e-4, "Ablation-CAM " + i);
		}
	}

	@Test
	void scoreCamScoresAreTheModelsScoresOfMaskedInputs() {
		int item = 3, c = images.get(item).label;
		NdArray x = batch.item(item);
		FeatureMaps a = FeatureMaps.of(acts, item);
		// independent: each masked image through the model on its own
		float[] expect = new float[16];
		for (int k = 0; k < 16; k++) {
			float[] mask = Heatmaps.normalize(Heatmaps.upsample(a.channel(k), 8, 8, 32, 32));
			float[] xm = new float[1024];
			for (int p = 0; p < 1024; p++) xm[p] = x.data()[p] * mask[p];
			expect[k] = gap.run(new NdArray(new int[] { 1, 32, 32, 1 }, xm), List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS).get(0, c);
		}
		BatchScorer s = b -> {
			NdArray l = gap.run(b, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
			float[] o = new float[b.dim(0)];
			for (int i = 0; i < o.length; i++) o[i] = l.get(i, c);
			return o;
		};
		assertArrayEquals(expect, CamMath.scoreCamScores(x.data(), 32, 32, 1, a, s, 16, null), 1e-4f);
		float[] w = CamMath.softmax(expect);
		double[] wd = new double[16];
		for (int k = 0; k < 16; k++) wd[k] = w[k];
		Heatmap h = new ClassActivationMaps(gap).withMethod(CamMethod.SCORE_CAM).withTarget(Target.classIndex(c)).withBatchSize(7)
			.compute(x, null).get(0);
		assertClose(relu(combine(item, wd)), h.layerMaps().get(0).values(), 1, 1e-4, "Score-CAM");
	}

	@Test
	void eigenCamIsTheTopPrincipalDirection() {
		List<Heatmap> maps = run(CamMethod.EIGEN_CAM, Target.topClass());
		Random r = new Random(1);
		for (int i = 0; i < 4; i++) {
			FeatureMaps a = FeatureMaps.of(acts, i);
			float[] p = maps.get(i).layerMaps().get(0).values();
			// p = A v1 >= 0 here (ReLU activations); v1 = A^T p / |A^T p|, and |A v1| is the largest |A u|
			double[] v = new double[16];
			for (int q = 0; q < 64; q++) for (int k = 0; k < 16; k++) v[k] += a.get(q / 8, q % 8, k) * p[q];
			double nv = 0;
			for (double t : v) nv += t * t;
			nv = Math.sqrt(nv);
			double[] av = new double[64];
			double sigma = 0;
			for (int q = 0; q < 64; q++) {
				for (int k = 0; k < 16; k++) av[q] += a.get(q / 8, q % 8, k) * v[k] / nv;
				sigma += av[q] * av[q];
			}
			sigma = Math.sqrt(sigma);
			assertClose(av, p, 1, 1e-4, "EigenCAM is a fixed point of A A^T");
			for (int t = 0; t < 200; t++) {
				double[] u = new double[16];
				double nu = 0;
				for (int k = 0; k < 16; k++) nu += (u[k] = r.nextGaussian()) * u[k];
				double s = 0;
				for (int q = 0; q < 64; q++) {
					double d = 0;
					for (int k = 0; k < 16; k++) d += a.get(q / 8, q % 8, k) * u[k];
					s += d * d;
				}
				assertTrue(Math.sqrt(s / nu) <= sigma * (1 + 1e-6), "a direction beats the first component");
			}
		}
	}

	@Test
	void regionTargetIsTheWeightedSum() {
		// logits 0 + 1: Grad-CAM weights are the summed columns
		List<Heatmap> maps = run(CamMethod.GRAD_CAM, Target.region(ConvModel.LOGITS, new float[] { 1, 1, 0 }, "disc+ring"));
		double[] w = column(0);
		double[] w1 = column(1);
		for (int k = 0; k < 16; k++) w[k] += w1[k];
		for (int i = 0; i < maps.size(); i++) {
			assertClose(relu(combine(i, w)), maps.get(i).layerMaps().get(0).values(), 64, 1e-5, "region " + i);
			assertEquals(logits.get(i, 0) + logits.get(i, 1), maps.get(i).score(), 1e-4);
			assertEquals(-1, maps.get(i).classIndex());
			assertEquals("disc+ring", maps.get(i).label());
		}
		// a region over a spatial output: one pixel of conv2d_1 (a "segmentation" target), the most active one
		NdArray c1 = gap.run(batch.item(0), List.of("conv2d_1")).get("conv2d_1");
		int best = Heatmaps.argmax(c1.data());
		int py = best / 16 / 16, px0 = best / 16 % 16;
		float[] px = new float[16 * 16 * 16];
		px[best] = 1;
		Heatmap h = new ClassActivationMaps(gap).withMethod(CamMethod.LAYER_CAM).withLayers(List.of("conv2d"))
			.withTarget(Target.region("conv2d_1", px, "pixel")).compute(batch.item(0), null).get(0);
		assertEquals(c1.data()[best], h.score(), 1e-5);
		assertTrue(Heatmaps.max(h.values()) > 0);
		// conv2d_1 at (px0, py) sees pooled rows py-1..py+1 (3x3 conv), i.e. conv2d rows 2py-2..2py+3, same for columns
		float[] low = h.layerMaps().get(0).values();
		for (int p = 0; p < low.length; p++) {
			int y = p / 32, x = p % 32;
			if (low[p] > 0) {
				assertTrue(y >= 2 * py - 2 && y <= 2 * py + 3 && x >= 2 * px0 - 2 && x <= 2 * px0 + 3,
					"nonzero outside the receptive field of (" + px0 + "," + py + ") at " + x + "," + y);
			}
		}
		assertThrows(IllegalArgumentException.class,
			() -> new ClassActivationMaps(gap).withTarget(Target.region(ConvModel.LOGITS, new float[5], null)).compute(batch, null));
	}

	@Test
	void topClassMatchesTheArgmaxAndKnownScoresSpareAPass() {
		List<Heatmap> top = run(CamMethod.GRAD_CAM, Target.topClass());
		List<Heatmap> known = new ClassActivationMaps(gap).compute(batch, logits, null);
		for (int i = 0; i < top.size(); i++) {
			int best = 0;
			for (int c = 1; c < 3; c++) if (logits.get(i, c) > logits.get(i, best)) best = c;
			assertEquals(best, top.get(i).classIndex());
			assertEquals(gap.info().className(best), top.get(i).label());
			Heatmap ref = run(CamMethod.GRAD_CAM, Target.classIndex(best)).get(i);
			assertArrayEquals(ref.values(), top.get(i).values(), 1e-6f);
			assertArrayEquals(ref.values(), known.get(i).values(), 1e-6f);
		}
	}

	@Test
	void batchesGiveTheSameMapsAsSingleImages() {
		for (CamMethod m : CamMethod.values()) {
			ClassActivationMaps cam = new ClassActivationMaps(keras).withMethod(m).withBatchSize(5);
			NdArray b = batch.items(0, 7);
			List<Heatmap> all = cam.compute(b, null);
			assertEquals(7, all.size());
			for (int i : new int[] { 0, 6 }) {
				Heatmap one = cam.compute(b.item(i), null).get(0);
				assertArrayEquals(one.values(), all.get(i).values(), 1e-5f * Math.max(1, Heatmaps.max(one.values())), m.label());
			}
		}
	}

	@Test
	void severalLayersAreAveragedAfterScaling() {
		ClassActivationMaps cam = new ClassActivationMaps(keras).withTarget(Target.classIndex(1));
		NdArray x = batch.item(2);
		Heatmap both = cam.withLayers(List.of("conv2d_1", "conv2d_2")).compute(x, null).get(0);
		assertEquals(2, both.layerMaps().size());
		Heatmap a = cam.withLayers(List.of("conv2d_1")).compute(x, null).get(0);
		Heatmap b = cam.withLayers(List.of("conv2d_2")).compute(x, null).get(0);
		assertArrayEquals(a.layerMaps().get(0).values(), both.layerMaps().get(0).values(), 1e-6f);
		assertEquals(16, both.layerMaps().get(0).width());
		assertArrayEquals(b.layerMaps().get(0).values(), both.layerMaps().get(1).values(), 1e-6f);
		float[] na = Heatmaps.normalize(a.values()), nb = Heatmaps.normalize(b.values());
		for (int p = 0; p < na.length; p++) assertEquals((na[p] + nb[p]) / 2, both.values()[p], 1e-6f);
		assertTrue(both.caption().startsWith("Grad-CAM conv2d_1+conv2d_2: ring"), both.caption());
	}

	@Test
	void everyMethodGivesAFiniteNonConstantMapOfTheInputSize() {
		NdArray x = batch.item(5);
		for (CamMethod m : CamMethod.values()) {
			Heatmap h = new ClassActivationMaps(keras).withMethod(m).compute(x, null).get(0);
			assertEquals(32, h.width());
			assertEquals(32, h.height());
			float[] v = h.values();
			for (float f : v) assertTrue(Float.isFinite(f) && f >= 0, m.label());
			assertTrue(Heatmaps.max(v) > Heatmaps.min(v), m.label() + " is constant");
			float[] n = h.normalized();
			assertEquals(1, Heatmaps.max(n), 1e-6);
			assertEquals(0, Heatmaps.min(n), 1e-6);
		}
	}

	@Test
	void pointingGame() {
		// baselines every method must beat: a random peak (exact expectation) and a peak at the centre
		double random = CamTestImages.randomPointing(images, 1), centre = CamTestImages.centrePointing(images, 1);
		double baseline = Math.max(random, centre);
		// Grad-CAM's peak falls on the object (bounding box + 1 px) for >= 95 % of the images on the
		// global-average-pooling model, where Grad-CAM is CAM
		ClassActivationMaps cam = new ClassActivationMaps(gap);
		double score = CamTestImages.pointingGame(cam, gap.info(), images, 1);
		// The flatten model's evidence for "disc" lies partly in the background (HiResCAM, which
		// splits the logit exactly over positions for this linear head, agrees): Grad-CAM is reported
		// on all classes and per class, held to the standard on rings and crosses, and Grad-CAM++ on all images
		double all = CamTestImages.pointingGame(new ClassActivationMaps(keras), keras.info(), images, 1);
		double[] perClass = new double[3];
		for (int c = 0; c < 3; c++) {
			List<CamTestImages.Located> only = new ArrayList<>();
			for (CamTestImages.Located l : images) if (l.label == c) only.add(l);
			perClass[c] = CamTestImages.pointingGame(new ClassActivationMaps(keras), keras.info(), only, 1);
		}
		List<CamTestImages.Located> ringsAndCrosses = new ArrayList<>();
		for (CamTestImages.Located l : images) if (l.label != 0) ringsAndCrosses.add(l);
		double rc = CamTestImages.pointingGame(new ClassActivationMaps(keras), keras.info(), ringsAndCrosses, 1);
		double pp = CamTestImages.pointingGame(new ClassActivationMaps(keras).withMethod(CamMethod.GRAD_CAM_PLUS_PLUS), keras.info(), images, 1);
		System.out.printf(Locale.ROOT, "pointing game, %d images, 1 px: random peak %.3f, centre %.3f; shapes-gap Grad-CAM %.3f; "
			+ "shapes-keras Grad-CAM %.3f (disc %.3f, ring %.3f, cross %.3f), Grad-CAM++ %.3f%n",
			images.size(), random, centre, score, all, perClass[0], perClass[1], perClass[2], pp);
		assertTrue(random > 0.05 && random < 0.6, "the random baseline is a real chance level: " + random);
		assertTrue(score >= 0.95 && score > baseline + 0.3, "shapes-gap Grad-CAM " + score + " vs baseline " + baseline);
		assertTrue(rc >= 0.95 && rc > baseline + 0.3, "rings and crosses " + rc + " vs baseline " + baseline);
		assertTrue(pp >= 0.95 && pp > baseline + 0.3, "Grad-CAM++ " + pp + " vs baseline " + baseline);
		assertTrue(all > baseline, "Grad-CAM on all classes of shapes-keras " + all + " vs baseline " + baseline);
	}

	@Test
	void progressIsReported() {
		List<Double> seen = new ArrayList<>();
		Progress p = new Progress() {
			@Override
			public void update(double fraction, String message) {
				seen.add(fraction);
			}

			@Override
			public boolean isCancelled() {
				return false;
			}
		};
		new ClassActivationMaps(gap).withMethod(CamMethod.SCORE_CAM).withBatchSize(4).compute(batch.items(0, 2), p);
		assertTrue(seen.size() >= 8, seen.toString());
		for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) >= seen.get(i - 1) - 1e-12, seen.toString());
		assertEquals(1.0, seen.get(seen.size() - 1), 1e-9);
	}

	// ---------------------------------------------------------------- bad input

	@Test
	void classOutOfRange() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(CamMethod.GRAD_CAM, Target.classIndex(3)));
		assertTrue(e.getMessage().contains("Class 3 is out of range") && e.getMessage().contains("2: cross"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> run(CamMethod.SCORE_CAM, Target.classIndex(-1)));
		e = assertThrows(IllegalArgumentException.class, () -> run(CamMethod.GRAD_CAM, Target.className("square")));
		assertTrue(e.getMessage().contains("no class 'square'") && e.getMessage().contains("ring"), e.getMessage());
		assertEquals(1, run(CamMethod.GRAD_CAM, Target.className("RING")).get(0).classIndex());
	}

	@Test
	void layerThatIsNotSpatial() {
		ClassActivationMaps cam = new ClassActivationMaps(gap).withLayers(List.of("dense"));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cam.compute(batch, null));
		assertTrue(e.getMessage().contains("'dense' is not spatial") && e.getMessage().contains("conv2d_2"), e.getMessage());
		ModelException u = assertThrows(ModelException.class, () -> cam.withLayers(List.of("nope")).compute(batch, null));
		assertTrue(u.getMessage().contains("no layer 'nope'"), u.getMessage());
		assertThrows(IllegalArgumentException.class, () -> new ClassActivationMaps(gap).compute(batch.reshape(12, 32, 32), null));
	}

	@Test
	void modelWithoutClassOutput() {
		ModelInfo i = gap.info();
		// the same graph described as a model whose only output is a feature map
		ModelInfo seg = new ModelInfo(i.path(), i.signatureKey(), i.inputs(),
			List.of(new TensorInfo("features", i.layer("conv2d_2").tensorName(), "DT_FLOAT", new int[] { -1, 8, 8, 16 })), i.layers(),
			List.of(), null, "none", "NHWC", true);
		ConvModel m = new InfoOverride(gap, seg);
		ModelException e = assertThrows(ModelException.class, () -> new ClassActivationMaps(m).compute(batch, null));
		assertTrue(e.getMessage().contains("no class output") && e.getMessage().contains("region"), e.getMessage());
		// a region of the output works
		float[] w = new float[8 * 8 * 16];
		for (int p = 0; p < 64; p++) w[p * 16 + 4] = 1;
		Heatmap h = new ClassActivationMaps(m).withLayers(List.of("conv2d_1")).withTarget(Target.region(ConvModel.OUTPUT, w, "channel 4"))
			.compute(batch.item(0), null).get(0);
		assertTrue(Heatmaps.max(h.values()) > 0);
	}

	/** A model seen through a different description. */
	static class InfoOverride implements ConvModel {
		final ConvModel m;
		final ModelInfo info;

		InfoOverride(ConvModel m, ModelInfo info) {
			this.m = m;
			this.info = info;
		}

		@Override
		public ModelInfo info() {
			return info;
		}

		@Override
		public Map<String, NdArray> run(NdArray input, List<String> fetches) {
			return run(Map.of(INPUT, input), fetches);
		}

		@Override
		public Map<String, NdArray> run(Map<String, NdArray> feeds, List<String> fetches) {
			Map<String, NdArray> r = m.run(feeds, map(fetches));
			Map<String, NdArray> out = new java.util.LinkedHashMap<>();
			for (String f : fetches) out.put(f, r.get(map(f)));
			return out;
		}

		@Override
		public GradientResult gradients(Map<String, NdArray> feeds, String target, NdArray weights, List<String> wrt) {
			return m.gradients(feeds, map(target), weights, wrt);
		}

		@Override
		public GradientResult gradients(NdArray input, String target, NdArray weights, List<String> wrt) {
			return m.gradients(input, map(target), weights, wrt);
		}

		private String map(String name) {
			return name.equals(OUTPUT) ? info.outputs().get(0).tensorName() : name;
		}

		private List<String> map(List<String> names) {
			List<String> r = new ArrayList<>();
			for (String n : names) r.add(map(n));
			return r;
		}

		@Override
		public List<OpNode> graphPath() {
			return m.graphPath();
		}

		@Override
		public NdArray kernel(String layer) {
			return m.kernel(layer);
		}

		@Override
		public ConvModel randomizedCopy(List<String> layers, long seed) {
			return m.randomizedCopy(layers, seed);
		}

		@Override
		public double compareWithSignature(NdArray input) {
			return m.compareWithSignature(input);
		}

		@Override
		public Map<String, Object> diagnostics() {
			return m.diagnostics();
		}

		@Override
		public void close() {}
	}
}
