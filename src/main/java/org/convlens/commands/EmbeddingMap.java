package org.convlens.commands;

import java.util.LinkedHashMap;
import java.util.Map;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCollector;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.Embedding;
import org.convlens.explain.dataset.EmbeddingGroups;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.SameClassCheck;
import org.convlens.imagej.DatasetViews;
import org.convlens.imagej.EmbeddingOutputs;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * A 2-D map of a dataset's CNN codes (t-SNE: exact up to 2 000 images, Barnes-Hut beyond): a scatter plot coloured by predicted class or
 * label, the CS231n grid of images (each cell shows the image nearest to it in the map), and the
 * coordinates.
 */
@Plugin(type = Command.class, name = "embedding", label = "Embedding Map", menuPath = "Plugins>ConvLens>Embedding Map...", headless = true)
public class EmbeddingMap extends CodeCommand {

	@Parameter(label = "t-SNE perplexity", min = "1", max = "1000", description = "t-SNE perplexity: about the number of neighbours each point keeps close (capped at (images-1)/3)")
	private double perplexity = 30;

	@Parameter(label = "t-SNE iterations", min = "1", max = "100000", description = "t-SNE iterations")
	private int iterations = 1000;

	@Parameter(label = "t-SNE learning rate (auto or a number)", required = false,
		description = "t-SNE learning rate: auto = max(images / 48, 50) as scikit-learn's 'auto' (at most images x perplexity / 12), or a positive number (exact t-SNE; Barnes-Hut's is 200)")
	private String learningRate = "auto";

	@Parameter(label = "Random seed", description = "Random seed: the same seed gives the same map")
	private long seed = 42;

	@Parameter(label = "t-SNE method", initializer = "initChoices",
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

	@Parameter(label = "CNN codes file (optional, *_codes.exact.csv)", required = false, style = FileWidget.OPEN_STYLE,
		description = "Map these CNN codes (a *_codes.exact.csv of codes or merge) instead of reading them from the dataset, whose images then only fill the grid")
	private java.io.File codes;

	@Parameter(type = ItemIO.OUTPUT, label = "Embedding plot")
	private ImagePlus plot;

	@Parameter(type = ItemIO.OUTPUT, label = "Embedding grid")
	private ImagePlus images;

	@Parameter(type = ItemIO.OUTPUT, label = "Embedding coordinates")
	private ResultsTable coordinates;

	private void initChoices() {
		setChoices("method", ChoiceLists.of(Embedding.Method.class));
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
		CnnCodes cc = codes(m, params);
		ImageSource src = dataset();
		boolean fromFile = codes != null && !codes.getPath().isEmpty();
		CodeCollector rows = fromFile ? CodesFile.read(codes.toPath(), info) : new CodeCollector();
		DatasetReport rep = fromFile ? null : cc.extract(src, runner(m), progress().sub(0, 0.3), rows);
		if (rep != null) report(rep);
		SameClassCheck same = new SameClassCheck();
		for (CnnCodes.Row r : rows.rows()) same.add(r.predicted(), r.confidence());
		String sameClass = sameClassWarning(same, m);
		Embedding.Map map = Embedding.map(rows.codes(), o, progress().sub(0.3, 0.9));
		EmbeddingOutputs.log(cmd, map, learningRate);
		EmbeddingGroups g = EmbeddingGroups.of(rows, info, color);
		if (g.note() != null) IJ.log(cmd + ": " + g.note());
		progress().update(0.92, "drawing");
		ImagePlus[] views = EmbeddingOutputs.draw(model.getName(), cc.layer(), map, g, src, rows.rows(), grid, cell);
		plot = views[0];
		images = views[1];
		coordinates = DatasetViews.coordinatesTable(rows.rows(), map.xy());
		Map<String, Object> info2 = new LinkedHashMap<>();
		info2.put("dataset", src.description());
		info2.put("images", rep != null ? rep.processed() : rows.size());
		if (rep != null) info2.put("skipped", rep.skipped().size());
		else info2.put("codes", codes.getAbsolutePath());
		info2.put("layer", cc.layer());
		info2.putAll(params);
		info2.putAll(EmbeddingOutputs.info(map, o));
		info2.put("color", g.byLabel() ? "label" : "predicted");
		if (sameClass != null) info2.put("warning", sameClass);
		Provenance.stamp(plot, cmd, info, prep(info), sourceImage(), info2);
		info2.put("grid", grid + "x" + grid);
		Provenance.stamp(images, cmd, info, prep(info), sourceImage(), info2);
	}
}
