package org.convlens.commands;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCollector;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.Embedding;
import org.convlens.explain.dataset.EmbeddingGrid;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.DatasetViews;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.imagej.Titles;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * A 2-D map of a dataset's CNN codes (t-SNE: exact up to 2 000 images, Barnes-Hut beyond): a scatter plot coloured by predicted class or
 * label, the CS231n grid of images (each cell shows the image nearest to it in the map), and the
 * coordinates.
 */
@Plugin(type = Command.class, name = "embedding", label = "Embedding Map", menuPath = "Plugins>ConvLens>Embedding Map...", headless = true)
public class EmbeddingMap extends DatasetCommand {

	@Parameter(label = "Layer (codes read from)", required = false, persist = false, description = "Layer to read the codes from (default: the input of the classifier)")
	private String layer = "";

	@Parameter(label = "Pooling (map to vector)", choices = { "auto", "flatten", "average", "max" },
		description = "How a feature map becomes a vector: all values, or per-channel mean or max; auto = flatten up to 16,384 values, else average")
	private String pooling = "auto";

	@Parameter(label = "t-SNE perplexity", min = "1", max = "1000", description = "t-SNE perplexity: about the number of neighbours each point keeps close (capped at (images-1)/3)")
	private double perplexity = 30;

	@Parameter(label = "t-SNE iterations", min = "1", max = "100000", description = "t-SNE iterations")
	private int iterations = 1000;

	@Parameter(label = "t-SNE learning rate (auto or a number)", required = false,
		description = "t-SNE learning rate: auto = max(images / 48, 50) as scikit-learn's 'auto' (at most images x perplexity / 12), or a positive number (exact t-SNE; Barnes-Hut's is 200)")
	private String learningRate = "auto";

	@Parameter(label = "Random seed", description = "Random seed: the same seed gives the same map")
	private long seed = 42;

	@Parameter(label = "t-SNE method", choices = { "auto", "exact", "barnes-hut" },
		description = "t-SNE: exact (Smile; memory grows with the square of the images), Barnes-Hut (thousands of images), or auto (exact up to 2 000 images)")
	private String method = "auto";

	@Parameter(label = "Barnes-Hut theta", min = "0.05", max = "1", stepSize = "0.05", description = "Barnes-Hut accuracy: smaller is more exact and slower")
	private double theta = 0.5;

	@Parameter(label = "Colour points by", choices = { "predicted", "label" }, description = "Colour the points by predicted class or by label (sub-folder or list file)")
	private String color = "predicted";

	@Parameter(label = "Grid cells per side", min = "1", max = "64", description = "Cells per side of the image grid")
	private int grid = 16;

	@Parameter(label = "Cell size (pixels)", min = "8", max = "512", description = "Size of a grid cell in pixels")
	private int cell = 48;

	@Parameter(label = "CNN codes file (optional, *_codes.exact.csv)", required = false, style = "open",
		description = "Map these CNN codes (a *_codes.exact.csv of codes or merge) instead of reading them from the dataset, whose images then only fill the grid")
	private java.io.File codes;

	@Parameter(type = ItemIO.OUTPUT, label = "Embedding plot")
	private ImagePlus plot;

	@Parameter(type = ItemIO.OUTPUT, label = "Embedding grid")
	private ImagePlus images;

