package org.convlens.model.tf;

import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.types.TFloat32;

/**
 * Loads TensorFlow's native library and runs a two-node graph once. TensorFlow prints its one-time
 * lines (CPU features, oneDNN, the MLIR pass) on the first load and the first run; {@code TfRuntime}
 * calls this while those lines are kept off stderr, so that later runs start quiet.
 */
public final class TfWarmup {

	private TfWarmup() {}

	/** Runs 1 + 2 on the CPU; returns 3. */
	public static float run() {
		try (Graph g = new Graph(); Session s = new Session(g, SavedModelLoader.sessionConfig())) {
			Ops tf = Ops.create(g);
			Constant<TFloat32> one = tf.constant(1f);
			try (Result r = s.runner().fetch(tf.math.add(one, tf.constant(2f))).run()) {
				return ((TFloat32) r.get(0)).getFloat();
			}
		}
	}
}
