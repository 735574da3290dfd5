package org.convlens.commands;

import java.util.List;

import org.convlens.explain.DeletionInsertion;
import org.convlens.explain.DeletionInsertion.Curve;
import org.convlens.explain.DeletionInsertion.Mode;
import org.convlens.explain.HeatmapMethod;
import org.convlens.explain.HeatmapMethods;
import org.convlens.explain.RandomizationCheck;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.Faithfulness;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Provenance;
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
 * How faithful is a heatmap, for the current slice/frame: deletion and insertion curves (with a
 * random heatmap for comparison) and, optionally, the model-randomisation sanity check.
 */
@Plugin(type = Command.class, name = "faithfulness", menuPath = "Plugins>ConvLens>Heatmap Faithfulness", headless = true)
public class HeatmapFaithfulness extends ConvLensCommand {

	@Parameter(label = "Heatmap method", choices = { "Grad-CAM", "Grad-CAM++", "HiResCAM", "XGradCAM", "LayerCAM", "Score-CAM", "Ablation-CAM",
		"EigenCAM", "vanilla", "smoothgrad", "integrated-gradients", "guided-backprop", "deconvnet", "guided-gradcam", "occlusion" },
		description = "The heatmap to evaluate, with its default settings")
	private String method = "Grad-CAM";

	@Parameter(label = "Target", required = false, description = "Class to explain: top, a class index, class=K or a class name")
	private String target = "top";

	@Parameter(label = "Steps", min = "1", max = "1000", description = "Points of the deletion and insertion curves")
	private int steps = 50;

	@Parameter(label = "Score", choices = { "auto", "probability", "logits" },
		description = "Score the curves follow; auto = logits for a single sigmoid output (its probability saturates), else the probability")
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
	protected void execute() {
		ImagePlus imp = image();
		ConvModel m = convModel();
		ModelInfo info = m.info();
		Preprocessing prep = prep(info);
		HeatmapMethod hm = HeatmapMethods.parse(method);
		String sc = scoreTensor(info);
		NdArray x = ImageInput.batch(imp, List.of(ImageInput.current(imp)), prep, info.imageInput().shape());
		int t = HeatmapMethods.classIndices(m, x, Target.parse(target))[0];
		double share = randomization ? 0.4 : 1;
		progress().update(0, method + " heatmap");
		NdArray map = hm.heatmap(m, x, t, progress().sub(0, 0.1 * share));
		DeletionInsertion di = new DeletionInsertion().withSteps(steps).withScore(sc);
		Curve del = di.curve(m, x, map, t, Mode.DELETION, progress().sub(0.1 * share, 0.3 * share));
		Curve ins = di.curve(m, x, map, t, Mode.INSERTION, progress().sub(0.3 * share, 0.5 * share));
		NdArray random = HeatmapMethods.randomMap(x.dim(1), x.dim(2), 1);
		Curve rdel = di.curve(m, x, random, t, Mode.DELETION, progress().sub(0.5 * share, 0.75 * share));
		Curve rins = di.curve(m, x, random, t, Mode.INSERTION, progress().sub(0.75 * share, share));
		String scoreName = sc.equals(ConvModel.LOGITS) ? "logit" : "probability";
		String what = method + ", class " + info.className(t) + " (" + t + ")";
		curves = Faithfulness.curvesPlot(imp.getTitle() + " - deletion and insertion (" + method + ")", method, scoreName, del, ins, rdel, rins);
		aucs = Faithfulness.aucTable(method, scoreName, del, ins, rdel, rins);
		java.util.Map<String, Object> params = new java.util.LinkedHashMap<>();
		params.put("method", hm.toString());
		params.put("target", what);
		params.put("curves", di.toString());
		Provenance.stamp(curves, getInfo().getTitle(), info, prep, imp, params);
		if (randomization) {
			RandomizationCheck.Result r = new RandomizationCheck().run(m, x, t, hm, progress().sub(share, 1));
			cascade = Faithfulness.cascadeTable(r);
			cascadeplot = Faithfulness.cascadePlot(imp.getTitle() + " - randomisation check (" + method + ")", method, r);
			Provenance.stamp(cascadeplot, getInfo().getTitle(), info, prep, imp, params);
			ij.IJ.log("Heatmap Faithfulness, " + what + ": " + r.verdict());
		}
	}

	private String scoreTensor(ModelInfo info) {
		switch (score.trim().toLowerCase(java.util.Locale.ROOT)) {
			case "auto":
				return HeatmapMethods.faithfulnessScore(info);
			case "probability":
			case "output":
				return ConvModel.OUTPUT;
			case "logits":
			case "logit":
				return ConvModel.LOGITS;
			default:
				throw new IllegalArgumentException("Unknown score '" + score + "'; use auto, probability or logits");
		}
	}
}
