package org.convlens.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.CamHeatmap;
import org.convlens.explain.GuidedBackprop;
import org.convlens.explain.GuidedGradCam;
import org.convlens.explain.HeatmapMethod;
import org.convlens.explain.HeatmapMethods;
import org.convlens.explain.IntegratedGradients;
import org.convlens.explain.SmoothGrad;
import org.convlens.explain.VanillaGradient;
import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.SaliencyMaps;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;

/**
 * Gradient-based saliency maps, one per slice/frame at the image's size: the plain gradient,
 * SmoothGrad, Integrated Gradients (signed), guided backpropagation, DeconvNet and guided Grad-CAM.
 */
@Plugin(type = Command.class, name = "saliency", menuPath = "Plugins>ConvLens>Saliency Map", headless = true)
public class SaliencyMap extends ConvLensCommand {

	@Parameter(label = "Method", choices = { "vanilla", "smoothgrad", "integrated-gradients", "guided-backprop", "deconvnet", "guided-gradcam" },
		description = "vanilla = |gradient|; smoothgrad = averaged over noisy copies; integrated-gradients = signed attributions from a baseline; guided-backprop/deconvnet = modified ReLU backward pass; guided-gradcam = guided backprop x Grad-CAM")
	private String method = "vanilla";

	@Parameter(label = "Target", required = false, description = "Class to explain: top, a class index, class=K or a class name")
	private String target = "top";

	@Parameter(label = "Samples", min = "1", description = "SmoothGrad: number of noisy copies")
	private int samples = 50;

	@Parameter(label = "Noise (%)", min = "0", description = "SmoothGrad: noise standard deviation in % of the input's value range")
	private double noise = 15;

	@Parameter(label = "Steps", min = "1", description = "Integrated Gradients: gradients on the path (refined up to 9x while the completeness error exceeds 1 %)")
	private int steps = 50;

	@Parameter(label = "Baseline", choices = { "black", "blurred", "mean" }, description = "Integrated Gradients: path start; black goes through the model's preprocessing")
	private String baseline = "black";

	@Parameter(label = "Layer", required = false, persist = false, description = "Guided Grad-CAM: the class-activation-map layer (empty = last spatial layer)")
	private String layer = "";

	@Parameter(label = "Batch size", min = "1", description = "Images per model run (SmoothGrad samples, path points)")
	private int batch = 16;

	@Parameter(label = "Overlay", description = "Lay the map over the image (as an overlay; the pixels are not changed)")
	private boolean overlay = true;

	@Parameter(label = "Blend", description = "Also make an RGB image of the current slice blended with its map (e.g. for a PNG)")
	private boolean blend;

	@Parameter(type = ItemIO.OUTPUT, label = "Saliency map")
	private ImagePlus saliency;

	@Parameter(type = ItemIO.OUTPUT, label = "Saliency blend")
	private ImagePlus blended;

	@Override
	protected void onModel(ModelInfo info) {
		List<String> ls = layerChoices(info, l -> l.kind() == LayerKind.SPATIAL, l -> true);
		java.util.Collections.reverse(ls);
		setChoices("layer", ls);
	}

	@Override
	protected void execute() {
		ImagePlus imp = image();
		ConvModel m = convModel();
		ModelInfo info = m.info();
		Preprocessing prep = prep(info);
		String name = method.trim().toLowerCase(java.util.Locale.ROOT);
		HeatmapMethods.saliency(name); // checks the name first
		if (!List.of("black", "blurred", "mean").contains(baseline.trim().toLowerCase(java.util.Locale.ROOT))) {
			throw new IllegalArgumentException("Unknown baseline '" + baseline + "'; use black, blurred or mean");
		}
		List<ImageInput.Position> ps = ImageInput.positions(imp);
		NdArray x = ImageInput.batch(imp, ps, prep, info.imageInput().shape());
		int[] targets = HeatmapMethods.classIndices(m, x, Target.parse(target));
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("target", target);
		HeatmapMethod hm;
		switch (name) {
			case "smoothgrad":
				hm = new SmoothGrad().withSamples(samples).withNoise(noise / 100).withBatchSize(batch);
				break;
			case "integrated-gradients":
				IntegratedGradients ig = new IntegratedGradients().withSteps(steps).withBatchSize(batch)
					.withBaseline(IntegratedGradients.Baseline.valueOf(baseline.trim().toUpperCase(java.util.Locale.ROOT)));
				if (baseline.trim().equalsIgnoreCase("black")) ig = ig.withBaselineImage(SaliencyMaps.black(imp, prep, info.imageInput().shape()));
				hm = ig;
				break;
			case "guided-backprop":
				hm = new GuidedBackprop();
				break;
			case "deconvnet":
				hm = new GuidedBackprop(GuidedBackprop.Rule.DECONVNET);
				break;
			case "guided-gradcam":
				hm = new GuidedGradCam(new CamHeatmap(CamMethod.GRAD_CAM, layer == null || layer.isBlank() ? List.of() : List.of(layer.trim()), batch));
				break;
			default:
				hm = new VanillaGradient();
		}
		params.put("settings", hm.toString());
		List<NdArray> maps = HeatmapMethods.maps(m, x, targets, hm, progress().sub(0, 0.95));
		ImagePlus[] out = HeatmapOutputs.build(this, imp, info, prep, maps, targets, name, name.equals("integrated-gradients"), overlay, blend, params);
		saliency = out[0];
		blended = out[1];
	}
}
