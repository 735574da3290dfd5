package org.convlens.explain.attribution;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * The saliency map of Simonyan et al.: the gradient of the class score with respect to the input
 * pixels, reduced to one value per pixel as the largest absolute value over channels.
 */
public final class VanillaGradient implements HeatmapMethod {

	private final String score;

	/** Gradient of the logits (pre-softmax scores), which do not saturate. */
	public VanillaGradient() {
		this(ConvModel.LOGITS);
	}

	/** @param score {@link ConvModel#LOGITS} or {@link ConvModel#OUTPUT} */
	public VanillaGradient(String score) {
		this.score = score;
	}

	public String score() { return score; }

	/** The signed input gradient, {@code [1, H, W, C]}. */
	public NdArray gradient(ConvModel model, NdArray input, int target) {
		ExplainMath.checkImage(input);
		ExplainMath.checkTarget(model, target);
		return ExplainMath.inputGradients(model, input, score, target);
	}

	@Override
	public NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress) {
		return ExplainMath.map(ExplainMath.maxAbsOverChannels(gradient(model, input, target)), 0);
	}

	@Override
	public String toString() {
		return "gradient score=" + score;
	}
}
