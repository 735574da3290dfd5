package org.convlens.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.convlens.explain.core.BatchRunner;
import org.convlens.explain.core.Progress;
import org.convlens.explain.dataset.SameClassCheck;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * The top-k predictions table commands add beside their maps, one row per analysed position of
 * the image; a batch that puts every item in one class is named as a warning (often wrong
 * preprocessing).
 */
final class PredictionTable {

	private PredictionTable() {}

	/** See {@link ConvLensCommand#predictionTable}; {@code warning} gets the one-class warning, if any. */
	static ResultsTable of(ConvModel m, NdArray batch, NdArray output, List<ImageInput.Position> positions, int k, Preprocessing prep,
		ImagePlus imp, Consumer<String> warning)
	{
		NdArray out = output != null ? output : BatchRunner.run(m, batch, List.of(ConvModel.OUTPUT), BatchRunner.DEFAULT_CHUNK, Progress.NONE)
			.get(ConvModel.OUTPUT);
		List<String> labels = new ArrayList<>();
		if (out.rank() == 2 && out.dim(0) > 1) {
			SameClassCheck same = new SameClassCheck();
			same.addScores(out.data(), out.dim(0));
			String w = same.warning(m.info(), prep);
			if (w != null) warning.accept(w);
		}
		boolean many = imp.getNSlices() * imp.getNFrames() > 1;
		for (ImageInput.Position p : positions) labels.add(imp.getTitle() + (many ? " " + p : ""));
		return Tables.predictions(m.info(), out, labels, k);
	}
}
