package org.convlens.commands;

import java.util.List;
import java.util.Map;

import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.ImageInput;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.ItemIO;
import org.scijava.plugin.Parameter;

import ij.ImagePlus;

/**
 * Base of the commands that map one class score per slice/frame (occlusion, saliency): the
 * target, batch, overlay and blend inputs, and the outputs in the class activation map's display.
 */
abstract class HeatmapCommand extends ConvLensCommand {

	@Parameter(label = "Class to explain", required = false, description = "Class to explain: top, a class index, class=K or a class name")
	protected String target = "top";

	@Parameter(label = "Batch size (images per run)", min = "1", description = "Images per model run")
	protected int batch = 32;

	@Parameter(label = "Overlay on the image", description = "Lay the map over the image (as an overlay; the pixels are not changed)")
	protected boolean overlay = true;

	@Parameter(label = "Blended RGB copy", description = "Also make an RGB image of the current slice blended with its map (e.g. for a PNG)")
	protected boolean blend;

	@Parameter(type = ItemIO.OUTPUT, label = "Blend")
	protected ImagePlus blended;

	/** The current image as a batch, one item per slice/frame, through the model's preprocessing. */
	protected final class Input {
		final ImagePlus imp = image();
		final ConvModel model = convModel();
		final ModelInfo info = model.info();
		final Preprocessing prep = prep(info);
		final NdArray batch = ImageInput.batch(imp, ImageInput.positions(imp), prep, info.imageInput().shape());
		final int[] targets = HeatmapMethods.classIndices(model, batch, Target.parse(target));
	}

	/**
	 * Shows the maps (one {@code [H, W]} per slice/frame at the model input's size): returns the
	 * 32-bit map image, sets {@link #blended}, and lays the overlay when asked.
	 */
	protected ImagePlus outputs(Input in, List<NdArray> maps, String method, boolean signed, Map<String, Object> params) {
		params.put("target", target);
		ImagePlus[] out = HeatmapOutputs.build(this, in.imp, in.info, in.prep, maps, in.targets, method, signed, overlay, blend, params);
		blended = out[1];
		return out[0];
	}
}
