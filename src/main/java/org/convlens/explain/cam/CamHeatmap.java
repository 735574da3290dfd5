package org.convlens.explain.cam;

import java.util.List;

import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * Any class activation map ({@link CamMethod}: Grad-CAM, Grad-CAM++, Score-CAM, ...) as a
 * {@link HeatmapMethod}, so that the faithfulness measures and guided Grad-CAM use the real
 * implementation in {@link ClassActivationMaps}. The map is resampled from the layer's resolution
 * to the input's (bilinear, pixel centres aligned), keeping its raw scale.
 */
public final class CamHeatmap implements HeatmapMethod {

	private final CamMethod method;
	private final List<String> layers;
	private final int batchSize;

	/** Grad-CAM on the default CAM layer. */
	public CamHeatmap() {
		this(CamMethod.GRAD_CAM, List.of(), ClassActivationMaps.DEFAULT_BATCH_SIZE);
	}

	/**
	 * @param layers spatial layers whose maps are averaged; empty = the default CAM layer ({@link org.convlens.model.ModelInfo#defaultCamLayer()})
	 * @param batchSize masked inputs or ablated channels per model call (Score-CAM, Ablation-CAM)
	 */
	public CamHeatmap(CamMethod method, List<String> layers, int batchSize) {
		this.method = method;
		this.layers = layers == null ? List.of() : List.copyOf(layers);
		this.batchSize = batchSize;
	}

	public CamHeatmap(CamMethod method) {
		this(method, List.of(), ClassActivationMaps.DEFAULT_BATCH_SIZE);
	}

	public CamMethod method() { return method; }
	public List<String> layers() { return layers; }

	/** The full result (raw layer maps, class, score) for one image and class index. */
	public Heatmap compute(ConvModel model, NdArray input, int target, Progress progress) {
		ExplainMath.checkImage(input);
		ExplainMath.checkTarget(model, target);
		// the complement of a single sigmoid output is chosen by its name (the output's weight is then -1)
		Target t = target == org.convlens.model.ModelInfo.COMPLEMENT ? Target.className(model.info().className(target)) : Target.classIndex(target);
		return new ClassActivationMaps(model).withMethod(method).withLayers(layers).withTarget(t)
			.withBatchSize(batchSize).compute(input, progress).get(0);
	}

	@Override
	public NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress) {
		Heatmap h = compute(model, input, target, progress);
		return new NdArray(new int[] { input.dim(1), input.dim(2) }, h.resized(input.dim(2), input.dim(1)));
	}

	@Override
	public String toString() {
		return method.label() + " layers=" + (layers.isEmpty() ? "auto" : String.join(",", layers));
	}
}
