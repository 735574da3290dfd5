package org.convlens.explain.attribution;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * Guided Grad-CAM (Selvaraju et al.): the guided-backpropagation gradient multiplied, pixel by
 * pixel, with the class activation map upsampled to the input, which keeps the fine detail of
 * the former only where the latter says the class is. The map is the largest absolute value of
 * the product over channels.
 */
public final class GuidedGradCam implements HeatmapMethod {

	private final HeatmapMethod cam;
	private final GuidedBackprop guided;

	/** @param cam a class activation map method, normally Grad-CAM */
	public GuidedGradCam(HeatmapMethod cam) {
		this(cam, new GuidedBackprop());
	}

	public GuidedGradCam(HeatmapMethod cam, GuidedBackprop guided) {
		this.cam = cam;
		this.guided = guided;
	}

	/** The product per input value, {@code [1, H, W, C]}. */
	public NdArray attributions(ConvModel model, NdArray input, int target, Progress progress) {
		ExplainMath.checkImage(input);
		int h = input.dim(1), w = input.dim(2), c = input.dim(3);
		NdArray g = guided.gradient(model, input, target);
		float[] m = ExplainMath.resize(cam.heatmap(model, input, target, progress), h, w).data();
		float[] gd = g.data();
		float[] out = new float[gd.length];
		for (int i = 0; i < out.length; i++) out[i] = gd[i] * m[i / c];
		return new NdArray(input.shape(), out);
	}

	@Override
	public NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress) {
		return ExplainMath.map(ExplainMath.maxAbsOverChannels(attributions(model, input, target, progress)), 0);
	}

	@Override
	public String toString() {
		return "guided-gradcam cam=(" + cam + ")";
	}
}
