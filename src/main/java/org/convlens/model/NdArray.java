package org.convlens.model;

import java.util.Arrays;

/**
 * A dense float array with a shape, in row-major (C) order: the last axis varies fastest.
 * Image batches use the model's layout, normally {@code [N, H, W, C]} (NHWC).
 * This is the only array type that crosses the boundary of the {@code model} room,
 * so that TensorFlow classes never leak to callers.
 */
public final class NdArray {

	private final int[] shape;
	private final float[] data;

	public NdArray(int[] shape, float[] data) {
		long n = count(shape);
		if (n != data.length) {
			throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " holds " + n +
				" values but " + data.length + " were given");
		}
		this.shape = shape.clone();
		this.data = data;
	}

	public static NdArray zeros(int... shape) {
		long n = count(shape);
		if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("Array too large: " + Arrays.toString(shape));
		return new NdArray(shape, new float[(int) n]);
	}

	public static long count(int[] shape) {
		long n = 1;
		for (int d : shape) {
			if (d < 0) throw new IllegalArgumentException("Negative dimension in " + Arrays.toString(shape));
			n *= d;
		}
		return n;
	}

	/** The shape; a copy. */
	public int[] shape() {
		return shape.clone();
	}

	public int rank() {
		return shape.length;
	}

	public int dim(int axis) {
		return shape[axis < 0 ? shape.length + axis : axis];
	}

	/** The backing array (not a copy): callers that must not share it copy it. */
	public float[] data() {
		return data;
	}

	public int size() {
		return data.length;
	}

	/** Flat index of a full coordinate. */
	public int index(int... idx) {
		if (idx.length != shape.length) throw new IllegalArgumentException("Need " + shape.length + " indices");
		int k = 0;
		for (int i = 0; i < idx.length; i++) {
			if (idx[i] < 0 || idx[i] >= shape[i]) {
				throw new IndexOutOfBoundsException("Index " + Arrays.toString(idx) + " outside " + Arrays.toString(shape));
			}
			k = k * shape[i] + idx[i];
		}
		return k;
	}

	public float get(int... idx) {
		return data[index(idx)];
	}

	public void set(float v, int... idx) {
		data[index(idx)] = v;
	}

	/** Number of values per item along the first axis. */
	public int stride0() {
		return shape.length == 0 ? 1 : (shape[0] == 0 ? 0 : data.length / shape[0]);
	}

	/** Item {@code i} of the first (batch) axis, keeping a batch axis of 1. */
	public NdArray item(int i) {
		int s = stride0();
		int[] sh = shape.clone();
		sh[0] = 1;
		return new NdArray(sh, Arrays.copyOfRange(data, i * s, (i + 1) * s));
	}

	/** Items {@code from} (inclusive) to {@code to} (exclusive) of the first axis. */
	public NdArray items(int from, int to) {
		int s = stride0();
		int[] sh = shape.clone();
		sh[0] = to - from;
		return new NdArray(sh, Arrays.copyOfRange(data, from * s, to * s));
	}

	/** Stacks equally shaped arrays along the first axis (their batch axes are concatenated). */
	public static NdArray concat(java.util.List<NdArray> parts) {
		if (parts.isEmpty()) throw new IllegalArgumentException("Nothing to concatenate");
		int[] sh = parts.get(0).shape();
		int n = 0;
		for (NdArray p : parts) {
			int[] ps = p.shape;
			if (ps.length != sh.length || !Arrays.equals(Arrays.copyOfRange(ps, 1, ps.length), Arrays.copyOfRange(sh, 1, sh.length))) {
				throw new IllegalArgumentException("Cannot concatenate " + Arrays.toString(ps) + " with " + Arrays.toString(sh));
			}
			n += ps[0];
		}
		sh[0] = n;
		float[] out = new float[(int) count(sh)];
		int off = 0;
		for (NdArray p : parts) {
			System.arraycopy(p.data, 0, out, off, p.data.length);
			off += p.data.length;
		}
		return new NdArray(sh, out);
	}

	public NdArray reshape(int... newShape) {
		return new NdArray(newShape, data);
	}

	public NdArray copy() {
		return new NdArray(shape, data.clone());
	}

	@Override
	public String toString() {
		return "NdArray" + Arrays.toString(shape);
	}
}
