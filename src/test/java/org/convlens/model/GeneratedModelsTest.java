package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.convlens.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated TF1-style and Keras-style models: catalogue, outputs, gradients, weights. */
class GeneratedModelsTest {

	static ConvModel tf1;
	static ConvModel keras;

	@BeforeAll
	static void open() {
		tf1 = Models.open(TestPaths.model("shapes-tf1"));
		keras = Models.open(TestPaths.model("shapes-keras"));
	}

	@AfterAll
	static void close() {
		tf1.close();
		keras.close();
	}

	static NdArray randomBatch(int n, long seed) {
		Random r = new Random(seed);
		NdArray x = NdArray.zeros(n, 32, 32, 1);
		for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat();
		return x;
	}

	@ParameterizedTest
	@ValueSource(strings = { "shapes-tf1", "shapes-keras", "shapes-gap" })
	void catalogueNamesEveryConvLayer(String name) {
		try (ConvModel m = Models.open(TestPaths.model(name))) {
			ModelInfo info = m.info();
			assertEquals(!name.equals("shapes-tf1"), info.inlined(), "only the Keras-style layouts have function calls");
			assertEquals(List.of(-1, 32, 32, 1), List.of(box(info.imageInput().shape())));
			assertEquals("conv2d", info.layers().get(0).name());
			for (String conv : List.of("conv2d", "conv2d_1", "conv2d_2")) {
				LayerInfo l = info.layer(conv);
				assertEquals(LayerKind.SPATIAL, l.kind());
				assertEquals("Relu", l.opType(), "the layer's output is its activation");
			}
			assertArrayEquals(new int[] { -1, 32, 32, 8 }, info.layer("conv2d").shape());
			assertArrayEquals(new int[] { -1, 16, 16, 16 }, info.layer("conv2d_1").shape());
			assertArrayEquals(new int[] { -1, 8, 8, 16 }, info.layer("conv2d_2").shape());
			assertEquals("conv2d_2", info.lastSpatialLayer().name());
			assertEquals("softmax", info.outputActivation());
			assertNotNull(info.logitsTensor());
			assertEquals(3, info.numClasses());
			assertEquals("ring", info.className(1));
			// layers come in graph order
			List<String> names = info.layerNames();
			assertTrue(names.indexOf("conv2d") < names.indexOf("max_pooling2d") && names.indexOf("max_pooling2d") < names.indexOf("conv2d_1"), names.toString());
		}
	}

	/** The untrained timing model: a realistic input size, Keras layout, layer shapes from the graph. */
	@Test
	void wide224LoadsWithItsLayerShapes() {
		try (ConvModel m = Models.open(TestPaths.model("wide-224"))) {
			ModelInfo info = m.info();
			assertTrue(info.inlined(), "Keras-style layout");
			assertArrayEquals(new int[] { -1, 224, 224, 3 }, info.imageInput().shape());
			assertArrayEquals(new int[] { -1, 224, 224, 16 }, info.layer("conv2d").shape());
			assertArrayEquals(new int[] { -1, 112, 112, 16 }, info.layer("max_pooling2d").shape());
			assertArrayEquals(new int[] { -1, 112, 112, 32 }, info.layer("conv2d_1").shape());
			assertArrayEquals(new int[] { -1, 56, 56, 32 }, info.layer("max_pooling2d_1").shape());
			assertArrayEquals(new int[] { -1, 56, 56, 64 }, info.layer("conv2d_2").shape());
			assertEquals("conv2d_2", info.lastSpatialLayer().name());
			assertEquals(10, info.numClasses());
			assertEquals("softmax", info.outputActivation());
			assertArrayEquals(new int[] { 3, 3, 32, 64 }, m.kernel("conv2d_2").shape());
			Random r = new Random(3);
			NdArray x = NdArray.zeros(1, 224, 224, 3);
			for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat();
			assertTrue(m.compareWithSignature(x) < 1e-5, "the inlined graph computes what the signature does");
			Map<String, NdArray> out = m.run(x, List.of(ConvModel.LOGITS, ConvModel.OUTPUT, "conv2d_2"));
			assertArrayEquals(new int[] { 1, 56, 56, 64 }, out.get("conv2d_2").shape());
			double sum = 0;
			for (int k = 0; k < 10; k++) sum += Math.exp(out.get(ConvModel.LOGITS).get(0, k));
			for (int k = 0; k < 10; k++) assertEquals(Math.exp(out.get(ConvModel.LOGITS).get(0, k)) / sum, out.get(ConvModel.OUTPUT).get(0, k), 1e-5);
		}
	}

