package org.convlens.explain.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.convlens.TestPaths;
import org.convlens.explain.core.Heatmaps;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

/**
 * Every method on the two real Keras models of ../shared (skipped when absent): a finite,
 * non-constant heatmap that resizes to the image's size. The brain MRI model comes with sample
 * slices; the Fashion-MNIST model has none, so it sees a real grey-level photograph.
 */
class RealModelsCamTest {

	@Test
	void brainMriSamples() throws IOException {
		Path model = TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		List<Path> samples;
		try (Stream<Path> s = Files.list(model.resolve("samples"))) {
			samples = s.filter(p -> p.toString().endsWith(".jpg")).sorted().collect(Collectors.toList());
		}
		assertTrue(samples.size() >= 1);
		// SOURCE.txt: 64x64 RGB, trained on keras.utils.normalize(x, axis=1), an L2 normalisation of
		// each column of each channel; raw 0..255 pixels drive the logits to +-10^4
		check(model, samples, Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE), true);
	}

	@Test
	void fashionMnistOnARealImage() throws IOException {
		Path model = TestPaths.sharedOrSkip("models/fashion-mnist-cnn");
		Path image = TestPaths.sharedOrSkip("images/coins.png");
		// SOURCE.txt: grey 28x28, / 255
		check(model, List.of(image), Preprocessing.defaults(), false);
	}

	private static void check(Path modelDir, List<Path> images, Preprocessing pre, boolean l2Columns) throws IOException {
		try (ConvModel m = Models.open(modelDir)) {
			int[] shape = m.info().imageInput().shape();
			for (Path f : images) {
				BufferedImage bi = ImageIO.read(f.toFile());
				int w = bi.getWidth(), h = bi.getHeight();
				NdArray x = pre.apply(planes(bi, shape[3]), shape);
				if (l2Columns) normalizeColumns(x);
				for (CamMethod method : CamMethod.values()) {
					long t0 = System.nanoTime();
					Heatmap hm = new ClassActivationMaps(m).withMethod(method).compute(x, null).get(0);
					long ms = (System.nanoTime() - t0) / 1000000;
					// at the default layer: never a 1x1 map (that gives a constant heatmap)
					Heatmap.LayerMap lm = hm.layerMaps().get(0);
					assertEquals(m.info().defaultCamLayer().name(), lm.layer());
					assertTrue(lm.width() > 1 || lm.height() > 1, lm.layer() + " is 1x1");
					assertEquals(null, hm.problem(), hm.caption());
					assertEquals(shape[2], hm.width());
					assertEquals(shape[1], hm.height());
					float[] onImage = hm.resized(w, h);
					assertEquals(w * h, onImage.length);
					String what = method.label() + " on " + modelDir.getFileName() + " / " + f.getFileName();
					for (float v : onImage) assertTrue(Float.isFinite(v) && v >= 0, what + ": " + v);
					assertTrue(Heatmaps.max(onImage) > Heatmaps.min(onImage), what + " is constant");
					System.out.printf(Locale.ROOT, "%-40s %-13s %s, max %.3g, %d ms%n", modelDir.getFileName() + "/" + f.getFileName(), method.label(),
						hm.caption(), Heatmaps.max(hm.values()), ms);
				}
			}
		}
	}

	/** {@code x / ||x||} along the height axis of {@code [1, H, W, C]}, as keras.utils.normalize(x, axis=1). */
	static void normalizeColumns(NdArray x) {
		int H = x.dim(1), W = x.dim(2), C = x.dim(3);
		float[] d = x.data();
		for (int c = 0; c < C; c++) {
			for (int col = 0; col < W; col++) {
				double s = 0;
				for (int y = 0; y < H; y++) s += d[(y * W + col) * C + c] * d[(y * W + col) * C + c];
				if (s == 0) continue;
				double n = Math.sqrt(s);
				for (int y = 0; y < H; y++) d[(y * W + col) * C + c] /= n;
			}
		}
	}

	static Preprocessing.Planes planes(BufferedImage bi, int channels) {
		int w = bi.getWidth(), h = bi.getHeight();
		List<float[]> ch = new ArrayList<>();
		int n = channels == 1 ? 1 : 3;
		for (int c = 0; c < n; c++) ch.add(new float[w * h]);
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				int rgb = bi.getRGB(x, y);
				int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
				if (n == 1) ch.get(0)[y * w + x] = (r + g + b) / 3f;
				else {
					ch.get(0)[y * w + x] = r;
					ch.get(1)[y * w + x] = g;
					ch.get(2)[y * w + x] = b;
				}
			}
		}
		return new Preprocessing.Planes(ch.toArray(new float[0][]), w, h, 255, n == 3);
	}
}
