package org.convlens.docs;

import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import javax.imageio.ImageIO;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Menus;
import ij.WindowManager;
import ij.gui.ImageWindow;

/**
 * Makes the README screenshots of ImageJ showing an activation hyperstack with its montage and
 * the all-layers overview, of {@code fashion-plain} (trained on Fashion-MNIST) on three real
 * Fashion-MNIST test images (28x28, shown at 800 %). Not a test; run under a virtual display:
 * <pre>
 * xvfb-run -a -s "-screen 0 1280x860x24" mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.docs.Screenshots
 * </pre>
 * writes docs/images/activations.png and docs/images/overview.png.
 */
public final class Screenshots {

	private Screenshots() {}

	public static void main(String[] args) throws Exception {
		Path model = Paths.get("test-data/models/fashion-plain").toAbsolutePath();
		Path out = Paths.get(args.length > 0 ? args[0] : "docs/images");
		Files.createDirectories(out);
		new ImageJ();
		register();
		// a small Z stack of three real Fashion-MNIST test images, so the hyperstack has a z slider
		ImageStack st = new ImageStack(28, 28);
		for (String f : new String[] { "00-ankle-boot.tif", "02-trouser.tif", "18-bag.tif" }) {
			st.addSlice(f, IJ.openImage("test-data/images/fashion/" + f).getProcessor());
		}
		ImagePlus src = new ImagePlus("fashion.tif", st);
		src.show();
		place(src, 10, 110, 800);
		IJ.run(src, "Show Activations...", "model=[" + model + "] layer=conv2d_1 montage stats");
		IJ.wait(1500);
		ImagePlus maps = WindowManager.getImage("fashion-activations-conv2d_1");
		maps.setPosition(5, 1, 1);
		place(maps, 350, 110, 1600);
		ImagePlus grid = WindowManager.getImage("fashion-montage-conv2d_1");
		place(grid, 650, 110, 100);
		src.setSlice(1);
		Window stats = WindowManager.getWindow("fashion-FilterStatistics-conv2d_1");
		if (stats != null) {
			stats.setBounds(10, 500, 640, 320);
			stats.toFront();
		}
		IJ.wait(1500);
		Robot robot = new Robot();
		save(robot.createScreenCapture(new Rectangle(0, 0, 1270, 840)), out.resolve("activations.png"));

		for (int id : WindowManager.getIDList()) {
			ImagePlus i = WindowManager.getImage(id);
			if (i != src) {
				i.changes = false;
				i.close();
			}
		}
		if (stats != null) stats.dispose();
		src.setSlice(1);
		IJ.run(src, "All Layers Overview...", "model=[" + model + "]");
		IJ.wait(1500);
		ImagePlus ov = WindowManager.getImage("fashion-overview");
		place(ov, 10, 110, 100);
		IJ.wait(1500);
		ImageWindow w = ov.getWindow();
		save(robot.createScreenCapture(w.getBounds()), out.resolve("overview.png"));
		System.out.println("Screenshots in " + out.toAbsolutePath());
		System.exit(0);
	}

	private static void place(ImagePlus imp, int x, int y, int zoomPercent) {
		ImageWindow w = imp.getWindow();
		w.setLocation(x, y);
		IJ.run(imp, "Set... ", "zoom=" + zoomPercent);
		IJ.wait(300);
		w.setLocation(x, y);
		w.toFront();
	}

	private static void save(BufferedImage img, Path file) throws Exception {
		ImageIO.write(img, "png", new File(file.toString()));
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
