package org.convlens.explain.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.convlens.TestPaths;
import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.core.Progress;
import org.convlens.explain.faithfulness.RandomizationCheck;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

/**
 * The default CAM layer on real graphs: the generated models (including one whose last spatial
 * layer is a 1x1 max-pool) and, where present, the two models of ../shared. At the defaults every
 * CAM method gives a non-constant map on a layer larger than 1x1; on the 1x1 layer the map is
 * constant, said so, and the randomisation check says "Not meaningful".
 */
class DefaultLayerCamTest {

	private static NdArray demoRing() {
		ij.ImagePlus imp = ij.IJ.openImage(TestPaths.testData().resolve("images").resolve("demo-ring.tif").toString());
		ij.process.ImageProcessor ip = imp.getProcessor();
		float[] d = new float[ip.getWidth() * ip.getHeight()];
		for (int i = 0; i < d.length; i++) d[i] = ip.getf(i) / 255f;
		return new NdArray(new int[] { 1, ip.getHeight(), ip.getWidth(), 1 }, d);
	}

	@Test
	void generatedModelsDefaultToAnActivatedConvolutionLargerThanOneByOne() {
		for (String name : List.of("shapes-keras", "shapes-tf1", "shapes-gap", "last-1x1")) {
			try (ConvModel m = Models.open(TestPaths.model(name))) {
				LayerInfo def = m.info().defaultCamLayer();
				// shapes: conv2d_2 (8x8, the Relu of the last conv); last-1x1: conv2d_1 (32x32), not max_pooling2d_1 (1x1)
				assertEquals(name.equals("last-1x1") ? "conv2d_1" : "conv2d_2", def.name(), name);
				assertEquals("Relu", def.opType(), name + ": the activated output");
				assertTrue(org.convlens.model.CamLayers.isConvolution(def), def + " " + def.opTypes());
				assertTrue(def.opTypes().containsAll(List.of("Conv2D", "BiasAdd", "Relu")), def.opTypes().toString());
				assertEquals(def.name(), m.info().camLayerChoices().get(0));
				NdArray x = demoRing();
				for (CamMethod method : CamMethod.values()) {
					Heatmap hm = new ClassActivationMaps(m).withMethod(method).compute(x, Progress.NONE).get(0);
					Heatmap.LayerMap lm = hm.layerMaps().get(0);
					String what = method.label() + " on " + name;
					assertEquals(def.name(), lm.layer(), what);
					assertTrue(lm.width() > 1 && lm.height() > 1, what);
					assertTrue(Heatmaps.max(hm.values()) > Heatmaps.min(hm.values()), what + " is constant: " + hm.caption());
					assertNull(hm.problem(), what);
				}
			}
		}
	}

	@Test
	void theOneByOneLayerGivesAConstantMapThatIsNamedAndNotMeaningful() {
		try (ConvModel m = Models.open(TestPaths.model("last-1x1"))) {
			assertEquals("max_pooling2d_1", m.info().lastSpatialLayer().name(), "the old default");
			NdArray x = demoRing();
			Heatmap hm = new ClassActivationMaps(m).withLayers(List.of("max_pooling2d_1")).compute(x, Progress.NONE).get(0);
			assertEquals(Heatmaps.max(hm.values()), Heatmaps.min(hm.values()), 0, "one value spread over the image");
			assertNotNull(hm.problem());
			assertTrue(hm.caption().contains("1x1"), hm.caption());
			int t = hm.classIndex();
			RandomizationCheck.Result r = new RandomizationCheck().run(m, x, t,
				new CamHeatmap(CamMethod.GRAD_CAM, List.of("max_pooling2d_1"), 32), Progress.NONE);
			assertTrue(r.verdict().startsWith("Not meaningful: the original map is"), r.verdict());
			assertTrue(!r.verdict().contains("Passed") && !r.insensitive());
			for (RandomizationCheck.Step s : r.steps()) assertTrue(Double.isNaN(s.spearman()), s.layer() + ": " + s.spearman());
			// at the default layer the check has something to say
			RandomizationCheck.Result ok = new RandomizationCheck().run(m, x, t, new CamHeatmap(), Progress.NONE);
			assertNull(org.convlens.explain.core.Degenerate.describe(ok.original().data()));
			assertTrue(!ok.verdict().startsWith("Not meaningful: the original map"), ok.verdict());
		}
	}

	@Test
	void realModelsAtTheDefaults() throws IOException {
		Path brain = TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		Path fashion = TestPaths.sharedOrSkip("models/fashion-mnist-cnn");
		List<Path> samples;
		try (Stream<Path> s = Files.list(brain.resolve("samples"))) {
			samples = s.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(3).collect(Collectors.toList());
		}
		check(brain, samples, Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE), true);
		check(fashion, List.of(TestPaths.sharedOrSkip("images/coins.png")), Preprocessing.defaults(), false);
	}

	private static void check(Path dir, List<Path> images, Preprocessing pre, boolean l2) throws IOException {
		try (ConvModel m = Models.open(dir)) {
			LayerInfo def = m.info().defaultCamLayer();
			int[] shape = m.info().imageInput().shape();
			System.out.printf(Locale.ROOT, "%s: default CAM layer %s %s (last spatial layer %s %s)%n", dir.getFileName(), def.name(),
				java.util.Arrays.toString(def.shape()), m.info().lastSpatialLayer().name(), java.util.Arrays.toString(m.info().lastSpatialLayer().shape()));
			assertTrue(def.shape()[1] > 1 && def.shape()[2] > 1, def.toString());
			for (Path f : images) {
				BufferedImage bi = ImageIO.read(f.toFile());
				NdArray x = pre.apply(RealModelsCamTest.planes(bi, shape[3]), shape);
				if (l2) RealModelsCamTest.normalizeColumns(x);
				for (CamMethod method : CamMethod.values()) {
					Heatmap hm = new ClassActivationMaps(m).withMethod(method).compute(x, Progress.NONE).get(0);
					String what = method.label() + " on " + dir.getFileName() + "/" + f.getFileName();
					assertEquals(def.name(), hm.layerMaps().get(0).layer(), what);
					assertTrue(Heatmaps.max(hm.values()) > Heatmaps.min(hm.values()), what + " is constant: " + hm.caption());
				}
			}
		}
	}
}
