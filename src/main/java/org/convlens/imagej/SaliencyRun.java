package org.convlens.imagej;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;
import org.convlens.model.CamLayers;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;

/**
 * The saliency maps of one image's positions: the method built from its settings (black baseline
 * through the model's preprocessing), and for Integrated Gradients each image's step count and
 * completeness error in the Info and the Log, unconverged ones named as such.
 */
public final class SaliencyRun {

	private SaliencyRun() {}

	/**
	 * The maps of {@code x} (one item per position of {@code imp}) into {@code maps}; returns the Info
	 * parameters.
	 *
	 * @param title the command's title, for the Log
	 * @param noisePercent SmoothGrad noise in % of the input range
	 * @param layer the guided Grad-CAM layer (blank: the default)
	 */
	public static Map<String, Object> compute(String title, ImagePlus imp, ConvModel model, Preprocessing prep, NdArray x, int[] targets,
		Progress progress, List<NdArray> maps, String method, int samples, double noisePercent, int steps, String baseline, String layer, int batch)
	{
		IntegratedGradients.Baseline b = IntegratedGradients.Baseline.valueOf(baseline.trim().toUpperCase(Locale.ROOT));
		// black as the model sees it: a black image through the model's preprocessing
		NdArray blackImage = b == IntegratedGradients.Baseline.BLACK ? SaliencyMaps.black(imp, prep, model.info().imageInput().shape()) : null;
		List<String> camLayers = layer == null || layer.isBlank() ? List.of() : List.of(layer.trim());
		HeatmapMethod hm = HeatmapMethods.saliency(method,
			new HeatmapMethods.SaliencySettings(samples, noisePercent / 100, steps, b, blackImage, camLayers, batch));
		Map<String, Object> params = new LinkedHashMap<>();
		// black is handed over as an image (black through the preprocessing), which IG's own text calls custom
		params.put("settings", blackImage == null ? hm.toString() : hm.toString().replace(" baseline=custom ", " baseline=black "));
		if (!camLayers.isEmpty() && HeatmapMethods.usesCamLayer(hm)) {
			String w1 = CamLayers.oneByOneWarning(model.info().layer(camLayers.get(0)));
			if (w1 != null) {
				params.put("warning", w1);
				ij.IJ.log(title + ", " + imp.getTitle() + ": " + w1);
			}
		}
		if (hm instanceof IntegratedGradients) integrated(title, imp, model, x, targets, progress, maps, (IntegratedGradients) hm, params);
		else maps.addAll(HeatmapMethods.maps(model, x, targets, hm, progress.sub(0, 0.95)));
		return params;
	}

	/** Integrated Gradients image by image: the final step count and completeness error of every image go to the Info and the Log. */
	private static void integrated(String title, ImagePlus imp, ConvModel model, NdArray x, int[] targets, Progress progress, List<NdArray> maps,
		IntegratedGradients ig, Map<String, Object> params)
	{
		List<String> steps = new ArrayList<>(), errors = new ArrayList<>();
		int n = x.dim(0);
		for (int i = 0; i < n; i++) {
			progress.checkCancelled();
			IntegratedGradients.Result r = ig.attribute(model, x.item(i), targets[i], progress.sub(0.95 * i / n, 0.95 * (i + 1) / n));
			maps.add(r.map());
			steps.add(Integer.toString(r.steps()));
			errors.add(String.format(Locale.ROOT, "%.2f %%", 100 * r.completenessError()));
			String where = n > 1 ? " (position " + (i + 1) + ")" : "";
			// "<command>, <image>: ..." as the command's other Log lines, so a folder run's lines can be told apart
			String line = String.format(Locale.ROOT, "integrated gradients used %d steps; completeness error %.2f %% " +
				"(attributions sum %.4g, score difference %.4g)", r.steps(), 100 * r.completenessError(), r.sum(), r.scoreInput() - r.scoreBaseline());
			String who = title + ", " + imp.getTitle() + where + ": ";
			if (r.completenessError() > IntegratedGradients.WARN_ERROR) {
				String prev = (String) params.get("warning");
				String w = String.format(Locale.ROOT, "unconverged%s: completeness error %.1f %% after %d steps", where, 100 * r.completenessError(), r.steps());
				params.put("warning", prev == null ? w : prev + " | " + w);
				ij.IJ.log(who + "WARNING " + line + ": above 1 %, the attributions do not add up to the score change " +
					"(unconverged; raise 'steps').");
			}
			else ij.IJ.log(who + line + ".");
		}
		params.put("ig steps", String.join(", ", steps));
		params.put("ig completeness error", String.join(", ", errors));
	}
}
