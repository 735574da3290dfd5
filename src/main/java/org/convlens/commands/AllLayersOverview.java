package org.convlens.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convlens.explain.core.BatchRunner;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Overview;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.imagej.Titles;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;

/** Every spatial layer's feature maps for the current slice, as titled grids on one canvas. */
@Plugin(type = Command.class, name = "overview", label = "All Layers Overview", menuPath = "Plugins>ConvLens>All Layers Overview...", headless = true)
public class AllLayersOverview extends ConvLensCommand {

	@Parameter(type = ItemIO.OUTPUT, label = "Overview")
	private ImagePlus overview;

	@Override
	protected void execute() {
		ImagePlus imp = image();
		ConvModel m = convModel();
		ModelInfo info = m.info();
		List<LayerInfo> layers = info.spatialLayers();
		if (layers.isEmpty()) throw new ModelException("The model has no spatial (feature-map) layer, so there is nothing to show as images. Its layers are: " + info.layerNames());
		Preprocessing prep = prep(info);
		NdArray x = ImageInput.batch(imp, List.of(ImageInput.current(imp)), prep, info.imageInput().shape());
		List<String> names = new ArrayList<>();
		for (LayerInfo l : layers) names.add(l.name());
		Map<String, NdArray> r = BatchRunner.run(m, x, names, 1, progress().sub(0, 0.8));
		List<NdArray> maps = new ArrayList<>();
		for (String n : names) maps.add(r.get(n));
		progress().update(0.9, "drawing");
		overview = Overview.canvas(Titles.of(imp, "overview"), names, maps, 0);
		// in this order on every run (Map.of's order changes from one JVM to the next)
		Map<String, Object> params = new java.util.LinkedHashMap<>();
		params.put("position", ImageInput.current(imp).toString());
		int planes = imp.getNSlices() * imp.getNFrames();
		// one position of a stack: say which, or the overview passes for the whole stack's
		if (planes > 1) log(getInfo().getTitle() + ": " + imp.getTitle() + ": the overview shows position " + ImageInput.current(imp) + " only, 1 of " + planes
			+ " (run it on another slice for that one).");
		params.put("layers", String.join(",", names));
		Provenance.stamp(overview, getInfo().getTitle(), info, prep, imp, params);
	}
}
