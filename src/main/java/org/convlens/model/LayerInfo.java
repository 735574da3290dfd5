package org.convlens.model;

import java.util.Arrays;
import java.util.List;

/**
 * One entry of a model's layer catalogue: a Keras-style human name (e.g. {@code conv2d_1}),
 * the full operation name in the (inlined) graph, its op type, its static output shape
 * ({@code -1} where unknown, normally the batch axis) and its kind.
 */
public final class LayerInfo {

	private final int index;
	private final String name;
	private final String opName;
	private final String opType;
	private final int[] shape;
	private final LayerKind kind;
	private final List<String> opTypes;

	public LayerInfo(int index, String name, String opName, String opType, int[] shape) {
		this(index, name, opName, opType, shape, opType == null ? List.of() : List.of(opType));
	}

	/**
	 * @param opTypes the types of all operations of the layer (its name scope), in graph order,
	 *          e.g. {@code [Conv2D, BiasAdd, Relu]} for a Keras convolution with a ReLU
	 */
	public LayerInfo(int index, String name, String opName, String opType, int[] shape, List<String> opTypes) {
		this.opTypes = opTypes == null ? List.of() : List.copyOf(opTypes);
		this.index = index;
		this.name = name;
		this.opName = opName;
		this.opType = opType;
		this.shape = shape == null ? null : shape.clone();
		this.kind = LayerKind.of(shape);
	}

	/** Position in graph order, 0 = closest to the input. */
	public int index() { return index; }
	/** Human name: the Keras layer name recovered from the name scope. */
	public String name() { return name; }
	/** Full operation name of the layer's output in the inlined graph. */
	public String opName() { return opName; }
	/** The name of the output tensor, {@code opName:0}. */
	public String tensorName() { return opName + ":0"; }
	public String opType() { return opType; }
	/** Static output shape; {@code null} if unknown rank. */
	public int[] shape() { return shape == null ? null : shape.clone(); }
	public LayerKind kind() { return kind; }
	/** Types of all operations of the layer, in graph order (at least {@link #opType()}). */
	public List<String> opTypes() { return opTypes; }

	/** Height and width of a spatial layer's map ({@code -1} where unknown), or null for other kinds. */
	public int[] spatialSize() {
		return kind == LayerKind.SPATIAL ? new int[] { shape[1], shape[2] } : null;
	}

	/** Channels (filters) of a spatial or vector layer, or -1. */
	public int channels() {
		return shape == null || shape.length < 2 ? -1 : shape[shape.length - 1];
	}

	@Override
	public String toString() {
		return name + " (" + opType + " " + opName + " " + Arrays.toString(shape) + ")";
	}
}
