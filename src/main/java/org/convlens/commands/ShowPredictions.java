package org.convlens.commands;

import java.util.List;

import org.convlens.imagej.ImageInput;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/** The model's top classes with probabilities for every slice/frame of the image. */
@Plugin(type = Command.class, name = "predictions", label = "Show Predictions", menuPath = "Plugins>ConvLens>Show Predictions...", headless = true)
public class ShowPredictions extends ConvLensCommand {

	@Parameter(label = "Top classes", min = "1", max = "1000", description = "Number of classes listed per image")
	private int top = 3;

	@Parameter(type = ItemIO.OUTPUT, label = "Predictions")
	private ResultsTable predictions;

	@Override
	protected void execute() {
		ImagePlus imp = image();
		ConvModel m = convModel();
		List<ImageInput.Position> ps = ImageInput.positions(imp);
		NdArray x = ImageInput.batch(imp, ps, prep(m.info()), m.info().imageInput().shape());
		predictions = predictionTable(m, x, null, ps, top);
	}
}
