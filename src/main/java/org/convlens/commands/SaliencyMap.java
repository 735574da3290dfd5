package org.convlens.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.attribution.SmoothGrad;
import org.convlens.imagej.SaliencyMaps;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;

/**
 * Gradient-based saliency maps, one per slice/frame at the image's size: the plain gradient,
 * SmoothGrad, Integrated Gradients (signed), guided backpropagation, DeconvNet and guided Grad-CAM.
 */
@Plugin(type = Command.class, name = "saliency", label = "Saliency Map", menuPath = "Plugins>ConvLens>Saliency Map...", headless = true)
public class SaliencyMap extends HeatmapCommand {

	@Parameter(label = "Saliency method", choices = { "vanilla", "smoothgrad", "integrated-gradients", "guided-backprop", "deconvnet", "guided-gradcam" },
		description = "vanilla = |gradient|; smoothgrad = averaged over noisy copies; integrated-gradients = signed attributions from a baseline; guided-backprop/deconvnet = modified ReLU backward pass; guided-gradcam = guided backprop x Grad-CAM")
	private String method = "vanilla";

	@Parameter(label = "SmoothGrad samples", min = "1", max = "10000", description = "SmoothGrad: number of noisy copies")
	private int samples = 50;

	@Parameter(label = "SmoothGrad noise (% of range)", min = "0", max = "100", description = "SmoothGrad: noise standard deviation in % of the input's value range")
	private double noise = 15;

	@Parameter(label = "Integrated Gradients steps", min = "1", max = "10000", description = "Integrated Gradients: gradients on the path (refined up to 9x while the completeness error exceeds 1 %)")
	private int steps = 50;

	@Parameter(label = "Integrated Gradients baseline", choices = { "black", "blurred", "mean" }, description = "Integrated Gradients: path start; black goes through the model's preprocessing")
	private String baseline = "black";

	@Parameter(label = "Guided Grad-CAM layer", required = false, persist = false, description = "Guided Grad-CAM: the class-activation-map layer (empty = the last convolution's activated output larger than 1x1)")
	private String layer = "";

	@Parameter(type = ItemIO.OUTPUT, label = "Saliency map")
	private ImagePlus saliency;

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", info.camLayerChoices());
	}

	/** SmoothGrad and Integrated Gradients take batches of 16 noisy copies or path points. */
	public SaliencyMap() {
		batch = 16;
	}

	@Override
	protected void execute() {
		if (!List.of("black", "blurred", "mean").contains(baseline.trim().toLowerCase(Locale.ROOT))) {
			throw new IllegalArgumentException("Unknown baseline '" + baseline + "'; use black, blurred or mean");
		}
		HeatmapMethods.saliency(method); // an unknown method is reported before anything runs
		Input in = new Input();
		List<NdArray> maps = new java.util.ArrayList<>();
		Map<String, Object> params = compute(in.imp, in.model, in.prep, in.batch, in.targets, progress(), maps);
		String name = method.trim().toLowerCase(Locale.ROOT);
		saliency = outputs(in, maps, name, signed(), params);
	}

	/** Whether the maps are signed (Integrated Gradients). */
	boolean signed() {
		return HeatmapMethods.saliency(method) instanceof IntegratedGradients;
	}

	/**
	 * The maps of one image's positions ({@code x}, one item per position) into {@code maps}, and
	 * the Info parameters: the command's computation, shared with the batched batch path
	 * ({@link BatchedExplainer}), which calls it image by image.
	 */
	Map<String, Object> compute(ImagePlus imp, org.convlens.model.ConvModel model, org.convlens.model.Preprocessing prep, NdArray x, int[] targets,
		org.convlens.explain.core.Progress progress, List<NdArray> maps)
	{
		IntegratedGradients.Baseline b = IntegratedGradients.Baseline.valueOf(baseline.trim().toUpperCase(Locale.ROOT));
		// black as the model sees it: a black image through the model's preprocessing
		NdArray blackImage = b == IntegratedGradients.Baseline.BLACK ? SaliencyMaps.black(imp, prep, model.info().imageInput().shape()) : null;
		List<String> camLayers = layer == null || layer.isBlank() ? List.of() : List.of(layer.trim());
		HeatmapMethod hm = HeatmapMethods.saliency(method,
			new HeatmapMethods.SaliencySettings(samples, noise / 100, steps, b, blackImage, camLayers, batch));
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("settings", hm.toString());
		String title = getInfo().getTitle();
		if (!camLayers.isEmpty() && HeatmapMethods.usesCamLayer(hm)) {
			String w1 = org.convlens.model.CamLayers.oneByOneWarning(model.info().layer(camLayers.get(0)));
			if (w1 != null) {
				params.put("warning", w1);
				ij.IJ.log(title + ": " + w1);
			}
		}
		if (hm instanceof IntegratedGradients) {
			// the final step count and completeness error of every image go to the Info and the Log
			IntegratedGradients ig = (IntegratedGradients) hm;
			List<String> steps = new java.util.ArrayList<>(), errors = new java.util.ArrayList<>();
			int n = x.dim(0);
			for (int i = 0; i < n; i++) {
				progress.checkCancelled();
				IntegratedGradients.Result r = ig.attribute(model, x.item(i), targets[i], progress.sub(0.95 * i / n, 0.95 * (i + 1) / n));
				maps.add(r.map());
				steps.add(Integer.toString(r.steps()));
				errors.add(String.format(Locale.ROOT, "%.2f %%", 100 * r.completenessError()));
				String where = n > 1 ? " (position " + (i + 1) + ")" : "";
				String line = String.format(Locale.ROOT, "%s%s: integrated gradients used %d steps; completeness error %.2f %% " +
					"(attributions sum %.4g, score difference %.4g)", imp.getTitle(), where, r.steps(), 100 * r.completenessError(), r.sum(),
					r.scoreInput() - r.scoreBaseline());
				if (r.completenessError() > IntegratedGradients.WARN_ERROR) {
					String prev = (String) params.get("warning");
					String w = String.format(Locale.ROOT, "unconverged%s: completeness error %.1f %% after %d steps", where, 100 * r.completenessError(), r.steps());
					params.put("warning", prev == null ? w : prev + " | " + w);
					ij.IJ.log(title + ": WARNING " + line + ": above 1 %, the attributions do not add up to the score change " +
						"(unconverged; raise 'steps').");
				}
				else ij.IJ.log(title + ": " + line + ".");
			}
			params.put("ig steps", String.join(", ", steps));
			params.put("ig completeness error", String.join(", ", errors));
		}
		else maps.addAll(HeatmapMethods.maps(model, x, targets, hm, progress.sub(0, 0.95)));
		return params;
	}
}
