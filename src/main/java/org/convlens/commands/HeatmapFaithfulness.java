package org.convlens.commands;

import java.util.List;

import org.convlens.explain.faithfulness.DeletionInsertion;
import org.convlens.explain.faithfulness.DeletionInsertion.Curve;
import org.convlens.explain.faithfulness.DeletionInsertion.Mode;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.faithfulness.RandomizationCheck;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.Faithfulness;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Provenance;
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
import ij.measure.ResultsTable;

/**
 * How faithful is a heatmap, for the current slice/frame: deletion and insertion curves (with a
 * random heatmap for comparison) and, optionally, the model-randomisation sanity check.
 */
@Plugin(type = Command.class, name = "faithfulness", label = "Heatmap Faithfulness", menuPath = "Plugins>ConvLens>Heatmap Faithfulness...", headless = true)
public class HeatmapFaithfulness extends ConvLensCommand {

	@Parameter(label = "Heatmap method", choices = { "Grad-CAM", "Grad-CAM++", "HiResCAM", "XGradCAM", "LayerCAM", "Score-CAM", "Ablation-CAM",
		"EigenCAM", "vanilla", "smoothgrad", "integrated-gradients", "guided-backprop", "deconvnet", "guided-gradcam", "occlusion" },
		description = "The heatmap to evaluate, with its default settings")
	private String method = "Grad-CAM";

	@Parameter(label = "Class to explain", required = false, description = "Class to explain: top, a class index, class=K or a class name")
	private String target = "top";

	@Parameter(label = "Curve steps", min = "1", max = "1000", description = "Points of the deletion and insertion curves")
	private int steps = 50;

	@Parameter(label = "Layer (feature maps)", required = false, persist = false,
		description = "CAM methods and guided Grad-CAM: the layer (default: the last convolution's activated output larger than 1x1); other methods have none")
	private String layer = "";

	@Parameter(label = "Score (probability or logits)", choices = { "auto", "probability", "logits" },
		description = "Score the curves follow; auto = the logit for a single sigmoid output or a class probability within 0.001 of 0 or 1 (saturated), else the probability")
	private String score = "auto";

	@Parameter(label = "Randomisation check", description = "Also re-initialise the layers top-down and compare the maps (slower)")
	private boolean randomization = true;

	@Parameter(type = ItemIO.OUTPUT, label = "Deletion and insertion curves")
	private ImagePlus curves;

	@Parameter(type = ItemIO.OUTPUT, label = "Faithfulness AUCs")
	private ResultsTable aucs;

	@Parameter(type = ItemIO.OUTPUT, label = "Randomisation check")
	private ResultsTable cascade;

	@Parameter(type = ItemIO.OUTPUT, label = "Randomisation plot")
	private ImagePlus cascadeplot;

	@Override
	protected void onModel(ModelInfo info) {
		// the default CAM layer first, as in every CAM dialog
		setChoices("layer", info.camLayerChoices());
	}

