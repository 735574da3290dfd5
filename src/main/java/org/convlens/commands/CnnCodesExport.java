package org.convlens.commands;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCsvWriter;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.imagej.DatasetViews;
import org.convlens.model.ConvModel;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import ij.IJ;
import ij.measure.ResultsTable;

/**
 * CNN codes: one layer's activations per image of a dataset (by default the classifier's input),
 * with label and predicted class, as a table and streamed to a CSV file.
 */
@Plugin(type = Command.class, name = "codes", label = "CNN Codes", menuPath = "Plugins>ConvLens>CNN Codes...", headless = true)
public class CnnCodesExport extends CodeCommand {

	@Parameter(label = "CSV file (empty = none)", required = false, style = FileWidget.SAVE_STYLE, description = "CSV file to write the codes to (empty: none); written row by row")
	private File csv;

	@Parameter(label = "Show a results table", description = "Also list the codes in a results table (for many images, the CSV alone needs less memory; never for codes of more than 1,024 values)")
	private boolean table = true;

	/**
	 * Widest code listed in a results table (about 1,000 columns; a 1,024-channel pooled code still
	 * fits): ImageJ's table adds columns by name, so a row costs the square of the width.
	 */
	public static final int TABLE_LIMIT = 1024;

	@Parameter(type = ItemIO.OUTPUT, label = "CNN codes")
	private ResultsTable codes;

	@Override
	protected void execute() {
		ConvModel m = convModel();
		String title = getInfo().getTitle();
		Map<String, Object> params = new LinkedHashMap<>();
		CnnCodes cc = codes(m, params);
		boolean toCsv = csv != null && !csv.getPath().isEmpty();
		int dim = cc.dimension();
		boolean wide = dim > TABLE_LIMIT;
		if (table && wide && !toCsv) {
			throw new IllegalArgumentException(String.format(Locale.ROOT, "The codes of layer %s have %,d values per image, more than a table " +
				"can list (%,d columns): choose a CSV file (option 'csv') or pooling=average.", cc.layer(), dim, TABLE_LIMIT));
		}
		if (table && wide) {
			IJ.log(String.format(Locale.ROOT, "%s: the codes have %,d values per image, more than %,d columns: no table, the CSV file holds them.",
				title, dim, TABLE_LIMIT));
		}
		// a layer of free size: decided on the first code
		ResultsTable[] t = { table && !wide ? new ResultsTable() : null };
		boolean[] dropped = { false };
		CodeCsvWriter w = null;
		try {
			if (toCsv) {
				if (csv.getParentFile() != null) csv.getParentFile().mkdirs();
				w = new CodeCsvWriter(csv.toPath());
			}
			CodeCsvWriter writer = w;
			org.convlens.explain.dataset.SameClassCheck same = new org.convlens.explain.dataset.SameClassCheck();
			Consumer<CnnCodes.Row> sink = r -> {
				if (t[0] != null && r.code().length > TABLE_LIMIT) {
					t[0] = null;
					dropped[0] = true;
				}
				if (t[0] != null) DatasetViews.addCodeRow(t[0], r);
				if (writer != null) writer.accept(r);
				same.add(r.predicted(), r.confidence());
			};
			DatasetReport rep = cc.extract(dataset(), runner(m), progress(), sink);
			report(rep);
			sameClassWarning(same, m);
			if (dropped[0]) {
				IJ.log(String.format(Locale.ROOT, "%s: the codes have more than %,d values per image: no table%s.", title, TABLE_LIMIT,
					writer != null ? ", the CSV file holds them" : "; choose a CSV file (option 'csv') to keep them"));
			}
			if (w != null) IJ.log(title + ": " + w.rows() + " codes of layer " + cc.layer() + " (" + (dim > 0 ? dim : "?") + " values, pooling " +
				params.get("pooling") + ") written to " + csv);
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
		codes = t[0];
	}
}
