package org.convlens.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.imagej.Provenance;
import org.convlens.imagej.SaliencyMaps;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;

/** Builds the outputs shared by the heatmap commands: the 32-bit map stack at the image's size, stamped. */
final class HeatmapOutputs {

	private HeatmapOutputs() {}

	/**
	 * @param maps one {@code [H, W]} map per slice/frame at the model input's size
	 * @return the map image and the overlay image (null where none is made)
	 */
	static ImagePlus[] build(ConvLensCommand cmd, ImagePlus imp, ModelInfo info, Preprocessing prep, List<NdArray> maps, int[] targets,
		String method, boolean signed, Map<String, Object> params)
	{
		List<float[]> resized = SaliencyMaps.toImageSize(maps, imp);
		String label = method + ": " + classes(info, targets);
		ImagePlus map = SaliencyMaps.image(imp, resized, imp.getTitle() + " - " + method, label, signed);
		Map<String, Object> p = new LinkedHashMap<>(params);
		p.put("method", method);
		p.put("class", classes(info, targets));
		Provenance.stamp(map, cmd.getInfo().getTitle(), info, prep, imp, p);
		return new ImagePlus[] { map, null };
	}

	private static String classes(ModelInfo info, int[] targets) {
		List<String> names = new ArrayList<>();
		for (int t : targets) {
			String n = info.className(t) + " (" + t + ")";
			if (!names.contains(n)) names.add(n);
		}
		return String.join(", ", names);
	}
}
