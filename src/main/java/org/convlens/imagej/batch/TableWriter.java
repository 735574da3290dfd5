package org.convlens.imagej.batch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.measure.ResultsTable;

/**
 * One CSV for a run's per-image tables: {@code file} and the table's columns, cells as ImageJ
 * writes them. A table with a column the earlier ones lacked (e.g. a {@code heatmap} note that
 * only a degenerate map adds) widens the run's table: the column is appended, and at the end
 * the header is rewritten and earlier rows get empty cells there.
 */
public final class TableWriter {
	private final Path path;
	private final BufferedWriter out;
	private final List<String> headings = new ArrayList<>();
	private int writtenHeadings = -1;

	/** A new table at {@code p} (its folder made if needed). */
	public TableWriter(Path p) throws IOException {
		path = p;
		Files.createDirectories(p.getParent());
		out = Files.newBufferedWriter(p, StandardCharsets.UTF_8);
	}

	/** The table's rows, each after {@code file}. */
	public void append(String file, ResultsTable t) throws IOException {
		for (String h : t.getHeadings()) if (!headings.contains(h)) headings.add(h);
		if (writtenHeadings < 0) {
			StringBuilder sb = new StringBuilder("file");
			for (String h : headings) sb.append(',').append(quote(h));
			out.write(sb.toString());
			out.newLine();
			writtenHeadings = headings.size();
		}
		for (int r = 0; r < t.size(); r++) {
			StringBuilder sb = new StringBuilder(quote(file));
			for (String h : headings) {
				String v = !t.columnExists(h) && !h.equals("Label") ? "" : h.equals("Label") ? t.getLabel(r) : t.getStringValue(h, r);
				sb.append(',').append(quote(v));
			}
			out.write(sb.toString());
			out.newLine();
		}
	}

	/** Closes the file, its header naming every column seen. */
	public void close() throws IOException {
		out.close();
		if (writtenHeadings < 0 || writtenHeadings == headings.size()) return;
		// columns were added on the way: the header names them all, earlier rows get empty cells
		Path tmp = path.resolveSibling(path.getFileName() + ".part");
		try (java.io.BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
			BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))
		{
			in.readLine();
			StringBuilder head = new StringBuilder("file");
			for (String h : headings) head.append(',').append(quote(h));
			w.write(head.toString());
			w.newLine();
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				int cells = cells(line);
				StringBuilder sb = new StringBuilder(line);
				for (int k = cells; k < headings.size() + 1; k++) sb.append(',');
				w.write(sb.toString());
				w.newLine();
			}
		}
		Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
	}

	/** Number of CSV cells in a line written by {@link #append} (quotes respected). */
	static int cells(String line) {
		int n = 1;
		boolean q = false;
		for (int i = 0; i < line.length(); i++) {
			char c = line.charAt(i);
			if (c == '"') q = !q;
			else if (c == ',' && !q) n++;
		}
		return n;
	}

	static String quote(String s) {
		if (s == null) return "";
		if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
		return '"' + s.replace("\"", "\"\"") + '"';
	}
}
