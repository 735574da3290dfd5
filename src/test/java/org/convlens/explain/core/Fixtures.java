package org.convlens.explain.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageProcessor;
import org.convlens.explain.cam.CamHeatmap;

/** Shared test inputs: the generated shapes model and images, a reference Grad-CAM, random maps. */
public final class Fixtures {

	private Fixtures() {}

	/** One localization image with its ground truth. */
	public static final class Labelled {
		public final String file;
		public final int label;
		public final NdArray input;
		public final int x0, y0, x1, y1;

		Labelled(String file, int label, NdArray input, int x0, int y0, int x1, int y1) {
			this.file = file;
			this.label = label;
			this.input = input;
			this.x0 = x0;
			this.y0 = y0;
			this.x1 = x1;
			this.y1 = y1;
		}

		public boolean inBox(int x, int y) {
			return x >= x0 && x <= x1 && y >= y0 && y <= y1;
		}
	}

	public static Path shapesModel() {
		return TestPaths.model("shapes-keras");
	}

	/** A one-channel image file as the model sees it: {@code [1, H, W, 1]}, 8-bit values / 255. */
	static NdArray readImage(Path file) {
		ImagePlus imp = IJ.openImage(file.toString());
		if (imp == null) throw new IllegalStateException("Cannot open " + file);
		ImageProcessor ip = imp.getProcessor();
		int w = ip.getWidth(), h = ip.getHeight();
		float[] d = new float[w * h];
		for (int i = 0; i < d.length; i++) d[i] = ip.getf(i) / 255f;
		return new NdArray(new int[] { 1, h, w, 1 }, d);
	}

	public static NdArray demoRing() {
		return readImage(TestPaths.testData().resolve("images/demo-ring.tif"));
	}

	public static List<Labelled> localization() {
		Path dir = TestPaths.testData().resolve("images/localization");
		List<Labelled> out = new ArrayList<>();
		try {
			List<String> lines = Files.readAllLines(dir.resolve("ground-truth.csv"));
			for (String line : lines.subList(1, lines.size())) {
				if (line.isBlank()) continue;
				String[] f = line.split(",");
				out.add(new Labelled(f[0], Integer.parseInt(f[1]), readImage(dir.resolve(f[0])), Integer.parseInt(f[5]),
					Integer.parseInt(f[6]), Integer.parseInt(f[7]), Integer.parseInt(f[8])));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out;
	}

	/** A map of uniform random values. */
	public static NdArray randomMap(int h, int w, long seed) {
		Random r = new Random(seed);
		float[] d = new float[h * w];
		for (int i = 0; i < d.length; i++) d[i] = r.nextFloat();
		return new NdArray(new int[] { h, w }, d);
	}

	/** Index of the largest value. */
	public static int argMax(float[] v) {
		int k = 0;
		for (int i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
		return k;
	}

	/**
	 * A minimal Grad-CAM for tests (the real one lives in org.convlens.explain.cam): channel
	 * weights are the spatial means of the class-logit gradient at {@code layer}; the map is
	 * {@code relu(sum_k w_k A_k)} resampled to the input size.
	 * The independent reference that {@link CamHeatmap} is checked against.
	 */
	public static HeatmapMethod gradCam(String layer) {
		return (model, input, target, progress) -> {
			NdArray w = ExplainMath.oneHot(1, model.info().numClasses(), target);
			var g = model.gradients(input, ConvModel.LOGITS, w, List.of(layer));
			NdArray a = g.activation(layer), d = g.gradient(layer);
			int h = a.dim(1), wd = a.dim(2), c = a.dim(3);
			double[] alpha = new double[c];
			for (int i = 0; i < d.size(); i++) alpha[i % c] += d.data()[i] / (h * wd);
			float[] cam = new float[h * wd];
			for (int p = 0; p < h * wd; p++) {
				double s = 0;
				for (int k = 0; k < c; k++) s += alpha[k] * a.data()[p * c + k];
				cam[p] = (float) Math.max(0, s);
			}
			return ExplainMath.resize(new NdArray(new int[] { h, wd }, cam), input.dim(1), input.dim(2));
		};
	}
}
