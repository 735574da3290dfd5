package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;

import org.convlens.model.Preprocessing;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.TextRoi;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

/**
 * ImageJ images from display planes in 0..255 ({@link Preprocessing.Planes}, as filter patterns
 * and kernel images come): a stack with one labelled image per plane set (RGB for three colour
 * channels, 8-bit for one, otherwise a composite hyperstack with one channel per input channel)
 * and a labelled montage.
 */
public final class PlaneImages {

	/** Montage tiles are enlarged (nearest neighbour) to at least this many pixels, so labels fit. */
	public static final int MIN_TILE = 64;
	public static final int GAP = 2;
	private static final float BACKGROUND = 64;

	private PlaneImages() {}

	/**
	 * One image per entry, slice labels from {@code labels}.
	 *
	 * @param images equally sized, with equal channel counts
	 */
	public static ImagePlus stack(String title, List<Preprocessing.Planes> images, String[] labels) {
		if (images.isEmpty()) throw new IllegalArgumentException("No images.");
		Preprocessing.Planes first = images.get(0);
		int c = first.channels().length, w = first.width, h = first.height;
		ImageStack st = new ImageStack(w, h);
		boolean rgb = isRgb(first);
		for (int i = 0; i < images.size(); i++) {
			Preprocessing.Planes p = images.get(i);
			if (p.width != w || p.height != h || p.channels().length != c) throw new IllegalArgumentException("Images differ in size or channels.");
			String label = labels != null && i < labels.length ? labels[i] : null;
			if (rgb) st.addSlice(label, rgb(p));
			else for (int ch = 0; ch < c; ch++) st.addSlice(label, bytes(p.channels()[ch], w, h));
		}
		ImagePlus imp = new ImagePlus(title, st);
		if (!rgb && c > 1) {
			imp.setDimensions(c, images.size(), 1);
			imp = new CompositeImage(imp, ij.IJ.GRAYSCALE);
			imp.setOpenAsHyperStack(true);
		}
		for (int ch = 1; ch <= imp.getNChannels(); ch++) {
			imp.setC(ch);
			imp.setDisplayRange(0, 255);
		}
		imp.setC(1);
		return imp;
	}

	/**
	 * The images as a grid ({@link Montage#columns} columns) with each label in an overlay at the
	 * top left of its tile; labels of {@code flagged} tiles are red, others yellow.
	 */
	public static ImagePlus montage(String title, List<Preprocessing.Planes> images, String[] labels, boolean[] flagged) {
		if (images.isEmpty()) throw new IllegalArgumentException("No images.");
		Preprocessing.Planes first = images.get(0);
		int s = Math.max(1, (int) Math.ceil((double) MIN_TILE / Math.max(1, Math.min(first.width, first.height))));
		List<Preprocessing.Planes> tiles = new ArrayList<>();
		for (Preprocessing.Planes p : images) tiles.add(zoom(p, s));
		int n = tiles.size(), cols = Montage.columns(n);
		Preprocessing.Planes grid = org.convlens.explain.core.Montage.grid(tiles, cols, GAP, BACKGROUND);
		ImagePlus imp = stack(title, List.of(grid), null);
		if (labels != null) {
			Overlay ov = new Overlay();
			Font f = new Font("SansSerif", Font.PLAIN, 10);
			int tw = first.width * s, th = first.height * s;
			for (int k = 0; k < n && k < labels.length; k++) {
				int[] o = org.convlens.explain.core.Montage.origin(k, n, cols, tw, th, GAP);
				TextRoi t = new TextRoi(o[0] + 1, o[1], labels[k], f);
				t.setStrokeColor(flagged != null && k < flagged.length && flagged[k] ? Color.red : Color.yellow);
				t.setName(Outputs.TILE_LABEL);
				ov.add(t);
			}
			imp.setOverlay(ov);
		}
		return imp;
	}

	/** Nearest-neighbour enlargement by an integer factor. */
	public static Preprocessing.Planes zoom(Preprocessing.Planes p, int s) {
		if (s == 1) return p;
		int w = p.width * s, h = p.height * s;
		float[][] out = new float[p.channels().length][w * h];
		for (int c = 0; c < out.length; c++) {
			for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out[c][y * w + x] = p.channels()[c][(y / s) * p.width + x / s];
		}
		return new Preprocessing.Planes(out, w, h, p.typeMax, p.rgb);
	}

	/** Whether planes are shown as one RGB image. */
	public static boolean isRgb(Preprocessing.Planes p) {
		return p.rgb && p.channels().length == 3;
	}

	/** 0..255 values rounded to bytes. */
	public static int toByte(float v) {
		return (int) Math.max(0, Math.min(255, Math.round(v)));
	}

	private static ImageProcessor bytes(float[] v, int w, int h) {
		byte[] b = new byte[w * h];
		for (int i = 0; i < b.length; i++) b[i] = (byte) toByte(v[i]);
		return new ByteProcessor(w, h, b);
	}

	private static ImageProcessor rgb(Preprocessing.Planes p) {
		int n = p.width * p.height;
		int[] px = new int[n];
		for (int i = 0; i < n; i++) px[i] = toByte(p.channels()[0][i]) << 16 | toByte(p.channels()[1][i]) << 8 | toByte(p.channels()[2][i]);
		return new ColorProcessor(p.width, p.height, px);
	}
}
