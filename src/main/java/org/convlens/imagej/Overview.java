package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;
import java.util.List;

import org.convlens.model.NdArray;

import ij.ImagePlus;
import ij.process.ColorProcessor;

/**
 * All spatial layers on one canvas: for each layer (top to bottom in graph order) a title line
 * with its name and shape, then the grid of its channels as {@link Montage} draws them, up to
 * {@link #COLUMNS} per row.
 */
public final class Overview {

	/** Height of a layer's title line. */
	public static final int TITLE = 18;
	/** Tiles per row, as DeepLearning-with-Python's layer grids. */
	public static final int COLUMNS = 16;

	private Overview() {}

	/**
	 * @param names layer names
	 * @param maps per layer, {@code [N, h, w, C]}; item {@code item} is drawn
	 */
	public static ImagePlus canvas(String title, List<String> names, List<NdArray> maps, int item) {
		ColorProcessor[] grids = new ColorProcessor[names.size()];
		int width = 0, height = 0;
		for (int i = 0; i < grids.length; i++) {
			NdArray a = maps.get(i);
			grids[i] = Montage.render(FeatureMaps.tiles(a, item), a.dim(2), a.dim(1), FeatureMaps.signed(a), COLUMNS);
			width = Math.max(width, grids[i].getWidth());
			height += TITLE + grids[i].getHeight() + Montage.GAP;
		}
		width = Math.max(width, 220);
		ColorProcessor cp = new ColorProcessor(width, Math.max(1, height));
		cp.setColor(Color.black);
		cp.fill();
		cp.setFont(new Font("SansSerif", Font.BOLD, 12));
		cp.setAntialiasedText(true);
		int y = 0;
		for (int i = 0; i < grids.length; i++) {
			int[] s = maps.get(i).shape();
			cp.setColor(Color.white);
			cp.drawString(names.get(i) + "  " + s[1] + "x" + s[2] + "x" + s[3], 4, y + TITLE - 3);
			cp.insert(grids[i], 0, y + TITLE);
			y += TITLE + grids[i].getHeight() + Montage.GAP;
		}
		ImagePlus imp = new ImagePlus(title, cp);
		imp.setProperty("ConvLens.layers", String.join(",", names));
		return imp;
	}

}