	private static Integer[] box(int[] a) {
		Integer[] b = new Integer[a.length];
		for (int i = 0; i < a.length; i++) b[i] = a[i];
		return b;
	}

	@Test
	void inlinedOutputsEqualTheSignatureAndBothLayoutsAgree() {
		NdArray x = randomBatch(4, 1);
		assertTrue(keras.compareWithSignature(x) < 1e-5);
		assertTrue(tf1.compareWithSignature(x) < 1e-5);
		NdArray a = tf1.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
		NdArray b = keras.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
		assertArrayEquals(a.data(), b.data(), 1e-6f);
		// softmax of the logits is the output
		NdArray logits = keras.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
		for (int i = 0; i < 4; i++) {
			double sum = 0;
			for (int k = 0; k < 3; k++) sum += Math.exp(logits.get(i, k));
			for (int k = 0; k < 3; k++) assertEquals(Math.exp(logits.get(i, k)) / sum, b.get(i, k), 1e-5);
		}
	}

	@Test
	void inputGradientsMatchFiniteDifferences() {
		// ReLU/max-pool networks are piecewise linear, so a central difference is exact along a
		// segment that crosses no kink; a vanishing second difference shows the segment is linear.
		// The target is a weighted region of conv2d_2 (values of order 1): on random inputs the
		// logits reach ~160, where float32 rounding alone would swamp a 1e-3 comparison.
		NdArray x = randomBatch(1, 7);
		NdArray w = NdArray.zeros(1, 8, 8, 16);
		w.set(1f, 0, 3, 3, 5);
		w.set(0.5f, 0, 3, 4, 5);
		w.set(-0.25f, 0, 4, 4, 2);
		GradientResult g = keras.gradients(x, "conv2d_2", w, List.of(ConvModel.INPUT));
		NdArray grad = g.gradient(ConvModel.INPUT);
		Random r = new Random(3);
		int checked = 0;
		for (int trial = 0; trial < 10; trial++) {
			float[] v = new float[x.size()];
			double norm = 0;
			for (int i = 0; i < v.length; i++) {
				v[i] = (float) r.nextGaussian();
				norm += v[i] * v[i];
			}
			double dot = 0;
			for (int i = 0; i < v.length; i++) {
				v[i] /= (float) Math.sqrt(norm);
				dot += v[i] * grad.data()[i];
			}
			double f0 = target(x, v, 0, w);
			for (double eps : new double[] { 3e-2, 1e-2, 3e-3 }) {
				double fp = target(x, v, eps, w), fm = target(x, v, -eps, w);
				double fd = (fp - fm) / (2 * eps);
				double curvature = Math.abs(fp + fm - 2 * f0);
				if (curvature > 1e-5 * Math.abs(fp - fm) + 1e-6) continue; // a kink on the segment
				double rel = Math.abs(fd - dot) / Math.max(Math.abs(dot), 1e-6);
				assertTrue(rel < 1e-3, "directional derivative " + dot + " vs finite difference " + fd + " (rel " + rel + ")");
				checked++;
				break;
			}
		}
		assertTrue(checked >= 3, "only " + checked + " of 10 directions had a kink-free segment");
	}

	private static double target(NdArray x, float[] v, double eps, NdArray w) {
		float[] d = x.data().clone();
		for (int i = 0; i < d.length; i++) d[i] += eps * v[i];
		NdArray a = keras.run(new NdArray(x.shape(), d), List.of("conv2d_2")).get("conv2d_2");
		double s = 0;
		for (int i = 0; i < a.size(); i++) s += (double) a.data()[i] * w.data()[i];
		return s;
	}

	private static double absSum(NdArray a) {
		double s = 0;
		for (float f : a.data()) s += Math.abs(f);
		return s;
	}

