package org.convlens.explain.dataset;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.OpNode;


/**
 * Where a unit of a spatial layer looks in the model input: the field is {@link #sizeH()} by
 * {@link #sizeW()} input pixels, and unit {@code (y, x)} sees rows {@code offsetH + y * strideH}
 * up to {@code + sizeH - 1} (likewise columns). Offsets can be negative: the field then
 * starts in the zero padding.
 *
 * <p>Computed with the usual recurrence over the convolutions, poolings and paddings between the
 * input and the layer ({@link #spatialPath}, read from the engine's {@link ConvModel#graphPath()}):
 * {@code size += (k_eff - 1) * jump; offset -= pad_before * jump; jump *= stride}.
 */
public final class ReceptiveField {

	private final int sizeH, sizeW, strideH, strideW, offsetH, offsetW;

	public ReceptiveField(int sizeH, int sizeW, int strideH, int strideW, int offsetH, int offsetW) {
		this.sizeH = sizeH;
		this.sizeW = sizeW;
		this.strideH = strideH;
		this.strideW = strideW;
		this.offsetH = offsetH;
		this.offsetW = offsetW;
	}

	/** Op types that move pixels, and that {@link #spatialPath} describes. */
	private static final Set<String> CONVS = Set.of("Conv2D", "DepthwiseConv2dNative");
	private static final Set<String> POOLS = Set.of("MaxPool", "AvgPool");
	private static final Set<String> PADS = Set.of("Pad", "PadV2", "MirrorPad");

	/** The receptive field of a spatial layer of a model, from its graph. */
	public static ReceptiveField of(ConvModel model, String layer) {
		return of(spatialPath(model, layer));
	}

	/**
	 * The convolutions, poolings and paddings between the image input and a spatial layer, in
	 * input-to-layer order. Where branches merge (residual additions, concatenations) the branch
	 * with the largest field is followed.
	 *
	 * @throws ModelException if the layer is not spatial, or an op on the way moves pixels in a
	 *         way this cannot describe (resizing, cropping, space-to-batch)
	 */
	public static List<SpatialOp> spatialPath(ConvModel model, String layer) {
		LayerInfo l = model.info().layer(layer);
		int[] shape = l.shape();
		if (shape == null || shape.length != 4) {
			throw new ModelException("Layer " + layer + " is not a spatial (feature-map) layer; its shape is " +
				java.util.Arrays.toString(shape) + ".");
		}
		return spatialPath(model.graphPath(), nodeOf(model.info().imageInput().tensorName()), l.opName(), layer);
	}

	/** As {@link #spatialPath(ConvModel, String)}, on a graph given as {@link OpNode}s. */
	public static List<SpatialOp> spatialPath(List<OpNode> graph, String inputOp, String layerOp, String layerName) {
		Map<String, OpNode> nodes = new HashMap<>();
		for (OpNode n : graph) nodes.put(n.name(), n);
		Trace t = new Walker(nodes, inputOp).trace(layerOp);
		if (t == null) throw new ModelException("Layer " + layerName + " is not computed from the image input.");
		if (t.problem != null) throw new ModelException("Cannot compute the receptive field of layer " + layerName + ": " + t.problem);
		return List.copyOf(t.ops);
	}

	/** The ops behind a node, or why they cannot be described. */
	private static final class Trace {
		final List<SpatialOp> ops;
		final String problem;

		Trace(List<SpatialOp> ops, String problem) {
			this.ops = ops;
			this.problem = problem;
		}

		int span() {
			if (ops == null) return -1;
			ReceptiveField f = of(ops);
			return Math.max(f.sizeH, f.sizeW);
		}
	}

	/** Walks the graph backwards from a layer to the input, memoising every node. */
	private static final class Walker {
		private final Map<String, OpNode> nodes;
		private final String input;
		private final Map<String, Trace> memo = new HashMap<>();

		Walker(Map<String, OpNode> nodes, String input) {
			this.nodes = nodes;
			this.input = input;
		}

