package org.convlens.model.tf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * A model's weights: the kernel and bias tensors of a layer, the variables behind them, and
 * re-initialising them in a session (for the randomisation check), through one assign op per
 * variable added to the graph once and shared by the model and its copies.
 */
final class ModelWeights {

	private final Graph graph;
	private final GraphDef graphDef;
	private final Map<String, NodeDef> nodes;
	private final ModelInfo info;
	private final Map<String, String> cleanNames;
	/** Held while adding ops to the graph: the same lock as the gradients'. */
	private final GradientGraphs lock;
	private final Map<String, String[]> assignCache = new ConcurrentHashMap<>();

	ModelWeights(Graph graph, GraphDef graphDef, Map<String, NodeDef> nodes, ModelInfo info, Map<String, String> cleanNames, GradientGraphs lock) {
		this.graph = graph;
		this.graphDef = graphDef;
		this.nodes = nodes;
		this.info = info;
		this.cleanNames = cleanNames;
		this.lock = lock;
	}

	/** The variable-reading tensors (kernel first, then bias) that feed a layer, found in its scope. */
	List<String> weightTensors(String layerName) {
		LayerInfo l = info.layer(layerName);
		String scope = LayerCatalog.parent(LayerCatalog.cleanName(l.opName(), cleanNames));
		List<String> kernels = new ArrayList<>();
		List<String> biases = new ArrayList<>();
		for (NodeDef n : graphDef.getNodeList()) {
			String clean = LayerCatalog.cleanName(n.getName(), cleanNames);
			if (!clean.startsWith(scope + "/")) continue;
			String op = n.getOp();
			if (op.equals("Conv2D") || op.equals("MatMul") || op.equals("DepthwiseConv2dNative") || op.equals("Conv2DBackpropInput")) {
				if (n.getInputCount() > 1) kernels.add(GraphInliner.canonical(n.getInput(1)));
			}
			else if (op.equals("BiasAdd") && n.getInputCount() > 1) {
				biases.add(GraphInliner.canonical(n.getInput(1)));
			}
		}
		List<String> all = new ArrayList<>(kernels);
		all.addAll(biases);
		return all;
	}

	/** The variable op (VarHandleOp or VariableV2) a read tensor comes from, following Identity/ReadVariableOp. */
	private NodeDef variableOf(String tensor) {
		String node = GraphInliner.nodeOf(tensor);
		for (int guard = 0; guard < 50; guard++) {
			NodeDef n = nodes.get(node);
			if (n == null) return null;
			switch (n.getOp()) {
				case "VarHandleOp":
				case "VariableV2":
				case "Variable":
					return n;
				case "ReadVariableOp":
				case "Identity":
				case "Enter":
					node = GraphInliner.nodeOf(n.getInput(0));
					break;
				default:
					return null;
			}
		}
		return null;
	}

	/**
	 * Gives every weight of {@code layers} new values in {@code session}: Gaussian, mean 0, with
	 * each tensor's current standard deviation (0.05 where that is 0), from {@code seed}.
	 *
	 * @return the values assigned, by variable name, for {@link #assign} in another session
	 */
	Map<String, NdArray> randomize(Session session, List<String> layers, long seed) {
		Map<String, NdArray> assigned = new LinkedHashMap<>();
		Random rnd = new Random(seed);
		for (String layer : layers) {
			for (String t : weightTensors(layer)) {
				NodeDef var = variableOf(t);
				if (var == null) throw new ModelException("Cannot find the variable behind " + t + " in layer " + layer);
				NdArray current;
				try (Result res = DeepStack.run(session.runner().fetch(t))) {
					current = Tensors.toArray(res.get(0), t);
				}
				float[] v = current.data();
				double mean = 0, sq = 0;
				for (float x : v) {
					mean += x;
					sq += x * x;
				}
				mean /= v.length;
				double sd = Math.sqrt(Math.max(sq / v.length - mean * mean, 0));
				if (sd == 0) sd = 0.05;
				float[] nv = new float[v.length];
				for (int i = 0; i < nv.length; i++) nv[i] = (float) (rnd.nextGaussian() * sd);
				NdArray value = new NdArray(current.shape(), nv);
				assign(session, var, value);
				assigned.put(var.getName(), value);
			}
		}
		return assigned;
	}

	/** Sets the variable named {@code variable} to {@code value} in {@code session}. */
	void assign(Session session, String variable, NdArray value) {
		assign(session, nodes.get(variable), value);
	}

	private void assign(Session s, NodeDef var, NdArray value) {
		String[] assign = assignOps(var);
		try (TFloat32 val = Tensors.tensorOf(value)) {
			DeepStack.run(s.runner().feed(assign[0], val).addTarget(assign[1])).close();
		}
	}

	/** A placeholder and an assign op for a variable, built once. */
	private String[] assignOps(NodeDef var) {
		return assignCache.computeIfAbsent(var.getName(), k -> {
			synchronized (lock) {
				String p = "convlens_assign_" + assignCache.size();
				GraphOperation ph = graph.opBuilder("Placeholder", p + "_value", graph.baseScope())
					.setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT).build();
				GraphOperation varOp = graph.operationOrThrow(var.getName());
				GraphOperation assign;
				if (var.getOp().equals("VarHandleOp")) {
					assign = graph.opBuilder("AssignVariableOp", p, graph.baseScope()).addInput(varOp.output(0))
						.addInput(ph.output(0)).setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT).build();
				}
				else {
					assign = graph.opBuilder("Assign", p, graph.baseScope()).addInput(varOp.output(0)).addInput(ph.output(0))
						.build();
				}
				return new String[] { ph.name() + ":0", assign.name() };
			}
		});
	}
}
