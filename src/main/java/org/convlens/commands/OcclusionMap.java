package org.convlens.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.Fill;
import org.convlens.explain.HeatmapMethods;
import org.convlens.explain.Occlusion;
import org.convlens.model.NdArray;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;

/**
 * Occlusion sensitivity: a patch slides over the image and the drop of the class score is mapped,
 * one map per slice/frame at the image's size. Patch and stride are in image pixels.
 */
@Plugin(type = Command.class, name = "occlusion", menuPath = "Plugins>ConvLens>Occlusion Map", headless = true)
public class OcclusionMap extends HeatmapCommand {

	@Parameter(label = "Patch size", min = "0", description = "Side of the square patch in image pixels; 0 = a fifth of the shorter side of the model input")
	private int patch = 0;

	@Parameter(label = "Stride", min = "0", description = "Step between patches in image pixels; 0 = a third of the patch")
	private int stride = 0;

	@Parameter(label = "Fill", choices = { "mean", "zero", "blur" }, description = "What replaces the occluded pixels: the image mean, zeros, or a blurred copy")
	private String fill = "mean";

	@Parameter(type = ItemIO.OUTPUT, label = "Occlusion map")
	private ImagePlus occlusion;

	@Override
	protected void execute() {
		Input in = new Input();
		NdArray x = in.batch;
		Occlusion occ = new Occlusion().withFill(Fill.of(fill)).withBatchSize(cappedBatch(batch, x.size() / Math.max(1, x.dim(0)), "occluded-image"))
			.withPatch(toModel(patch, in.imp, x)).withStride(toModel(stride, in.imp, x));
		if (patch > 0 && stride == 0) occ = occ.withStride(Math.max(1, (int) Math.round(occ.patch() / 3.0)));
		List<NdArray> maps = HeatmapMethods.maps(in.model, x, in.targets, occ, progress().sub(0, 0.95));
		Map<String, Object> params = new LinkedHashMap<>();
		int H = x.dim(1), W = x.dim(2);
		params.put("patch", patch + " image px = " + occ.patchFor(H, W) + " model px");
		params.put("stride", stride + " image px = " + occ.strideFor(H, W) + " model px");
		params.put("fill", fill);
		occlusion = outputs(in, maps, "occlusion", false, params);
	}

	private static int toModel(int px, ImagePlus imp, NdArray x) {
		if (px <= 0) return 0;
		double s = 0.5 * ((double) x.dim(2) / imp.getWidth() + (double) x.dim(1) / imp.getHeight());
		return Math.max(1, (int) Math.round(px * s));
	}
}
