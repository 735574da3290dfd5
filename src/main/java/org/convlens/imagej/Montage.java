package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.TextRoi;
import ij.process.ColorProcessor;
import ij.process.LUT;

/**
 * A grid of equally sized maps, each with its own contrast (0.5-99.5 percentiles, or symmetric
 * around 0 with a blue-white-red LUT when signed), as DeepLearning-with-Python shows filters.
 * Small maps are enlarged (nearest neighbour) to at least {@link #MIN_TILE} pixels.
 */
public final class Montage {

	public static final int MIN_TILE = 32;
	public static final int GAP = 2;
	private static final int BACKGROUND = 0x404040;

	private Montage() {}

	/** Columns for {@code n} tiles: about twice as many as rows (8 for 32, 12 for 64). */
	public static int columns(int n) {
		return Math.max(1, Math.min(n, (int) Math.ceil(Math.sqrt(2.0 * n))));
	}

	/** Integer enlargement so a tile is at least {@link #MIN_TILE} wide and high. */
	public static int scale(int w, int h) {
		return Math.max(1, (int) Math.ceil((double) MIN_TILE / Math.max(1, Math.min(w, h))));
	}

	/** Renders the tiles (row-major planes of {@code w x h}) as an RGB grid of {@link #columns} columns. */
	public static ColorProcessor render(float[][] tiles, int w, int h, boolean signed) {
		return render(tiles, w, h, signed, columns(tiles.length));
	}

	/** As {@link #render(float[][], int, int, boolean)} with {@code cols} columns. */
	public static ColorProcessor render(float[][] tiles, int w, int h, boolean signed, int cols) {
		int n = tiles.length;
		cols = Math.max(1, Math.min(cols, n));
		int rows = (n + cols - 1) / cols;
		int s = scale(w, h), tw = w * s, th = h * s;
		ColorProcessor cp = new ColorProcessor(cols * tw + (cols + 1) * GAP, rows * th + (rows + 1) * GAP);
		cp.setColor(new Color(BACKGROUND));
		cp.fill();
		LUT lut = signed ? FeatureMaps.diverging() : FeatureMaps.gray();
		int[] pixels = (int[]) cp.getPixels();
		int W = cp.getWidth();
		for (int k = 0; k < n; k++) {
			double[] r = FeatureMaps.range(tiles[k], signed);
			int ox = GAP + (k % cols) * (tw + GAP), oy = GAP + (k / cols) * (th + GAP);
			for (int y = 0; y < th; y++) {
				for (int x = 0; x < tw; x++) {
					double v = (tiles[k][(y / s) * w + x / s] - r[0]) / (r[1] - r[0]);
					int i = (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
					pixels[(oy + y) * W + ox + x] = lut.getRGB(i) & 0xffffff;
				}
			}
		}
		return cp;
	}

	/** Position of tile {@code k} in a montage made by {@link #render}, as {x, y, w, h}. */
	public static int[] tileBounds(int n, int w, int h, int k) {
		return tileBounds(n, w, h, k, columns(n));
	}

	/** Position of tile {@code k} in a montage of {@code cols} columns, as {x, y, w, h}. */
	public static int[] tileBounds(int n, int w, int h, int k, int cols) {
		cols = Math.max(1, Math.min(cols, n));
		int s = scale(w, h);
		return new int[] { GAP + (k % cols) * (w * s + GAP), GAP + (k / cols) * (h * s + GAP), w * s, h * s };
	}

	/** A montage image with each tile's label in an overlay. */
	public static ImagePlus image(String title, float[][] tiles, int w, int h, boolean signed, String[] labels) {
		ImagePlus imp = new ImagePlus(title, render(tiles, w, h, signed));
		if (labels != null) {
			Overlay ov = new Overlay();
			Font f = new Font("SansSerif", Font.PLAIN, 9);
			for (int k = 0; k < tiles.length && k < labels.length; k++) {
				int[] b = tileBounds(tiles.length, w, h, k);
				TextRoi t = new TextRoi(b[0] + 1, b[1], labels[k], f);
				t.setStrokeColor(Color.yellow);
				t.setName(Outputs.TILE_LABEL);
				ov.add(t);
			}
			imp.setOverlay(ov);
		}
		return imp;
	}
}
