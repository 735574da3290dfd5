package org.convlens.commands;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.core.Progress;
import org.convlens.imagej.SaliencyRun;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;
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

	@Parameter(label = "Saliency method", initializer = "initChoices",
		description = "vanilla = |gradient|; smoothgrad = averaged over noisy copies; integrated-gradients = signed attributions from a baseline; guided-backprop/deconvnet = modified ReLU backward pass; guided-gradcam = guided backprop x Grad-CAM")
	private String method = "vanilla";

	@Parameter(label = "SmoothGrad samples", min = "1", max = "10000", description = "SmoothGrad: number of noisy copies")
	private int samples = 50;

	@Parameter(label = "SmoothGrad noise (% of range)", min = "0", max = "100", description = "SmoothGrad: noise standard deviation in % of the input's value range")
	private double noise = 15;

	@Parameter(label = "Integrated Gradients steps", min = "1", max = "10000", description = "Integrated Gradients: gradients on the path (refined up to 9x while the completeness error exceeds 1 %)")
	private int steps = 50;

	@Parameter(label = "Integrated Gradients baseline", initializer = "initChoices", description = "Integrated Gradients: path start; black goes through the model's preprocessing")
	private String baseline = "black";

	@Parameter(label = "Guided Grad-CAM layer", required = false, persist = false, description = "Guided Grad-CAM: the class-activation-map layer (empty = the last convolution's activated output larger than 1x1)")
	private String layer = "";

	@Parameter(type = ItemIO.OUTPUT, label = "Saliency map")
	private ImagePlus saliency;

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", info.camLayerChoices());
	}

	private void initChoices() {
		setChoices("method", HeatmapMethods.SALIENCY, ChoiceLists.parses(HeatmapMethods::saliency));
		setChoices("baseline", ChoiceLists.of(IntegratedGradients.Baseline.class));
	}

	/** SmoothGrad and Integrated Gradients take batches of 16 noisy copies or path points. */
	public SaliencyMap() {
		batch = 16;
	}

	@Override
	protected void execute() {
		if (!ChoiceLists.of(IntegratedGradients.Baseline.class).contains(baseline.trim().toLowerCase(Locale.ROOT))) {
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
	 * the Info parameters ({@link SaliencyRun#compute}): the command's computation, shared with the
	 * batched batch path ({@link BatchedExplainer}), which calls it image by image.
	 */
	Map<String, Object> compute(ImagePlus imp, ConvModel model, Preprocessing prep, NdArray x, int[] targets, Progress progress, List<NdArray> maps) {
		return SaliencyRun.compute(getInfo().getTitle(), imp, model, prep, x, targets, progress, maps, method, samples, noise, steps, baseline, layer, batch);
	}
}
