package org.convlens.model.tf;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convlens.model.LayerInfo;
import org.convlens.model.ModelInfo;
import org.convlens.model.TensorInfo;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * Builds the ordered layer catalogue from the inlined graph: ops on the path from the image input
 * to the outputs are grouped by their (call-free) name scope, the Keras layer; each group's output
 * is its last op consumed outside the group.
 */
final class LayerCatalog {

	/** Op types that are plumbing, never a layer's output. */
	private static final Set<String> SKIP = Set.of("Const", "Placeholder", "PlaceholderWithDefault", "VarHandleOp",
		"VariableV2", "ReadVariableOp", "Shape", "StridedSlice", "Pack", "Unpack", "NoOp", "IdentityN", "Fill", "Range",
		"Cast", "Size", "Rank", "AssignVariableOp", "Assign", "Prod", "ShapeN", "ZerosLike", "OnesLike");

	private LayerCatalog() {}

	static ModelInfo build(Path dir, String sigKey, List<TensorInfo> inputs, List<TensorInfo> outputs,
		GraphInliner.Result inl, Graph graph, List<String> labels)
	{
		Map<String, NodeDef> nodes = new LinkedHashMap<>();
		for (NodeDef n : inl.graph.getNodeList()) nodes.put(n.getName(), n);
		Map<String, String> clean = inl.cleanNames;

		List<String> outNames = new ArrayList<>();
		for (TensorInfo t : outputs) outNames.add(t.tensorName());
		Set<String> backward = GraphInliner.backwardClosure(nodes, outNames);

		String imageInput = null;
		for (int rank : new int[] { 4, 3, 2 }) {
			for (TensorInfo t : inputs) {
				if (imageInput == null && t.isFloat() && t.shape() != null && t.shape().length == rank) imageInput = t.tensorName();
			}
		}
		Map<String, List<String>> consumers = new HashMap<>();
		for (NodeDef n : nodes.values()) {
			for (String in : n.getInputList()) {
				if (in.startsWith("^")) continue;
				consumers.computeIfAbsent(GraphInliner.nodeOf(in), k -> new ArrayList<>()).add(n.getName());
			}
		}
		Set<String> forward = new HashSet<>();
		if (imageInput != null) {
			Deque<String> todo = new ArrayDeque<>();
			todo.add(GraphInliner.nodeOf(imageInput));
			while (!todo.isEmpty()) {
				String n = todo.poll();
				if (!forward.add(n)) continue;
				todo.addAll(consumers.getOrDefault(n, List.of()));
			}
		}
		Set<String> outputNodes = new HashSet<>();
		for (String o : outNames) outputNodes.add(GraphInliner.nodeOf(o));

		// group on-path candidates by scope, in graph (topological) order
		Map<String, List<GraphOperation>> groups = new LinkedHashMap<>();
		String dataFormat = "NHWC";
		for (java.util.Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
			GraphOperation op = it.next();
			String name = op.name();
			NodeDef nd = nodes.get(name);
			if (nd == null || !forward.contains(name) || !backward.contains(name)) continue;
			AttrValue df = nd.getAttrMap().get("data_format");
			if (df != null && df.getS().toStringUtf8().startsWith("NC")) dataFormat = "NCHW";
			if (SKIP.contains(op.type()) || op.numOutputs() == 0) continue;
			if (imageInput != null && name.equals(GraphInliner.nodeOf(imageInput))) continue;
			if (op.output(0).dataType() != org.tensorflow.proto.DataType.DT_FLOAT) continue;
			String scope = parent(cleanName(name, clean));
			// top-level identities are signature plumbing (the wrapper's Identity), not layers
			if (scope.isEmpty() && (op.type().equals("Identity") || op.type().equals("StopGradient"))) continue;
			groups.computeIfAbsent(scope, k -> new ArrayList<>()).add(op);
		}

		// common model prefix such as "sequential/" or "model/"
		String common = null;
		boolean allShare = true;
		for (String scope : groups.keySet()) {
			if (scope.isEmpty()) continue;
			if (!scope.contains("/")) {
				allShare = false;
				break;
			}
			String first = scope.substring(0, scope.indexOf('/'));
			if (common == null) common = first;
			else if (!common.equals(first)) allShare = false;
		}
		String strip = allShare && common != null ? common + "/" : "";

		List<GraphOperation> chosen = new ArrayList<>();
		List<String> names = new ArrayList<>();
		List<List<String>> opTypes = new ArrayList<>();
		for (Map.Entry<String, List<GraphOperation>> e : groups.entrySet()) {
			String scope = e.getKey();
			List<GraphOperation> ops = e.getValue();
			GraphOperation pick = null;
			for (GraphOperation op : ops) {
				boolean leaves = outputNodes.contains(op.name());
				for (String c : consumers.getOrDefault(op.name(), List.of())) {
					if (backward.contains(c) && !parent(cleanName(c, clean)).equals(scope)) leaves = true;
				}
				if (leaves) pick = op;
			}
			if (pick == null) pick = ops.get(ops.size() - 1);
			String human = scope.isEmpty() ? cleanName(pick.name(), clean) : scope.substring(Math.min(strip.length(), scope.length()));
			if (!scope.startsWith(strip)) human = scope;
			chosen.add(pick);
			names.add(human);
			List<String> types = new ArrayList<>();
			for (GraphOperation op : ops) types.add(op.type());
			opTypes.add(types);
		}
		// keep graph order of the chosen outputs, make names unique
		List<LayerInfo> layers = new ArrayList<>();
		Set<String> used = new HashSet<>();
		for (int i = 0; i < chosen.size(); i++) {
			GraphOperation op = chosen.get(i);
			String n = names.get(i);
			String u = n;
			for (int k = 2; !used.add(u); k++) u = n + "_" + k;
			layers.add(new LayerInfo(i, u, op.name(), op.type(), Tensors.shapeOf(op.output(0)), opTypes.get(i)));
		}

		// logits: walk back from the class output through identities to a softmax/sigmoid
		String logits = null;
		String activation = "none";
		TensorInfo cls = null;
		for (TensorInfo t : outputs) if (cls == null && t.shape() != null && t.shape().length == 2) cls = t;
		if (cls == null && !outputs.isEmpty()) cls = outputs.get(0);
		if (cls != null) {
			String t = cls.tensorName();
			for (int guard = 0; guard < 20; guard++) {
				NodeDef n = nodes.get(GraphInliner.nodeOf(t));
				if (n == null) break;
				if (n.getOp().equals("Identity")) {
					t = GraphInliner.canonical(n.getInput(0));
				}
				else if (n.getOp().equals("IdentityN")) {
					int idx = t.contains(":") ? Integer.parseInt(t.substring(t.indexOf(':') + 1)) : 0;
					t = GraphInliner.canonical(n.getInput(idx));
				}
				else {
					if (n.getOp().equals("Softmax")) activation = "softmax";
					if (n.getOp().equals("Sigmoid")) activation = "sigmoid";
					if (!activation.equals("none")) logits = GraphInliner.canonical(n.getInput(0));
					break;
				}
			}
		}
		String scaling = imageInput == null ? null : InputScaling.detect(nodes, consumers, GraphInliner.nodeOf(imageInput), clean);
		return new ModelInfo(dir, sigKey, inputs, outputs, layers, labels, logits, activation, dataFormat, inl.callsInlined > 0, scaling);
	}

	static String cleanName(String node, Map<String, String> clean) {
		return clean.getOrDefault(node, node);
	}

	static String parent(String name) {
		int s = name.lastIndexOf('/');
		return s < 0 ? "" : name.substring(0, s);
	}
}
