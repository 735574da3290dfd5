package org.convlens.explain.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.GradientResult;
import org.convlens.model.ModelException;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.OpNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Receptive fields: the recurrence against a direct composition of windows, the graph walk against
 * fields computed by hand from the generated and real models' architectures, and against the
 * support of input gradients.
 */
class ReceptiveFieldTest {

	/**
	 * Direct computation along one axis: the input interval that output unit {@code u} depends on,
	 * found by composing each op's window from the layer back to the input.
	 */
	static int[] bruteInterval(List<SpatialOp> ops, int u, boolean height) {
		int lo = u, hi = u;
		for (int i = ops.size() - 1; i >= 0; i--) {
			SpatialOp o = ops.get(i);
			int s = height ? o.strideH() : o.strideW();
			int d = height ? o.dilationH() : o.dilationW();
			int k = height ? o.kernelH() : o.kernelW();
			int pad = height ? o.padTop() : o.padLeft();
			// output j reads padded positions j*s + t*d (t < k), i.e. input positions minus pad
			int nlo = Integer.MAX_VALUE, nhi = Integer.MIN_VALUE;
			for (int j = lo; j <= hi; j++) {
				for (int t = 0; t < k; t++) {
					int p = j * s + t * d - pad;
					nlo = Math.min(nlo, p);
					nhi = Math.max(nhi, p);
				}
			}
			lo = nlo;
			hi = nhi;
		}
		return new int[] { lo, hi };
	}

	@Test
	void recurrenceMatchesDirectCompositionOnRandomChains() {
		Random r = new Random(7);
		for (int trial = 0; trial < 300; trial++) {
			List<SpatialOp> ops = new ArrayList<>();
			int size = 64 + r.nextInt(64);
			int n = 1 + r.nextInt(6);
			for (int i = 0; i < n; i++) {
				int k = 1 + r.nextInt(5), s = 1 + r.nextInt(3), d = 1 + r.nextInt(2);
				SpatialOp.Padding p = SpatialOp.Padding.values()[r.nextInt(2)];
				SpatialOp op = r.nextInt(6) == 0 ? SpatialOp.pad("pad" + i, "Pad", r.nextInt(3), r.nextInt(3), size, size)
					: new SpatialOp("op" + i, r.nextBoolean() ? "Conv2D" : "MaxPool", k, k + r.nextInt(2), s, s, d, d, p, 0, 0, size, size);
				ops.add(op);
			}
			ReceptiveField f = ReceptiveField.of(ops);
			for (int u : new int[] { 0, 1, 5 }) {
				int[] h = bruteInterval(ops, u, true);
				int[] w = bruteInterval(ops, u, false);
				int[] rect = f.rect(u, u);
				assertEquals(h[0], rect[1], "top of unit " + u + " for " + ops);
				assertEquals(h[1] - h[0] + 1, rect[3], "height for " + ops);
				assertEquals(w[0], rect[0], "left for " + ops);
				assertEquals(w[1] - w[0] + 1, rect[2], "width for " + ops);
			}
		}
	}

	@Test
	void samePaddingFollowsTensorFlow() {
		// TensorFlow: out = ceil(in / s); total = max((out - 1) * s + k - in, 0); before = total / 2
		assertEquals(1, SpatialOp.samePadBefore(32, 3, 1, 1));
		assertEquals(0, SpatialOp.samePadBefore(4, 3, 2, 1)); // out 2, total 1: the extra row goes after
		assertEquals(1, SpatialOp.samePadBefore(5, 3, 2, 1)); // out 3, total 2
		assertEquals(2, SpatialOp.samePadBefore(32, 3, 1, 2)); // dilated 3x3 is 5 wide
		assertEquals(0, SpatialOp.samePadBefore(32, 2, 2, 1));
		assertEquals(2, SpatialOp.samePadBefore(224, 7, 2, 1)); // ResNet stem: out 112, total 111*2+7-224 = 5
	}

	@Test
	void clippedRectStaysInside() {
		ReceptiveField f = new ReceptiveField(18, 18, 4, 4, -7, -7);
		assertEquals(List.of(0, 0, 11, 11), box(f.clippedRect(0, 0, 32, 32)));
		assertEquals(List.of(21, 21, 11, 11), box(f.clippedRect(7, 7, 32, 32)));
		assertEquals(List.of(5, 1, 18, 18), box(f.clippedRect(2, 3, 32, 32)));
	}

	/** By hand: 3x3 SAME conv (pad 1), 2x2/2 VALID pool, 3x3 SAME conv, pool, 3x3 SAME conv. */
	@ParameterizedTest
	@ValueSource(strings = { "shapes-tf1", "shapes-keras", "shapes-gap" })
	void generatedModelsMatchHandComputedFields(String name) {
		try (ConvModel m = Models.open(TestPaths.model(name))) {
			// size, stride, offset
			assertEquals(new ReceptiveField(3, 3, 1, 1, -1, -1), ReceptiveField.of(m, "conv2d"));
			assertEquals(new ReceptiveField(4, 4, 2, 2, -1, -1), ReceptiveField.of(m, "max_pooling2d"));
			assertEquals(new ReceptiveField(8, 8, 2, 2, -3, -3), ReceptiveField.of(m, "conv2d_1"));
			assertEquals(new ReceptiveField(10, 10, 4, 4, -3, -3), ReceptiveField.of(m, "max_pooling2d_1"));
			assertEquals(new ReceptiveField(18, 18, 4, 4, -7, -7), ReceptiveField.of(m, "conv2d_2"));
			List<SpatialOp> path = ReceptiveField.spatialPath(m, "conv2d_2");
			assertEquals(List.of("Conv2D", "MaxPool", "Conv2D", "MaxPool", "Conv2D"), path.stream().map(SpatialOp::opType).collect(
				java.util.stream.Collectors.toList()));
			ModelException e = assertThrows(ModelException.class, () -> ReceptiveField.of(m, "dense"));
			assertTrue(e.getMessage().contains("not a spatial"), e.getMessage());
		}
	}

