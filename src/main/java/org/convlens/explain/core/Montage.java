package org.convlens.explain.core;

import java.util.List;

import org.convlens.model.Preprocessing;

/** Tiles equally sized images into one grid, row by row, as plain channel planes. */
public final class Montage {

	private Montage() {}

	/**
	 * @param tiles images of one size and channel count
	 * @param columns tiles per row; 0 or less = about square
	 * @param gap pixels between tiles
	 * @param background value of the gaps and empty cells
	 */
	public static Preprocessing.Planes grid(List<Preprocessing.Planes> tiles, int columns, int gap, float background) {
		if (tiles.isEmpty()) throw new IllegalArgumentException("No images to tile.");
		Preprocessing.Planes first = tiles.get(0);
		int tw = first.width, th = first.height, c = first.channels().length;
		for (Preprocessing.Planes t : tiles) {
			if (t.width != tw || t.height != th || t.channels().length != c) {
				throw new IllegalArgumentException("Montage tiles differ in size or channels.");
			}
		}
		int n = tiles.size();
		int cols = columns > 0 ? Math.min(columns, n) : (int) Math.ceil(Math.sqrt(n));
		int rows = (n + cols - 1) / cols;
		int g = Math.max(0, gap);
		int mw = cols * tw + (cols - 1) * g, mh = rows * th + (rows - 1) * g;
		float[][] out = new float[c][mw * mh];
		for (float[] p : out) java.util.Arrays.fill(p, background);
		for (int i = 0; i < n; i++) {
			int ox = (i % cols) * (tw + g), oy = (i / cols) * (th + g);
			Preprocessing.Planes t = tiles.get(i);
			for (int ch = 0; ch < c; ch++) {
				for (int y = 0; y < th; y++) System.arraycopy(t.channels()[ch], y * tw, out[ch], (oy + y) * mw + ox, tw);
			}
		}
		return new Preprocessing.Planes(out, mw, mh, first.typeMax, first.rgb);
	}

	/** Top-left corner {@code {x, y}} of tile {@code i} in a grid made by {@link #grid}, for labels. */
	public static int[] origin(int i, int n, int columns, int tileWidth, int tileHeight, int gap) {
		int cols = columns > 0 ? Math.min(columns, n) : (int) Math.ceil(Math.sqrt(n));
		int g = Math.max(0, gap);
		return new int[] { (i % cols) * (tileWidth + g), (i / cols) * (tileHeight + g) };
	}
}
