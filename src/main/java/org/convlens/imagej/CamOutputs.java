package org.convlens.imagej;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.explain.core.PassEstimate;
import org.convlens.explain.core.Progress;
import org.convlens.model.CamLayers;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;

/**
 * What the class activation map command shows of its maps: the 32-bit heatmap at the image's
 * size, the raw low-resolution map, the overlay, the predictions marked where a map is not
 * meaningful; and what it says before computing (1x1 layers, long perturbation runs).
 */
public final class CamOutputs {

	private CamOutputs() {}

	/** The layer names of a comma-separated list (none for null or blank: the default layer). */
	public static List<String> layerNames(String list) {
		List<String> out = new ArrayList<>();
		for (String l : (list == null ? "" : list).split(",")) if (!l.isBlank()) out.add(l.trim());
		return out;
	}

	/** The warnings about the layers {@code cam} will use (1x1 feature maps), each also given to {@code log}. */
	public static List<String> layerWarnings(ClassActivationMaps cam, Consumer<String> log) {
		List<String> warnings = new ArrayList<>();
		for (LayerInfo l : cam.resolveLayers()) {
			String w = CamLayers.oneByOneWarning(l);
			if (w != null) warnings.add(w);
		}
		warnings.forEach(log);
		return warnings;
	}

	/**
	 * {@code part} of {@code whole}, tracking the model calls of a perturbation method (one masked
	 * input or ablated activation per channel per image), announced first when long; {@code part}
	 * itself for the gradient methods.
	 */
	public static Progress tracked(CamMethod m, ClassActivationMaps cam, NdArray x, int batch, Progress whole, Progress part, Consumer<String> log) {
		if (!m.isPerturbation()) return part;
		long passes = 0;
		for (LayerInfo l : cam.resolveLayers()) passes += Math.max(1, l.channels());
		PassEstimate est = new PassEstimate(m.label(), passes * x.dim(0), batch, log);
		est.announce(whole);
		return est.track(part);
	}

	/**
	 * The heatmap image (and the raw map when asked) of one image from its maps, one per
	 * position; lays the overlay when {@code overlay} is not null. Maps that are not meaningful are
	 * named in the Log and the Info.
	 *
	 * @param warnings about the layers, for the Info
	 * @return the heatmap and the raw map (null unless {@code showraw})
	 */
	public static ImagePlus[] outputs(ImagePlus imp, List<Heatmap> maps, CamMethod m, Target t, ModelInfo info, Preprocessing prep, String title,
		boolean showraw, HeatmapDisplay.OverlayStyle overlay, List<String> warnings, List<ImageInput.Position> ps)
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
		params.put("class", String.join(", ", new LinkedHashSet<>(maps.stream().map(Heatmap::label).collect(Collectors.toList()))));
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
		nameProblems(heatmap, maps);
		Provenance.stamp(heatmap, title, info, prep, imp, params);
		ImagePlus raw = null;
		if (showraw) {
			raw = rawMaps(imp, maps);
			Provenance.stamp(raw, title, info, prep, imp, params);
		}
		if (overlay != null) HeatmapDisplay.overlayLabelled(imp, full, overlay, labels);
		return new ImagePlus[] { heatmap, raw };
	}

	/**
	 * A caption on each plane whose map is not meaningful (its caption ends in the reason, e.g.
	 * "[map all zero]"): shown on the image, and under it in its PNG, which would otherwise be a
	 * plain black or flat picture.
	 */
	static void nameProblems(ImagePlus heatmap, List<Heatmap> maps) {
		for (int i = 0; i < maps.size(); i++) {
			if (maps.get(i).problem() != null) Outputs.caption(heatmap, maps.get(i).caption(), maps.size() > 1 ? i + 1 : 0);
		}
	}

	/** The predictions table, saying row by row which maps are not meaningful (only when one is not). */
	public static ResultsTable annotate(ResultsTable predictions, List<Heatmap> maps) {
		boolean any = maps.stream().anyMatch(hm -> hm.problem() != null);
		int per = Math.max(1, predictions.size() / maps.size());
		if (any) for (int r = 0; r < predictions.size(); r++) {
			String p = maps.get(Math.min(maps.size() - 1, r / per)).problem();
			predictions.setValue("heatmap", r, p == null ? "ok" : "not meaningful: " + p);
		}
		return predictions;
	}

	/** The first layer's maps at their own size, one plane per position (a hyperstack over the image's Z and T), fire LUT. */
	public static ImagePlus rawMaps(ImagePlus imp, List<Heatmap> maps) {
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
