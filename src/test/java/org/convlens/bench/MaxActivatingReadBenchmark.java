package org.convlens.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.DatasetViews;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;

/**
 * Max-Activating Images (run and montages of every filter of the default layer) on large JPEG
 * files, keeping the top patches as the images are read ({@link MaxActivating.Keep#PATCH}, as
 * the command does) against reading each shown image again for its montage tile
 * ({@link MaxActivating.Keep#NONE}); prints both times and their ratio. Not a test:
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.convlens.bench.MaxActivatingReadBenchmark [-Dexec.args="N WIDTH MODEL"]}
 * (default 35 RGB JPEGs of 2000 x 1500 pixels, test-data/models/wide-224).
 */
public final class MaxActivatingReadBenchmark {

	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 35;
		int w = args.length > 1 ? Integer.parseInt(args[1]) : 2000, h = w * 3 / 4;
		Path modelDir = Paths.get(args.length > 2 ? args[2] : "test-data/models/wide-224");
		Path tmp = Files.createTempDirectory("convlens-maxact-bench");
		try (ConvModel m = Models.open(modelDir)) {
			Random r = new Random(3);
			for (int i = 0; i < n; i++) {
				ColorProcessor cp = new ColorProcessor(w, h);
				int[] px = (int[]) cp.getPixels();
				// smooth colour gradients with blobs: JPEG-like content, not noise
				int cx = r.nextInt(w), cy = r.nextInt(h), rad = 100 + r.nextInt(w / 4);
				for (int y = 0; y < h; y++) {
					for (int x = 0; x < w; x++) {
						boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) < rad * rad;
						int red = in ? 220 : x * 255 / w, g = in ? 60 : y * 255 / h, b = (x + y + i * 37) & 255;
						px[y * w + x] = (red << 16) | (g << 8) | b;
					}
				}
				IJ.saveAs(new ImagePlus("b" + i, cp), "jpg", tmp.resolve(String.format(Locale.ROOT, "img_%03d.jpg", i)).toString());
			}
			ImageSource src = DatasetSources.folder(tmp, false, false);
			String layer = MaxActivating.defaultLayer(m);
			double[] t = new double[2];
			for (int rep = 0; rep < 2; rep++) {
				for (int k = 0; k < 2; k++) {
					MaxActivating.Keep keep = k == 0 ? MaxActivating.Keep.PATCH : MaxActivating.Keep.NONE;
					long t0 = System.nanoTime();
					MaxActivating.Result res = new MaxActivating(m).layer(layer).topK(9).keep(keep, 192).run(src, new DatasetRunner(m, null), null);
					ImagePlus mont = DatasetViews.montages("m", res, true, 96);
					double s = (System.nanoTime() - t0) / 1e9;
					if (rep == 1) t[k] = s; // the first round warms up
					System.out.printf(Locale.ROOT, "%s keep=%s: %d montages in %.2f s%n", rep == 0 ? "warm-up" : "timed", keep, mont.getStackSize(), s);
				}
			}
			System.out.printf(Locale.ROOT, "%d JPEGs %dx%d, layer %s: read again per tile %.2f s / kept patches %.2f s = %.1f x%n", n, w, h, layer,
				t[1], t[0], t[1] / t[0]);
		}
		finally {
			try (Stream<Path> s = Files.walk(tmp)) {
				s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}
}