	/** SOURCE.txt: Conv 3x3 VALID, MaxPool 2 (VALID), ... */
	@Test
	void realKerasModelsMatchHandComputedFields() {
		Path fashion = TestPaths.sharedOrSkip("models/fashion-mnist-cnn");
		try (ConvModel m = Models.open(fashion)) {
			assertEquals(new ReceptiveField(3, 3, 1, 1, 0, 0), ReceptiveField.of(m, "conv2d"));
			assertEquals(new ReceptiveField(4, 4, 2, 2, 0, 0), ReceptiveField.of(m, "max_pooling2d"));
			assertEquals(new ReceptiveField(8, 8, 2, 2, 0, 0), ReceptiveField.of(m, "conv2d_1"));
			assertEquals(new ReceptiveField(10, 10, 4, 4, 0, 0), ReceptiveField.of(m, "max_pooling2d_1"));
			assertEquals(new ReceptiveField(18, 18, 4, 4, 0, 0), ReceptiveField.of(m, "conv2d_2"));
		}
		try (ConvModel m = Models.open(TestPaths.sharedOrSkip("models/brain-mri-tumor64"))) {
			assertEquals(new ReceptiveField(3, 3, 1, 1, 0, 0), ReceptiveField.of(m, "activation_10"));
			assertEquals(new ReceptiveField(18, 18, 4, 4, 0, 0), ReceptiveField.of(m, "conv2d_8"));
			assertEquals(new ReceptiveField(18, 18, 4, 4, 0, 0), ReceptiveField.of(m, "activation_12"));
			assertEquals(new ReceptiveField(22, 22, 8, 8, 0, 0), ReceptiveField.of(m, "max_pooling2d_8"));
		}
	}

	/**
	 * Independent of the graph walk: the input pixels that influence a unit (non-zero gradient of
	 * its channels' sum, over several random inputs) lie inside its field, and reach its edges.
	 */
	@Test
	void inputGradientSupportFillsTheField() {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			ReceptiveField f = ReceptiveField.of(m, "conv2d_2");
			for (int[] unit : new int[][] { { 3, 4 }, { 0, 0 }, { 7, 5 } }) {
				boolean[] support = new boolean[32 * 32];
				Random r = new Random(unit[0] * 31 + unit[1]);
				for (int trial = 0; trial < 6; trial++) {
					NdArray x = NdArray.zeros(1, 32, 32, 1);
					for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat();
					NdArray w = NdArray.zeros(1, 8, 8, 16);
					for (int c = 0; c < 16; c++) w.set(1f, 0, unit[0], unit[1], c);
					GradientResult g = m.gradients(x, "conv2d_2", w, List.of(ConvModel.INPUT));
					float[] gd = g.gradient(ConvModel.INPUT).data();
					for (int i = 0; i < gd.length; i++) if (gd[i] != 0) support[i] = true;
				}
				int x0 = 99, y0 = 99, x1 = -1, y1 = -1;
				for (int i = 0; i < support.length; i++) {
					if (!support[i]) continue;
					x0 = Math.min(x0, i % 32);
					x1 = Math.max(x1, i % 32);
					y0 = Math.min(y0, i / 32);
					y1 = Math.max(y1, i / 32);
				}
				int[] rect = f.clippedRect(unit[0], unit[1], 32, 32);
				assertEquals(List.of(rect[0], rect[1], rect[0] + rect[2] - 1, rect[1] + rect[3] - 1), List.of(x0, y0, x1, y1),
					"gradient support of unit " + unit[0] + "," + unit[1]);
			}
		}
	}

	@Test
	void branchesFollowTheLargerFieldAndResizesAreRefused() {
		// input -> conv 3x3 -> add(conv, conv->conv 5x5) (a residual block); then a resize
		List<OpNode> g = new ArrayList<>();
		g.add(node("in", "Placeholder", List.of(), 1, 16));
		g.add(conv("c1", "in:0", 3, 1));
		g.add(conv("c2", "c1:0", 5, 1));
		g.add(node("add", "AddV2", List.of("c1:0", "c2:0"), 1, 16));
		g.add(node("relu", "Relu", List.of("add:0"), 1, 16));
		g.add(node("shape", "Shape", List.of("relu:0"), 0, 0));
		g.add(node("up", "ResizeBilinear", List.of("relu:0", "shape:0"), 1, 32));
		assertEquals(new ReceptiveField(7, 7, 1, 1, -3, -3), ReceptiveField.of(ReceptiveField.spatialPath(g, "in", "relu", "relu")));
		ModelException e = assertThrows(ModelException.class, () -> ReceptiveField.spatialPath(g, "in", "up", "up"));
		assertTrue(e.getMessage().contains("resizes 16x16 to 32x32"), e.getMessage());
	}

	private static OpNode conv(String name, String in, int k, int s) {
		return new OpNode(name, "Conv2D", List.of(in, name + "/kernel:0"), new int[] { -1, 16, 16, 4 },
			Map.of("strides", "[1, " + s + ", " + s + ", 1]", "padding", "SAME", "kernel_shape", "[" + k + ", " + k + ", 4, 4]"));
	}

	private static OpNode node(String name, String type, List<String> in, int rank4, int size) {
		int[] shape = rank4 == 1 ? new int[] { -1, size, size, 4 } : new int[] { 4 };
		return new OpNode(name, type, in, shape, Map.of());
	}

	private static List<Integer> box(int[] a) {
		List<Integer> l = new ArrayList<>();
		for (int v : a) l.add(v);
		return l;
	}
}
