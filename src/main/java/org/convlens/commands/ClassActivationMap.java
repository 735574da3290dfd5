package org.convlens.commands;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.CamTargets;
import org.convlens.imagej.HeatmapDisplay;
import org.convlens.imagej.HeatmapDisplay.OverlayStyle;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Provenance;
import org.convlens.model.CamLayers;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.imagej.Titles;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;

/**
 * Class activation map (Grad-CAM and relatives) of every slice/frame of the image, laid over it as
 * an overlay (replacing the previous ConvLens heatmap) and given as a 32-bit image with the image's
 * size and calibration; optionally the raw low-resolution map and the predictions table.
 */
@Plugin(type = Command.class, name = "cam", label = "Class Activation Map", menuPath = "Plugins>ConvLens>Class Activation Map...", headless = true)
public class ClassActivationMap extends ConvLensCommand {

	@Parameter(label = "CAM method", choices = { "Grad-CAM", "Grad-CAM++", "HiResCAM", "XGradCAM", "LayerCAM", "Score-CAM", "Ablation-CAM", "EigenCAM" },
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

	@Parameter(label = "Colour table (LUT)", choices = { "jet", "fire", "magma", "viridis", "inferno", "grays", "red", "ice" }, description = "Colours of the overlay")
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

	@Override
	protected void onModel(ModelInfo info) {
		// the default CAM layer first, as in every CAM dialog
		setChoices("layer", info.camLayerChoices());
	}

	@Override
	protected void execute() {
		ImagePlus imp = image();
		CamMethod m = CamMethod.parse(method);
		OverlayStyle style = new OverlayStyle(lut, opacity, threshold, false, true);
		ConvModel model = convModel();
		ModelInfo info = model.info();
		Preprocessing prep = prep(info);
		List<String> chosen = new ArrayList<>();
		String names = layers != null && !layers.isBlank() ? layers : layer == null ? "" : layer;
		for (String l : names.split(",")) if (!l.isBlank()) chosen.add(l.trim());
		List<ImageInput.Position> ps = ImageInput.positions(imp);
		progress().update(0, "preparing " + ps.size() + " input(s)");
		NdArray x = ImageInput.batch(imp, ps, prep, info.imageInput().shape());
		Target t = CamTargets.parse(target, imp, model, x);
		ClassActivationMaps cam = new ClassActivationMaps(model).withMethod(m).withLayers(chosen).withTarget(t)
			// only Score-CAM and Ablation-CAM run batches of masked inputs or ablated maps
			.withBatchSize(m.isPerturbation() ? cappedBatch(batch, x.size() / Math.max(1, x.dim(0)), m.label() + " masked-input") : batch);
		List<String> warnings = new ArrayList<>();
		for (org.convlens.model.LayerInfo l : cam.resolveLayers()) {
			String w1 = CamLayers.oneByOneWarning(l);
			if (w1 != null) warnings.add(w1);
		}
		for (String w1 : warnings) ij.IJ.log(getInfo().getTitle() + ": " + w1);
		org.convlens.explain.core.Progress camProgress = progress().sub(0.02, 0.9);
		if (m.isPerturbation()) {
			// one masked input (Score-CAM) or ablated activation (Ablation-CAM) per channel per image
			long passes = 0;
			for (org.convlens.model.LayerInfo l : cam.resolveLayers()) passes += Math.max(1, l.channels());
			org.convlens.explain.core.PassEstimate est = new org.convlens.explain.core.PassEstimate(m.label(), passes * x.dim(0), batch,
				msg -> ij.IJ.log(getInfo().getTitle() + ": " + msg));
			est.announce(progress());
			camProgress = est.track(camProgress);
		}
		// the predictions come from the forward pass the maps make anyway
		Map<String, NdArray> fetched = new HashMap<>();
		List<Heatmap> maps = cam.compute(x, null, predict ? List.of(ConvModel.OUTPUT) : List.of(), fetched, camProgress);
		progress().update(0.92, "building the heatmap");
		ImagePlus[] out = outputs(imp, maps, m, t, info, prep, getInfo().getTitle(), showraw, overlay ? style : null, warnings, ps);
		heatmap = out[0];
		raw = out[1];
		if (predict) predictions = annotate(predictionTable(model, x, fetched.get(ConvModel.OUTPUT), ps, top), maps);
		summary(m.label() + ": " + maps.size() + (maps.size() == 1 ? " map" : " maps"));
	}

	/**
	 * The heatmap image (and the raw map when asked) of one image from its maps, one per
	 * position, and the overlay when a style is given; a map that is not meaningful is logged and
	 * named in the Info. Shared by the command and the batched batch path
	 * ({@link BatchedExplainer}), so that both give the same images, Info and Log.
	 *
	 * @param warnings about the layers, for the Info
	 * @return the heatmap and the raw map (null unless {@code showraw})
	 */
	static ImagePlus[] outputs(ImagePlus imp, List<Heatmap> maps, CamMethod m, Target t, ModelInfo info, Preprocessing prep, String title,
		boolean showraw, OverlayStyle overlay, List<String> warnings, List<ImageInput.Position> ps)
	{
		int w = imp.getWidth(), h = imp.getHeight();
		List<float[]> full = new ArrayList<>(maps.size());
		List<String> labels = new ArrayList<>(maps.size());
		for (Heatmap hm : maps) {
			full.add(hm.resized(w, h));
			labels.add(hm.caption());
		}
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("method", m.label());
		params.put("layers", String.join(",", maps.get(0).layerMaps().stream().map(Heatmap.LayerMap::layer).toArray(String[]::new)));
		params.put("target", t.toString());
		params.put("class", String.join(", ", new java.util.LinkedHashSet<>(maps.stream().map(Heatmap::label).collect(java.util.stream.Collectors.toList()))));
		List<String> problems = new ArrayList<>(warnings);
		for (int i = 0; i < maps.size(); i++) {
			String p = maps.get(i).problem();
			if (p == null) continue;
			String where = maps.size() > 1 ? " at " + ps.get(i) : "";
			problems.add(m.label() + " map" + where + ": " + p);
			ij.IJ.log(title + ", " + imp.getTitle() + where + ": the " + m.label() + " map is not meaningful (" + p + ").");
		}
		if (!problems.isEmpty()) params.put("warning", String.join(" | ", problems));
		ImagePlus heatmap = HeatmapDisplay.heatmapImageLabelled(imp, full, Titles.of(imp, m.label(), params.get("layers").toString().replace(',', '+')), labels);
		Provenance.stamp(heatmap, title, info, prep, imp, params);
		ImagePlus raw = null;
		if (showraw) {
			raw = rawMaps(imp, maps);
			Provenance.stamp(raw, title, info, prep, imp, params);
		}
		if (overlay != null) HeatmapDisplay.overlayLabelled(imp, full, overlay, labels);
		return new ImagePlus[] { heatmap, raw };
	}

	/** The predictions table, saying row by row which maps are not meaningful (only when one is not). */
	static ResultsTable annotate(ResultsTable predictions, List<Heatmap> maps) {
		boolean any = maps.stream().anyMatch(hm -> hm.problem() != null);
		int per = Math.max(1, predictions.size() / maps.size());
		if (any) for (int r = 0; r < predictions.size(); r++) {
			String p = maps.get(Math.min(maps.size() - 1, r / per)).problem();
			predictions.setValue("heatmap", r, p == null ? "ok" : "not meaningful: " + p);
		}
		return predictions;
	}

	/** The first layer's maps at their own size, one plane per position. */
	private static ImagePlus rawMaps(ImagePlus imp, List<Heatmap> maps) {
		Heatmap.LayerMap first = maps.get(0).layerMaps().get(0);
		ImageStack st = new ImageStack(first.width(), first.height());
		for (Heatmap hm : maps) {
			Heatmap.LayerMap lm = hm.layerMaps().get(0);
			st.addSlice(hm.caption(), new FloatProcessor(lm.width(), lm.height(), Arrays.copyOf(lm.values(), lm.values().length)));
		}
		ImagePlus r = new ImagePlus(Titles.of(imp, maps.get(0).method().label(), first.layer(), "raw"), st);
		if (maps.size() > 1) r.setDimensions(1, imp.getNSlices(), imp.getNFrames());
		r.setLut(HeatmapDisplay.lutObject("fire"));
		r.resetDisplayRange();
		return r;
	}
}
