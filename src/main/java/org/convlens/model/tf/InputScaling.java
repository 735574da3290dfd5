package org.convlens.model.tf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Finds, right after a model's image input, the scaling a Keras {@code Rescaling} layer ({@code x *
 * scale + offset}, or {@code x / d}) or {@code Normalization} layer ({@code (x - mean) / std}) does
 * in the graph: such a model takes raw pixel values, and scaling them again (the ÷ type range
 * default) would squash its input. Resizing, casts and identities before it are looked through.
 */
final class InputScaling {

	/** Ops that pass the image on unchanged in value range (Keras {@code Resizing}, casts, identities). */
	private static final Set<String> PASS = Set.of("Identity", "Cast", "StopGradient", "ResizeBilinear",
		"ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea", "ScaleAndTranslate", "Reshape");

	/** A scale at most this (1/50) maps 0..255 pixels to at most about 5: a rescaling of raw pixels. */
	private static final double MAX_SCALE = 1.0 / 50;

	private InputScaling() {}

	/**
	 * A description of the in-graph scaling after {@code inputNode}, such as {@code rescaling layer
	 * 'rescaling' (x * 0.003922)}, or null when the graph does not scale its input there.
	 *
	 * @param clean node name to its readable (call-free) name, for the layer name
	 */
	static String detect(Map<String, NodeDef> nodes, Map<String, List<String>> consumers, String inputNode,
		Map<String, String> clean)
	{
		List<String> frontier = new ArrayList<>(List.of(inputNode));
		for (int depth = 0; depth < 8 && !frontier.isEmpty(); depth++) {
			List<String> next = new ArrayList<>();
			for (String src : frontier) {
				for (String c : consumers.getOrDefault(src, List.of())) {
					NodeDef n = nodes.get(c);
					if (n == null) continue;
					if (PASS.contains(n.getOp())) {
						// only where the image is the data input (input 0), not e.g. a shape
						if (n.getInputCount() > 0 && GraphInliner.nodeOf(n.getInput(0)).equals(src)) next.add(c);
						continue;
					}
					String found = scalingAt(nodes, consumers, n, src, clean);
					if (found != null) return found;
				}
			}
			frontier = next;
		}
		return null;
	}

	private static String scalingAt(Map<String, NodeDef> nodes, Map<String, List<String>> consumers, NodeDef n, String src,
		Map<String, String> clean)
	{
		String op = n.getOp();
		String other = otherInput(n, src);
		if (other == null) return null;
		String layer = layerName(clean.getOrDefault(n.getName(), n.getName()));
		if (op.equals("Mul") || op.equals("RealDiv") || op.equals("Div")) {
			float[] c = constValues(nodes, other);
			if (c == null || c.length == 0) return null;
			boolean div = !op.equals("Mul");
			if (div && !GraphInliner.nodeOf(n.getInput(0)).equals(src)) return null; // d / x is no scaling
			for (float v : c) {
				double scale = div ? 1.0 / v : v;
				if (!(scale > 0 && scale <= MAX_SCALE)) return null;
			}
			double scale = div ? 1.0 / c[0] : c[0];
			return "rescaling layer '" + layer + "' (x * " + String.format(Locale.ROOT, "%.6g", scale) + ")";
		}
		if (op.equals("Sub") && GraphInliner.nodeOf(n.getInput(0)).equals(src)) {
			// (x - mean) followed by a division or multiplication: Keras Normalization
			boolean scaled = false;
			for (String c : consumers.getOrDefault(n.getName(), List.of())) {
				NodeDef d = nodes.get(c);
				if (d != null && (d.getOp().equals("RealDiv") || d.getOp().equals("Mul") || d.getOp().equals("Div"))) scaled = true;
			}
			if (!scaled) return null;
			float[] mean = constValues(nodes, other);
			// a constant mean within 0..1.5 belongs to a model trained on [0, 1] inputs
			if (mean != null) {
				double max = 0;
				for (float v : mean) max = Math.max(max, Math.abs(v));
				if (max <= 1.5) return null;
			}
			return "normalization layer '" + layer + "' ((x - mean) / std)";
		}
		return null;
	}

	/** The other data input of a binary op whose input {@code src} is one, or null. */
	private static String otherInput(NodeDef n, String src) {
		if (n.getInputCount() < 2) return null;
		String a = n.getInput(0), b = n.getInput(1);
		if (a.startsWith("^") || b.startsWith("^")) return null;
		if (GraphInliner.nodeOf(a).equals(src)) return b;
		if (GraphInliner.nodeOf(b).equals(src)) return a;
		return null;
	}

	/** The Keras layer of an op: the last scope component, e.g. {@code rescaling} of {@code model/rescaling/mul}. */
	private static String layerName(String op) {
		String p = LayerCatalog.parent(op);
		int s = p.lastIndexOf('/');
		return s < 0 ? p : p.substring(s + 1);
	}

	/** The float values of a Const (through identities), or null when the tensor is not a float constant. */
	static float[] constValues(Map<String, NodeDef> nodes, String tensor) {
		NodeDef n = nodes.get(GraphInliner.nodeOf(tensor));
		for (int guard = 0; n != null && n.getOp().equals("Identity") && guard < 8; guard++) {
			n = nodes.get(GraphInliner.nodeOf(n.getInput(0)));
		}
		if (n == null || !n.getOp().equals("Const")) return null;
		AttrValue v = n.getAttrMap().get("value");
		if (v == null || !v.hasTensor()) return null;
		TensorProto t = v.getTensor();
		if (t.getDtype() != DataType.DT_FLOAT) return null;
		if (!t.getTensorContent().isEmpty()) {
			ByteBuffer bb = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
			float[] f = new float[bb.remaining() / 4];
			bb.asFloatBuffer().get(f);
			return f;
		}
		float[] f = new float[t.getFloatValCount()];
		for (int i = 0; i < f.length; i++) f[i] = t.getFloatVal(i);
		return f;
	}
}
