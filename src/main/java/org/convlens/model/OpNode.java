package org.convlens.model;

import java.util.List;
import java.util.Map;

/**
 * One operation of a model's graph, described with plain types: its name, op type, input tensor
 * names, static output shape, and string forms of the attributes that matter for receptive fields
 * and backpropagation rules ({@code strides}, {@code ksize}, {@code padding}, {@code dilations},
 * {@code data_format}) plus {@code kernel_shape} (the static shape of a convolution's kernel input).
 * Lists print as {@code [1, 2, 2, 1]}.
 */
public final class OpNode {

	private final String name;
	private final String type;
	private final List<String> inputs;
	private final int[] shape;
	private final Map<String, String> attrs;

	public OpNode(String name, String type, List<String> inputs, int[] shape, Map<String, String> attrs) {
		this.name = name;
		this.type = type;
		this.inputs = List.copyOf(inputs);
		this.shape = shape == null ? null : shape.clone();
		this.attrs = Map.copyOf(attrs);
	}

	public String name() { return name; }
	public String type() { return type; }
	/** Data input tensor names ({@code op:index}). */
	public List<String> inputs() { return inputs; }
	/** Output tensor name of output 0. */
	public String tensorName() { return name + ":0"; }
	public int[] shape() { return shape == null ? null : shape.clone(); }
	public Map<String, String> attrs() { return attrs; }

	/** An integer-list attribute such as {@code strides}, or null. */
	public int[] intList(String attr) {
		String v = attrs.get(attr);
		if (v == null) return null;
		String s = v.replaceAll("[\\[\\]\\s]", "");
		if (s.isEmpty()) return new int[0];
		String[] parts = s.split(",");
		int[] r = new int[parts.length];
		for (int i = 0; i < r.length; i++) r[i] = Integer.parseInt(parts[i]);
		return r;
	}

	@Override
	public String toString() {
		return type + " " + name + " " + inputs + " " + attrs;
	}
}
