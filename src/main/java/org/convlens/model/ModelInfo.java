package org.convlens.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What ConvLens knows about a loaded model: its signature inputs and outputs, the ordered
 * layer catalogue, which output holds class scores (and the logits before its softmax or
 * sigmoid, which CAM methods prefer), class names and the data layout.
 */
public final class ModelInfo {

	private final Path path;
	private final String signatureKey;
	private final List<TensorInfo> inputs;
	private final List<TensorInfo> outputs;
	private final List<LayerInfo> layers;
	private final List<String> classNames;
	private final String logitsTensor;
	private final String outputActivation;
	private final String dataFormat;
	private final boolean inlined;
	private final String inGraphScaling;

	public ModelInfo(Path path, String signatureKey, List<TensorInfo> inputs, List<TensorInfo> outputs,
		List<LayerInfo> layers, List<String> classNames, String logitsTensor, String outputActivation,
		String dataFormat, boolean inlined)
	{
		this(path, signatureKey, inputs, outputs, layers, classNames, logitsTensor, outputActivation, dataFormat, inlined, null);
	}

	/**
	 * As the other constructor, with {@code inGraphScaling}: what the graph does to its input right
	 * after the placeholder (see {@link #inGraphScaling()}), or null.
	 */
	public ModelInfo(Path path, String signatureKey, List<TensorInfo> inputs, List<TensorInfo> outputs,
		List<LayerInfo> layers, List<String> classNames, String logitsTensor, String outputActivation,
		String dataFormat, boolean inlined, String inGraphScaling)
	{
		this.inGraphScaling = inGraphScaling;
		this.path = path;
		this.signatureKey = signatureKey;
		this.inputs = List.copyOf(inputs);
		this.outputs = List.copyOf(outputs);
		this.layers = List.copyOf(layers);
		this.classNames = classNames == null ? List.of() : List.copyOf(classNames);
		this.logitsTensor = logitsTensor;
		this.outputActivation = outputActivation;
		this.dataFormat = dataFormat;
		this.inlined = inlined;
	}

	public Path path() { return path; }
	public String signatureKey() { return signatureKey; }
	public List<TensorInfo> inputs() { return inputs; }
	public List<TensorInfo> outputs() { return outputs; }
	public List<LayerInfo> layers() { return layers; }
	/** Class names from a labels file beside the model; empty when unknown. */
	public List<String> classNames() { return classNames; }
	/** Tensor of pre-activation scores feeding the class output's softmax/sigmoid, or null. */
	public String logitsTensor() { return logitsTensor; }
	/** {@code softmax}, {@code sigmoid} or {@code none}. */
	public String outputActivation() { return outputActivation; }
	/** {@code NHWC} or {@code NCHW}. */
	public String dataFormat() { return dataFormat; }
	/** Whether function calls were inlined (a TF2/Keras SavedModel). */
	public boolean inlined() { return inlined; }

	/**
	 * How the model scales its image input in its own graph, e.g. {@code rescaling layer
	 * 'rescaling' (x * 0.00392157)} for a Keras {@code Rescaling(1/255)} right after the input, or
	 * a {@code Normalization} layer; null when it does not. Such a model takes raw pixel values,
	 * so its default preprocessing is {@code normalization=none} ({@link Preprocessing#forModel}).
	 */
	public String inGraphScaling() { return inGraphScaling; }

	/** The image input: the first float input of rank 4 (or rank 3 / 2 as a fallback). */
	public TensorInfo imageInput() {
		for (int rank : new int[] { 4, 3, 2 }) {
			for (TensorInfo t : inputs) {
				if (t.isFloat() && t.shape() != null && t.shape().length == rank) return t;
			}
		}
		throw new ModelException("The model has no float image input. Its inputs are: " + inputs);
	}

	/** The class-score output: the first output of rank 2, else the first output. */
	public TensorInfo classOutput() {
		for (TensorInfo t : outputs) {
			if (t.shape() != null && t.shape().length == 2) return t;
		}
		return outputs.isEmpty() ? null : outputs.get(0);
	}

	/** Number of classes of the class output, or -1. */
	public int numClasses() {
		TensorInfo t = classOutput();
		if (t == null || t.shape() == null || t.shape().length != 2) return -1;
		return t.shape()[1];
	}

	/** Name of class {@code k}: from the labels file when present, else {@code class k}. */
	public String className(int k) {
		return k >= 0 && k < classNames.size() ? classNames.get(k) : "class " + k;
	}

	/** Spatial layers in graph order. */
	public List<LayerInfo> spatialLayers() {
		return layers.stream().filter(l -> l.kind() == LayerKind.SPATIAL).collect(Collectors.toList());
	}

	/**
	 * Finds a layer by human name, full op name or tensor name.
	 *
	 * @throws ModelException naming the known layers when none matches
	 */
	public LayerInfo layer(String name) {
		if (name == null || name.isBlank()) throw new ModelException("No layer name given.");
		String n = name.trim();
		if (n.endsWith(":0")) n = n.substring(0, n.length() - 2);
		for (LayerInfo l : layers) if (l.name().equals(n)) return l;
		for (LayerInfo l : layers) if (l.opName().equals(n)) return l;
		throw new ModelException("The model has no layer '" + name + "'. Its layers are: " + layerNames());
	}

	public boolean hasLayer(String name) {
		try {
			layer(name);
			return true;
		}
		catch (ModelException e) {
			return false;
		}
	}

	public List<String> layerNames() {
		List<String> names = new ArrayList<>();
		for (LayerInfo l : layers) names.add(l.name());
		return Collections.unmodifiableList(names);
	}

	/**
	 * The last spatial layer before the classifier, the default for Grad-CAM.
	 *
	 * @throws ModelException if the model has no spatial layer
	 */
	public LayerInfo lastSpatialLayer() {
		List<LayerInfo> s = spatialLayers();
		if (s.isEmpty()) throw new ModelException("The model has no spatial (feature-map) layer.");
		return s.get(s.size() - 1);
	}

	/** A readable multi-line summary, as printed by the inspect command. */
	public String describe() {
		StringBuilder sb = new StringBuilder();
		sb.append("Model: ").append(path).append('\n');
		sb.append("Signature: ").append(signatureKey).append(inlined ? " (function calls inlined)" : "").append('\n');
		sb.append("Data format: ").append(dataFormat).append('\n');
		sb.append("Inputs:\n");
		for (TensorInfo t : inputs) sb.append("  ").append(t).append('\n');
		sb.append("Outputs:\n");
		for (TensorInfo t : outputs) sb.append("  ").append(t).append('\n');
		sb.append("Class output activation: ").append(outputActivation);
		if (logitsTensor != null) sb.append(" (logits: ").append(logitsTensor).append(')');
		sb.append('\n');
		if (inGraphScaling != null) sb.append("Input scaling in the graph: ").append(inGraphScaling).append(" (takes raw pixels)\n");
		sb.append("Classes: ").append(classNames.isEmpty() ? "(no labels file; " + numClasses() + " outputs)" : classNames).append('\n');
		sb.append(String.format("Layers:%n  %-3s %-28s %-16s %-20s %-8s %s%n", "#", "name", "op type", "shape", "kind", "op name"));
		for (LayerInfo l : layers) {
			sb.append(String.format("  %-3d %-28s %-16s %-20s %-8s %s%n", l.index(), l.name(), l.opType(),
				java.util.Arrays.toString(l.shape()), l.kind(), l.opName()));
		}
		return sb.toString();
	}
}
