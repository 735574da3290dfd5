package org.convlens.imagej;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.attribution.ScoreRule;
import org.convlens.explain.cam.Target;
import org.convlens.explain.core.Degenerate;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;
import org.convlens.explain.faithfulness.DeletionInsertion;
import org.convlens.explain.faithfulness.DeletionInsertion.Curve;
import org.convlens.explain.faithfulness.DeletionInsertion.Mode;
import org.convlens.explain.faithfulness.RandomizationCheck;
import org.convlens.model.CamLayers;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * How faithful a heatmap of the current slice/frame is: the heatmap, its deletion and insertion
 * curves beside those of a random heatmap, and optionally the model-randomisation cascade; as a
 * plot and tables stamped with their settings, with every degenerate case (a constant map, flat
 * curves) named in the Info and the Log. The workflow of the Heatmap Faithfulness command.
 */
public final class FaithfulnessRun {

	/** What the run shows: the curves plot and AUC table; the cascade table and plot when asked (else null). */
	public static final class Result {
		public ImagePlus curves, cascadePlot;
		public ResultsTable aucs, cascade;
	}

	private FaithfulnessRun() {}

	/**
	 * @param title the command's title, for the Log and the Info
	 * @param method a heatmap method name ({@link HeatmapMethods#all()})
	 * @param target the class to explain ({@link Target#parse})
	 * @param layer the CAM layer (blank: the default); other methods have none
	 * @param score {@code auto}, {@code probability} or {@code logits} ({@link ScoreRule#resolve})
	 */
	public static Result run(String title, ImagePlus imp, ConvModel m, Preprocessing prep, String method, String target, int steps, String layer,
		String score, boolean randomization, Progress progress)
	{
		ModelInfo info = m.info();
		List<String> camLayers = layer == null || layer.isBlank() ? List.of() : List.of(layer.trim());
		HeatmapMethod hm = HeatmapMethods.parse(method, camLayers);
		List<String> warnings = new ArrayList<>();
		String camLayer = null;
		if (HeatmapMethods.usesCamLayer(hm)) {
			LayerInfo l = camLayers.isEmpty() ? info.defaultCamLayer() : info.layer(camLayers.get(0));
			if (l.kind() != LayerKind.SPATIAL) {
				throw new IllegalArgumentException("Layer '" + l.name() + "' is not a feature map (shape " + Arrays.toString(l.shape()) +
					"); choose one of " + info.camLayerChoices());
			}
			camLayer = l.name();
			String w1 = CamLayers.oneByOneWarning(l);
			if (w1 != null) warnings.add(w1);
		}
		else if (!camLayers.isEmpty() && !camLayers.get(0).equals(info.camLayerChoices().isEmpty() ? "" : info.camLayerChoices().get(0))) {
			// a dialog fills in the default layer for every method; a different one for a method without layers is a mistake
			info.layer(camLayers.get(0));
			IJ.log(title + ": option layer=" + camLayers.get(0) + " is not used by " + method + " (only CAM methods and guided-gradcam have a layer).");
		}
		NdArray x = ImageInput.batch(imp, List.of(ImageInput.current(imp)), prep, info.imageInput().shape());
		int t = HeatmapMethods.classIndices(m, x, Target.parse(target))[0];
		ScoreRule rule = ScoreRule.resolve(score, m, x, t);
		double share = randomization ? 0.4 : 1;
		progress.update(0, method + " heatmap");
		NdArray map = hm.heatmap(m, x, t, progress.sub(0, 0.1 * share));
		String mapProblem = Degenerate.describe(map.data());
		if (mapProblem != null) warnings.add("the " + method + " map is " + mapProblem + ": its deletion and insertion curves follow a random order");
		DeletionInsertion di = new DeletionInsertion().withSteps(steps).withScore(rule.tensor());
		Curve del = di.curve(m, x, map, t, Mode.DELETION, progress.sub(0.1 * share, 0.3 * share));
		Curve ins = di.curve(m, x, map, t, Mode.INSERTION, progress.sub(0.3 * share, 0.5 * share));
		NdArray random = HeatmapMethods.randomMap(x.dim(1), x.dim(2), 1);
		Curve rdel = di.curve(m, x, random, t, Mode.DELETION, progress.sub(0.5 * share, 0.75 * share));
		Curve rins = di.curve(m, x, random, t, Mode.INSERTION, progress.sub(0.75 * share, share));
		String scoreName = rule.name();
		String what = method + ", " + info.describeClass(t);
		int planes = imp.getNSlices() * imp.getNFrames();
		// one position of a stack is evaluated: say which
		if (planes > 1) what += " (position " + ImageInput.current(imp) + " of " + planes + ")";
		if (del.flat()) warnings.add("the " + scoreName + " does not change when every pixel is removed: the curves are flat and their areas mean nothing");
		if (!del.flat() && del.normalizedAuc() >= rdel.normalizedAuc() && ins.normalizedAuc() <= rins.normalizedAuc()) {
			// the numbers were there, but a reader takes "Passed" below or a plotted curve for a good map
			warnings.add(String.format(Locale.ROOT, "the %s map does no better than a random map on either curve (deletion AUC %.3f, random %.3f, lower is "
				+ "better; insertion AUC %.3f, random %.3f, higher is better): it does not show what the %s depends on", method, del.normalizedAuc(),
				rdel.normalizedAuc(), ins.normalizedAuc(), rins.normalizedAuc(), scoreName));
		}
		Result out = new Result();
		ImagePlus curves = out.curves = Faithfulness.curvesPlot(Titles.of(imp, "DeletionInsertion", Titles.compact(method)), method, scoreName, del, ins, rdel, rins);
		out.aucs = Faithfulness.aucTable(method + (mapProblem != null ? " [map " + mapProblem + "]" : ""), scoreName, del, ins, rdel, rins);
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("method", hm.toString());
		if (camLayer != null) params.put("layer", camLayer);
		params.put("target", what);
		params.put("score", rule.reason());
		params.put("curves", di.toString());
		params.put("auc scale", Faithfulness.AUC_SCALE);
		if (!warnings.isEmpty()) params.put("warning", String.join(" | ", warnings));
		Provenance.stamp(curves, title, info, prep, imp, params);
		IJ.log(title + ", " + what + ": score " + rule.reason() + String.format(Locale.ROOT,
			"; deletion AUC %.3f (random %.3f), insertion AUC %.3f (random %.3f), normalised", del.normalizedAuc(), rdel.normalizedAuc(),
			ins.normalizedAuc(), rins.normalizedAuc()));
		for (String w1 : warnings) IJ.log(title + ", " + what + ": WARNING " + w1 + (w1.endsWith(".") ? "" : "."));
		if (!randomization) return out;
		RandomizationCheck.Result r = new RandomizationCheck().run(m, x, t, hm, progress.sub(share, 1));
		ImagePlus cascadePlot = out.cascadePlot = Faithfulness.cascadePlot(Titles.of(imp, "randomisation", Titles.compact(method)), method, r);
		Map<String, Object> p2 = new LinkedHashMap<>(params);
		p2.put("verdict", r.verdict());
		Provenance.stamp(cascadePlot, title, info, prep, imp, p2);
		IJ.log(title + ", " + what + ": " + r.verdict());
		out.cascade = Faithfulness.cascadeTable(r);
		return out;
	}
}