	@Test
	void gradientOpsAreBuiltOncePerTargetAndLayers() {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			NdArray x = randomBatch(2, 5);
			NdArray w = NdArray.zeros(2, 3);
			w.set(1f, 0, 0);
			w.set(1f, 1, 2);
			assertEquals(0, m.diagnostics().get("gradientGraphs"));
			GradientResult first = m.gradients(x, ConvModel.LOGITS, w, List.of("conv2d_2", ConvModel.INPUT));
			for (int i = 0; i < 5; i++) m.gradients(x, ConvModel.LOGITS, w, List.of("conv2d_2", ConvModel.INPUT));
			assertEquals(1, m.diagnostics().get("gradientGraphs"));
			m.gradients(x, ConvModel.LOGITS, w, List.of("conv2d_1"));
			assertEquals(2, m.diagnostics().get("gradientGraphs"));
			// per-item gradients: item 1's gradient is the gradient of its own class only
			NdArray w1 = NdArray.zeros(1, 3);
			w1.set(1f, 0, 2);
			GradientResult single = m.gradients(x.item(1), ConvModel.LOGITS, w1, List.of("conv2d_2"));
			NdArray batched = first.gradient("conv2d_2").item(1);
			assertArrayEquals(single.gradient("conv2d_2").data(), batched.data(), 1e-5f);
			// the activation returned alongside equals a plain forward run
			NdArray fwd = m.run(x, List.of("conv2d_2")).get("conv2d_2");
			assertArrayEquals(fwd.data(), first.activation("conv2d_2").data(), 1e-6f);
			ModelException e = assertThrows(ModelException.class, () -> m.gradients(x, ConvModel.LOGITS, NdArray.zeros(2, 4), List.of(ConvModel.INPUT)));
			assertTrue(e.getMessage().contains("do not match"), e.getMessage());
		}
	}

	@Test
	void kernelsAndRandomisation() {
		NdArray k = keras.kernel("conv2d");
		assertArrayEquals(new int[] { 3, 3, 1, 8 }, k.shape());
		assertArrayEquals(k.data(), tf1.kernel("conv2d").data(), 0f);
		assertArrayEquals(new int[] { 1024, 3 }, keras.kernel("dense").shape());
		NdArray x = randomBatch(2, 9);
		NdArray before = keras.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
		try (ConvModel r = keras.randomizedCopy(List.of("dense"), 1)) {
			NdArray rl = r.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
			NdArray rc = r.run(x, List.of("conv2d_2")).get("conv2d_2");
			assertFalse(java.util.Arrays.equals(before.data(), rl.data()), "randomised dense layer changes the logits");
			assertArrayEquals(keras.run(x, List.of("conv2d_2")).get("conv2d_2").data(), rc.data(), 0f, "layers below stay");
			assertFalse(java.util.Arrays.equals(keras.kernel("dense").data(), r.kernel("dense").data()));
		}
		NdArray after = keras.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
		assertArrayEquals(before.data(), after.data(), 0f, "the original model is unchanged");
	}

	@Test
	void feedingALayerRunsTheRestOfTheNetwork() {
		NdArray x = randomBatch(2, 13);
		Map<String, NdArray> full = keras.run(x, List.of("conv2d_2", ConvModel.LOGITS));
		NdArray a = full.get("conv2d_2");
		NdArray fromLayer = keras.run(Map.of("conv2d_2", a), List.of(ConvModel.LOGITS, "conv2d_2")).get(ConvModel.LOGITS);
		assertArrayEquals(full.get(ConvModel.LOGITS).data(), fromLayer.data(), 1e-5f);
		// ablating channel 0 changes the logits; a hand-computed dense layer agrees
		NdArray ablated = a.copy();
		for (int i = 0; i < ablated.size(); i += 16) ablated.data()[i] = 0;
		NdArray la = keras.run(Map.of("conv2d_2", ablated), List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
		NdArray kernel = keras.kernel("dense");
		NdArray bias = keras.run(Map.of("conv2d_2", NdArray.zeros(1, 8, 8, 16)), List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
		for (int item = 0; item < 2; item++) {
			for (int k = 0; k < 3; k++) {
				double v = bias.get(0, k);
				for (int j = 0; j < 1024; j++) v += ablated.data()[item * 1024 + j] * kernel.get(j, k);
				assertEquals(v, la.get(item, k), 1e-3 * Math.max(1, Math.abs(v)));
			}
		}
		// gradients of the rest of the network at a fed activation equal the full gradients
		NdArray w = NdArray.zeros(2, 3);
		w.set(1f, 0, 0);
		w.set(1f, 1, 1);
		NdArray g1 = keras.gradients(x, ConvModel.LOGITS, w, List.of("conv2d_1")).gradient("conv2d_1");
		NdArray act1 = keras.run(x, List.of("conv2d_1")).get("conv2d_1");
		NdArray g2 = keras.gradients(Map.of("conv2d_1", act1), ConvModel.LOGITS, w, List.of("conv2d_1")).gradient("conv2d_1");
		assertArrayEquals(g1.data(), g2.data(), 1e-5f);
	}

	@Test
	void topIsEachItemsLargestLogitAndFetchesRideAlong() {
		NdArray x = randomBatch(3, 21);
		NdArray logits = keras.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
		NdArray oneHot = NdArray.zeros(3, 3);
		for (int i = 0; i < 3; i++) {
			int best = 0;
			for (int k = 1; k < 3; k++) if (logits.get(i, k) > logits.get(i, best)) best = k;
			oneHot.set(1f, i, best);
		}
		NdArray expected = keras.gradients(x, ConvModel.LOGITS, oneHot, List.of("conv2d_2")).gradient("conv2d_2");
		GradientResult top = keras.gradients(Map.of(ConvModel.INPUT, x), ConvModel.TOP, new NdArray(new int[] { 3 }, new float[] { 1, 1, 1 }),
			List.of("conv2d_2"), List.of(ConvModel.LOGITS, ConvModel.OUTPUT));
		assertArrayEquals(expected.data(), top.gradient("conv2d_2").data(), 1e-5f);
		assertArrayEquals(logits.data(), top.activation(ConvModel.LOGITS).data(), 1e-5f);
		assertArrayEquals(keras.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data(), top.activation(ConvModel.OUTPUT).data(), 1e-6f);
		for (int i = 0; i < 3; i++) {
			float max = Math.max(logits.get(i, 0), Math.max(logits.get(i, 1), logits.get(i, 2)));
			assertEquals(max, top.target().get(i), 1e-5f);
		}
	}

	@Test
	void graphPathDescribesConvolutionsAndPools() {
		List<OpNode> path = keras.graphPath();
		OpNode conv = path.stream().filter(n -> n.type().equals("Conv2D")).findFirst().orElseThrow();
		assertArrayEquals(new int[] { 3, 3, 1, 8 }, conv.intList("kernel_shape"));
		assertArrayEquals(new int[] { 1, 1, 1, 1 }, conv.intList("strides"));
		assertEquals("SAME", conv.attrs().get("padding"));
		OpNode pool = path.stream().filter(n -> n.type().equals("MaxPool")).findFirst().orElseThrow();
		assertArrayEquals(new int[] { 1, 2, 2, 1 }, pool.intList("ksize"));
		assertEquals(3, path.stream().filter(n -> n.type().equals("Relu") && n.shape().length == 4).count());
		// graph order: the first conv comes before the first pool, and every input is produced earlier
		assertTrue(path.indexOf(conv) < path.indexOf(pool));
	}

	@Test
	void oneSessionServesSeveralThreads() throws Exception {
		NdArray x = randomBatch(3, 11);
		NdArray w = NdArray.zeros(3, 3);
		for (int i = 0; i < 3; i++) w.set(1f, i, i);
		NdArray expected = keras.gradients(x, ConvModel.LOGITS, w, List.of("conv2d_1")).gradient("conv2d_1");
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<NdArray>> fs = new ArrayList<>();
			for (int i = 0; i < 16; i++) fs.add(pool.submit(() -> keras.gradients(x, ConvModel.LOGITS, w, List.of("conv2d_1")).gradient("conv2d_1")));
			for (Future<NdArray> f : fs) assertArrayEquals(expected.data(), f.get().data(), 1e-6f);
		}
		finally {
			pool.shutdown();
		}
	}

	@Test
	void closedModelSaysSo() {
		ConvModel m = Models.open(TestPaths.model("shapes-tf1"));
		m.close();
		ModelException e = assertThrows(ModelException.class, () -> m.run(randomBatch(1, 1), List.of(ConvModel.OUTPUT)));
		assertTrue(e.getMessage().contains("closed"));
	}
}
