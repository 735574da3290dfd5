package org.convlens.imagej;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.Embedding;
import org.convlens.explain.dataset.EmbeddingGrid;
import org.convlens.explain.dataset.EmbeddingGroups;
import org.convlens.explain.dataset.ImageSource;

import ij.IJ;
import ij.ImagePlus;

/**
 * An embedding map shown: what the Log says about the map (its kind, PCA, learning rate, notes),
 * the scatter plot coloured by group and the CS231n grid of images, both titled with a flag when
 * the map is PCA or did not converge, and the map's settings for the Info.
 */
public final class EmbeddingOutputs {

	private EmbeddingOutputs() {}

	/** Logs the map's notes and its summary line under {@code cmd}; {@code learningRate} as the option was given. */
	public static void log(String cmd, Embedding.Map map, String learningRate) {
		if (!"auto".equalsIgnoreCase(learningRate == null ? "auto" : learningRate.trim()) && map.method() == Embedding.Method.BARNES_HUT) {
			IJ.log(cmd + ": Barnes-Hut t-SNE uses its fixed learning rate " + (int) Embedding.BARNES_HUT_LEARNING_RATE + "; the learning rate " +
				learningRate + " applies to the exact t-SNE only.");
		}
		if (map.note() != null) IJ.log(cmd + ": " + map.note());
		IJ.log(String.format(Locale.ROOT, "%s: %s of %d codes; PCA %s; learning rate %s", cmd, map.kind(), map.xy().length, map.pcaText(),
			Double.isNaN(map.learningRate()) ? "-" : String.valueOf(map.learningRate())));
	}

	/**
	 * The scatter plot and the image grid ({@code grid} x {@code grid} cells of {@code cell} pixels,
	 * each the image nearest to it), titled after the model and the layer.
	 *
	 * @throws IllegalArgumentException when an image cannot be read again for the grid
	 */
	public static ImagePlus[] draw(String modelName, String layer, Embedding.Map map, EmbeddingGroups g, ImageSource src, List<CnnCodes.Row> rows,
		int grid, int cell)
	{
		double[][] xy = map.xy();
		boolean pca = "PCA".equals(map.kind());
		String title = Titles.of(modelName, pca ? "PCA" : "tSNE", layer);
		String flag = pca ? " [too few images for t-SNE]" : !map.converged() ? " [NOT CONVERGED]" : "";
		ImagePlus plot = DatasetViews.scatter(title + "-" + (g.byLabel() ? "label" : "predicted") + flag, xy, g.group(), g.names(),
			g.byLabel() ? null : "predicted", pca ? "PC" : "t-SNE");
		int[] cells = EmbeddingGrid.assign(xy, grid, grid, Double.POSITIVE_INFINITY);
		try {
			return new ImagePlus[] { plot, DatasetViews.grid(title + "-grid" + flag, EmbeddingGroups.entries(src, rows), cells, grid, grid, cell) };
		}
		catch (IOException e) {
			throw new IllegalArgumentException("An image could not be read again for the grid: " + e.getMessage(), e);
		}
	}

	/** The map's settings and outcome for the Info: kind, t-SNE options and method used, PCA, learning rate, convergence, note. */
	public static Map<String, Object> info(Embedding.Map map, Embedding.TsneOptions o) {
		Map<String, Object> p = new LinkedHashMap<>();
		boolean pca = "PCA".equals(map.kind());
		p.put("map", map.kind());
		p.put("tsne", o);
		p.put("tsne_used", map.method() == null ? "none" : map.method().name().toLowerCase(Locale.ROOT).replace('_', '-'));
		p.put("pca", map.pcaText());
		p.put("learning_rate", Double.isNaN(map.learningRate()) ? "-" : map.learningRate() + (o.learningRateAuto() &&
			map.method() == Embedding.Method.EXACT ? " (auto: max(n / 12 / 4, 50), at most n * perplexity / 12)" : ""));
		p.put("converged", pca ? "-" : map.method() == Embedding.Method.BARNES_HUT ? "not measured (Barnes-Hut)" :
			String.format(Locale.ROOT, "%s (last 50 iterations moved %.2g of the radius)", map.converged() ? "yes" : "NO", map.movement()));
		if (map.note() != null) p.put("note", map.note());
		return p;
	}
}
