package org.convlens.docs;

import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import javax.imageio.ImageIO;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;
import ij.gui.ImageWindow;

/**
 * Makes the README pictures of Filter Patterns (conv2d_2, the last convolution, of {@code
 * fashion-plain}, trained on Fashion-MNIST by the test-data generator) and First-Layer Weights
 * (its conv2d), as ImageJ shows them. Not a test;
 * run under a virtual display:
 * <pre>
 * xvfb-run -a -s "-screen 0 1280x900x24" mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.docs.PatternScreenshots
 * </pre>
 * writes docs/images/filter-patterns.png and docs/images/first-layer-weights.png.
 */
public final class PatternScreenshots {

	private PatternScreenshots() {}

	public static void main(String[] args) throws Exception {
		Path out = Paths.get(args.length > 0 ? args[0] : "docs/images");
		Files.createDirectories(out);
		Path model = Paths.get("test-data/models/fashion-plain").toAbsolutePath();
		String layer = "conv2d_2";
		new ImageJ();
		register();
		Robot robot = new Robot();

		IJ.run("Filter Patterns...", "model=[" + model + "] layer=" + layer + " filters=all iterations=30 seed=0");
		IJ.wait(1500);
		ImagePlus grid = find("-patterns-");
		place(grid, 10, 110, 100);
		Window table = WindowManager.getWindow(org.convlens.imagej.Titles.of(model.getFileName().toString(), "Pattern results", layer));
		if (table != null) table.setVisible(false);
		IJ.wait(1500);
		save(robot, grid.getWindow().getBounds(), out.resolve("filter-patterns.png"));
		closeAll();

		IJ.run("First-Layer Weights...", "model=[" + model + "] zoom=8 contrast=shared");
		IJ.wait(1500);
		ImagePlus w = find("-kernels-");
		place(w, 10, 110, 100);
		IJ.wait(1500);
		save(robot, w.getWindow().getBounds(), out.resolve("first-layer-weights.png"));
		System.out.println("Pictures in " + out.toAbsolutePath());
		System.exit(0);
	}

	private static ImagePlus find(String suffix) {
		for (int id : WindowManager.getIDList()) {
			ImagePlus i = WindowManager.getImage(id);
			if (i.getTitle().contains(suffix) && i.getTitle().endsWith("-montage")) return i;
		}
		throw new IllegalStateException("No window ending in '" + suffix + "'");
	}

	private static void closeAll() {
		for (int id : WindowManager.getIDList()) {
			ImagePlus i = WindowManager.getImage(id);
			i.changes = false;
			i.close();
		}
	}

	private static void place(ImagePlus imp, int x, int y, int zoomPercent) {
		ImageWindow w = imp.getWindow();
		w.setLocation(x, y);
		IJ.run(imp, "Set... ", "zoom=" + zoomPercent);
		IJ.wait(300);
		w.setLocation(x, y);
		w.toFront();
	}

	private static void save(Robot robot, Rectangle r, Path file) throws Exception {
		ImageIO.write(robot.createScreenCapture(r), "png", new File(file.toString()));
	}

	/** The plugins.config entries, as ImageJ reads them from ConvLens_.jar in plugins/. */
	private static void register() throws Exception {
		@SuppressWarnings("unchecked")
		java.util.Hashtable<String, String> cmds = Menus.getCommands();
		for (String line : Files.readAllLines(Paths.get("plugins.config"))) {
			if (line.startsWith("#") || line.isBlank()) continue;
			int q1 = line.indexOf('"'), q2 = line.indexOf('"', q1 + 1);
			cmds.put(line.substring(q1 + 1, q2), line.substring(line.indexOf(',', q2) + 1).trim());
		}
	}
}
