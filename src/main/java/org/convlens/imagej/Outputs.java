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

	/**
	 * Shows an image or table (a table under {@code title}; tables are not shown headless) under a
	 * title no open window has ({@link Titles#unique}), an image smaller than {@link #MIN_SCREEN}
	 * pixels zoomed in ({@link #zoomFor}).
	 */
	public static void show(Object value, String title) {
		if (value instanceof ImagePlus) {
			ImagePlus imp = (ImagePlus) value;
			imp.setTitle(Titles.unique(imp.getTitle()));
			imp.show();
			double z = zoomFor(imp.getWidth(), imp.getHeight());
			if (z > 1 && imp.getWindow() != null) ij.plugin.Zoom.set(imp, z);
		}
		else if (value instanceof ResultsTable) ((ResultsTable) value).show(Titles.unique(title));
	}

	/** Small images open zoomed so that their longer side is at least this many screen pixels. */
	public static final int MIN_SCREEN = 256;

	/**
	 * The smallest of ImageJ's zoom levels at which a {@code w x h} image's longer side is at least
	 * {@link #MIN_SCREEN} screen pixels (1 for images that are large enough; at most 32).
	 */
	public static double zoomFor(int w, int h) {
		int side = Math.max(w, h);
		if (side <= 0 || side >= MIN_SCREEN) return 1;
		double[] levels = { 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32 };
		for (double z : levels) if (side * z >= MIN_SCREEN) return z;
		return 32;
	}

	/**
	 * Saves an image as TIFF (with its Info metadata), plus PNG for RGB or single-plane images (an
	 * RGB stack: one {@code base_name_<slice label>.png} per slice), or a table as CSV, named
	 * {@code base_name.ext} in {@code dir}.
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
			if (imp.getBitDepth() == 24 && imp.getStackSize() > 1) {
				// one PNG per slice (a PNG holds one image; e.g. one max-activating montage per filter)
				java.util.Set<String> used = new java.util.HashSet<>();
				for (int i = 1; i <= imp.getStackSize(); i++) {
					String label = imp.getStack().getShortSliceLabel(i);
					String part = label == null || label.isBlank() ? String.format(java.util.Locale.ROOT, "%03d", i) : safe(label);
					if (!used.add(part)) part = part + "_" + i;
					Path png = dir.resolve(stem + "_" + part + ".png");
					ImagePlus one = new ImagePlus(imp.getTitle(), imp.getStack().getProcessor(i));
					if (!new FileSaver(one).saveAsPng(png.toString())) throw new IOException("Could not write " + png);
					files.add(png);
				}
			}
			else if (imp.getBitDepth() == 24 || imp.getStackSize() == 1) {
				Path png = dir.resolve(stem + ".png");
				ImagePlus flat = imp.getOverlay() != null ? figure(imp) : imp;
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

	/** As {@link #saveFlattened}, to the given PNG file: the current position's overlay, upscaled, caption below. */
	public static Path saveFlattenedAs(ImagePlus imp, Path png) throws IOException {
		Files.createDirectories(png.toAbsolutePath().getParent());
		if (!new FileSaver(figure(imp)).saveAsPng(png.toString())) throw new IOException("Could not write " + png);
		return png;
	}

	/**
	 * Adds a caption to the image's overlay, on one plane ({@code position} a stack index) or all
	 * (0): {@link #figure} draws it under the picture, e.g. to say that a map is not meaningful.
	 */
	public static void caption(ImagePlus imp, String text, int position) {
		ij.gui.TextRoi caption = new ij.gui.TextRoi(2, 2, text, new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
		caption.setPosition(position);
		ij.gui.Overlay ov = imp.getOverlay();
		if (ov == null) imp.setOverlay(ov = new ij.gui.Overlay());
		ov.add(caption);
	}

	/**
	 * The image's current position as a figure: its overlay drawn in, an image whose longer side is
	 * under {@link #ENLARGE_BELOW} pixels upscaled (nearest neighbour, by a whole factor) so that it
	 * is at least {@link #MIN_SCREEN} pixels, and the
	 * overlay's text (captions; montage tile labels stay on their tiles) and a heatmap overlay's colour scale
	 * ({@link HeatmapScale}) in a white band below the image instead of over it (the figure at
	 * least {@link #CAPTION_WIDTH} wide, so that a thin image's caption can be read). An RGB image;
	 * the source is not changed.
	 */
	public static ImagePlus figure(ImagePlus imp) {
		return figure(imp, ENLARGE_BELOW);
	}

	/**
	 * Figures of images at least this many pixels on their longer side keep their size: the usual
	 * 224-pixel network inputs are legible as they are, and enlarged they cost four times the pixels
	 * to write (most of a batch run's time).
	 */
	public static final int ENLARGE_BELOW = 128;

	private static ImagePlus figure(ImagePlus imp, int enlargeBelow) {
		// flatten() of a stack draws every position's overlay elements; keep those of the current one
		ImagePlus one;
		if (imp.getStackSize() == 1) one = imp.duplicate(); // keeps LUT, display range, composite colours
		else {
			one = new ImagePlus(imp.getTitle(), imp.getProcessor().duplicate());
			one.setCalibration(imp.getCalibration());
		}
		ij.gui.Overlay ov = imp.getOverlay(), keep = new ij.gui.Overlay();
		List<String> captions = new ArrayList<>();
		HeatmapScale scale = null; // a heatmap overlay's colours and range: drawn under the image
		int idx = imp.getCurrentSlice();
		for (int i = 0; ov != null && i < ov.size(); i++) {
			ij.gui.Roi r = ov.get(i);
			boolean here = r.hasHyperStackPosition() ? (r.getZPosition() == 0 || r.getZPosition() == imp.getSlice()) &&
				(r.getTPosition() == 0 || r.getTPosition() == imp.getFrame()) : r.getPosition() == 0 || r.getPosition() == idx;
			if (!here) continue;
			if (r instanceof ij.gui.TextRoi && !TILE_LABEL.equals(r.getName())) {
				captions.add(((ij.gui.TextRoi) r).getText().trim());
				continue;
			}
			if (scale == null) scale = HeatmapScale.of(r);
			ij.gui.Roi c = (ij.gui.Roi) r.clone();
			c.setPosition(0);
			keep.add(c);
		}
		// a figure holds one plane: say which, or a stack's PNG passes for the whole stack's result
		if (imp.getStackSize() > 1) captions.add(planeOf(imp));
		one.setOverlay(keep.size() > 0 ? keep : null);
		ImagePlus flat = one.flatten();
		int w = flat.getWidth(), h = flat.getHeight();
		int k = Math.max(w, h) >= enlargeBelow ? 1 : Math.max(1, (int) Math.ceil((double) MIN_SCREEN / Math.max(w, h)));
		ij.process.ImageProcessor big = flat.getProcessor();
		if (k > 1) big = replicate(big, k);
		if (captions.isEmpty() && scale == null) return new ImagePlus(imp.getTitle(), big);
		ij.process.ColorProcessor probe = new ij.process.ColorProcessor(1, 1);
		java.awt.Font font = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13);
		probe.setFont(font);
		int width = Math.max(big.getWidth(), CAPTION_WIDTH); // a thin image's caption still readable
		List<String> lines = new ArrayList<>();
		for (String c : captions) for (String l : c.split("\n")) lines.addAll(wrap(probe, l, width - 8));
		int lineH = probe.getFontMetrics().getHeight();
		int barH = scale == null ? 0 : HeatmapScale.HEIGHT;
		ij.process.ColorProcessor out = new ij.process.ColorProcessor(width, big.getHeight() + lines.size() * lineH + 8 + barH);
		out.setColor(java.awt.Color.WHITE);
		out.fill();
		out.insert(big, 0, 0);
		out.setFont(font);
		out.setAntialiasedText(true);
		out.setColor(java.awt.Color.BLACK);
		int y = big.getHeight() + 4 + probe.getFontMetrics().getAscent();
		for (String l : lines) {
			out.drawString(l, 4, y);
			y += lineH;
		}
		if (scale != null) scale.draw(out, big.getHeight() + 4 + lines.size() * lineH + 6, new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
		return new ImagePlus(imp.getTitle(), out);
	}

	/** For the Log: which plane of a stack the figure {@code png} shows, or null for a one-plane image. */
	public static String planeNote(ImagePlus imp, Path png) {
		return imp.getStackSize() > 1 ? "note: " + png.getFileName() + " shows " + planeOf(imp) : null;
	}

	/** Which plane of a stack a figure shows, e.g. "slice 1 of 5 (this figure shows one; the TIFF holds all 5)". */
	static String planeOf(ImagePlus imp) {
		int n = imp.getStackSize();
		String where = imp.isHyperStack() ? String.format(java.util.Locale.ROOT, "position c=%d z=%d t=%d of %d planes", imp.getChannel(), imp.getSlice(),
			imp.getFrame(), n) : "slice " + imp.getCurrentSlice() + " of " + n;
		return where + " (this figure shows one; the TIFF holds all " + n + ")";
	}

	/**
	 * Nearest-neighbour upscaling by a whole factor: each pixel becomes a {@code k x k} block. The same
	 * pixels as ImageJ's {@code resize} without interpolation (tested), by row copies instead of a
	 * floating-point source position per pixel: on batched runs this was a quarter of the writers' time.
	 */
	static ij.process.ImageProcessor replicate(ij.process.ImageProcessor ip, int k) {
		if (!(ip instanceof ij.process.ColorProcessor)) {
			ip.setInterpolationMethod(ij.process.ImageProcessor.NONE);
			return ip.resize(ip.getWidth() * k, ip.getHeight() * k);
		}
		int w = ip.getWidth(), h = ip.getHeight(), bw = w * k;
		int[] src = (int[]) ip.getPixels();
		int[] dst = new int[bw * h * k];
		for (int y = 0; y < h; y++) {
			int row = y * k * bw;
			for (int x = 0; x < w; x++) java.util.Arrays.fill(dst, row + x * k, row + x * k + k, src[y * w + x]);
			for (int r = 1; r < k; r++) System.arraycopy(dst, row, dst, row + r * bw, bw);
		}
		return new ij.process.ColorProcessor(bw, h * k, dst);
	}

	/**
	 * The name of a montage tile's label: a figure draws it in place, over its tile and in its
	 * colour (red marks a flagged filter), not in the caption band, where it would lose its tile.
	 */
	public static final String TILE_LABEL = "ConvLens tile label";

	/** The narrowest caption band: a thin image's figure is widened (white) so that its caption can be read. */
	static final int CAPTION_WIDTH = 200;

	/**
	 * {@code text} broken at spaces into lines at most {@code width} pixels wide; a longer word (layer
	 * lists joined by '+', long class names) is broken too, after a '+', ',', '/' or '_' where it can
	 * be, rather than cut off at the image's edge.
	 */
	static List<String> wrap(ij.process.ImageProcessor ip, String text, int width) {
		List<String> lines = new ArrayList<>();
		StringBuilder cur = new StringBuilder();
		for (String word : text.split(" ")) {
			String next = cur.length() == 0 ? word : cur + " " + word;
			if (ip.getStringWidth(next) <= width) {
				cur = new StringBuilder(next);
				continue;
			}
			if (cur.length() > 0) lines.add(cur.toString());
			String rest = word;
			while (rest.length() > 1 && ip.getStringWidth(rest) > width) {
				int n = 1;
				while (n < rest.length() && ip.getStringWidth(rest.substring(0, n + 1)) <= width) n++;
				int cut = n;
				for (int i = n; i > n / 2; i--) {
					if ("+,/_".indexOf(rest.charAt(i - 1)) >= 0) {
						cut = i;
						break;
					}
				}
				lines.add(rest.substring(0, cut));
				rest = rest.substring(cut);
			}
			cur = new StringBuilder(rest);
		}
		if (cur.length() > 0) lines.add(cur.toString());
		return lines;
	}

	/** A file-name-safe version of a title. */
	public static String safe(String s) {
		String t = s == null ? "image" : s.replaceAll("\\.(tiff?|png|jpe?g|gif|bmp)$", "");
		t = t.replaceAll("[^A-Za-z0-9._-]+", "_");
		return t.isEmpty() ? "image" : t;
	}

}