	@Override
	protected void execute() {
		ImagePlus imp = image();
		ConvModel m = convModel();
		ModelInfo info = m.info();
		Preprocessing prep = prep(info);
		List<String> camLayers = layer == null || layer.isBlank() ? List.of() : List.of(layer.trim());
		HeatmapMethod hm = HeatmapMethods.parse(method, camLayers);
		java.util.List<String> warnings = new java.util.ArrayList<>();
		String camLayer = null;
		if (HeatmapMethods.usesCamLayer(hm)) {
			org.convlens.model.LayerInfo l = camLayers.isEmpty() ? info.defaultCamLayer() : info.layer(camLayers.get(0));
			if (l.kind() != org.convlens.model.LayerKind.SPATIAL) {
				throw new IllegalArgumentException("Layer '" + l.name() + "' is not a feature map (shape " + java.util.Arrays.toString(l.shape()) +
					"); choose one of " + info.camLayerChoices());
			}
			camLayer = l.name();
			String w1 = org.convlens.model.CamLayers.oneByOneWarning(l);
			if (w1 != null) warnings.add(w1);
		}
		else if (!camLayers.isEmpty() && !camLayers.get(0).equals(info.camLayerChoices().isEmpty() ? "" : info.camLayerChoices().get(0))) {
			// a dialog fills in the default layer for every method; a different one for a method without layers is a mistake
			info.layer(camLayers.get(0));
			ij.IJ.log(getInfo().getTitle() + ": option layer=" + camLayers.get(0) + " is not used by " + method +
				" (only CAM methods and guided-gradcam have a layer).");
		}
		NdArray x = ImageInput.batch(imp, List.of(ImageInput.current(imp)), prep, info.imageInput().shape());
		int t = HeatmapMethods.classIndices(m, x, Target.parse(target))[0];
		org.convlens.explain.attribution.ScoreRule rule = org.convlens.explain.attribution.ScoreRule.resolve(score, m, x, t);
		String sc = rule.tensor();
		double share = randomization ? 0.4 : 1;
		progress().update(0, method + " heatmap");
		NdArray map = hm.heatmap(m, x, t, progress().sub(0, 0.1 * share));
		String mapProblem = org.convlens.explain.core.Degenerate.describe(map.data());
		if (mapProblem != null) warnings.add("the " + method + " map is " + mapProblem + ": its deletion and insertion curves follow a random order");
		DeletionInsertion di = new DeletionInsertion().withSteps(steps).withScore(sc);
		Curve del = di.curve(m, x, map, t, Mode.DELETION, progress().sub(0.1 * share, 0.3 * share));
		Curve ins = di.curve(m, x, map, t, Mode.INSERTION, progress().sub(0.3 * share, 0.5 * share));
		NdArray random = HeatmapMethods.randomMap(x.dim(1), x.dim(2), 1);
		Curve rdel = di.curve(m, x, random, t, Mode.DELETION, progress().sub(0.5 * share, 0.75 * share));
		Curve rins = di.curve(m, x, random, t, Mode.INSERTION, progress().sub(0.75 * share, share));
		String scoreName = rule.name();
		String what = method + ", " + info.describeClass(t);
		if (del.flat()) warnings.add("the " + scoreName + " does not change when every pixel is removed: the curves are flat and their areas mean nothing");
		curves = Faithfulness.curvesPlot(Titles.of(imp, "DeletionInsertion", Titles.compact(method)), method, scoreName, del, ins, rdel, rins);
		aucs = Faithfulness.aucTable(method + (mapProblem != null ? " [map " + mapProblem + "]" : ""), scoreName, del, ins, rdel, rins);
		java.util.Map<String, Object> params = new java.util.LinkedHashMap<>();
		params.put("method", hm.toString());
		if (camLayer != null) params.put("layer", camLayer);
		params.put("target", what);
		params.put("score", rule.reason());
		params.put("curves", di.toString());
		params.put("auc scale", Faithfulness.AUC_SCALE);
		if (!warnings.isEmpty()) params.put("warning", String.join(" | ", warnings));
		Provenance.stamp(curves, getInfo().getTitle(), info, prep, imp, params);
		String title = getInfo().getTitle();
		ij.IJ.log(title + ", " + what + ": score " + rule.reason() + String.format(java.util.Locale.ROOT,
			"; deletion AUC %.3f (random %.3f), insertion AUC %.3f (random %.3f), normalised", del.normalizedAuc(), rdel.normalizedAuc(),
			ins.normalizedAuc(), rins.normalizedAuc()));
		for (String w1 : warnings) ij.IJ.log(title + ", " + what + ": WARNING " + w1 + (w1.endsWith(".") ? "" : "."));
		if (randomization) {
			RandomizationCheck.Result r = new RandomizationCheck().run(m, x, t, hm, progress().sub(share, 1));
			cascade = Faithfulness.cascadeTable(r);
			cascadeplot = Faithfulness.cascadePlot(Titles.of(imp, "randomisation", Titles.compact(method)), method, r);
			java.util.Map<String, Object> p2 = new java.util.LinkedHashMap<>(params);
			p2.put("verdict", r.verdict());
			Provenance.stamp(cascadeplot, getInfo().getTitle(), info, prep, imp, p2);
			ij.IJ.log(title + ", " + what + ": " + r.verdict());
		}
	}
}
