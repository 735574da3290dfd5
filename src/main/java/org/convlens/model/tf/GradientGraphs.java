package org.convlens.model.tf;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.convlens.model.ModelException;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;

/**
 * The gradient ops added to a model's graph: one set per (target, wrt), built once and shared by
 * the model and its randomised copies (one graph), and the top-class {@code reduce_max} they may
 * target. This object is also the lock under which anything is added to that graph.
 */
final class GradientGraphs {

	/** Ops added for one (target, wrt) gradient: the placeholder fed the target's weights, and each d/dx (null: no path). */
	static final class GradientOps {
		final String dy;
		final String[] dx;

		GradientOps(String dy, String[] dx) {
			this.dy = dy;
			this.dx = dx;
		}
	}

	private final Graph graph;
	private final Map<String, GradientOps> cache = new ConcurrentHashMap<>();
	private volatile String top;

	GradientGraphs(Graph graph) {
		this.graph = graph;
	}

	/** How many gradient graphs were added, for the diagnostics. */
	int count() {
		return cache.size();
	}

	/** The gradient ops of tensor {@code target} with respect to the tensors {@code wrt}, added on first use. */
	GradientOps ops(String target, List<String> wrt) {
		String key = target + "|" + String.join("|", wrt);
		GradientOps ops = cache.get(key);
		if (ops != null) return ops;
		synchronized (this) {
			ops = cache.get(key);
			if (ops != null) return ops;
			String prefix = "convlens_gradients_" + cache.size();
			Output<?> y = graph.outputOrThrow(target);
			Output<?>[] xs = new Output<?>[wrt.size()];
			for (int i = 0; i < xs.length; i++) xs[i] = graph.outputOrThrow(wrt.get(i));
			GraphOperation dyOp = graph.opBuilder("Placeholder", prefix + "_dy", graph.baseScope())
				.setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT).build();
			Output<?>[] dx;
			try {
				dx = graph.addGradients(prefix, new Output<?>[] { y }, xs, new Output<?>[] { dyOp.output(0) });
			}
			catch (RuntimeException e) {
				throw new ModelException("TensorFlow cannot differentiate " + target + " with respect to " + wrt + ": " +
					TfModel.firstLine(e.getMessage()), e);
			}
			String[] names = new String[dx.length];
			for (int i = 0; i < dx.length; i++) names[i] = dx[i] == null ? null : dx[i].op().name() + ":" + dx[i].index();
			ops = new GradientOps(dyOp.name() + ":0", names);
			cache.put(key, ops);
			return ops;
		}
	}

	/** reduce_max of the tensor {@code logits} ([N, classes]) over the class axis, added to the graph once. */
	String top(String logits) {
		if (top != null) return top;
		synchronized (this) {
			if (top == null) {
				int[] s = Tensors.shapeOf(graph.outputOrThrow(logits));
				if (s == null || s.length != 2) throw new ModelException("The class output " + logits + " is not [N, classes]; there is no top class.");
				String existing = "convlens_top";
				if (graph.operation(existing) == null) {
					GraphOperation axis;
					try (org.tensorflow.types.TInt32 t = org.tensorflow.types.TInt32.vectorOf(1)) {
						axis = graph.opBuilder("Const", existing + "_axis", graph.baseScope()).setAttr("dtype", org.tensorflow.proto.DataType.DT_INT32)
							.setAttr("value", t).build();
					}
					graph.opBuilder("Max", existing, graph.baseScope()).addInput(graph.outputOrThrow(logits)).addInput(axis.output(0))
						.setAttr("keep_dims", false).build();
				}
				top = existing + ":0";
			}
			return top;
		}
	}
}
