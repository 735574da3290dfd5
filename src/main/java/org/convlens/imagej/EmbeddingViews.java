package org.convlens.imagej;

import java.awt.Color;
import java.io.IOException;
import java.util.List;

import ij.ImagePlus;
import ij.gui.Plot;
import ij.process.ColorProcessor;

import org.convlens.explain.dataset.EmbeddingGrid;
import org.convlens.explain.dataset.ImageSource;

/**
 * The pictures of an embedding ({@link DatasetViews#scatter}, {@link DatasetViews#grid}): the
 * scatter plot coloured by group, and the CS231n grid of nearest images.
 */
final class EmbeddingViews {

	/** Class colours for plots (colour-blind friendly first, Okabe-Ito), repeated when there are more classes. */
	static final Color[] COLORS = { new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
		new Color(0xE69F00), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000), new Color(0x999999), new Color(0x882255) };

	private EmbeddingViews() {}

	/** {@link DatasetViews#scatter(String, double[][], int[], List, String, String)}. */
	static ImagePlus scatter(String title, double[][] xy, int[] group, List<String> groupNames, String legendTitle, String axis) {
		Plot plot = new Plot(title, axis + " 1", axis + " 2");
		plot.setSize(560, 480);
		StringBuilder legend = new StringBuilder();
		for (int g = 0; g < groupNames.size(); g++) {
			int n = 0;
			for (int v : group) if (v == g) n++;
			if (n == 0) continue;
			double[] x = new double[n], y = new double[n];
			int j = 0;
			for (int i = 0; i < group.length; i++) {
				if (group[i] != g) continue;
				x[j] = xy[i][0];
				y[j++] = xy[i][1];
			}
			plot.setColor(COLORS[g % COLORS.length], COLORS[g % COLORS.length]);
			plot.addPoints(x, y, Plot.CIRCLE);
			String name = groupNames.get(g).isEmpty() ? "(none)" : groupNames.get(g);
			legend.append(legend.length() == 0 ? "" : "\t").append(legendTitle == null ? name : legendTitle + " " + name);
		}
		// Plot's automatic limits follow the first data set only: fit all points, with a margin
		double[] b = EmbeddingGrid.bounds(xy);
		double x0 = b[0], x1 = b[1], y0 = b[2], y1 = b[3];
		double mx = Math.max(1e-9, (x1 - x0) * 0.05), my = Math.max(1e-9, (y1 - y0) * 0.05);
		if (xy.length > 0) plot.setLimits(x0 - mx, x1 + mx, y0 - my, y1 + my);
		plot.setLegend(legend.toString(), Plot.AUTO_POSITION);
		ImagePlus imp = plot.getImagePlus();
		imp.setTitle(title);
		return imp;
	}

	/** {@link DatasetViews#grid}. */
	static ImagePlus grid(String title, List<ImageSource.Entry> entries, int[] cells, int cols, int rows, int cell) throws IOException {
		ColorProcessor cp = new ColorProcessor(cols * cell, rows * cell);
		cp.setColor(Color.white);
		cp.fill();
		java.util.Map<Integer, ColorProcessor> cache = new java.util.HashMap<>();
		for (int i = 0; i < cells.length; i++) {
			if (cells[i] < 0) continue;
			ColorProcessor t = cache.get(cells[i]);
			if (t == null) {
				t = DatasetViews.fit(DatasetViews.render(entries.get(cells[i]).read()), cell);
				if (cache.size() < 256) cache.put(cells[i], t);
			}
			cp.insert(t, (i % cols) * cell, (i / cols) * cell);
		}
		return new ImagePlus(title, cp);
	}
}
