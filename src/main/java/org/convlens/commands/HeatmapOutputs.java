package org.convlens.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.imagej.HeatmapDisplay;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Outputs;
import org.convlens.imagej.Provenance;
import org.convlens.imagej.SaliencyMaps;
import org.convlens.imagej.Titles;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;

/**
 * The outputs shared by the heatmap commands, in the class activation map's display: the 32-bit
 * map stack at the image's size, the heatmap laid over the source (its pixels unchanged) and an
 * RGB blend of the current position.
 */
final class HeatmapOutputs {

	private HeatmapOutputs() {}

	/**
	 * @param maps one {@code [H, W]} map per slice/frame at the model input's size
	 * @param overlay lay the maps over the source image as an overlay
	 * @param blended also make an RGB image of the source blended with the current position's map
	 * @return the map image and the blended image (null where none is made)
	 */
	static ImagePlus[] build(ConvLensCommand cmd, ImagePlus imp, ModelInfo info, Preprocessing prep, List<NdArray> maps, int[] targets,
		String method, boolean signed, boolean overlay, boolean blended, Map<String, Object> params)
	{
		List<float[]> resized = SaliencyMaps.toImageSize(maps, imp);
		String suffix = "";
		List<String> problems = new ArrayList<>();
		for (int i = 0; i < maps.size(); i++) {
			String d = org.convlens.explain.core.Degenerate.describe(maps.get(i).data());
			if (d != null) problems.add((maps.size() > 1 ? "position " + (i + 1) + ": " : "") + "map " + d);
		}
		Object earlier = params.get("warning");
		if (earlier != null) suffix += " [" + earlier + "]";
		if (!problems.isEmpty()) {
			suffix += " [not meaningful: " + String.join("; ", problems) + "]";
			params = new LinkedHashMap<>(params);
			params.put("warning", (earlier != null ? earlier + " | " : "") + String.join(" | ", problems));
			ij.IJ.log(cmd.getInfo().getTitle() + ", " + imp.getTitle() + ": the " + method + " map is not meaningful (" + String.join("; ", problems) + ").");
		}
		// each position named by its own class: the classes of all positions under every slice read as if each map explained them all
		List<String> labels = new ArrayList<>();
		for (int i = 0; i < maps.size(); i++) {
			labels.add(method + ": " + (targets.length == maps.size() ? info.describeClass(targets[i]) : classes(info, targets)) + suffix);
		}
		ImagePlus map = HeatmapDisplay.heatmapImageLabelled(imp, resized, Titles.of(imp, method), labels);
		// named on the picture too (and so under it in its PNG), not only in the Info and the Log
		for (int i = 0; !problems.isEmpty() && i < labels.size(); i++) Outputs.caption(map, labels.get(i), labels.size() > 1 ? i + 1 : 0);
		if (signed) SaliencyMaps.signedDisplay(map);
		Map<String, Object> p = new LinkedHashMap<>(params);
		p.put("method", method);
		p.put("class", classes(info, targets));
		Provenance.stamp(map, cmd.getInfo().getTitle(), info, prep, imp, p);
		// a signed map keeps its sign in the 32-bit image and gets the diverging LUT, transparent around 0, in the overlay
		HeatmapDisplay.OverlayStyle style = HeatmapDisplay.OverlayStyle.defaults().withSigned(signed);
		if (overlay) HeatmapDisplay.overlayLabelled(imp, resized, style, labels);
		ImagePlus blend = null;
		if (blended) {
			int pos = ImageInput.positions(imp).indexOf(ImageInput.positions(imp).stream()
				.filter(q -> q.z == ImageInput.current(imp).z && q.t == ImageInput.current(imp).t).findFirst().orElse(null));
			blend = HeatmapDisplay.blended(imp, resized.get(Math.max(0, pos)), style);
			blend.setTitle(Titles.of(imp, method, "blend"));
			if (!problems.isEmpty()) Outputs.caption(blend, labels.get(Math.max(0, pos)), 0);
			Provenance.stamp(blend, cmd.getInfo().getTitle(), info, prep, imp, p);
		}
		cmd.summary(method + ": " + maps.size() + (maps.size() == 1 ? " map" : " maps"));
		return new ImagePlus[] { map, blend };
	}

	private static String classes(ModelInfo info, int[] targets) {
		List<String> names = new ArrayList<>();
		for (int t : targets) {
			String n = info.describeClass(t);
			if (!names.contains(n)) names.add(n);
		}
		return String.join(", ", names);
	}
}
