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
 * The README screenshot of a Grad-CAM overlay on the demo image, with the heatmap image and the
 * predictions table. Run under Xvfb:
 * xvfb-run -a -s "-screen 0 1280x860x24" mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.docs.CamScreenshots
 */
public final class CamScreenshots {

	private CamScreenshots() {}

	public static void main(String[] args) throws Exception {
		Path model = Paths.get("test-data/models/shapes-keras").toAbsolutePath();
		Path out = Paths.get(args.length > 0 ? args[0] : "docs/images");
		Files.createDirectories(out);
		new ImageJ();
		register();
		ImagePlus src = IJ.openImage("test-data/images/demo-ring.tif");
		src.show();
		place(src, 10, 110, 1200);
		IJ.run(src, "Class Activation Map...", "model=[" + model + "] method=Grad-CAM target=top lut=jet opacity=0.5 threshold=0.15 overlay predict top=3 batch=32");
		IJ.wait(1500);
		ImagePlus hm = startingWith("demo-ring-GradCAM-");
		if (hm != null) place(hm, 440, 110, 800);
		Window preds = WindowManager.getWindow("demo-ring-Predictions");
		if (preds != null) {
			preds.setBounds(10, 560, 760, 200);
			preds.toFront();
		}
		WindowManager.setCurrentWindow(src.getWindow());
		src.getWindow().toFront();
		IJ.wait(1500);
		Robot robot = new Robot();
		ImageIO.write(robot.createScreenCapture(new Rectangle(0, 100, 800, 670)), "png", new File(out.resolve("cam-overlay.png").toString()));
		System.out.println("Screenshot in " + out.toAbsolutePath());
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

	private static void register() throws Exception {
		@SuppressWarnings("unchecked")
		java.util.Hashtable<String, String> cmds = Menus.getCommands();
		for (String line : Files.readAllLines(Paths.get("plugins.config"))) {
			if (line.startsWith("#") || line.isBlank()) continue;
			int q1 = line.indexOf('"'), q2 = line.indexOf('"', q1 + 1);
			cmds.put(line.substring(q1 + 1, q2), line.substring(line.indexOf(',', q2) + 1).trim());
		}
	}

	/** The open image whose title starts with {@code prefix} (the layer ends the title). */
	private static ImagePlus startingWith(String prefix) {
		for (int id : WindowManager.getIDList()) {
			ImagePlus i = WindowManager.getImage(id);
			if (i.getTitle().startsWith(prefix)) return i;
		}
		return null;
	}
}
