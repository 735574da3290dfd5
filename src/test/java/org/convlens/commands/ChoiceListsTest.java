package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.scijava.command.Command;
import org.scijava.module.Module;
import org.junit.jupiter.api.Test;

/**
 * The choice lists that come from enums (set by SciJava initializers) are exactly the lists the
 * commands typed out before, with the same defaults: macros, Batch keys and values and recorded
 * lines stay valid. Checked on the ImageJ 1.x dialog's path ({@link IJ1Dialogs#initializeChoices})
 * and on Fiji's ({@code Module.initialize}, as SciJava's InitPreprocessor calls it).
 */
class ChoiceListsTest extends CommandTestBase {

	private static final List<String> CAMS = List.of("Grad-CAM", "Grad-CAM++", "HiResCAM", "XGradCAM", "LayerCAM", "Score-CAM", "Ablation-CAM", "EigenCAM");
	private static final List<String> SALIENCY = List.of("vanilla", "smoothgrad", "integrated-gradients", "guided-backprop", "deconvnet", "guided-gradcam");
	private static final List<String> SCORES = List.of("auto", "probability", "logits");
	private static final List<String> POOLINGS = List.of("auto", "flatten", "average", "max");

	private static void check(Class<? extends Command> cls, String input, List<String> want, String def) throws Exception {
		Module dialog = CommandRunner.create(ctx, cls);
		IJ1Dialogs.initializeChoices(dialog);
		assertEquals(want, dialog.getInfo().getInput(input).getChoices(), cls.getSimpleName() + " " + input + " (ImageJ 1.x dialog)");
		assertEquals(def, dialog.getInput(input), cls.getSimpleName() + " " + input + " default");
		Module fiji = CommandRunner.create(ctx, cls);
		fiji.initialize();
		assertEquals(want, fiji.getInfo().getInput(input).getChoices(), cls.getSimpleName() + " " + input + " (Fiji)");
		// choices are set on the module's own info: a fresh module of the class is not changed by another
		assertEquals(def, fiji.getInput(input));
	}

	@Test
	void enumListsAreTheFormerListsWithTheirDefaults() throws Exception {
		List<String> all = new java.util.ArrayList<>(CAMS);
		all.addAll(SALIENCY);
		all.add("occlusion");
		check(ClassActivationMap.class, "method", CAMS, "Grad-CAM");
		check(ClassActivationMap.class, "lut", List.of("jet", "fire", "magma", "viridis", "inferno", "grays", "red", "ice"), "jet");
		check(HeatmapFaithfulness.class, "method", all, "Grad-CAM");
		check(HeatmapFaithfulness.class, "score", SCORES, "auto");
		check(SaliencyMap.class, "method", SALIENCY, "vanilla");
		check(SaliencyMap.class, "baseline", List.of("black", "blurred", "mean"), "black");
		check(OcclusionMap.class, "fill", List.of("mean", "zero", "blur"), "mean");
		check(OcclusionMap.class, "score", SCORES, "auto");
		check(CnnCodesExport.class, "pooling", POOLINGS, "auto");
		check(EmbeddingMap.class, "pooling", POOLINGS, "auto");
		check(EmbeddingMap.class, "method", List.of("auto", "exact", "barnes-hut"), "auto");
		check(FirstLayerWeights.class, "contrast", List.of("shared", "per-kernel"), "shared");
		check(MaxActivatingImages.class, "score", List.of("max", "mean"), "max");
		check(ShowFilterPatterns.class, "objective", List.of("filter", "neuron", "class"), "filter");
		check(ShowFilterPatterns.class, "optimizer", List.of("ascent", "adam"), "ascent");
		check(ShowFilterPatterns.class, "parametrization", List.of("pixels", "fourier"), "pixels");
	}

	@Test
	void eachListParsesEveryChoice() {
		for (String m : CAMS) assertEquals(m, org.convlens.explain.cam.CamMethod.parse(m).label());
		for (String p : ChoiceLists.of(org.convlens.explain.dataset.CnnCodes.Pooling.class)) assertEquals(p, CnnCodesExport.pooling(p).name().toLowerCase());
		for (String f : ChoiceLists.of("mean", org.convlens.explain.core.Fill.class)) assertEquals(f, org.convlens.explain.core.Fill.of(f).name().toLowerCase());
		for (String e : ChoiceLists.of(org.convlens.explain.dataset.Embedding.Method.class)) {
			assertEquals(e, org.convlens.explain.dataset.Embedding.Method.parse(e).name().toLowerCase().replace('_', '-'));
		}
	}
}
