package org.convlens.docs;

import java.awt.Checkbox;
import java.awt.Dialog;
import java.awt.EventQueue;
import java.awt.Frame;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convlens.commands.IJ1Bridge;
import org.convlens.imagej.Titles;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.ImageWindow;
import ij.process.ImageConverter;

/**
 * Screenshots of every ConvLens dialog and every result window, as a user meets them through the
 * menus (dialogs filled with their defaults, OK clicked), on the demo model and image. Not a test;
 * run under a virtual display:
 * <pre>
 * xvfb-run -a -s "-screen 0 1280x860x24" mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.docs.DialogScreenshots
 * </pre>
 * writes docs/images/dialogs/&lt;command&gt;-dialog-N.png and &lt;command&gt;-result-N.png (8-bit
 * indexed colour, at most 640 pixels wide, to keep them small), listed in docs/dialogs.md.
 */
public final class DialogScreenshots {

	private DialogScreenshots() {}

	/** Command class (simple name) by file-name stem, in menu order. */
	private static final Map<String, String> COMMANDS = new LinkedHashMap<>();
	static {
		COMMANDS.put("show-activations", "ShowActivations");
		COMMANDS.put("all-layers-overview", "AllLayersOverview");
		COMMANDS.put("show-predictions", "ShowPredictions");
		COMMANDS.put("class-activation-map", "ClassActivationMap");
		COMMANDS.put("filter-patterns", "ShowFilterPatterns");
		COMMANDS.put("first-layer-weights", "FirstLayerWeights");
		COMMANDS.put("max-activating-images", "MaxActivatingImages");
		COMMANDS.put("cnn-codes", "CnnCodesExport");
		COMMANDS.put("embedding-map", "EmbeddingMap");
		COMMANDS.put("occlusion-map", "OcclusionMap");
		COMMANDS.put("saliency-map", "SaliencyMap");
		COMMANDS.put("heatmap-faithfulness", "HeatmapFaithfulness");
	}

