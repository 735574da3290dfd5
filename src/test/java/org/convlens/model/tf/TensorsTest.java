package org.convlens.model.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Random;

import org.convlens.model.ModelException;
import org.convlens.model.NdArray;
import org.convlens.model.TfRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensors}: values and shapes survive the trip into TensorFlow and back, bit for bit, in
 * row-major order as TensorFlow itself indexes them.
 *
 * <p>TensorFlow's native library binds to one class loader per JVM, and the other tests load it
 * in {@link TfRuntime}'s isolated loader; so this test reaches {@code Tensors} and TensorFlow's
 * classes through that loader, by reflection, and names no TensorFlow type itself.
 */
class TensorsTest {

	private static ClassLoader tf;
	private static Class<?> tensors;

	@BeforeAll
	static void loadTensorFlow() throws Exception {
		tf = TfRuntime.factory().getClass().getClassLoader();
		tensors = Class.forName("org.convlens.model.tf.Tensors", true, tf);
	}

	@Test
	void floatValuesRoundTripBitForBitInEveryShape() throws Exception {
		Random rnd = new Random(7);
		int[][] shapes = { {}, { 1 }, { 7 }, { 2, 3 }, { 1, 4, 5, 3 }, { 2, 1, 3, 1, 2 } };
		float[] special = { -0f, 0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-38f };
		for (int[] shape : shapes) {
			float[] v = new float[(int) NdArray.count(shape)];
			for (int i = 0; i < v.length; i++) v[i] = i < special.length && v.length > 8 ? special[i] : (float) rnd.nextGaussian() * 100;
			NdArray a = new NdArray(shape, v.clone());
			try (AutoCloseable t = (AutoCloseable) call("tensorOf", a)) {
				long[] tfShape = (long[]) invoke(invoke(t, "shape"), "asArray");
				assertArrayEquals(java.util.Arrays.stream(shape).asLongStream().toArray(), tfShape, "TensorFlow's own shape");
				NdArray back = (NdArray) call("toArray", t, "x");
				assertArrayEquals(shape, back.shape());
				for (int i = 0; i < v.length; i++) {
					assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back.data()[i]), "value " + i + " of " + java.util.Arrays.toString(shape));
				}
			}
		}
	}

	@Test
	void layoutIsRowMajorAsTensorFlowIndexesIt() throws Exception {
		float[] v = new float[2 * 3 * 4];
		for (int i = 0; i < v.length; i++) v[i] = 100 + i;
		try (AutoCloseable t = (AutoCloseable) call("tensorOf", new NdArray(new int[] { 2, 3, 4 }, v))) {
			// element [1, 2, 3] is the last; [1, 0, 2] is 1*12 + 0*4 + 2
			assertEquals(123f, (float) invoke(t, "getFloat", (Object) new long[] { 1, 2, 3 }));
			assertEquals(114f, (float) invoke(t, "getFloat", (Object) new long[] { 1, 0, 2 }));
			assertEquals(105f, (float) invoke(t, "getFloat", (Object) new long[] { 0, 1, 1 }));
		}
	}

	@Test
	void aTensorHoldsACopyAndReadsIntoAnArrayOfTheRightLength() throws Exception {
		float[] v = { 1, 2, 3, 4, 5, 6 };
		NdArray a = new NdArray(new int[] { 1, 2, 3 }, v);
		try (AutoCloseable t = (AutoCloseable) call("tensorOf", a)) {
			v[0] = -99; // the caller's array changes after the tensor was made
			NdArray reuse = NdArray.zeros(6);
			NdArray into = (NdArray) call("toArray", t, "x", reuse);
			assertSame(reuse.data(), into.data(), "the earlier output's array is written into");
			assertArrayEquals(new float[] { 1, 2, 3, 4, 5, 6 }, into.data());
			assertArrayEquals(new int[] { 1, 2, 3 }, into.shape());
			NdArray wrongSize = NdArray.zeros(5);
			NdArray fresh = (NdArray) call("toArray", t, "x", wrongSize);
			assertNotSame(wrongSize.data(), fresh.data());
			assertArrayEquals(new float[5], wrongSize.data(), "an array of another length is left alone");
			assertArrayEquals(new float[] { 1, 2, 3, 4, 5, 6 }, fresh.data());
		}
	}

	@Test
	void int64ValuesAndShapesRoundTrip() throws Exception {
		long[] values = { 3, -1, 1L << 40, 0, Long.MIN_VALUE, Long.MAX_VALUE };
		Class<?> tInt64 = Class.forName("org.tensorflow.types.TInt64", true, tf);
		try (AutoCloseable t = (AutoCloseable) staticCall(tInt64, "vectorOf", (Object) values)) {
			assertArrayEquals(values, (long[]) call("longs", t));
			// a non-float tensor is refused with its name and type
			ModelException e = assertThrows(ModelException.class, () -> call("toArray", t, "ids"));
			assertTrue(e.getMessage().startsWith("Tensor ids is ") && e.getMessage().contains("INT64") && e.getMessage().endsWith(", not float."),
				e.getMessage());
		}
		for (int[] shape : new int[][] { {}, { 5 }, { 1, 224, 224, 3 }, { 3, 1, 2 } }) {
			Object s = call("shape", NdArray.zeros(shape));
			assertArrayEquals(java.util.Arrays.stream(shape).asLongStream().toArray(), (long[]) invoke(s, "asArray"));
		}
	}

	@Test
	void staticShapesOfGraphOutputsKeepUnknownDimensions() throws Exception {
		Class<?> graphClass = Class.forName("org.tensorflow.Graph", true, tf);
		Class<?> shapeClass = Class.forName("org.tensorflow.ndarray.Shape", true, tf);
		Object dtFloat = staticCall(Class.forName("org.tensorflow.proto.DataType", true, tf), "valueOf", "DT_FLOAT");
		try (AutoCloseable g = (AutoCloseable) graphClass.getConstructor().newInstance()) {
			Object known = placeholder(g, "known", dtFloat, staticCall(shapeClass, "of", (Object) new long[] { -1, 4, 5 }));
			assertArrayEquals(new int[] { -1, 4, 5 }, (int[]) call("shapeOf", known));
			Object unknown = placeholder(g, "unknown", dtFloat, staticCall(shapeClass, "unknown"));
			assertNull(call("shapeOf", unknown), "unknown rank");
		}
	}

	@Test
	void theImageInputIsCheckedAgainstTheModelsShape() throws Exception {
		NdArray fits = NdArray.zeros(1, 2, 2, 1);
		try (AutoCloseable t = (AutoCloseable) call("inputTensor", fits, new int[] { -1, 2, 2, 1 })) {
			assertArrayEquals(new long[] { 1, 2, 2, 1 }, (long[]) invoke(invoke(t, "shape"), "asArray"));
		}
		try (AutoCloseable t = (AutoCloseable) call("inputTensor", NdArray.zeros(3, 7), null)) {
			assertArrayEquals(new long[] { 3, 7 }, (long[]) invoke(invoke(t, "shape"), "asArray"));
		}
		ModelException e = assertThrows(ModelException.class, () -> call("inputTensor", NdArray.zeros(1, 3, 2, 1), new int[] { -1, 2, 2, 1 }));
		assertEquals("Input of shape [1, 3, 2, 1] does not fit the model's input [-1, 2, 2, 1].", e.getMessage());
		e = assertThrows(ModelException.class, () -> call("inputTensor", NdArray.zeros(2, 2, 1), new int[] { -1, 2, 2, 1 }));
		assertTrue(e.getMessage().startsWith("Input of shape [2, 2, 1] does not fit"), e.getMessage());
	}

	private static Object placeholder(Object graph, String name, Object dtype, Object shape) throws Exception {
		Object builder = invoke(graph, "opBuilder", "Placeholder", name, invoke(graph, "baseScope"));
		builder = invoke(builder, "setAttr", "dtype", dtype);
		builder = invoke(builder, "setAttr", "shape", shape);
		return invoke(invoke(builder, "build"), "output", 0);
	}

	/** A static method of {@code Tensors}. */
	private static Object call(String name, Object... args) throws Exception {
		return staticCall(tensors, name, args);
	}

	private static Object staticCall(Class<?> c, String name, Object... args) throws Exception {
		return run(find(c, name, args, true), null, args);
	}

	private static Object invoke(Object target, String name, Object... args) throws Exception {
		return run(find(target.getClass(), name, args, false), target, args);
	}

	/** The method of that name whose parameters take these arguments (null fits any object). */
	private static Method find(Class<?> c, String name, Object[] args, boolean isStatic) {
		for (Class<?> k = c; k != null; k = k.getSuperclass()) {
			for (Method m : k.getDeclaredMethods()) {
				if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) == isStatic && fits(m.getParameterTypes(), args)) return m;
			}
			for (Class<?> i : k.getInterfaces()) {
				for (Method m : i.getMethods()) if (m.getName().equals(name) && !isStatic && fits(m.getParameterTypes(), args)) return m;
			}
		}
		throw new AssertionError("no method " + name + " in " + c.getName() + " for " + args.length + " argument(s)");
	}

	private static boolean fits(Class<?>[] types, Object[] args) {
		if (types.length != args.length) return false;
		for (int i = 0; i < types.length; i++) {
			if (args[i] == null) {
				if (types[i].isPrimitive()) return false;
				continue;
			}
			Class<?> t = types[i].isPrimitive() ? boxed(types[i]) : types[i];
			if (!t.isInstance(args[i])) return false;
		}
		return true;
	}

	private static Class<?> boxed(Class<?> p) {
		return p == int.class ? Integer.class : p == long.class ? Long.class : p == float.class ? Float.class : p == boolean.class ? Boolean.class : p;
	}

	private static Object run(Method m, Object target, Object[] args) throws Exception {
		m.setAccessible(true);
		try {
			return m.invoke(target, args);
		}
		catch (InvocationTargetException e) {
			if (e.getCause() instanceof Exception) throw (Exception) e.getCause();
			throw e;
		}
	}
}
