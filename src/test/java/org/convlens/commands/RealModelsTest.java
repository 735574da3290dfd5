package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.Models;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import ij.IJ;
import ij.ImagePlus;

/** The two real Keras models in ../shared/models with sample images: every conv layer's maps have the layer's shape. */
class RealModelsTest {

	static void checkConvLayers(Path model, ImagePlus imp) {
		Context ctx = Contexts.get();
		String before = CommandTestBase.fingerprint(imp);
		try (ConvModel m = Models.open(model)) {
			List<LayerInfo> convs = m.info().spatialLayers().stream().filter(l -> l.name().startsWith("conv2d")).collect(Collectors.toList());
			assertFalse(convs.isEmpty());
			for (LayerInfo l : convs) {
				Map<String, Object> out = CommandRunner.run(ctx, CommandRunner.create(ctx, ShowActivations.class),
					Map.of("image", imp, "model", model.toFile(), "layer", l.name(), "stats", false), false);
				ImagePlus maps = (ImagePlus) out.get("activations");
				int[] s = l.shape();
				assertEquals(s[1], maps.getHeight(), l.name());
				assertEquals(s[2], maps.getWidth(), l.name());
				assertEquals(s[3], maps.getNChannels(), l.name());
				assertEquals(l.name() + " \u00b7 filter " + (s[3] - 1), maps.getStack().getSliceLabel(s[3]));
			}
		}
		assertEquals(before, CommandTestBase.fingerprint(imp));
	}

	@Test
	void brainMriModelOnItsSamples() throws Exception {
		Path model = TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		List<Path> samples;
		try (Stream<Path> s = Files.list(model.resolve("samples"))) {
			samples = s.filter(p -> p.toString().endsWith(".jpg")).sorted().collect(Collectors.toList());
		}
		assertFalse(samples.isEmpty());
		ImagePlus imp = IJ.openImage(samples.get(0).toString());
		checkConvLayers(model, imp);
		// as RGB too: three channels straight into the 3-channel model
		ImagePlus rgb = new ImagePlus("rgb", imp.getProcessor().convertToRGB());
		checkConvLayers(model, rgb);
	}

	@Test
	void fashionMnistModelOnAGrayImage() {
		Path model = TestPaths.sharedOrSkip("models/fashion-mnist-cnn");
		Path img = TestPaths.shared().resolve("images").resolve("coins.png");
		ImagePlus imp = Files.exists(img) ? IJ.openImage(img.toString()) : IJ.createImage("ramp", "8-bit ramp", 40, 40, 1);
		assertTrue(imp.getWidth() > 28, "larger than the model input: resized");
		checkConvLayers(model, imp);
	}
}