	@Parameter(type = ItemIO.OUTPUT, label = "Embedding coordinates")
	private ResultsTable coordinates;

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", codeLayers(info, CnnCodes.defaultLayer(info)));
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		ModelInfo info = m.info();
		String cmd = getInfo().getTitle();
		Map<String, Object> params = new LinkedHashMap<>();
		// options first: a typo is reported before the images are read
		Embedding.TsneOptions o = new Embedding.TsneOptions().perplexity(perplexity).iterations(iterations).seed(seed)
			.method(Embedding.Method.parse(method)).theta(theta).learningRate(learningRate);
		CnnCodes cc = CnnCodesExport.codes(m, layer, pooling, cmd, params);
		ImageSource src = dataset();
		boolean fromFile = codes != null && !codes.getPath().isEmpty();
		CodeCollector rows = fromFile ? CodesFile.read(codes.toPath(), info) : new CodeCollector();
		DatasetReport rep = fromFile ? null : cc.extract(src, runner(m), progress().sub(0, 0.3), rows);
		if (rep != null) report(rep);
		org.convlens.explain.dataset.SameClassCheck same = new org.convlens.explain.dataset.SameClassCheck();
		for (CnnCodes.Row r : rows.rows()) same.add(r.predicted(), r.confidence());
		String sameClass = sameClassWarning(same, m);
		Embedding.Map map = Embedding.map(rows.codes(), o, progress().sub(0.3, 0.9));
		double[][] xy = map.xy();
		if (!"auto".equalsIgnoreCase(learningRate == null ? "auto" : learningRate.trim()) && map.method() == Embedding.Method.BARNES_HUT) {
			IJ.log(cmd + ": Barnes-Hut t-SNE uses its fixed learning rate " + (int) Embedding.BARNES_HUT_LEARNING_RATE + "; the learning rate " +
				learningRate + " applies to the exact t-SNE only.");
		}
		if (map.note() != null) IJ.log(cmd + ": " + map.note());
		IJ.log(String.format(java.util.Locale.ROOT, "%s: %s of %d codes; PCA %s; learning rate %s", cmd, map.kind(), xy.length, map.pcaText(),
			Double.isNaN(map.learningRate()) ? "-" : String.valueOf(map.learningRate())));
		List<CnnCodes.Row> rs = rows.rows();
		boolean byLabel = "label".equalsIgnoreCase(color == null ? "" : color.trim());
		if (byLabel && !rows.hasLabels()) {
			IJ.log(cmd + ": the images have no labels (use sub-folders with 'labels', or a list file with labels); colouring by predicted class.");
			byLabel = false;
		}
		int[] group;
		List<String> names;
		if (byLabel) {
			group = rows.labels();
			names = rows.labelNames();
		}
		else {
			group = rows.predicted();
			names = new ArrayList<>();
			int k = Math.max(1, info.numClasses());
			for (int g : group) k = Math.max(k, g + 1);
			for (int c = 0; c < k; c++) names.add(info.className(c));
			for (int i = 0; i < group.length; i++) if (group[i] < 0) group[i] = 0;
		}
		String title = Titles.of(model.getName(), "PCA".equals(map.kind()) ? "PCA" : "tSNE", cc.layer());
		String flag = "PCA".equals(map.kind()) ? " [too few images for t-SNE]" : !map.converged() ? " [NOT CONVERGED]" : "";
		progress().update(0.92, "drawing");
		plot = DatasetViews.scatter(title + "-" + (byLabel ? "label" : "predicted") + flag, xy, group, names,
			byLabel ? null : "predicted", "PCA".equals(map.kind()) ? "PC" : "t-SNE");
		int[] cells = EmbeddingGrid.assign(xy, grid, grid, Double.POSITIVE_INFINITY);
		try {
			images = DatasetViews.grid(title + "-grid" + flag, entries(src, rs), cells, grid, grid, cell);
		}
		catch (IOException e) {
			throw new IllegalArgumentException("An image could not be read again for the grid: " + e.getMessage(), e);
		}
		coordinates = DatasetViews.coordinatesTable(rs, xy);
		Map<String, Object> info2 = new LinkedHashMap<>();
		info2.put("dataset", src.description());
		info2.put("images", rep != null ? rep.processed() : rows.size());
		if (rep != null) info2.put("skipped", rep.skipped().size());
		else info2.put("codes", codes.getAbsolutePath());
		info2.put("layer", cc.layer());
		info2.putAll(params);
		info2.put("map", map.kind());
		info2.put("tsne", o);
		info2.put("tsne_used", map.method() == null ? "none" : map.method().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
		info2.put("pca", map.pcaText());
		info2.put("learning_rate", Double.isNaN(map.learningRate()) ? "-" : map.learningRate() + (o.learningRateAuto() &&
			map.method() == Embedding.Method.EXACT ? " (auto: max(n / 12 / 4, 50), at most n * perplexity / 12)" : ""));
		info2.put("converged", "PCA".equals(map.kind()) ? "-" : map.method() == Embedding.Method.BARNES_HUT ? "not measured (Barnes-Hut)" :
			map.converged() ? String.format(java.util.Locale.ROOT, "yes (last 50 iterations moved %.2g of the radius)", map.movement()) :
				String.format(java.util.Locale.ROOT, "NO (last 50 iterations moved %.2g of the radius)", map.movement()));
		if (map.note() != null) info2.put("note", map.note());
		info2.put("color", byLabel ? "label" : "predicted");
		if (sameClass != null) info2.put("warning", sameClass);
		Provenance.stamp(plot, cmd, info, prep(info), sourceImage(), info2);
		info2.put("grid", grid + "x" + grid);
		Provenance.stamp(images, cmd, info, prep(info), sourceImage(), info2);
	}

	/**
	 * The entries behind the rows: rows come in source order with skipped entries left out, so
	 * walking the source once and matching names in order finds each row's entry.
	 */
	static List<ImageSource.Entry> entries(ImageSource src, List<CnnCodes.Row> rows) {
		List<ImageSource.Entry> out = new ArrayList<>(rows.size());
		java.util.Iterator<ImageSource.Entry> it = src.iterator();
		for (CnnCodes.Row r : rows) {
			ImageSource.Entry e = null;
			while (it.hasNext()) {
				ImageSource.Entry c = it.next();
				if (c.name().equals(r.name())) {
					e = c;
					break;
				}
			}
			if (e == null) throw new IllegalStateException("Image " + r.name() + " is no longer in " + src.description());
			out.add(e);
		}
		return out;
	}
}
