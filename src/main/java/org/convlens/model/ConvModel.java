package org.convlens.model;

import java.util.List;
import java.util.Map;

/**
 * A loaded model, ready to run. Implementations hold native TensorFlow resources, so close the
 * model when done (or let {@link ModelService} own it). Calls may come from several threads.
 *
 * <p>Names accepted wherever a tensor is asked for: a layer's human name ({@code conv2d_1}), a
 * full op name ({@code sequential/conv2d_1/BiasAdd}), a tensor name ({@code ...:0}), or one of
 * {@link #INPUT}, {@link #OUTPUT} and {@link #LOGITS}.
 */
public interface ConvModel extends AutoCloseable {

	/** The image input tensor. */
	String INPUT = "input";
	/** The class-score output as the signature defines it (after softmax). */
	String OUTPUT = "output";
	/** The pre-activation class scores where known, else the output. */
	String LOGITS = "logits";
	/**
	 * The largest of the {@link #LOGITS} of each batch item ({@code [N]}; built once per model).
	 * Its gradient with weight 1 per item is the gradient of each item's top class, so the top
	 * class needs no forward pass of its own.
	 */
	String TOP = "top";

	ModelInfo info();

	/** The fingerprint of the files this model was loaded from ({@link ModelInfo#fingerprint()}), or null. */
	default String fingerprint() {
		return info().fingerprint();
	}

	/**
	 * Runs the model on a float batch in the model's layout and returns the requested tensors.
	 *
	 * @param input batch, e.g. {@code [N, H, W, C]} for an NHWC image model
	 * @param fetches names of the tensors to return
	 * @return one array per fetch name, in the caller's key
	 */
	Map<String, NdArray> run(NdArray input, List<String> fetches);

	/**
	 * As {@link #run(NdArray, List)}, the fetched values written into the arrays of
	 * {@code previous} (an earlier result of this call) where the fetch's array there has the
	 * right length, instead of new arrays: for callers that run many batches and are done with
	 * each batch's outputs before the next (a dataset run). The default makes new arrays.
	 */
	default Map<String, NdArray> run(NdArray input, List<String> fetches, Map<String, NdArray> previous) {
		return run(input, fetches);
	}

	/**
	 * Runs the model with values fed for any tensors, e.g. a layer's activation replaced (ablated)
	 * to run only the rest of the network, and returns the requested tensors. A fetch that was fed
	 * comes back as fed.
	 *
	 * @param feeds name ({@link #INPUT}, a layer, an op or tensor name) to value
	 */
	Map<String, NdArray> run(Map<String, NdArray> feeds, List<String> fetches);

	/**
	 * As {@link #gradients(NdArray, String, NdArray, List)} with values fed for any tensors: with a
	 * layer's activation fed, this is the gradient of the rest of the network at that activation
	 * (used to chain vector-Jacobian products, e.g. for guided backpropagation).
	 */
	GradientResult gradients(Map<String, NdArray> feeds, String target, NdArray weights, List<String> wrt);

	/**
	 * As {@link #gradients(Map, String, NdArray, List)}, also returning the values of the tensors in
	 * {@code alsoFetch} (in {@link GradientResult#activations()}), from the same run where the
	 * implementation can (e.g. the logits and probabilities for a predictions table).
	 */
	default GradientResult gradients(Map<String, NdArray> feeds, String target, NdArray weights, List<String> wrt,
		List<String> alsoFetch)
	{
		GradientResult g = gradients(feeds, target, weights, wrt);
		if (alsoFetch.isEmpty()) return g;
		Map<String, NdArray> acts = new java.util.LinkedHashMap<>(g.activations());
		run(feeds, alsoFetch).forEach(acts::putIfAbsent);
		return new GradientResult(g.target(), acts, g.gradients());
	}

	/**
	 * The operations on the path from the image input to the outputs, in graph order, with their
	 * inputs and the attributes that matter for receptive fields and backpropagation rules.
	 */
	List<OpNode> graphPath();

	/**
	 * A vector-Jacobian product: the gradient of {@code sum(target * weights)} with respect to each
	 * tensor in {@code wrt}. With a one-hot {@code weights} this is the gradient of one class score
	 * per batch item; any other weights give a weighted sum over an output region. The gradient
	 * ops are built once per (target, wrt) and cached.
	 *
	 * @param input the batch
	 * @param target name of the tensor to differentiate, e.g. {@link #LOGITS}
	 * @param weights same shape as the target's value for this batch
	 * @param wrt tensors to differentiate with respect to ({@link #INPUT}, layer names, ...)
	 */
	GradientResult gradients(NdArray input, String target, NdArray weights, List<String> wrt);

	/**
	 * The kernel of a convolution or dense layer as stored ({@code [kh, kw, in, out]} for Conv2D),
	 * read from the restored variables.
	 */
	NdArray kernel(String layer);

	/**
	 * Re-initialises the weights (kernel and bias) of the given layers with random values of the
	 * same scale (Adebayo et al.'s model randomisation test), in a separate copy: the returned
	 * model must be closed by the caller, and this model is unchanged. A copy of a copy starts from
	 * the weights of the copy (so cascades can re-initialise one more layer at a time). The copy
	 * shares this model's graph: close it before this model.
	 */
	ConvModel randomizedCopy(List<String> layers, long seed);

	/**
	 * Runs the original, un-inlined SavedModel through TensorFlow's own loader on the same input and
	 * returns the largest absolute difference between its signature outputs and this model's. A
	 * check of the inliner; slow (loads the model a second time).
	 */
	double compareWithSignature(NdArray input);

	/**
	 * Facts for tests and the inspect command, e.g. {@code gradientGraphs} (gradient graphs built so
	 * far), {@code inlinedCalls}, {@code runtime}.
	 */
	Map<String, Object> diagnostics();

	@Override
	void close();
}
