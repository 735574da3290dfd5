package org.convlens.imagej;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.measure.ResultsTable;

/**
 * Tables at full precision, for shard outputs that are merged later: ImageJ saves numbers with a
 * few decimals, which cannot order max-activating hits across shards or give back the exact
 * codes. Format: a CSV whose first line holds the headings; strings are always quoted, numbers
 * never ({@link Double#toString}, which reads back to the same double, so a float code comes back
 * bit for bit).
 */
public final class ExactTables {

	/** Suffix of a full-precision table beside ImageJ's {@code name.csv}. */
	public static final String SUFFIX = ".exact.csv";

	private ExactTables() {}

	/** One cell: a string (was quoted) or a number. */
	public static final class Cell implements java.io.Serializable {
		private static final long serialVersionUID = 1L;
		public final String text;
		public final double number;

		private Cell(String text, double number) {
			this.text = text;
			this.number = number;
		}

		public boolean isText() {
			return text != null;
		}

		@Override
		public String toString() {
			return text != null ? text : Double.toString(number);
		}
	}

	/** A number cell. */
	public static Cell number(double v) {
		return new Cell(null, v);
	}

	/** A text cell. */
	public static Cell text(String s) {
		return new Cell(s, Double.NaN);
	}

	/** A table read back: headings and rows of cells. */
	public static final class Table implements java.io.Serializable {
		private static final long serialVersionUID = 1L;
		public final List<String> headings;
		public final List<Cell[]> rows = new ArrayList<>();
		/** ImageJ's decimal places of the table written ({@code ResultsTable.setPrecision}), -1 when unknown. */
		public int precision = -1;

		/** An empty table with these headings. */
		public Table(List<String> headings) {
			this.headings = List.copyOf(headings);
		}

		public int column(String heading) {
			return headings.indexOf(heading);
		}

		/** A copy as an ImageJ table with the same column types (without row numbers, as the commands make them). */
		public ResultsTable toResultsTable(List<Cell[]> which) {
			ResultsTable t = new ResultsTable();
			t.showRowNumbers(false);
			if (precision >= 0) t.setPrecision(precision);
			for (Cell[] r : which) {
				t.incrementCounter();
				for (int c = 0; c < headings.size(); c++) {
					if (r[c].isText()) t.addValue(headings.get(c), r[c].text);
					else t.addValue(headings.get(c), r[c].number);
				}
			}
			return t;
		}
	}

	/** Writes {@code t} at full precision. */
	public static void write(ResultsTable t, Path file) throws IOException {
		String[] h = t.getHeadings();
		try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			int precision = precision(t);
			if (precision >= 0) {
				w.write("#precision=" + precision);
				w.newLine();
			}
			for (int c = 0; c < h.length; c++) w.write((c > 0 ? "," : "") + quote(h[c]));
			w.newLine();
			StringBuilder sb = new StringBuilder();
			for (int r = 0; r < t.size(); r++) {
				sb.setLength(0);
				for (int c = 0; c < h.length; c++) {
					if (c > 0) sb.append(',');
					if (h[c].equals("Label")) {
						sb.append(quote(t.getLabel(r) == null ? "" : t.getLabel(r)));
						continue;
					}
					double v = t.getValue(h[c], r);
					String s = Double.isNaN(v) ? t.getStringValue(h[c], r) : null;
					if (s == null || s.equals("NaN")) sb.append(v);
					else sb.append(quote(s));
				}
				w.write(sb.toString());
				w.newLine();
			}
		}
	}

	/** Reads a table written by {@link #write}. */
	public static Table read(Path file) throws IOException {
		List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		if (lines.isEmpty()) throw new IOException(file + " is empty");
		int first = 0, precision = -1;
		if (lines.get(0).startsWith("#precision=")) {
			precision = Integer.parseInt(lines.get(0).substring("#precision=".length()).trim());
			first = 1;
		}
		if (lines.size() <= first) throw new IOException(file + " has no headings");
		List<String> head = new ArrayList<>();
		for (Cell c : parse(lines.get(first), file, first + 1)) head.add(c.isText() ? c.text : c.toString());
		Table t = new Table(head);
		t.precision = precision;
		for (int i = first + 1; i < lines.size(); i++) {
			if (lines.get(i).isEmpty()) continue;
			List<Cell> cells = parse(lines.get(i), file, i + 1);
			if (cells.size() != head.size()) throw new IOException(file + " line " + (i + 1) + ": " + cells.size() + " cells, " + head.size() + " headings");
			t.rows.add(cells.toArray(new Cell[0]));
		}
		return t;
	}

	/**
	 * The table's decimal places: ImageJ has no getter, and a merged table must be saved with the
	 * same ones to read as one run's; -1 when it cannot be read.
	 */
	static int precision(ResultsTable t) {
		try {
			java.lang.reflect.Field f = ResultsTable.class.getDeclaredField("precision");
			f.setAccessible(true);
			return ((Number) f.get(t)).intValue();
		}
		catch (ReflectiveOperationException | RuntimeException e) {
			return -1;
		}
	}

	private static List<Cell> parse(String line, Path file, int no) throws IOException {
		List<Cell> out = new ArrayList<>();
		int i = 0, n = line.length();
		while (true) {
			if (i < n && line.charAt(i) == '"') {
				StringBuilder sb = new StringBuilder();
				i++;
				while (true) {
					if (i >= n) throw new IOException(file + " line " + no + ": unclosed quote");
					char ch = line.charAt(i++);
					if (ch == '"') {
						if (i < n && line.charAt(i) == '"') {
							sb.append('"');
							i++;
						}
						else break;
					}
					else sb.append(ch);
				}
				out.add(new Cell(sb.toString(), Double.NaN));
			}
			else {
				int j = line.indexOf(',', i);
				if (j < 0) j = n;
				String s = line.substring(i, j);
				try {
					out.add(new Cell(null, Double.parseDouble(s)));
				}
				catch (NumberFormatException e) {
					out.add(new Cell(s, Double.NaN)); // a heading or a hand-written cell
				}
				i = j;
			}
			if (i >= n) break;
			if (line.charAt(i) != ',') throw new IOException(file + " line " + no + ": expected ',' at column " + (i + 1));
			i++;
		}
		return out;
	}

	/** Quoted for this format (always, so that strings and numbers stay apart); line breaks become spaces. */
	static String quote(String s) {
		return '"' + s.replace("\r", " ").replace("\n", " ").replace("\"", "\"\"") + '"';
	}
}
