package org.convlens.commands;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.Consumer;

import org.convlens.explain.CnnCodes;
import org.convlens.explain.CodeCsvWriter;
import org.convlens.explain.DatasetReport;
import org.convlens.imagej.DatasetViews;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.measure.ResultsTable;

/**
 * CNN codes: one layer's activations per image of a dataset (by default the classifier's input),
 * with label and predicted class, as a table and streamed to a CSV file.
 */
@Plugin(type = Command.class, name = "codes", menuPath = "Plugins>ConvLens>CNN Codes", headless = true)
public class CnnCodesExport extends DatasetCommand {

	@Parameter(label = "Layer", required = false, persist = false, description = "Layer to read the codes from (default: the input of the classifier)")
	private String layer = "";

	@Parameter(label = "Pooling", choices = { "flatten", "average", "max" }, description = "How a feature map becomes a vector: all values, or per-channel mean or max")
	private String pooling = "flatten";

	@Parameter(label = "Csv", required = false, style = "save", description = "CSV file to write the codes to (empty: none); written row by row")
	private File csv;

	@Parameter(label = "Table", description = "Also list the codes in a results table (for many images, the CSV alone needs less memory)")
	private boolean table = true;

	@Parameter(type = ItemIO.OUTPUT, label = "CNN codes")
	private ResultsTable codes;

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", codeLayers(info, CnnCodes.defaultLayer(info)));
	}

	static CnnCodes.Pooling pooling(String s) {
		try {
			return CnnCodes.Pooling.valueOf((s == null || s.isBlank() ? "flatten" : s.trim()).toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("Unknown pooling '" + s + "'; use flatten, average or max.");
		}
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		CnnCodes cc = new CnnCodes(m).layer(layer == null || layer.isBlank() ? null : layer.trim()).pooling(pooling(pooling));
		ResultsTable t = table ? new ResultsTable() : null;
		CodeCsvWriter w = null;
		try {
			if (csv != null && !csv.getPath().isEmpty()) {
				if (csv.getParentFile() != null) csv.getParentFile().mkdirs();
				w = new CodeCsvWriter(csv.toPath());
			}
			CodeCsvWriter writer = w;
			org.convlens.explain.SameClassCheck same = new org.convlens.explain.SameClassCheck();
			Consumer<CnnCodes.Row> sink = r -> {
				if (t != null) DatasetViews.addCodeRow(t, r);
				if (writer != null) writer.accept(r);
				same.add(r.predicted(), r.confidence());
			};
			DatasetReport rep = cc.extract(dataset(), runner(m), progress(), sink);
			report(rep);
			sameClassWarning(same, m);
			if (w != null) IJ.log(getInfo().getTitle() + ": " + w.rows() + " codes of layer " + cc.layer() + " (" + cc.dimension() + " values) written to " + csv);
		}
		catch (IOException | UncheckedIOException e) {
			throw new IllegalArgumentException("Cannot write the CSV file " + csv + ": " + e.getMessage(), e);
		}
		finally {
			if (w != null) {
				try {
					w.close();
				}
				catch (IOException e) {
					// reported above if writing failed; a failed close of a written file changes nothing for the user
				}
			}
		}
		codes = t;
	}
}
