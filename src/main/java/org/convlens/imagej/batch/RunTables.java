package org.convlens.imagej.batch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.dataset.SameClassCheck;
import org.convlens.imagej.Outputs;

import ij.measure.ResultsTable;

/** A folder run's per-image tables, one CSV each per run: {@code <folder>_<output>.csv} with the file as first column. */
public final class RunTables {
	private final Path output;
	private final String runBase;
	private final boolean overwrite;
	private final WrittenFiles written;
	private final Map<String, TableWriter> writers = new LinkedHashMap<>();

	/**
	 * @param runBase the run's name (the input folder's, safe for file names)
	 * @param overwrite whether a table that was there before the run may be replaced
	 * @param written the run's files, shared with its other outputs
	 */
	public RunTables(Path output, String runBase, boolean overwrite, WrittenFiles written) {
		this.output = output;
		this.runBase = runBase;
		this.overwrite = overwrite;
		this.written = written;
	}

	/** Appends the table's rows; the new file on first use (refused if it exists and was not written by this run), else nothing. */
	public synchronized List<Path> append(String name, String file, ResultsTable t) throws IOException {
		TableWriter w = writers.get(name);
		List<Path> created = List.of();
		if (w == null) {
			Path p = output.resolve(runBase + "_" + Outputs.safe(name) + ".csv");
			written.reserve(List.of(p), overwrite);
			w = new TableWriter(p);
			writers.put(name, w);
			created = List.of(p);
		}
		w.append(file, t);
		return created;
	}

	/** Closes every table. */
	public synchronized void close() throws IOException {
		for (TableWriter w : writers.values()) w.close();
	}

	/** The rank-1 rows of a predictions table (columns rank, index, probability) into {@code check}. */
	public static void addTopRows(Object output, SameClassCheck check) {
		if (!(output instanceof ResultsTable)) return;
		ResultsTable t = (ResultsTable) output;
		if (!t.columnExists("rank") || !t.columnExists("index") || !t.columnExists("probability")) return;
		for (int r = 0; r < t.size(); r++) {
			if (t.getValue("rank", r) == 1) check.add((int) t.getValue("index", r), t.getValue("probability", r));
		}
	}
}
