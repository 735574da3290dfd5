package org.convlens.model.tf;

import java.util.Arrays;

import org.convlens.model.ModelException;
import org.convlens.model.NdArray;
import org.tensorflow.Output;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Values and shapes across the TensorFlow boundary, in the spirit of imagej-tensorflow's
 * {@code Tensors}: {@link NdArray} to and from float tensors (row-major, the same order on both
 * sides), TensorFlow shapes to {@code int[]} (-1 for an unknown dimension), int64 tensors to
 * {@code long[]}. Tensors made here are the caller's to close.
 */
final class Tensors {

	private Tensors() {}

	/** A float tensor holding a copy of the array's values, in its shape. */
	static TFloat32 tensorOf(NdArray a) {
		return TFloat32.tensorOf(shape(a), DataBuffers.of(a.data(), true, false));
	}

	/**
	 * {@link #tensorOf} for a model's image input of shape {@code want} ({@code -1} for a free
	 * dimension; null: any shape).
	 *
	 * @throws ModelException when the array's shape does not fit
	 */
	static TFloat32 inputTensor(NdArray a, int[] want) {
		int[] got = a.shape();
		if (want != null) {
			boolean ok = want.length == got.length;
			for (int i = 0; ok && i < want.length; i++) ok = want[i] < 0 || want[i] == got[i];
			if (!ok) {
				throw new ModelException("Input of shape " + Arrays.toString(got) + " does not fit the model's input " +
					Arrays.toString(want) + ".");
			}
		}
		return tensorOf(a);
	}

	/** The array's shape as TensorFlow's. */
	static Shape shape(NdArray a) {
		int[] s = a.shape();
		long[] l = new long[s.length];
		for (int i = 0; i < s.length; i++) l[i] = s[i];
		return Shape.of(l);
	}

	/** A graph output's static shape ({@code -1} for unknown dimensions), or null when its rank is unknown. */
	static int[] shapeOf(Output<?> o) {
		Shape s = o.shape();
		if (s.isUnknown()) return null;
		int[] r = new int[s.numDimensions()];
		for (int i = 0; i < r.length; i++) r[i] = (int) s.get(i);
		return r;
	}

	/**
	 * The values of a float tensor, named {@code name} in the message if it is not one.
	 *
	 * @throws ModelException when the tensor is not float
	 */
	static NdArray toArray(Tensor t, String name) {
		return toArray(t, name, null);
	}

	/** {@link #toArray(Tensor, String)} written into {@code reuse} when it has the right length. */
	static NdArray toArray(Tensor t, String name, NdArray reuse) {
		if (!(t instanceof TFloat32)) {
			throw new ModelException("Tensor " + name + " is " + t.dataType() + ", not float.");
		}
		TFloat32 f = (TFloat32) t;
		long[] s = f.shape().asArray();
		int[] shape = new int[s.length];
		for (int i = 0; i < s.length; i++) shape[i] = (int) s[i];
		float[] data = reuse != null && reuse.data().length == f.size() ? reuse.data() : new float[(int) f.size()];
		f.copyTo(DataBuffers.of(data, false, false));
		return new NdArray(shape, data);
	}

	/** The values of an int64 vector (e.g. a shape that TensorFlow computed), in order. */
	static long[] longs(TInt64 t) {
		long[] v = new long[(int) t.size()];
		for (int i = 0; i < v.length; i++) v[i] = t.getLong(i);
		return v;
	}
}
