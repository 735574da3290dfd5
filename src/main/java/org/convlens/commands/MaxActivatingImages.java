package org.convlens.commands;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.FilterSelection;
import org.convlens.explain.ImageSource;
import org.convlens.explain.MaxActivating;
import org.convlens.imagej.DatasetViews;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * For chosen filters of a layer, the images of a dataset on which each responds most: one
 * montage per filter (slices of one stack) of the top images or of the patches their maximal
 * unit sees, and a table of the hits.
 */
@Plugin(type = Command.class, name = "maxact", menuPath = "Plugins>ConvLens>Max-Activating Images", headless = true)
public class MaxActivatingImages extends DatasetCommand {

	@Parameter(label = "Layer", required = false, persist = false, description = "Layer whose filters to rank images for (feature-map layers first)")
	private String layer = "";

	@Parameter(label = "Filters", required = false, description = "'all', a range '0-7', a list '0,3,7' or a mix (0-based)")
	private String filters = "all";

	@Parameter(label = "Top", min = "1", max = "1000", description = "Images kept per filter")
	private int top = 9;

	@Parameter(label = "Score", choices = { "max", "mean" }, description = "Rank by the filter's largest value on the image (max) or its mean over the map")
	private String score = "max";

	@Parameter(label = "Patch", description = "Show the patch the maximal unit sees (its receptive field) instead of the whole image")
	private boolean patch = true;

	@Parameter(label = "Tile", min = "16", max = "1024", description = "Size of a montage tile in pixels")
	private int tile = 96;

	@Parameter(type = ItemIO.OUTPUT, label = "Max-activating montages")
	private ImagePlus montages;

	@Parameter(type = ItemIO.OUTPUT, label = "Max-activating images")
	private ResultsTable hits;

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", layerChoices(info, l -> l.kind() == LayerKind.SPATIAL || l.kind() == LayerKind.VECTOR, l -> l.kind() == LayerKind.SPATIAL));
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		ModelInfo info = m.info();
		LayerInfo l = layer == null || layer.isBlank() ? spatialLayer(info, "") : info.layer(layer.trim());
		if (l.kind() != LayerKind.SPATIAL && l.kind() != LayerKind.VECTOR) {
			throw new ModelException("Layer " + l.name() + " is neither a feature map nor a vector; choose one of " + layerChoices(info,
				x -> x.kind() == LayerKind.SPATIAL || x.kind() == LayerKind.VECTOR, x -> true));
		}
		int[] fs = FilterSelection.parse(filters, l.channels());
		MaxActivating.Score s = "mean".equalsIgnoreCase(score == null ? "" : score.trim()) ? MaxActivating.Score.MEAN : MaxActivating.Score.MAX;
		ImageSource src = dataset();
		MaxActivating.Result r = new MaxActivating(m).layer(l.name()).filters(fs).topK(top).score(s)
			.run(src, runner(m), progress().sub(0, 0.9));
		report(r.report());
		progress().update(0.92, "drawing " + fs.length + " montage(s)");
		boolean patches = patch && l.kind() == LayerKind.SPATIAL;
		try {
			montages = DatasetViews.montages(l.name() + " max-activating " + (patches ? "patches" : "images"), r, patches, tile);
		}
		catch (IOException e) {
			throw new IllegalArgumentException("An image could not be read again for the montage: " + e.getMessage(), e);
		}
		hits = DatasetViews.hitsTable(r);
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("dataset", src.description());
		params.put("images", r.report().processed());
		params.put("skipped", r.report().skipped().size());
		params.put("layer", l.name());
		params.put("filters", filters);
		params.put("top", top);
		params.put("score", s.name().toLowerCase(Locale.ROOT));
		params.put("patch", patches);
		if (r.field() != null) params.put("receptive field", r.field());
		Provenance.stamp(montages, getInfo().getTitle(), info, prep(info), sourceImage(), params);
	}
}
