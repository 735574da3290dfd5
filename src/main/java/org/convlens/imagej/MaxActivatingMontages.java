package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.util.List;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import org.convlens.explain.dataset.MaxActivating;
import org.convlens.explain.dataset.Patches;
import org.convlens.imagej.DatasetViews.Degenerate;
import org.convlens.imagej.DatasetViews.MontageTile;
import org.convlens.model.Preprocessing;

/**
 * Draws the max-activating montages of {@link DatasetViews#montages}: per filter one RGB slice of
 * captioned tiles (whole images with the unit's field outlined, or the patches), or a slice that
 * says the filter is dead or constant.
 */
final class MaxActivatingMontages {

	private static final int GAP = DatasetViews.GAP;
	private static final int CAPTION = DatasetViews.CAPTION;

	private MaxActivatingMontages() {}

	/** {@link DatasetViews#montages(String, String, java.util.Map, java.util.Map, int, boolean, int)}. */
	static ImagePlus montages(String title, String layer, java.util.Map<Integer, List<MontageTile>> tiles,
		java.util.Map<Integer, Degenerate> degenerate, int images, boolean patch, int tile) throws IOException
	{
		int k = 1;
		for (List<MontageTile> l : tiles.values()) k = Math.max(k, l.size());
		int cols = Math.max(1, (int) Math.ceil(Math.sqrt(k)));
		int rows = Math.max(1, (k + cols - 1) / cols);
		int w = cols * tile + (cols + 1) * GAP, h = rows * (tile + CAPTION) + (rows + 1) * GAP;
		int keepSize = DatasetViews.keepSize(tile);
		ImageStack st = new ImageStack(w, h);
		for (java.util.Map.Entry<Integer, List<MontageTile>> e : tiles.entrySet()) {
			int f = e.getKey();
			ColorProcessor cp = new ColorProcessor(w, h);
			cp.setColor(new Color(DatasetViews.BACKGROUND));
			cp.fill();
			Degenerate dg = degenerate.get(f);
			if (dg != null) {
				String what = dg.status == MaxActivating.Status.DEAD ? "DEAD: never fires" :
					String.format(java.util.Locale.ROOT, "CONSTANT: %.4g everywhere", dg.value);
				cp.setColor(new Color(0xff6060));
				cp.setFont(new Font("SansSerif", Font.BOLD, 12));
				cp.setAntialiasedText(true);
				cp.drawString(fitText(cp, "filter " + f, w - 2 * GAP), GAP + 2, GAP + 16);
				cp.drawString(fitText(cp, what, w - 2 * GAP), GAP + 2, GAP + 32);
				cp.setColor(new Color(0xbbbbbb));
				cp.setFont(new Font("SansSerif", Font.PLAIN, 10));
				cp.drawString(fitText(cp, "on all " + images + " images: no ranking", w - 2 * GAP), GAP + 2, GAP + 48);
				st.addSlice(layer + " \u00b7 filter " + f + " (" + dg.status.name().toLowerCase(java.util.Locale.ROOT) + ")", cp);
				continue;
			}
			List<MontageTile> hs = e.getValue();
			for (int i = 0; i < hs.size(); i++) {
				MontageTile hit = hs.get(i);
				int ox = GAP + (i % cols) * (tile + GAP), oy = GAP + (i / cols) * (tile + CAPTION + GAP);
				double[] rect = hit.imageRect;
				Preprocessing.Planes p = hit.kept;
				double ks = hit.keptScale;
				// a kept patch cannot show the whole image: read it again then
				if (p != null && !patch && p.width < (int) Math.floor(hit.imageWidth * ks)) p = null;
				if (p == null) {
					// read again and kept as a run keeps it (same crop, same shrinking): the same pixels either way
					Preprocessing.Planes read = hit.entry.read();
					Preprocessing.Planes q = patch ? Patches.crop(read, rect) : read;
					int factor = Patches.shrinkFactor(q.width, q.height, keepSize);
					p = factor == 1 ? q : Patches.shrink(q, factor);
					ks = 1.0 / factor;
				}
				ColorProcessor t = DatasetViews.fit(DatasetViews.render(p), tile);
				if (!patch && hit.unitY >= 0) {
					// the rectangle in image pixels, shrunk with the image
					double s = Math.min((double) tile / p.width, (double) tile / p.height) * ks;
					t.setColor(Color.yellow);
					int dx = (tile - (int) Math.round(p.width * s / ks)) / 2, dy = (tile - (int) Math.round(p.height * s / ks)) / 2;
					t.drawRect(dx + (int) Math.round(rect[0] * s), dy + (int) Math.round(rect[1] * s), Math.max(2, (int) Math.round(rect[2] * s)),
						Math.max(2, (int) Math.round(rect[3] * s)));
				}
				cp.insert(t, ox, oy);
				caption(cp, ox, oy + tile, tile, "#" + (i + 1) + "  " + String.format(java.util.Locale.ROOT, "%.3g", hit.score), hit.name);
			}
			st.addSlice(layer + " \u00b7 filter " + f, cp);
		}
		return new ImagePlus(title, st);
	}

	private static void caption(ImageProcessor ip, int x, int y, int width, String line1, String line2) {
		ip.setColor(Color.white);
		ip.setFont(new Font("SansSerif", Font.PLAIN, 10));
		ip.setAntialiasedText(true);
		ip.drawString(fitText(ip, line1, width), x + 1, y + 11);
		ip.setColor(new Color(0xbbbbbb));
		ip.drawString(fitText(ip, line2, width), x + 1, y + 22);
	}

	/** The text, shortened from the left with an ellipsis so it fits {@code width} pixels. */
	static String fitText(ImageProcessor ip, String s, int width) {
		if (s == null) return "";
		if (ip.getStringWidth(s) <= width - 2) return s;
		String t = s;
		while (t.length() > 1 && ip.getStringWidth("\u2026" + t) > width - 2) t = t.substring(1);
		return "\u2026" + t;
	}
}
