package org.convlens.explain.dataset;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@link CnnCodes} rows to a CSV file as they come, so that codes of any number of images
 * need no memory: {@code index,name,label,predicted,predicted_name,confidence,c0,c1,...}.
 */
public final class CodeCsvWriter implements CnnCodes.StreamingSink, Closeable {

	private final BufferedWriter out;
	private final Path path;
	private int width = -1;
	private int rows;
	/** Reused for every row: a new builder and string per row was most of the garbage of a CSV run. */
	private final StringBuilder line = new StringBuilder(256);
	private char[] chars = new char[256];

	public CodeCsvWriter(Path path) throws IOException {
		this.path = path;
		this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
	}

	@Override
	public synchronized void accept(CnnCodes.Row r) {
		try {
			float[] c = r.code();
			if (width < 0) {
				width = c.length;
				out.write("index,name,label,predicted,predicted_name,confidence");
				for (int i = 0; i < width; i++) out.write(",c" + i);
				out.newLine();
			}
			else if (c.length != width) {
				throw new IllegalArgumentException("Code of " + r.name() + " has " + c.length + " values, the first had " + width + ".");
			}
			StringBuilder sb = line;
			sb.setLength(0);
			sb.append(r.index()).append(',').append(quote(r.name())).append(',').append(quote(r.label() == null ? "" : r.label()))
				.append(',').append(r.predicted()).append(',').append(quote(r.predictedName())).append(',').append(r.confidence());
			for (float v : c) sb.append(',').append(v);
			int n = sb.length();
			if (chars.length < n) chars = new char[Math.max(n, 2 * chars.length)];
			sb.getChars(0, n, chars, 0);
			out.write(chars, 0, n);
			out.newLine();
			rows++;
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage(), e);
		}
	}

	/** Rows written so far. */
	public synchronized int rows() {
		return rows;
	}

	static String quote(String s) {
		if (s == null) return "";
		if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
		return '"' + s.replace("\"", "\"\"") + '"';
	}

	@Override
	public synchronized void close() throws IOException {
		out.close();
	}
}
