package org.convlens.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.core.BatchRunner;
import org.convlens.explain.core.FilterStats;
import org.convlens.imagej.FeatureMaps;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Montage;
import org.convlens.imagej.Provenance;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.imagej.Titles;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * The feature maps of one layer for every slice/frame of the image, as a hyperstack (filters as
 * channels, the input's Z and T kept), optionally with a montage of the current position, filter
 * statistics and predictions.
 */
@Plugin(type = Command.class, name = "activations", label = "Show Activations", menuPath = "Plugins>ConvLens>Show Activations...", headless = true)
public class ShowActivations extends ConvLensCommand {

	@Parameter(label = "Layer (feature maps)", required = false, persist = false, description = "Layer whose feature maps to show (spatial layers are listed)")
	private String layer = "";

	@Parameter(label = "Scale maps to the image size", description = "Resample the maps to the image's size and calibration, to lay them over it")
	private boolean scale;

	@Parameter(label = "Montage of the filters", description = "Also show the filters of the current slice as a grid")
	private boolean montage;

	@Parameter(label = "Filter statistics table", description = "Per-filter statistics: mean, max, fraction of zeros, dead filters")
	private boolean stats = true;

	@Parameter(label = "Predict classes", description = "Also list the top classes")
	private boolean predict;

	@Parameter(label = "Top classes", min = "1", max = "1000", description = "Number of classes listed by 'predict'")
	private int top = 3;

	@Parameter(type = ItemIO.OUTPUT, label = "Activations")
	private ImagePlus activations;

	@Parameter(type = ItemIO.OUTPUT, label = "Activation montage")
	private ImagePlus grid;

	@Parameter(type = ItemIO.OUTPUT, label = "Filter statistics")
	private ResultsTable statistics;

	@Parameter(type = ItemIO.OUTPUT, label = "Predictions")
	private ResultsTable predictions;

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", layerChoices(info, l -> l.kind() == LayerKind.SPATIAL, l -> true));
	}

	@Override
	protected void execute() {
		ImagePlus imp = image();
		ConvModel m = convModel();
		ModelInfo info = m.info();
		LayerInfo l = spatialLayer(info, layer);
		Preprocessing prep = prep(info);
		List<ImageInput.Position> ps = ImageInput.positions(imp);
		progress().update(0, "preparing " + ps.size() + " input(s)");
		NdArray x = ImageInput.batch(imp, ps, prep, info.imageInput().shape());
		List<String> fetches = new ArrayList<>(List.of(l.name()));
		if (predict) fetches.add(ConvModel.OUTPUT);
		Map<String, NdArray> r = BatchRunner.run(m, x, fetches, BatchRunner.DEFAULT_CHUNK, progress().sub(0.05, 0.9));
		NdArray a = r.get(l.name());
		progress().update(0.92, "building the hyperstack");
		activations = FeatureMaps.hyperstack(a, l.name(), imp, imp.getNSlices(), imp.getNFrames(), scale);
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("layer", l.name());
		params.put("layer.shape", java.util.Arrays.toString(l.shape()));
		params.put("scaled", scale);
		Provenance.stamp(activations, getInfo().getTitle(), info, prep, imp, params);
		if (montage) {
			int item = ps.indexOf(ps.stream().filter(p -> p.z == ImageInput.current(imp).z && p.t == ImageInput.current(imp).t).findFirst().orElse(ps.get(0)));
			grid = Montage.image(Titles.of(imp, "montage", l.name()), FeatureMaps.tiles(a, item), a.dim(2), a.dim(1),
				FeatureMaps.signed(a), FeatureMaps.filterLabels(a.dim(3)));
			Provenance.stamp(grid, getInfo().getTitle(), info, prep, imp, params);
		}
		if (stats) statistics = Tables.filterStats(l.name(), FilterStats.of(a));
		if (predict) predictions = predictionTable(m, x, r.get(ConvModel.OUTPUT), ps, top);
	}
}
