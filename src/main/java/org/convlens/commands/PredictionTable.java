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
		if (out.rank() == 2) {
			SameClassCheck same = check(out);
			String w = out.dim(0) > 1 ? same.warning(m.info(), prep) : null;
			if (w != null) warning.accept(w);
			String sat = same.saturation(m.info(), "items");
			if (sat != null) warning.accept(imp.getTitle() + ": " + sat);
		}
		boolean many = imp.getNSlices() * imp.getNFrames() > 1;
		for (ImageInput.Position p : positions) labels.add(imp.getTitle() + (many ? " " + p : ""));
		return Tables.predictions(m.info(), out, labels, k);
	}

	/**
	 * A line when the top probability of some items is 1 to the table's six decimals (float32 holds
	 * no more): "1.000000" reads as certainty, yet such items differ only in their logits. Null otherwise.
	 */
	static String saturation(org.convlens.model.ModelInfo info, NdArray out) {
		return out.rank() == 2 ? check(out).saturation(info, "items") : null;
	}

	/** The rows' top classes and probabilities, as the one-class and saturation checks read them. */
	private static SameClassCheck check(NdArray out) {
		SameClassCheck same = new SameClassCheck();
		same.addScores(out.data(), out.dim(0));
		return same;
	}
}
