package org.convlens.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * Every method on the two real Keras models in ../shared/models (skipped when absent): a finite,
 * non-constant map. The brain MRI model gets its sample images as raw 0..255 RGB (as its app
 * feeds them); Fashion-MNIST has no samples, so it gets real grey images from ../shared/images
 * scaled to 28 x 28 and /255.
 */
class RealModelsTest {

	static List<HeatmapMethod> methods(ConvModel m) {
		List<HeatmapMethod> list = new ArrayList<>();
		list.add(new VanillaGradient());
		list.add(new SmoothGrad());
		list.add(new IntegratedGradients());
		list.add(new IntegratedGradients().withBaseline(IntegratedGradients.Baseline.BLURRED));
		list.add(new GuidedBackprop());
		list.add(new GuidedBackprop(GuidedBackprop.Rule.DECONVNET));
		list.add(new GuidedGradCam(new CamHeatmap(org.convlens.explain.cam.CamMethod.GRAD_CAM, List.of(camLayer(m)), 32)));
		list.add(new Occlusion());
		return list;
	}

	/** Grad-CAM on the last feature map at least 8 px wide (a 3 x 3 map says little). */
	static String camLayer(ConvModel m) {
		String best = m.info().lastSpatialLayer().name();
		for (org.convlens.model.LayerInfo l : m.info().spatialLayers()) if (l.shape()[2] >= 8) best = l.name();
		return best;
	}

	static void check(ConvModel m, String name, List<NdArray> images, boolean useArgmax) {
		int h = m.info().imageInput().shape()[1], w = m.info().imageInput().shape()[2];
		StringBuilder log = new StringBuilder();
		for (int i = 0; i < images.size(); i++) {
			NdArray x = images.get(i);
			float[] before = x.data().clone();
			float[] p = m.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
			int target = useArgmax ? Fixtures.argMax(p) : 0;
			for (HeatmapMethod hm : methods(m)) {
				NdArray map = hm.heatmap(m, x, target, Progress.NONE);
				assertTrue(map.dim(0) == h && map.dim(1) == w, hm + ": " + map);
				float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
				for (float v : map.data()) {
					assertTrue(Float.isFinite(v), name + " image " + i + " " + hm + ": not finite");
					lo = Math.min(lo, v);
					hi = Math.max(hi, v);
				}
				assertTrue(hi > lo, name + " image " + i + " " + hm + ": constant " + lo);
				log.append(String.format(Locale.ROOT, "%n  image %d class %d %-60s %.3g .. %.3g", i, target, hm.toString().split(" ")[0], lo, hi));
			}
			Occlusion.Result occ = new Occlusion().compute(m, x, target, Progress.NONE);
			log.append(String.format(Locale.ROOT, "%n  image %d occlusion measured %s in %d passes", i, occ.score(), occ.passes()));
			IntegratedGradients.Result ig = new IntegratedGradients().attribute(m, x, target, Progress.NONE);
			log.append(String.format(Locale.ROOT, "%n  image %d integrated gradients: completeness error %.3f %% after %d steps", i,
				100 * ig.completenessError(), ig.steps()));
			assertTrue(java.util.Arrays.equals(before, x.data()), "input untouched");
		}
		System.out.println(name + ":" + log);
	}

	@Test
	void brainMri() throws Exception {
		Path dir = TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		List<NdArray> images = new ArrayList<>();
		try (Stream<Path> s = Files.list(dir.resolve("samples"))) {
			for (Path f : s.filter(p -> p.toString().endsWith(".jpg")).sorted().collect(Collectors.toList())) {
				ImagePlus imp = IJ.openImage(f.toString());
				ColorProcessor cp = (ColorProcessor) imp.getProcessor().convertToRGB();
				cp.setInterpolationMethod(ImageProcessor.BILINEAR);
				ColorProcessor small = (ColorProcessor) cp.resize(64, 64);
				float[] d = new float[64 * 64 * 3];
				for (int i = 0; i < 64 * 64; i++) {
					int c = small.get(i);
					d[3 * i] = (c >> 16) & 255;
					d[3 * i + 1] = (c >> 8) & 255;
					d[3 * i + 2] = c & 255;
				}
				images.add(new NdArray(new int[] { 1, 64, 64, 3 }, d));
			}
		}
		assertTrue(images.size() >= 3);
		try (ConvModel m = Models.open(dir)) {
			check(m, "brain-mri-tumor64", images, false);
		}
	}

	@Test
	void fashionMnist() {
		Path dir = TestPaths.sharedOrSkip("models/fashion-mnist-cnn");
		Path pics = TestPaths.sharedOrSkip("images");
		List<NdArray> images = new ArrayList<>();
		for (String f : new String[] { "camera.png", "coins.png", "cell.png" }) {
			ImagePlus imp = IJ.openImage(pics.resolve(f).toString());
			ImageProcessor ip = imp.getProcessor().convertToFloat();
			ip.setInterpolationMethod(ImageProcessor.BILINEAR);
			ImageProcessor small = ip.resize(28, 28, true);
			float[] d = new float[28 * 28];
			for (int i = 0; i < d.length; i++) d[i] = small.getf(i) / 255f;
			images.add(new NdArray(new int[] { 1, 28, 28, 1 }, d));
		}
		try (ConvModel m = Models.open(dir)) {
			check(m, "fashion-mnist-cnn", images, true);
		}
	}
}