		Trace trace(String node) {
			if (node.equals(input)) return new Trace(List.of(), null);
			if (memo.containsKey(node)) return memo.get(node);
			memo.put(node, null); // a cycle (TF1 while loop) does not reach the input again
			OpNode n = nodes.get(node);
			Trace result = null;
			if (n != null && !n.inputs().isEmpty()) {
				String type = n.type();
				if (CONVS.contains(type) || POOLS.contains(type) || PADS.contains(type)) {
					Trace before = trace(nodeOf(n.inputs().get(0)));
					if (before != null && before.problem == null) {
						try {
							List<SpatialOp> ops = new ArrayList<>(before.ops);
							ops.add(spatialOp(n, shapeOf(n.inputs().get(0))));
							result = new Trace(ops, null);
						}
						catch (ModelException e) {
							result = new Trace(null, e.getMessage());
						}
					}
					else result = before;
				}
				else {
					String chosen = null;
					for (String in : n.inputs()) {
						int[] s = shapeOf(in);
						if (s != null && s.length != 4) continue; // shapes, indices and vectors carry no pixels
						Trace t = trace(nodeOf(in));
						if (t == null) continue;
						boolean better = result == null || (result.problem != null && t.problem == null) ||
							(t.problem == null && t.span() > result.span());
						if (better) {
							result = t;
							chosen = in;
						}
					}
					if (result != null && result.problem == null) {
						String moved = movesPixels(n, shapeOf(chosen));
						if (moved != null) result = new Trace(null, moved);
					}
				}
			}
			memo.put(node, result);
			return result;
		}

		/** Static shape of a tensor {@code op:index}, for output 0 only; null if unknown. */
		private int[] shapeOf(String tensor) {
			OpNode n = nodes.get(nodeOf(tensor));
			if (n == null || !(tensor.endsWith(":0") || tensor.indexOf(':') < 0)) return null;
			return n.shape();
		}
	}

	/** Null if the op keeps pixel positions (same height and width in and out), else why not. */
	private static String movesPixels(OpNode n, int[] in) {
		int[] out = n.shape();
		if (in == null || out == null) return null; // unknown: an element-wise op in a dynamic graph
		String what = "op " + n.name() + " (" + n.type() + ")";
		if (out.length != 4) return what + " turns shape " + java.util.Arrays.toString(in) + " into " + java.util.Arrays.toString(out) + ".";
		boolean same = (in[1] < 0 || out[1] < 0 || in[1] == out[1]) && (in[2] < 0 || out[2] < 0 || in[2] == out[2]);
		return same ? null : what + " resizes " + in[1] + "x" + in[2] + " to " + out[1] + "x" + out[2] + ".";
	}

	private static SpatialOp spatialOp(OpNode n, int[] in) {
		String type = n.type();
		int inH = in != null && in.length == 4 ? in[1] : -1;
		int inW = in != null && in.length == 4 ? in[2] : -1;
		int[] out = n.shape();
		if (PADS.contains(type)) {
			// the engine does not give the paddings' values: the total comes from the shapes and,
			// as for SAME, the smaller half is taken to be before the data
			if (in == null || out == null || in.length != 4 || out.length != 4 || in[1] < 0 || out[1] < 0 || in[2] < 0 || out[2] < 0) {
				throw new ModelException("the padding of " + n.name() + " is not known from static shapes.");
			}
			return SpatialOp.pad(n.name(), type, (out[1] - in[1]) / 2, (out[2] - in[2]) / 2, inH, inW);
		}
		if ("NCHW".equals(n.attrs().get("data_format"))) throw new ModelException(n.name() + " is channels-first.");
		int kh, kw;
		if (CONVS.contains(type)) {
			int[] ks = n.intList("kernel_shape");
			if (ks == null || ks.length != 4 || ks[0] < 1 || ks[1] < 1) {
				throw new ModelException("the kernel size of " + n.name() + " is not known from the graph.");
			}
			kh = ks[0];
			kw = ks[1];
		}
		else {
			int[] ks = n.intList("ksize");
			if (ks == null || ks.length != 4) throw new ModelException(n.name() + " (" + type + ") has no constant ksize.");
			kh = ks[1];
			kw = ks[2];
		}
		int[] st = orDefault(n.intList("strides"));
		int[] dil = orDefault(n.intList("dilations"));
		String pad = n.attrs().getOrDefault("padding", "VALID");
		SpatialOp.Padding mode = SpatialOp.Padding.VALID;
		int top = 0, left = 0;
		if (pad.equals("SAME")) mode = SpatialOp.Padding.SAME;
		else if (pad.equals("EXPLICIT")) {
			// explicit paddings are not listed by the engine: derive the total from the shapes
			mode = SpatialOp.Padding.EXPLICIT;
			if (out == null || inH < 0 || inW < 0 || out[1] < 0 || out[2] < 0) {
				throw new ModelException("the explicit padding of " + n.name() + " is not known from static shapes.");
			}
			top = Math.max(0, (out[1] - 1) * st[1] + (kh - 1) * dil[1] + 1 - inH) / 2;
			left = Math.max(0, (out[2] - 1) * st[2] + (kw - 1) * dil[2] + 1 - inW) / 2;
		}
		return new SpatialOp(n.name(), type, kh, kw, st[1], st[2], dil[1], dil[2], mode, top, left, inH, inW);
	}

