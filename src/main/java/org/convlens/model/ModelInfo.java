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
	private final String fingerprint;
	private final List<String> warnings;
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
		this.fingerprint = null;
		this.warnings = List.of();
	}

	private ModelInfo(ModelInfo o, List<String> classNames, String fingerprint, List<String> warnings) {
		this.path = o.path;
		this.signatureKey = o.signatureKey;
		this.inputs = o.inputs;
		this.outputs = o.outputs;
		this.layers = o.layers;
		this.classNames = List.copyOf(classNames);
		this.logitsTensor = o.logitsTensor;
		this.outputActivation = o.outputActivation;
		this.dataFormat = o.dataFormat;
		this.inlined = o.inlined;
		this.fingerprint = fingerprint;
		this.warnings = List.copyOf(warnings);
		this.inGraphScaling = o.inGraphScaling;
	}

	/** This info with the fingerprint of the files it was loaded from. */
	public ModelInfo withFingerprint(String fingerprint) {
		return new ModelInfo(this, classNames, fingerprint, warnings);
	}

	/** This info with other class names (empty: none). */
	public ModelInfo withClassNames(List<String> names) {
		return new ModelInfo(this, names == null ? List.of() : names, fingerprint, warnings);
	}

	/** This info with one more warning about the model's files. */
	public ModelInfo withWarning(String warning) {
		List<String> w = new ArrayList<>(warnings);
		w.add(warning);
		return new ModelInfo(this, classNames, fingerprint, w);
	}

	/**
	 * What a user should know about how the model was read, e.g. a labels file that was ignored;
	 * shown by {@link #describe()} and worth a line in the Log.
	 */
	public List<String> warnings() { return warnings; }

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
	/**
	 * A short hex digest (SHA-256, first 16 digits) of the {@code saved_model.pb} and
	 * {@code variables/variables.index} bytes this model was loaded from, or null when unknown:
	 * outputs record it so a result names the exact model, even if the folder changed later.
	 */
	public String fingerprint() { return fingerprint; }
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

	/** Whether the class output is one sigmoid unit (a binary classifier). */
	public boolean singleSigmoid() {
		return numClasses() == 1 && "sigmoid".equals(outputActivation);
	}

	/**
	 * The one name of a class, used by every table, caption, Info and Log line: from the labels
	 * file when present, else {@code class k}. For a single sigmoid output, {@code k = 0} (the
	 * output unit) is the positive class and {@link #COMPLEMENT} its complement: a labels file of
	 * two lines is read as [negative, positive], one line as the positive name (the complement is
	 * {@code not <name>}); without one they are {@code positive} and {@code not positive}.
	 */
	public String className(int k) {
		if (singleSigmoid()) {
			if (k == 0) return classNames.size() >= 2 ? classNames.get(1) : classNames.size() == 1 ? classNames.get(0) : "positive";
			if (k == COMPLEMENT) return classNames.size() >= 2 ? classNames.get(0) : "not " + className(0);
		}
		return k >= 0 && k < classNames.size() ? classNames.get(k) : "class " + k;
	}

	/**
	 * The name of a predicted class index as tables count them ({@link #className} otherwise): for a
	 * single sigmoid output the prediction is 1 for the output unit (positive, {@code p >= 0.5}) and 0
	 * for its complement, as in the predictions table's {@code index} column.
	 */
	public String predictedName(int index) {
		if (singleSigmoid() && (index == 0 || index == 1)) return className(index == 1 ? 0 : COMPLEMENT);
		return className(index);
	}

	/** Class index of the complement of a single sigmoid output (its probability is {@code 1 - p}). */
	public static final int COMPLEMENT = -1;

	/**
	 * A class as messages and captions show it: its name, with the index in parentheses where a
	 * labels file named it ({@code cat (3)}); {@code class 3} without one; for a single sigmoid
	 * output just the name (it has one unit, so an index would only confuse).
	 */
	public String describeClass(int k) {
		String n = className(k);
		if (singleSigmoid() || n.equals("class " + k)) return n;
		return n + " (" + k + ")";
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
	 * The last spatial layer in graph order (often a pooling or dropout output; CAM methods default to {@link #defaultCamLayer()}).
	 *
	 * @throws ModelException if the model has no spatial layer
	 */
	public LayerInfo lastSpatialLayer() {
		List<LayerInfo> s = spatialLayers();
		if (s.isEmpty()) throw new ModelException("The model has no spatial (feature-map) layer.");
		return s.get(s.size() - 1);
	}

	/**
	 * The default layer of class activation maps: the last convolution's activated output with a
	 * map larger than 1x1 ({@link CamLayers#defaultLayer}, the one rule for every CAM command).
	 *
	 * @throws ModelException if the model has no spatial layer
	 */
	public LayerInfo defaultCamLayer() {
		return CamLayers.defaultLayer(layers);
	}

	/** Spatial layer names as CAM dialogs list them: the default first ({@link CamLayers#choices}). */
	public List<String> camLayerChoices() {
		List<String> names = new ArrayList<>();
		for (LayerInfo l : CamLayers.choices(layers)) names.add(l.name());
		return names;
	}

	/** A readable multi-line summary, as printed by the inspect command. */
	public String describe() {
		StringBuilder sb = new StringBuilder();
		sb.append("Model: ").append(path).append('\n');
		for (String w : warnings) sb.append("Warning: ").append(w).append('\n');
		if (fingerprint != null) sb.append("Fingerprint: ").append(fingerprint).append('\n');
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
		if (!spatialLayers().isEmpty()) {
			LayerInfo cam = defaultCamLayer();
			sb.append("Default CAM layer: ").append(cam.name()).append(' ').append(java.util.Arrays.toString(cam.shape()))
				.append(CamLayers.isOneByOne(cam) ? " (1x1: every CAM on this model is constant)" : "").append('\n');
		}
		sb.append(String.format("Layers:%n  %-3s %-28s %-16s %-20s %-8s %s%n", "#", "name", "op type", "shape", "kind", "op name"));
		for (LayerInfo l : layers) {
			sb.append(String.format("  %-3d %-28s %-16s %-20s %-8s %s%n", l.index(), l.name(), l.opType(),
				java.util.Arrays.toString(l.shape()), l.kind(), l.opName()));
		}
		return sb.toString();
	}
}
