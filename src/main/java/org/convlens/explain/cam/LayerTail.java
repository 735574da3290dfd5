package org.convlens.explain.cam;

import org.convlens.model.NdArray;

/**
 * Runs the rest of the network with one layer's output replaced: what Ablation-CAM needs to score
 * the image with one channel of the layer zeroed.
 */
@FunctionalInterface
public interface LayerTail {

	/**
	 * @param input the image the activations came from, {@code [1, H, W, C]} (for models whose later
	 *          layers still read the input, e.g. through a skip connection)
	 * @param layer the replaced layer
	 * @param activations replacement values {@code [n, h, w, k]}
	 * @param target the tensor to return
	 * @return the target's values, {@code [n, ...]}
	 */
	NdArray run(NdArray input, String layer, NdArray activations, String target);
}