	private static int[] orDefault(int[] a) {
		return a == null || a.length != 4 ? new int[] { 1, 1, 1, 1 } : a;
	}

	static String nodeOf(String tensor) {
		String t = tensor.startsWith("^") ? tensor.substring(1) : tensor;
		int c = t.lastIndexOf(':');
		return c < 0 ? t : t.substring(0, c);
	}

	/** The field of a layer reached through {@code ops}, given in input-to-layer order. */
	public static ReceptiveField of(List<SpatialOp> ops) {
		long sh = 1, sw = 1, jh = 1, jw = 1, oh = 0, ow = 0;
		for (SpatialOp o : ops) {
			sh += (long) (o.effectiveKernelH() - 1) * jh;
			sw += (long) (o.effectiveKernelW() - 1) * jw;
			oh -= (long) o.padTop() * jh;
			ow -= (long) o.padLeft() * jw;
			jh *= o.strideH();
			jw *= o.strideW();
		}
		return new ReceptiveField(toInt(sh), toInt(sw), toInt(jh), toInt(jw), toInt(oh), toInt(ow));
	}

	private static int toInt(long v) {
		if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) throw new ArithmeticException("Receptive field too large");
		return (int) v;
	}

	/** Field height in input pixels. */
	public int sizeH() { return sizeH; }
	public int sizeW() { return sizeW; }
	/** Input pixels between neighbouring units (the product of the strides). */
	public int strideH() { return strideH; }
	public int strideW() { return strideW; }
	/** Input row of the first row of unit (0, 0)'s field; negative inside the padding. */
	public int offsetH() { return offsetH; }
	public int offsetW() { return offsetW; }

	/** The field of unit {@code (y, x)} as {@code {x0, y0, width, height}} in input pixels, unclipped. */
	public int[] rect(int y, int x) {
		return new int[] { offsetW + x * strideW, offsetH + y * strideH, sizeW, sizeH };
	}

	/** {@link #rect} clipped to an input of {@code width x height}. */
	public int[] clippedRect(int y, int x, int width, int height) {
		int[] r = rect(y, x);
		int x0 = Math.max(0, r[0]);
		int y0 = Math.max(0, r[1]);
		int x1 = Math.min(width, r[0] + r[2]);
		int y1 = Math.min(height, r[1] + r[3]);
		return new int[] { x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0) };
	}

	@Override
	public boolean equals(Object o) {
		if (!(o instanceof ReceptiveField)) return false;
		ReceptiveField r = (ReceptiveField) o;
		return sizeH == r.sizeH && sizeW == r.sizeW && strideH == r.strideH && strideW == r.strideW && offsetH == r.offsetH &&
			offsetW == r.offsetW;
	}

	@Override
	public int hashCode() {
		return ((((sizeH * 31 + sizeW) * 31 + strideH) * 31 + strideW) * 31 + offsetH) * 31 + offsetW;
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "receptive field %dx%d, stride %dx%d, offset %d,%d", sizeH, sizeW, strideH, strideW,
			offsetH, offsetW);
	}
}
