package org.convlens.model;

import java.lang.reflect.Method;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/**
 * Child JVM of {@link Tf115CoexistenceTest}: TF 1.15's jars (Java API and native JNI library) come
 * first on the class path, as in a Fiji with the CSBDeep update site. It runs a TF 1.15 graph,
 * then a ConvLens model (TensorFlow 2.18 in ConvLens's own loader), then the TF 1.15 graph again,
 * and prints each result on a line.
 */
public final class Tf115NativeChild {

	private Tf115NativeChild() {}

	public static void main(String[] args) throws Exception {
		System.out.println("tf115 version " + tf115Version());
		System.out.println("tf115 add " + Arrays.toString(tf115Add()));
		try (ConvModel m = Models.open(Paths.get(args[0]))) {
			float[] x = new float[32 * 32];
			for (int i = 0; i < x.length; i++) x[i] = (i % 32) / 31f;
			float[] out = m.run(new NdArray(new int[] { 1, 32, 32, 1 }, x), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
			System.out.println("convlens output " + Arrays.toString(out) + " mode " + TfRuntime.mode());
		}
		System.out.println("tf115 add again " + Arrays.toString(tf115Add()));
		System.exit(0);
	}

	private static String tf115Version() throws Exception {
		return (String) Class.forName("org.tensorflow.TensorFlow").getMethod("version").invoke(null);
	}

	/** [1, 2, 3] + [10, 20, 30] in a TF 1.15 graph and session, through reflection (TF 1.15 is not on the compile path). */
	private static float[] tf115Add() throws Exception {
		Class<?> graphC = Class.forName("org.tensorflow.Graph");
		Class<?> tensorC = Class.forName("org.tensorflow.Tensor");
		Class<?> dataTypeC = Class.forName("org.tensorflow.DataType");
		Class<?> outputC = Class.forName("org.tensorflow.Output");
		Class<?> sessionC = Class.forName("org.tensorflow.Session");
		Object floatType = dataTypeC.getField("FLOAT").get(null);
		Object g = graphC.getConstructor().newInstance();
		try {
			Object a = constant(g, "a", new float[] { 1, 2, 3 }, floatType, tensorC, dataTypeC);
			Object b = constant(g, "b", new float[] { 10, 20, 30 }, floatType, tensorC, dataTypeC);
			Object builder = graphC.getMethod("opBuilder", String.class, String.class).invoke(g, "Add", "sum");
			builder.getClass().getMethod("addInput", outputC).invoke(builder, a);
			builder.getClass().getMethod("addInput", outputC).invoke(builder, b);
			builder.getClass().getMethod("build").invoke(builder);
			Object s = sessionC.getConstructor(graphC).newInstance(g);
			try {
				Object runner = sessionC.getMethod("runner").invoke(s);
				runner.getClass().getMethod("fetch", String.class).invoke(runner, "sum");
				@SuppressWarnings("unchecked")
				List<AutoCloseable> res = (List<AutoCloseable>) runner.getClass().getMethod("run").invoke(runner);
				try (AutoCloseable t = res.get(0)) {
					float[] out = new float[3];
					Method copyTo = tensorC.getMethod("copyTo", Object.class);
					copyTo.invoke(t, (Object) out);
					return out;
				}
			}
			finally {
				((AutoCloseable) s).close();
			}
		}
		finally {
			((AutoCloseable) g).close();
		}
	}

	private static Object constant(Object g, String name, float[] v, Object floatType, Class<?> tensorC, Class<?> dataTypeC) throws Exception {
		Object t = tensorC.getMethod("create", Object.class).invoke(null, (Object) v);
		try {
			Object builder = g.getClass().getMethod("opBuilder", String.class, String.class).invoke(g, "Const", name);
			builder.getClass().getMethod("setAttr", String.class, tensorC).invoke(builder, "value", t);
			builder.getClass().getMethod("setAttr", String.class, dataTypeC).invoke(builder, "dtype", floatType);
			Object op = builder.getClass().getMethod("build").invoke(builder);
			return op.getClass().getMethod("output", int.class).invoke(op, 0);
		}
		finally {
			((AutoCloseable) t).close();
		}
	}
}
