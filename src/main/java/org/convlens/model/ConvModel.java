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

	ModelInfo info();

	/**
	 * Runs the model on a float batch in the model's layout and returns the requested tensors.
	 *
	 * @param input batch, e.g. {@code [N, H, W, C]} for an NHWC image model
	 * @param fetches names of the tensors to return
	 * @return one array per fetch name, in the caller's key
	 */
	Map<String, NdArray> run(NdArray input, List<String> fetches);

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
	 * model must be closed by the caller, and this model is unchanged.
	 */
	ConvModel randomizedCopy(List<String> layers, long seed);

	@Override
	void close();
}
