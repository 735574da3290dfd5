package org.convlens.commands;

import java.util.List;

import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.CamOutputs;
import org.convlens.imagej.CamTargets;
import org.convlens.imagej.HeatmapDisplay;
import org.convlens.imagej.ImageInput;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * Class activation map (Grad-CAM and relatives) of every slice/frame of the image, laid over it as
 * an overlay (replacing the previous ConvLens heatmap) and given as a 32-bit image with the image's
 * size and calibration; optionally the raw low-resolution map and the predictions table.
 */
@Plugin(type = Command.class, name = "cam", label = "Class Activation Map", menuPath = "Plugins>ConvLens>Class Activation Map...", headless = true)
public class ClassActivationMap extends CamLayerCommand {

	@Parameter(label = "CAM method", initializer = "initChoices",
		description = "Grad-CAM, Grad-CAM++, HiResCAM, XGradCAM, LayerCAM (gradients); Score-CAM, Ablation-CAM (many forward passes); EigenCAM (not class-specific)")
	private String method = "Grad-CAM";

	@Parameter(label = "Layer (feature maps)", required = false, persist = false,
		description = "Spatial layer to explain (default: the last convolution's activated output larger than 1x1); a comma-separated list averages several")
	private String layer = "";

	@Parameter(label = "Layers to combine (comma-separated)", required = false,
		description = "Several spatial layers, comma-separated, whose maps are averaged (overrides 'layer')")
	private String layers = "";

	@Parameter(label = "Class to explain", required = false,
		description = "top (default), a class index, a class name, class=K, output=K, or a region of a spatial output: pixel=X,Y, region=X0,Y0,X1,Y1, roi (each optionally c=K, @tensor)")
	private String target = "top";

	@Parameter(label = "Colour table (LUT)", initializer = "initChoices", description = "Colours of the overlay")
	private String lut = "jet";

	@Parameter(label = "Overlay opacity (0-1)", min = "0", max = "1", stepSize = "0.05", description = "Opacity of the overlay, 0 to 1")
	private double opacity = 0.5;

	@Parameter(label = "Transparent below (fraction of max)", min = "0", max = "1", stepSize = "0.05",
		description = "Values below this fraction of each map's maximum are transparent")
	private double threshold = 0.15;

	@Parameter(label = "Overlay on the image", description = "Lay the heatmap over the image (replacing the previous ConvLens heatmap)")
	private boolean overlay = true;

	@Parameter(label = "Show raw map", description = "Also give the raw low-resolution map of the (first) layer")
	private boolean showraw;

	@Parameter(label = "Predict classes", description = "Also list the top classes")
	private boolean predict = true;

	@Parameter(label = "Top classes", min = "1", max = "1000", description = "Number of classes listed by 'predict'")
	private int top = 3;

	@Parameter(label = "Batch size (images per run)", min = "1",
		description = "Images per model call (gradient methods) or masked inputs per call (Score-CAM, Ablation-CAM)")
	private int batch = ClassActivationMaps.DEFAULT_BATCH_SIZE;

	@Parameter(type = ItemIO.OUTPUT, label = "Heatmap")
	private ImagePlus heatmap;

	@Parameter(type = ItemIO.OUTPUT, label = "Raw map")
	private ImagePlus raw;

	@Parameter(type = ItemIO.OUTPUT, label = "Predictions")
	private ResultsTable predictions;

	private void initChoices() {
		setChoices("method", List.of(CamMethod.labels()));
		setChoices("lut", List.of(HeatmapDisplay.LUTS), ChoiceLists.parses(HeatmapDisplay::lut));
	}

	@Override
	protected void execute() {
		ImagePlus imp = image();
		CamMethod m = CamMethod.parse(method);
		HeatmapDisplay.OverlayStyle style = new HeatmapDisplay.OverlayStyle(lut, opacity, threshold, false, true);
		ConvModel model = convModel();
		ModelInfo info = model.info();
		Preprocessing prep = prep(info);
		List<String> chosen = CamOutputs.layerNames(layers != null && !layers.isBlank() ? layers : layer);
		List<ImageInput.Position> ps = ImageInput.positions(imp);
		progress().update(0, "preparing " + ps.size() + " input(s)");
		NdArray x = ImageInput.batch(imp, ps, prep, info.imageInput().shape());
		Target t = CamTargets.parse(target, imp, model, x);
		ClassActivationMaps cam = new ClassActivationMaps(model).withMethod(m).withLayers(chosen).withTarget(t)
			// only Score-CAM and Ablation-CAM run batches of masked inputs or ablated maps
			.withBatchSize(m.isPerturbation() ? cappedBatch(batch, x.size() / Math.max(1, x.dim(0)), m.label() + " masked-input") : batch);
		java.util.function.Consumer<String> log = msg -> ij.IJ.log(getInfo().getTitle() + ": " + msg);
		List<String> warnings = CamOutputs.layerWarnings(cam, log);
		org.convlens.explain.core.Progress camProgress = CamOutputs.tracked(m, cam, x, batch, progress(), progress().sub(0.02, 0.9), log);
		// the predictions come from the forward pass the maps make anyway
		java.util.Map<String, NdArray> fetched = new java.util.HashMap<>();
		List<Heatmap> maps = cam.compute(x, null, predict ? List.of(ConvModel.OUTPUT) : List.of(), fetched, camProgress);
		progress().update(0.92, "building the heatmap");
		ImagePlus[] out = CamOutputs.outputs(imp, maps, m, t, info, prep, getInfo().getTitle(), showraw, overlay ? style : null, warnings, ps);
		heatmap = out[0];
		raw = out[1];
		if (predict) predictions = CamOutputs.annotate(predictionTable(model, x, fetched.get(ConvModel.OUTPUT), ps, top), maps);
		summary(m.label() + ": " + maps.size() + (maps.size() == 1 ? " map" : " maps"));
	}

	/** {@link CamOutputs#outputs} and {@link CamOutputs#annotate}, kept for the batched batch path ({@link BatchedExplainer}). */
	static ImagePlus[] outputs(ImagePlus imp, List<Heatmap> maps, CamMethod m, Target t, ModelInfo info, Preprocessing prep, String title,
		boolean showraw, HeatmapDisplay.OverlayStyle overlay, List<String> warnings, List<ImageInput.Position> ps)
	{
		return CamOutputs.outputs(imp, maps, m, t, info, prep, title, showraw, overlay, warnings, ps);
	}

	static ResultsTable annotate(ResultsTable predictions, List<Heatmap> maps) {
		return CamOutputs.annotate(predictions, maps);
	}
}
