package org.convlens.imagej;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.measure.ResultsTable;

/**
 * Shows or saves command outputs ({@link ImagePlus}, {@link ResultsTable}). Display can be
 * switched off per thread (batch runs, tests), so the same commands serve GUI and headless use.
 */
public final class Outputs {

	private static final ThreadLocal<Boolean> DISPLAY = ThreadLocal.withInitial(() -> null);

	private Outputs() {}

	/** Turns display of outputs off (or back on) for commands run on this thread. */
	public static void setDisplay(boolean on) {
		DISPLAY.set(on);
	}

	/** The per-thread setting, null when not set; pair with {@link #restoreDisplay}. */
	public static Boolean displaySetting() {
		return DISPLAY.get();
	}

	/** Restores a setting read by {@link #displaySetting()}. */
	public static void restoreDisplay(Boolean setting) {
		if (setting == null) DISPLAY.remove();
		else DISPLAY.set(setting);
	}

	/**
	 * Whether outputs should be shown: on unless switched off for this thread or by
	 * {@code -Dconvlens.display=false}, and only where they can be: with a display, or headless
	 * inside a running macro (images then become batch-mode images).
	 */
	public static boolean display() {
		Boolean b = DISPLAY.get();
		if (b != null && !b) return false;
		if (b == null && "false".equals(System.getProperty("convlens.display"))) return false;
		return !java.awt.GraphicsEnvironment.isHeadless() || ij.IJ.isMacro() || ij.macro.Interpreter.isBatchMode();
	}

	/** Shows an image or table (a table under its title; tables are not shown headless). */
	public static void show(Object value, String title) {
		if (value instanceof ImagePlus) ((ImagePlus) value).show();
		else if (value instanceof ResultsTable) ((ResultsTable) value).show(title);
	}

	/**
	 * Saves an image as TIFF (with its Info metadata), plus PNG for RGB or single-plane images, or a
	 * table as CSV, named {@code base_name.ext} in {@code dir}.
	 *
	 * @return the files written
	 */
	public static List<Path> save(Object value, Path dir, String base, String name) throws IOException {
		return saveAs(value, dir, safe(base) + "_" + safe(name));
	}

	/** As {@link #save}, named {@code stem.ext} (a stem already safe for file names, kept as it is). */
	public static List<Path> saveAs(Object value, Path dir, String stem) throws IOException {
		Files.createDirectories(dir);
		List<Path> files = new ArrayList<>();
		if (value instanceof ImagePlus) {
			ImagePlus imp = (ImagePlus) value;
			Path tif = dir.resolve(stem + ".tif");
			FileSaver fs = new FileSaver(imp);
			boolean ok = imp.getStackSize() > 1 ? fs.saveAsTiffStack(tif.toString()) : fs.saveAsTiff(tif.toString());
			if (!ok) throw new IOException("Could not write " + tif);
			files.add(tif);
			if (imp.getBitDepth() == 24 || imp.getStackSize() == 1) {
				Path png = dir.resolve(stem + ".png");
				ImagePlus flat = imp.getOverlay() != null ? imp.flatten() : imp;
				if (!new FileSaver(flat).saveAsPng(png.toString())) throw new IOException("Could not write " + png);
				files.add(png);
			}
		}
		else if (value instanceof ResultsTable) {
			Path csv = dir.resolve(stem + ".csv");
			if (!((ResultsTable) value).save(csv.toString())) throw new IOException("Could not write " + csv);
			files.add(csv);
		}
		return files;
	}

	/** The files {@link #saveAs} would write for a value, without writing them. */
	public static List<Path> targets(Object value, Path dir, String stem) {
		List<Path> files = new ArrayList<>();
		if (value instanceof ImagePlus) {
			ImagePlus imp = (ImagePlus) value;
			files.add(dir.resolve(stem + ".tif"));
			if (imp.getBitDepth() == 24 || imp.getStackSize() == 1) files.add(dir.resolve(stem + ".png"));
		}
		else if (value instanceof ResultsTable) files.add(dir.resolve(stem + ".csv"));
		return files;
	}


	/**
	 * Saves the image's current position with its overlay drawn into it as {@code base_name.png}
	 * (RGB); the image itself is not changed.
	 */
	public static Path saveFlattened(ImagePlus imp, Path dir, String base, String name) throws IOException {
		return saveFlattenedAs(imp, dir.resolve(safe(base) + "_" + safe(name) + ".png"));
	}

	/** As {@link #saveFlattened}, to the given PNG file. */
	public static Path saveFlattenedAs(ImagePlus imp, Path png) throws IOException {
		Files.createDirectories(png.toAbsolutePath().getParent());
		ImagePlus flat = imp.getStackSize() > 1 ? flattenCurrent(imp) : imp.flatten();
		if (!new FileSaver(flat).saveAsPng(png.toString())) throw new IOException("Could not write " + png);
		return png;
	}

	private static ImagePlus flattenCurrent(ImagePlus imp) {
		// flatten() of a stack draws every position's overlay elements; keep those of the current one
		ImagePlus one = new ImagePlus(imp.getTitle(), imp.getProcessor().duplicate());
		one.setCalibration(imp.getCalibration());
		ij.gui.Overlay ov = imp.getOverlay(), keep = new ij.gui.Overlay();
		int idx = imp.getCurrentSlice();
		for (int i = 0; i < ov.size(); i++) {
			ij.gui.Roi r = ov.get(i);
			boolean here = r.hasHyperStackPosition() ? (r.getZPosition() == 0 || r.getZPosition() == imp.getSlice()) &&
				(r.getTPosition() == 0 || r.getTPosition() == imp.getFrame()) : r.getPosition() == 0 || r.getPosition() == idx;
			if (here) {
				ij.gui.Roi c = (ij.gui.Roi) r.clone();
				c.setPosition(0);
				keep.add(c);
			}
		}
		one.setOverlay(keep);
		return one.flatten();
	}

	/** A file-name-safe version of a title. */
	public static String safe(String s) {
		String t = s == null ? "image" : s.replaceAll("\\.(tiff?|png|jpe?g|gif|bmp)$", "");
		t = t.replaceAll("[^A-Za-z0-9._-]+", "_");
		return t.isEmpty() ? "image" : t;
	}

}
