package org.convlens.commands;

import java.util.List;

import org.convlens.explain.patterns.FilterSelection;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.explain.dataset.MaxActivatingNotes;
import org.convlens.imagej.DatasetViews;
import org.convlens.imagej.MaxActivatingViews;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * For chosen filters of a layer, the images of a dataset on which each responds most: one
 * montage per filter (slices of one stack) of the top images or of the patches their maximal
 * unit sees, and a table of the hits.
 */
@Plugin(type = Command.class, name = "maxact", label = "Max-Activating Images", menuPath = "Plugins>ConvLens>Max-Activating Images...", headless = true)
public class MaxActivatingImages extends DatasetCommand {

	@Parameter(label = "Layer (default first)", required = false, persist = false,
		description = "Layer whose filters to rank images for; default (listed first): a deep convolution whose receptive field is at most half the input")
	private String layer = "";

	@Parameter(label = "Filters (all, 0-7 or 0,3,7)", required = false, description = "'all', a range '0-7', a list '0,3,7' or a mix (0-based)")
	private String filters = "all";

	@Parameter(label = "Images per filter", min = "1", max = "1000", description = "Images kept per filter")
	private int top = 9;

	@Parameter(label = "Rank by (max or mean)", initializer = "initChoices", description = "Rank by the filter's largest value on the image (max) or its mean over the map")
	private String score = "max";

	@Parameter(label = "Show the receptive-field patch", description = "Show the patch the maximal unit sees (its receptive field) instead of the whole image")
	private boolean patch = true;

	@Parameter(label = "Tile size (pixels)", min = "16", max = "1024", description = "Size of a montage tile in pixels")
	private int tile = 96;

	@Parameter(type = ItemIO.OUTPUT, label = "Max-activating montages")
	private ImagePlus montages;

	@Parameter(type = ItemIO.OUTPUT, label = "Max-activating images")
	private ResultsTable hits;

	@Override
	protected void onModel(ModelInfo info) {
		String def = defaultLayer(info);
		// the default first (a dialog starts on the first choice), then feature maps, then vectors
		List<String> choices = layerChoices(info, l -> l.kind() == LayerKind.SPATIAL || l.kind() == LayerKind.VECTOR, l -> l.kind() == LayerKind.SPATIAL);
		if (def != null && choices.remove(def)) choices.add(0, def);
		setChoices("layer", choices);
	}

	private void initChoices() {
		setChoices("score", ChoiceLists.of(MaxActivating.Score.class));
	}

	/** {@link MaxActivating#defaultLayer} of the model at this path (opened through the model service), or null. */
	private String defaultLayer(ModelInfo info) {
		try {
			return MaxActivating.defaultLayer(convModel());
		}
		catch (RuntimeException e) {
			return null; // the list without a default first; execute() says what is wrong with the model
		}
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		ModelInfo info = m.info();
		String def = layer == null || layer.isBlank() ? MaxActivating.defaultLayer(m) : null;
		LayerInfo l = def != null ? info.layer(def) : layer == null || layer.isBlank() ? spatialLayer(info, "") : info.layer(layer.trim());
		if (l.kind() != LayerKind.SPATIAL && l.kind() != LayerKind.VECTOR) {
			throw new ModelException("Layer " + l.name() + " is neither a feature map nor a vector; choose one of " + layerChoices(info,
				x -> x.kind() == LayerKind.SPATIAL || x.kind() == LayerKind.VECTOR, x -> true));
		}
		int[] fs = FilterSelection.parse(filters, l.channels());
		MaxActivating.Score s = "mean".equalsIgnoreCase(score == null ? "" : score.trim()) ? MaxActivating.Score.MEAN : MaxActivating.Score.MAX;
		ImageSource src = dataset();
		boolean patches = patch && l.kind() == LayerKind.SPATIAL;
		// keep what the montages show while each image is read: no file is read twice
		MaxActivating.Result r = new MaxActivating(m).layer(l.name()).filters(fs).topK(top).score(s)
			.keep(patches ? MaxActivating.Keep.PATCH : MaxActivating.Keep.IMAGE, DatasetViews.keepSize(tile))
			.run(src, runner(m), progress().sub(0, 0.9));
		report(r.report());
		List<Integer> dead = r.filters(MaxActivating.Status.DEAD), constant = r.filters(MaxActivating.Status.CONSTANT);
		String degenerate = MaxActivatingNotes.degenerate(r, dead, constant);
		if (degenerate != null) IJ.log(getInfo().getTitle() + ": " + degenerate);
		progress().update(0.92, "drawing " + fs.length + " montage(s)");
		montages = MaxActivatingViews.montages(getInfo().getTitle(), model.getName(), info, prep(info), sourceImage(), src, r, filters, top, patches, tile,
			degenerate);
		// a shard's table also lists its dead and constant filters' first images, for merge (issue 15)
		hits = DatasetViews.hitsTable(r, Shards.current() != null);
	}

	/** {@link MaxActivatingNotes#degenerate(String, int, int, List, List)}, for merged shards ({@link Merge}). */
	static String degenerateNote(String layer, int filters, int n, List<Integer> dead, List<Integer> constant) {
		return MaxActivatingNotes.degenerate(layer, filters, n, dead, constant);
	}

	/** {@link MaxActivatingNotes#ranges}. */
	static String ranges(List<Integer> fs) {
		return MaxActivatingNotes.ranges(fs);
	}
}
