package org.convlens.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.core.Fill;
import org.convlens.explain.attribution.Occlusion;
import org.convlens.explain.core.PassEstimate;
import org.convlens.explain.core.Progress;
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
@Plugin(type = Command.class, name = "occlusion", label = "Occlusion Map", menuPath = "Plugins>ConvLens>Occlusion Map...", headless = true)
public class OcclusionMap extends HeatmapCommand {

	@Parameter(label = "Patch size (pixels)", min = "0", description = "Side of the square patch in image pixels; 0 = a fifth of the shorter side of the model input")
	private int patch = 0;

	@Parameter(label = "Stride (pixels)", min = "0", description = "Step between patches in image pixels; 0 = a third of the patch")
	private int stride = 0;

	@Parameter(label = "Fill occluded patch with", initializer = "initChoices", description = "What replaces the occluded pixels: the image mean, zeros, or a blurred copy")
	private String fill = "mean";

	@Parameter(label = "Score (probability or logits)", initializer = "initChoices",
		description = "Score whose drops are mapped; auto = the logit for a single sigmoid output or a class probability within 0.001 of 0 or 1 (saturated), else the probability")
	private String score = "auto";

	@Parameter(type = ItemIO.OUTPUT, label = "Occlusion map")
	private ImagePlus occlusion;

	private void initChoices() {
		setChoices("fill", ChoiceLists.of("mean", Fill.class));
		setChoices("score", ChoiceLists.SCORES, ChoiceLists.SCORE_ALIASES);
	}

	@Override
	protected void execute() {
		Input in = new Input();
		List<NdArray> maps = new java.util.ArrayList<>();
		Map<String, Object> params = compute(in.imp, in.model, in.batch, in.targets, progress(), maps);
		occlusion = outputs(in, maps, "occlusion", false, params);
	}

	/**
	 * The maps of one image's positions ({@code x}, one item per position) into {@code maps}, and
	 * the Info parameters: the command's computation, shared with the batched batch path
	 * ({@link BatchedExplainer}), which calls it image by image.
	 */
	Map<String, Object> compute(ImagePlus imp, org.convlens.model.ConvModel model, NdArray x, int[] targets, Progress progress, List<NdArray> maps) {
		Occlusion occ = new Occlusion().withFill(Fill.of(fill)).withBatchSize(cappedBatch(batch, x.size() / Math.max(1, x.dim(0)), "occluded-image"))
			.withPatch(toModel(patch, imp, x)).withStride(toModel(stride, imp, x));
		if (patch > 0 && stride == 0) occ = occ.withStride(Math.max(1, (int) Math.round(occ.patch() / 3.0)));
		String sc = score == null ? "auto" : score.trim().toLowerCase(java.util.Locale.ROOT);
		switch (sc) {
			case "auto": occ = occ.withScore(Occlusion.AUTO); break;
			case "probability": case "output": occ = occ.withScore(org.convlens.model.ConvModel.OUTPUT); break;
			case "logits": case "logit": occ = occ.withScore(model.info().logitsTensor() != null ? org.convlens.model.ConvModel.LOGITS : org.convlens.model.ConvModel.OUTPUT); break;
			default: throw new IllegalArgumentException("Unknown score '" + score + "'; use auto, probability or logits");
		}
		int n = x.dim(0);
		PassEstimate est = new PassEstimate("Occlusion", (long) occ.count(x.dim(1), x.dim(2)) * n, occ.batchSize(),
			msg -> ij.IJ.log(getInfo().getTitle() + ": " + msg));
		est.announce(progress);
		Progress tracked = est.track(progress.sub(0, 0.95));
		java.util.Set<String> reasons = new java.util.LinkedHashSet<>();
		for (int i = 0; i < n; i++) {
			progress.checkCancelled();
			Occlusion.Result r = occ.compute(model, x.item(i), targets[i], tracked.sub((double) i / n, (i + 1.0) / n));
			maps.add(r.map());
			reasons.add(r.scoreReason());
		}
		ij.IJ.log(getInfo().getTitle() + ", " + imp.getTitle() + ": score " + String.join("; ", reasons)); // which image: a folder run logs one line each
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("score", String.join("; ", reasons));
		params.put("passes", est.plan());
		int H = x.dim(1), W = x.dim(2);
		params.put("patch", imagePx(patch, occ.patchFor(H, W), imp, x) + " = " + occ.patchFor(H, W) + " model px");
		params.put("stride", imagePx(stride, occ.strideFor(H, W), imp, x) + " = " + occ.strideFor(H, W) + " model px");
		params.put("fill", fill);
		return params;
	}

	private static int toModel(int px, ImagePlus imp, NdArray x) {
		return px <= 0 ? 0 : Math.max(1, (int) Math.round(px * scale(imp, x)));
	}

	/** A size in image pixels for the Info: the one chosen, or what the automatic one in model pixels covers. */
	private static String imagePx(int px, int modelPx, ImagePlus imp, NdArray x) {
		return px > 0 ? px + " image px" : "auto, about " + Math.round(modelPx / scale(imp, x)) + " image px";
	}

	/** Model pixels per image pixel. */
	private static double scale(ImagePlus imp, NdArray x) {
		return 0.5 * ((double) x.dim(2) / imp.getWidth() + (double) x.dim(1) / imp.getHeight());
	}
}