	public static void main(String[] args) throws Exception {
		Path model = Paths.get("test-data/models/shapes-keras").toAbsolutePath();
		Path folder = Paths.get("test-data/images/localization").toAbsolutePath();
		Path out = Paths.get(args.length > 0 ? args[0] : "docs/images/dialogs");
		Files.createDirectories(out);
		new ImageJ();
		Robot robot = new Robot();
		for (Map.Entry<String, String> c : COMMANDS.entrySet()) {
			String simple = c.getValue();
			closeAll();
			Prefs.set("convlens.model", model.toString());
			Prefs.set("convlens." + simple + ".source", "folder");
			Prefs.set("convlens." + simple + ".folder", folder.toString());
			Prefs.set("convlens." + simple + ".recursive", "false");
			Prefs.set("convlens." + simple + ".csv", "");
			ImagePlus src = IJ.openImage("test-data/images/demo-ring.tif");
			src.show();
			IJ.wait(500);
			src.getWindow().setLocation(900, 120);
			Set<Window> before = Collections.newSetFromMap(new IdentityHashMap<>());
			for (Window w : Window.getWindows()) if (w.isVisible()) before.add(w);
			before.remove(src.getWindow());
			Throwable[] failure = new Throwable[1];
			Thread run = new Thread(() -> {
				try {
					WindowManager.setTempCurrentImage(src);
					IJ1Bridge.runCommand("org.convlens.commands." + simple, null);
				}
				catch (Throwable t) {
					failure[0] = t;
				}
			}, "Run$_" + simple);
			run.start();
			int dialogs = 0;
			Set<Window> seen = Collections.newSetFromMap(new IdentityHashMap<>());
			long end = System.currentTimeMillis() + 180_000;
			while (run.isAlive() && System.currentTimeMillis() < end) {
				for (Window w : Window.getWindows()) {
					if (!(w instanceof Dialog) || !w.isShowing() || seen.contains(w) || before.contains(w)) continue;
					seen.add(w);
					BufferedImage shot = null;
					// a dialog just shown may not be painted yet: capture again until it is
					for (int tries = 0; tries < 4 && (shot == null || blank(shot)); tries++) {
						IJ.wait(800);
						w.toFront();
						IJ.wait(200);
						shot = robot.createScreenCapture(w.getBounds());
					}
					if (blank(shot)) shot = printed(w); // still not on screen: let the dialog paint itself
					save(shot, out.resolve(c.getKey() + "-dialog-" + (++dialogs) + ".png"));
					if (w instanceof GenericDialog) {
						GenericDialog gd = (GenericDialog) w;
						// Filter Patterns: open the advanced options too, to show that dialog
						if (gd.getCheckboxes() != null) for (Object o : gd.getCheckboxes()) {
							Checkbox cb = (Checkbox) o;
							if (cb.getLabel().startsWith("Advanced options")) cb.setState(true);
						}
						EventQueue.invokeLater(() -> gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK")));
					}
					else {
						System.err.println(simple + ": unexpected dialog " + ((Dialog) w).getTitle());
						EventQueue.invokeLater(w::dispose);
					}
				}
				Thread.sleep(150);
			}
			run.join(60_000);
			if (failure[0] != null) System.err.println(simple + ": " + failure[0]);
			IJ.wait(1500);
			int results = 0;
			List<Window> shown = new ArrayList<>();
			for (Window w : Window.getWindows()) {
				if (!w.isShowing() || before.contains(w) || seen.contains(w) || !(w instanceof Frame) || w == IJ.getInstance()) continue;
				if (w == src.getWindow() && src.getOverlay() == null) continue;
				shown.add(w);
			}
			int x = 10;
			for (Window w : shown) {
				w.setLocation(Math.min(x, 700), 120);
				x += 40;
				w.toFront();
				IJ.wait(500);
				Rectangle r = w.getBounds().intersection(new Rectangle(0, 0, 1280, 860));
				String what = w instanceof ImageWindow ? Titles.stem(((ImageWindow) w).getImagePlus().getTitle()) : ((Frame) w).getTitle();
				BufferedImage shot = robot.createScreenCapture(r);
				if (uniform(shot)) continue; // e.g. an empty table of skipped files
				System.out.println(c.getKey() + "-result-" + (results + 1) + ": " + what);
				save(shot, out.resolve(c.getKey() + "-result-" + (++results) + ".png"));
			}
		}
		closeAll();
		System.out.println("Screenshots in " + out.toAbsolutePath());
		System.exit(0);
	}

	/** The window painted into an image by itself (AWT's printAll), for a window the screen capture misses. */
	private static BufferedImage printed(Window w) throws Exception {
		BufferedImage img = new BufferedImage(Math.max(1, w.getWidth()), Math.max(1, w.getHeight()), BufferedImage.TYPE_INT_RGB);
		EventQueue.invokeAndWait(() -> {
			java.awt.Graphics g = img.getGraphics();
			g.setColor(w.getBackground() == null ? java.awt.Color.LIGHT_GRAY : w.getBackground());
			g.fillRect(0, 0, img.getWidth(), img.getHeight());
			w.printAll(g);
			g.dispose();
		});
		return img;
	}

	/** Whether a capture has one colour only. */
	private static boolean uniform(BufferedImage img) {
		int first = img.getRGB(0, 0);
		for (int y = 0; y < img.getHeight(); y += 2) for (int x = 0; x < img.getWidth(); x += 2) if (img.getRGB(x, y) != first) return false;
		return true;
	}

	/** Whether a capture is mostly black (a window not painted yet). */
	private static boolean blank(BufferedImage img) {
		int black = 0, n = 0;
		for (int y = 0; y < img.getHeight(); y += 4) {
			for (int x = 0; x < img.getWidth(); x += 4) {
				n++;
				if ((img.getRGB(x, y) & 0xffffff) == 0) black++;
			}
		}
		return black > n / 2;
	}

	private static void closeAll() {
		for (Window w : Window.getWindows()) {
			if (w == IJ.getInstance() || !w.isShowing()) continue;
			if (w instanceof ImageWindow) {
				ImagePlus imp = ((ImageWindow) w).getImagePlus();
				imp.changes = false;
				imp.close();
			}
			else if (w instanceof ij.text.TextWindow) ((ij.text.TextWindow) w).close(false);
			else w.dispose();
		}
		IJ.wait(300);
	}

	/** Saves a capture as 8-bit indexed colour, at most 640 pixels wide (small files for the docs). */
	private static void save(BufferedImage img, Path file) {
		ImagePlus imp = new ImagePlus("shot", img);
		if (imp.getWidth() > 640) {
			imp.getProcessor().setInterpolationMethod(ij.process.ImageProcessor.BILINEAR);
			imp = new ImagePlus("shot", imp.getProcessor().resize(640, imp.getHeight() * 640 / imp.getWidth(), true));
		}
		if (imp.getBitDepth() != 24) imp = new ImagePlus("shot", imp.getProcessor().convertToRGB());
		new ImageConverter(imp).convertRGBtoIndexedColor(256);
		IJ.saveAs(imp, "PNG", file.toString());
	}
}
