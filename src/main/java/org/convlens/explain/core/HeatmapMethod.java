package org.convlens.explain.core;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;

/**
 * Anything that explains one class score of one input as a heatmap: the common ground of the
 * class activation maps, the gradient family and occlusion, so that faithfulness measures
 * ({@link org.convlens.explain.faithfulness.DeletionInsertion}, {@link org.convlens.explain.faithfulness.RandomizationCheck}) and combinations
 * ({@link org.convlens.explain.attribution.GuidedGradCam}) work with every method.
 */
@FunctionalInterface
public interface HeatmapMethod {

	/**
	 * @param model the model to explain
	 * @param input one image in the model's layout, {@code [1, H, W, C]}
	 * @param target index of the class score to explain
	 * @param progress for long computations; {@link Progress#NONE} when not needed
	 * @return a {@code [h, w]} map, larger = more important; normally at the input's resolution
	 *         {@code [H, W]}, though a coarser map (a raw class activation map) is allowed and
	 *         callers resample it with {@link ExplainMath#resize}
	 */
	NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress);
}
