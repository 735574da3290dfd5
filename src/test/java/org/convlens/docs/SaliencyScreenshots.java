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
 * Makes the README pictures of the saliency commands on {@code fashion-plain} (trained on
 * Fashion-MNIST) and a real Fashion-MNIST test image shown at 800 %: Occlusion Map with its
 * overlay, Saliency Map (SmoothGrad, Integrated Gradients, guided Grad-CAM) and the
 * deletion/insertion plot of Heatmap Faithfulness. Not a test; run under a virtual display:
 * <pre>
 * xvfb-run -a -s "-screen 0 1280x860x24" mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.docs.SaliencyScreenshots
 * </pre>
 * writes docs/images/occlusion.png, saliency.png and deletion-curve.png.
 */
public final class SaliencyScreenshots {

	/** A shipped Fashion-MNIST test image (test-data/images/fashion). */
	static final String IMAGE = "00-ankle-boot.tif";

	private SaliencyScreenshots() {}

	public static void main(String[] args) throws Exception {
		// the plain stack: guided Grad-CAM needs a plain ReLU chain (fashion-resnet is refused)
		Path model = Paths.get("test-data/models/fashion-plain").toAbsolutePath();
		Path out = Paths.get(args.length > 0 ? args[0] : "docs/images");
		Files.createDirectories(out);
		new ImageJ();
		register();
		Robot robot = new Robot();
		String m = "model=[" + model + "]";

		// a real 28x28 Fashion-MNIST test image, shown 8x (display zoom only: the model sees 28x28)
		ImagePlus src = IJ.openImage("test-data/images/fashion/" + IMAGE);
		src.setTitle(IMAGE);
		src.show();
		place(src, 10, 110, 800);
		IJ.run(src, "Occlusion Map...", m + " patch=0 stride=0 fill=mean target=top batch=32 overlay");
		IJ.wait(1500);
		ImagePlus occ = WindowManager.getImage(IMAGE.replaceFirst("\\.[^.]*$", "") + "-occlusion");
		place(occ, 270, 110, 800);
		place(src, 10, 110, 800);
		IJ.wait(1000);
		robot.mouseMove(1200, 800);
		save(robot, union(src.getWindow(), occ.getWindow()), out.resolve("occlusion.png"));
		closeAllBut(src);
		src.setOverlay(null);

		IJ.run(src, "Saliency Map...", m + " method=smoothgrad target=top samples=50 noise=15 batch=16 overlay");
		IJ.wait(1000);
		ImagePlus sg = WindowManager.getImage(IMAGE.replaceFirst("\\.[^.]*$", "") + "-smoothgrad");
		IJ.run(src, "Saliency Map...", m + " method=integrated-gradients target=top steps=50 baseline=black batch=16");
		IJ.wait(1000);
		ImagePlus ig = WindowManager.getImage(IMAGE.replaceFirst("\\.[^.]*$", "") + "-integratedGradients");
		IJ.run(src, "Saliency Map...", m + " method=guided-gradcam target=top batch=16");
		IJ.wait(1000);
		ImagePlus gg = WindowManager.getImage(IMAGE.replaceFirst("\\.[^.]*$", "") + "-guidedGradcam");
		place(src, 10, 110, 800);
		place(sg, 270, 110, 800);
		place(ig, 530, 110, 800);
		place(gg, 790, 110, 800);
		IJ.wait(1000);
		save(robot, union(src.getWindow(), gg.getWindow()), out.resolve("saliency.png"));
		closeAllBut(src);
		src.setOverlay(null);

		IJ.run(src, "Heatmap Faithfulness...", m + " method=Grad-CAM target=top steps=50 score=auto randomization");
		IJ.wait(2500);
		Window plot = null;
		for (int id : WindowManager.getIDList()) {
			ImagePlus i = WindowManager.getImage(id);
			if (i.getTitle().contains("deletion and insertion")) plot = i.getWindow();
		}
		if (plot != null) {
			plot.setLocation(10, 110);
			plot.toFront();
			IJ.wait(1000);
			save(robot, plot.getBounds(), out.resolve("deletion-curve.png"));
		}
		else System.err.println("No plot window");
		System.out.println("Screenshots in " + out.toAbsolutePath());
		System.exit(0);
	}

	private static Rectangle union(Window a, Window b) {
		return a.getBounds().union(b.getBounds());
	}

	private static void closeAllBut(ImagePlus keep) {
		for (int id : WindowManager.getIDList()) {
			ImagePlus i = WindowManager.getImage(id);
			if (i != keep) {
				i.changes = false;
				i.close();
			}
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
