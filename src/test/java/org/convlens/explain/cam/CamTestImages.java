package org.convlens.explain.cam;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.convlens.TestPaths;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

/** The generated localization images with their ground truth, and the pointing game on them. */
public final class CamTestImages {

	private CamTestImages() {}

	/** One image of test-data/images/localization and its row of ground-truth.csv. */
	public static final class Located {
		final String file;
		public final int label;
		final float[] pixels; // 0..255
		final int width, height;
		final int x0, y0, x1, y1; // inclusive bounding box

		Located(String file, int label, float[] pixels, int width, int height, int x0, int y0, int x1, int y1) {
			this.file = file;
			this.label = label;
			this.pixels = pixels;
			this.width = width;
			this.height = height;
			this.x0 = x0;
			this.y0 = y0;
			this.x1 = x1;
			this.y1 = y1;
		}

		/** Whether pixel {@code p = y * width + x} lies in the box grown by {@code tol} pixels. */
		boolean hits(int p, int tol) {
			int x = p % width, y = p / width;
			return x >= x0 - tol && x <= x1 + tol && y >= y0 - tol && y <= y1 + tol;
		}

		/** The model input, preprocessed as the model asks (8-bit / 255 for the generated models). */
		public NdArray input(ModelInfo info) {
			return Preprocessing.forModel(info).apply(new Preprocessing.Planes(new float[][] { pixels.clone() }, width, height, 255, false),
				info.imageInput().shape());
		}
	}

	public static List<Located> localization() {
		Path dir = TestPaths.testData().resolve("images/localization");
		try {
			List<String> lines = Files.readAllLines(dir.resolve("ground-truth.csv"), StandardCharsets.UTF_8);
			List<Located> out = new ArrayList<>();
			for (String line : lines.subList(1, lines.size())) {
				if (line.isBlank()) continue;
				String[] f = line.split(",");
				BufferedImage bi = ImageIO.read(dir.resolve(f[0]).toFile());
				if (bi == null) throw new IOException("ImageIO cannot read " + f[0]);
				Raster r = bi.getRaster();
				float[] px = new float[bi.getWidth() * bi.getHeight()];
				for (int y = 0; y < bi.getHeight(); y++) for (int x = 0; x < bi.getWidth(); x++) px[y * bi.getWidth() + x] = r.getSample(x, y, 0);
				out.add(new Located(f[0], Integer.parseInt(f[1]), px, bi.getWidth(), bi.getHeight(), Integer.parseInt(f[5]),
					Integer.parseInt(f[6]), Integer.parseInt(f[7]), Integer.parseInt(f[8])));
			}
			return out;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static NdArray batch(List<Located> images, ModelInfo info) {
		List<NdArray> items = new ArrayList<>();
		for (Located l : images) items.add(l.input(info));
		return NdArray.concat(items);
	}

	/**
	 * The pointing game: the fraction of images whose heatmap peak (at the 32x32 input size) falls
	 * in the object's bounding box grown by {@code tol} pixels. Each image is explained for its
	 * true class.
	 */
	public static double pointingGame(ClassActivationMaps cam, ModelInfo info, List<Located> images, int tol) {
		int hits = 0;
		for (Located l : images) {
			Heatmap h = cam.withTarget(Target.classIndex(l.label)).compute(l.input(info), null).get(0);
			if (l.hits(h.peak(), tol)) hits++;
		}
		return (double) hits / images.size();
	}

	/**
	 * The pointing game of a peak drawn uniformly at random: its expected score, the mean fraction of
	 * the image covered by the grown box (computed exactly, not sampled).
	 */
	public static double randomPointing(List<Located> images, int tol) {
		double sum = 0;
		for (Located l : images) {
			int n = 0;
			for (int p = 0; p < l.width * l.height; p++) if (l.hits(p, tol)) n++;
			sum += (double) n / (l.width * l.height);
		}
		return sum / images.size();
	}

	/** The pointing game of a peak always at the image centre (objects are often centred). */
	public static double centrePointing(List<Located> images, int tol) {
		int hits = 0;
		for (Located l : images) if (l.hits(l.height / 2 * l.width + l.width / 2, tol)) hits++;
		return (double) hits / images.size();
	}
}
