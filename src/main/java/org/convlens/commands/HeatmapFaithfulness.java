package org.convlens.commands;

import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.imagej.FaithfulnessRun;
import org.convlens.model.ConvModel;
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
public class HeatmapFaithfulness extends CamLayerCommand {

	@Parameter(label = "Heatmap method", initializer = "initChoices",
		description = "The heatmap to evaluate, with its default settings")
	private String method = "Grad-CAM";

	@Parameter(label = "Class to explain", required = false, description = "Class to explain: top, a class index, class=K or a class name")
	private String target = "top";

	@Parameter(label = "Curve steps", min = "1", max = "1000", description = "Points of the deletion and insertion curves")
	private int steps = 50;

	@Parameter(label = "Layer (feature maps)", required = false, persist = false,
		description = "CAM methods and guided Grad-CAM: the layer (default: the last convolution's activated output larger than 1x1); other methods have none")
	private String layer = "";

	@Parameter(label = "Score (probability or logits)", initializer = "initChoices",
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

	private void initChoices() {
		setChoices("method", HeatmapMethods.all(), ChoiceLists.parses(HeatmapMethods::parse));
		setChoices("score", ChoiceLists.SCORES, ChoiceLists.SCORE_ALIASES);
	}

	@Override
	protected void execute() {
		ImagePlus imp = image();
		ConvModel m = convModel();
		FaithfulnessRun.Result r = FaithfulnessRun.run(getInfo().getTitle(), imp, m, prep(m.info()), method, target, steps, layer, score,
			randomization, progress());
		curves = r.curves;
		aucs = r.aucs;
		cascade = r.cascade;
		cascadeplot = r.cascadePlot;
	}
}
