package org.convlens.model;

import java.util.Map;

/**
 * The outcome of one forward and backward pass: the target tensor's values, the forward values
 * of the layers the gradient was taken for, and the gradients themselves. Keys are the names the
 * caller asked for ({@link ConvModel#INPUT} for the input).
 */
public final class GradientResult {

	private final NdArray target;
	private final Map<String, NdArray> activations;
	private final Map<String, NdArray> gradients;

	public GradientResult(NdArray target, Map<String, NdArray> activations, Map<String, NdArray> gradients) {
		this.target = target;
		this.activations = Map.copyOf(activations);
		this.gradients = Map.copyOf(gradients);
	}

	/** Values of the differentiated tensor (e.g. logits {@code [N, K]}). */
	public NdArray target() { return target; }

	public NdArray activation(String name) {
		NdArray a = activations.get(name);
		if (a == null) throw new IllegalArgumentException("No activation for " + name + "; have " + activations.keySet());
		return a;
	}

	public NdArray gradient(String name) {
		NdArray g = gradients.get(name);
		if (g == null) throw new IllegalArgumentException("No gradient for " + name + "; have " + gradients.keySet());
		return g;
	}

	public Map<String, NdArray> activations() { return activations; }
	public Map<String, NdArray> gradients() { return gradients; }
}
