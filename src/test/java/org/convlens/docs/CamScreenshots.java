package org.convlens.docs;

import java.awt.Color;
import java.awt.Font;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.convlens.imagej.HeatmapDisplay;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Menus;
import ij.WindowManager;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.text.TextWindow;

/**
 * The README's top picture: Grad-CAM at the defaults of Class Activation Map (default layer,
 * top class, jet, opacity 0.5, threshold 0.15) on six real Fashion-MNIST test images, with
 * {@code fashion-resnet} (trained on Fashion-MNIST by the test-data generator). Each 28x28 garment
 * is shown 6x enlarged (nearest neighbour) above its overlay (the map rendered by {@link
 * HeatmapDisplay#blended} on the enlarged image, the map enlarged bilinearly), with the predicted
 * class, its probability and the true class. Run under Xvfb:
 * <pre>
 * xvfb-run -a -s "-screen 0 1280x860x24" mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.docs.CamScreenshots
 * </pre>
 * writes docs/images/cam-overlay.png.
 */
public final class CamScreenshots {

	/** Shipped test images (test-data/images/fashion), one per class shown. */
	static final String[] FILES = { "00-ankle-boot.tif", "02-trouser.tif", "13-dress.tif", "08-sandal.tif", "18-bag.tif", "01-pullover.tif" };
	static final int ZOOM = 6;
	static final int GAP = 8;
	static final int TEXT = 40;
	static final int HEAD = 30;

	private CamScreenshots() {}

	public static void main(String[] args) throws Exception {
		Path model = Paths.get("test-data/models/fashion-resnet").toAbsolutePath();
		Path dir = Paths.get("test-data/images/fashion");
		Path out = Paths.get(args.length > 0 ? args[0] : "docs/images");
		Files.createDirectories(out);
		new ImageJ();
		register();
		List<String> csv = Files.readAllLines(dir.resolve("labels.csv"));
		ImageStack st = new ImageStack(28, 28);
		String[] truth = new String[FILES.length];
		for (int i = 0; i < FILES.length; i++) {
			st.addSlice(FILES[i], IJ.openImage(dir.resolve(FILES[i]).toString()).getProcessor());
			for (String l : csv) if (l.startsWith(FILES[i] + ",")) truth[i] = l.split(",")[2];
		}
		ImagePlus src = new ImagePlus("fashion", st);
		src.show();
		// the dialog's defaults (a macro must name its ticked boxes), layer left to the default
		IJ.run(src, "Class Activation Map...", "model=[" + model + "] method=Grad-CAM target=top lut=jet opacity=0.5 threshold=0.15 overlay predict top=1 batch=32");
		IJ.wait(1500);
		ImagePlus hm = startingWith("fashion-GradCAM-");
		ResultsTable preds = null;
		for (int k = 0; k < 40 && preds == null; k++, IJ.wait(250)) for (java.awt.Frame f : WindowManager.getNonImageWindows()) {
			if (f instanceof TextWindow && ((TextWindow) f).getResultsTable() != null
				&& ((TextWindow) f).getResultsTable().getColumnIndex("probability") != ResultsTable.COLUMN_NOT_FOUND) preds = ((TextWindow) f).getResultsTable();
		}
		if (hm == null || preds == null) {
			StringBuilder titles = new StringBuilder();
			for (String t : WindowManager.getImageTitles()) titles.append(t).append("; ");
			for (java.awt.Frame f : WindowManager.getNonImageWindows()) titles.append(f.getTitle()).append("; ");
			throw new IllegalStateException("no heatmap or predictions window among: " + titles + "\nLog: " + IJ.getLog());
		}
		String layer = org.convlens.imagej.Provenance.get(hm, "layers");

		int t = 28 * ZOOM;
		int w = FILES.length * t + (FILES.length + 1) * GAP;
		int h = HEAD + 2 * t + 3 * GAP + TEXT;
		ColorProcessor fig = new ColorProcessor(w, h);
		fig.setColor(Color.WHITE);
		fig.fill();
		fig.setAntialiasedText(true);
		fig.setFont(new Font("SansSerif", Font.PLAIN, 14));
		fig.setColor(Color.BLACK);
		fig.drawString("Grad-CAM (Class Activation Map at its defaults, layer " + layer + ") of fashion-resnet on Fashion-MNIST test images",
			GAP, HEAD - 8);
		for (int i = 0; i < FILES.length; i++) {
			ImageProcessor img = st.getProcessor(i + 1).duplicate();
			img.setInterpolationMethod(ImageProcessor.NONE);
			ImagePlus big = new ImagePlus(FILES[i], img.resize(t, t));
			FloatProcessor map = new FloatProcessor(28, 28, (float[]) hm.getStack().getPixels(i + 1));
			map.setInterpolationMethod(ImageProcessor.BILINEAR);
			float[] bigMap = (float[]) map.resize(t, t).getPixels();
			ColorProcessor over = (ColorProcessor) HeatmapDisplay.blended(big, bigMap, new HeatmapDisplay.OverlayStyle("jet", 0.5, 0.15, false, false))
				.getProcessor();
			int x = GAP + i * (t + GAP);
			fig.insert(big.getProcessor().convertToRGB(), x, HEAD);
			fig.insert(over, x, HEAD + t + GAP);
			String cls = preds.getStringValue("class", i);
			double p = preds.getValue("probability", i);
			fig.setColor(Color.BLACK);
			fig.drawString(String.format(Locale.ROOT, "%s %.2f", cls, p), x, HEAD + 2 * t + GAP + 20);
			fig.setColor(cls.equals(truth[i]) ? new Color(0, 110, 0) : new Color(180, 0, 0));
			fig.drawString("true: " + truth[i], x, HEAD + 2 * t + GAP + 38);
		}
		ImageIO.write(fig.getBufferedImage(), "png", new File(out.resolve("cam-overlay.png").toString()));
		System.out.println("Picture in " + out.toAbsolutePath());
		System.exit(0);
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

	private static ImagePlus startingWith(String prefix) {
		for (int id : WindowManager.getIDList()) {
			ImagePlus i = WindowManager.getImage(id);
			if (i.getTitle().startsWith(prefix)) return i;
		}
		return null;
	}
}
