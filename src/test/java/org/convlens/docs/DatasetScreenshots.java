package org.convlens.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

import org.convlens.commands.CommandRunner;
import org.convlens.commands.Contexts;
import org.convlens.commands.EmbeddingMap;
import org.convlens.commands.MaxActivatingImages;
import org.scijava.Context;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;

/**
 * Makes the README pictures of the dataset commands on the 50 real Fashion-MNIST test images
 * shipped in {@code test-data/images/fashion} (copied into class sub-folders of a temporary folder,
 * so that the folder names are the labels) with {@code fashion-plain}, trained on Fashion-MNIST by
 * the test-data generator. Not a test; run under a virtual display (fonts as in the GUI):
 * <pre>
 * xvfb-run -a mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.docs.DatasetScreenshots
 * </pre>
 * writes docs/images/max-activating.png (patches of filters 0-3 of conv2d_2, side by side) and
 * docs/images/embedding-grid.png (the t-SNE scatter by label next to the image grid).
 */
public final class DatasetScreenshots {

	private DatasetScreenshots() {}

	public static void main(String[] args) throws Exception {
		Path model = Paths.get("test-data/models/fashion-plain").toAbsolutePath();
		Path out = Paths.get(args.length > 0 ? args[0] : "docs/images");
		Files.createDirectories(out);
		Path data = Files.createTempDirectory("convlens-fashion");
		Path shipped = Paths.get("test-data/images/fashion");
		for (String line : Files.readAllLines(shipped.resolve("labels.csv")).subList(1, 51)) {
			String[] f = line.split(",");
			Path dir = data.resolve(f[2].replace('/', '-'));
			Files.createDirectories(dir);
			Files.copy(shipped.resolve(f[0]), dir.resolve(f[0]));
		}
		Context ctx = Contexts.get();

		// the last convolution (7x7, receptive field 18 of 28 pixels): patches big enough to show parts of garments
		Map<String, Object> in = common(model, data);
		in.put("layer", "conv2d_2");
		in.put("filters", "0-3");
		in.put("top", 9);
		in.put("patch", true);
		in.put("tile", 72);
		ImagePlus stack = (ImagePlus) CommandRunner.run(ctx, CommandRunner.create(ctx, MaxActivatingImages.class), in, false).get("montages");
		// the four montages side by side, each under its slice label
		int gap = 8, head = 20, w = stack.getWidth(), n = stack.getStackSize();
		ColorProcessor row = new ColorProcessor(n * w + (n - 1) * gap, stack.getHeight() + head);
		row.setColor(java.awt.Color.white);
		row.fill();
		row.setColor(java.awt.Color.black);
		row.setFont(new java.awt.Font("SansSerif", java.awt.Font.BOLD, 13));
		row.setAntialiasedText(true);
		for (int i = 1; i <= n; i++) {
			int x = (i - 1) * (w + gap);
			row.insert(stack.getStack().getProcessor(i), x, head);
			row.drawString(stack.getStack().getSliceLabel(i), x + 4, head - 3);
		}
		save(new ImagePlus("max-activating", row), out.resolve("max-activating.png"));

		in = common(model, data);
		in.put("perplexity", 10.0);
		in.put("iterations", 1000);
		in.put("seed", 42L);
		in.put("color", "label");
		in.put("grid", 10);
		in.put("cell", 42);
		Map<String, Object> o = CommandRunner.run(ctx, CommandRunner.create(ctx, EmbeddingMap.class), in, false);
		ImagePlus plot = (ImagePlus) o.get("plot"), grid = (ImagePlus) o.get("images");
		int h = Math.max(plot.getHeight(), grid.getHeight());
		ColorProcessor both = new ColorProcessor(plot.getWidth() + grid.getWidth() + 12, h);
		both.setColor(java.awt.Color.white);
		both.fill();
		both.insert(plot.getProcessor().convertToColorProcessor(), 0, (h - plot.getHeight()) / 2);
		both.insert(grid.getProcessor(), plot.getWidth() + 12, (h - grid.getHeight()) / 2);
		save(new ImagePlus("embedding", both), out.resolve("embedding-grid.png"));
		System.out.println("wrote " + out.resolve("max-activating.png") + " and " + out.resolve("embedding-grid.png"));
		System.exit(0);
	}

	private static Map<String, Object> common(Path model, Path data) {
		Map<String, Object> in = new LinkedHashMap<>();
		in.put("model", model.toFile());
		in.put("source", "folder");
		in.put("folder", data.toFile());
		in.put("recursive", true);
		in.put("labels", true);
		return in;
	}

	private static void save(ImagePlus imp, Path p) {
		if (!new FileSaver(imp).saveAsPng(p.toString())) throw new IllegalStateException("Cannot write " + p);
	}
}
