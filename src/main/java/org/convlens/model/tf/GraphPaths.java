package org.convlens.model.tf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convlens.model.OpNode;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.NodeDef;

/**
 * The ops between a model's image input and its outputs, in graph order, as {@link OpNode}s with
 * the attributes a reader of the network needs (strides, kernel sizes, padding, kernel shape).
 */
final class GraphPaths {

	private GraphPaths() {}

	/**
	 * The ops of {@code graph} that depend on {@code inputTensor} and feed one of {@code outputs};
	 * {@code nodes} indexes {@code graphDef}, the definition the graph was imported from.
	 */
	static List<OpNode> path(Graph graph, List<NodeDef> graphDef, Map<String, NodeDef> nodes, List<String> outputs, String inputTensor) {
		Set<String> back = GraphInliner.backwardClosure(nodes, outputs);
		Map<String, List<String>> consumers = new HashMap<>();
		for (NodeDef n : graphDef) {
			for (String in : n.getInputList()) {
				if (!in.startsWith("^")) consumers.computeIfAbsent(GraphInliner.nodeOf(in), k -> new ArrayList<>()).add(n.getName());
			}
		}
		Set<String> fwd = new HashSet<>();
		java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(GraphInliner.nodeOf(inputTensor)));
		while (!todo.isEmpty()) {
			String n = todo.poll();
			if (fwd.add(n)) todo.addAll(consumers.getOrDefault(n, List.of()));
		}
		List<OpNode> out = new ArrayList<>();
		for (java.util.Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
			GraphOperation op = it.next();
			NodeDef n = nodes.get(op.name());
			if (n == null || !fwd.contains(op.name()) || !back.contains(op.name())) continue;
			List<String> inputs = new ArrayList<>();
			for (String in : n.getInputList()) if (!in.startsWith("^")) inputs.add(GraphInliner.canonical(in));
			Map<String, String> attrs = new LinkedHashMap<>();
			for (String a : new String[] { "strides", "ksize", "dilations" }) {
				org.tensorflow.proto.AttrValue v = n.getAttrMap().get(a);
				if (v != null) attrs.put(a, v.getList().getIList().toString());
			}
			for (String a : new String[] { "padding", "data_format" }) {
				org.tensorflow.proto.AttrValue v = n.getAttrMap().get(a);
				if (v != null) attrs.put(a, v.getS().toStringUtf8());
			}
			if (inputs.size() > 1 && (n.getOp().startsWith("Conv") || n.getOp().startsWith("DepthwiseConv"))) {
				int[] ks = Tensors.shapeOf(graph.outputOrThrow(inputs.get(1)));
				if (ks != null) attrs.put("kernel_shape", Arrays.toString(ks));
			}
			int[] shape = op.numOutputs() > 0 ? Tensors.shapeOf(op.output(0)) : null;
			out.add(new OpNode(op.name(), op.type(), inputs, shape, attrs));
		}
		return List.copyOf(out);
	}
}
