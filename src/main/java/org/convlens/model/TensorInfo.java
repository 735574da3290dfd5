package org.convlens.model;

import java.util.Arrays;

/** A signature input or output: its key in the signature, the graph tensor, dtype and static shape. */
public final class TensorInfo {

	private final String key;
	private final String tensorName;
	private final String dtype;
	private final int[] shape;

	public TensorInfo(String key, String tensorName, String dtype, int[] shape) {
		this.key = key;
		this.tensorName = tensorName;
		this.dtype = dtype;
		this.shape = shape == null ? null : shape.clone();
	}

	public String key() { return key; }
	public String tensorName() { return tensorName; }
	/** TensorFlow dtype name, e.g. {@code DT_FLOAT}. */
	public String dtype() { return dtype; }
	/** Static shape, {@code -1} for unknown dimensions, {@code null} for unknown rank. */
	public int[] shape() { return shape == null ? null : shape.clone(); }

	public boolean isFloat() {
		return "DT_FLOAT".equals(dtype) || "DT_HALF".equals(dtype) || "DT_DOUBLE".equals(dtype) || "DT_BFLOAT16".equals(dtype);
	}

	@Override
	public String toString() {
		return key + " -> " + tensorName + " " + dtype + " " + Arrays.toString(shape);
	}
}
