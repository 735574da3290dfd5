package org.convlens.arch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The size and duplication rules of the developers' guide, read from source text: class length, command
 * length, and blocks of six or more lines that stand in two places. Kept apart from the test so that
 * {@link CodeShapeTest} can show each rule failing on synthetic sources.
 */
final class CodeShape {

	/** A main class may pass this many lines only if its javadoc says why, with this phrase. */
	static final int MAX_CLASS_LINES = 400;
	static final String JUSTIFIED = "longer than 400 lines because";
	/** "About 120 lines" for a SciJava command class, parameters included. */
	static final int MAX_COMMAND_LINES = 130;
	static final int MIN_DUPLICATE_LINES = 6;

	private static final Pattern COMMAND_PLUGIN = Pattern.compile("@Plugin\\s*\\(\\s*type\\s*=\\s*Command\\.class");

	/** One source file: its path relative to the scanned root and its lines. */
	static final class Source {
		final String name;
		final List<String> lines;

		Source(String name, List<String> lines) {
			this.name = name;
			this.lines = lines;
		}

		String text() {
			return String.join("\n", lines);
		}
	}

	private CodeShape() {}

	static List<Source> read(Path root) {
		try (Stream<Path> files = Files.walk(root)) {
			List<Source> out = new ArrayList<>();
			for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList()))
				out.add(new Source(root.relativize(p).toString().replace('\\', '/'),
					Files.readAllLines(p, StandardCharsets.UTF_8)));
			return out;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Classes over {@link #MAX_CLASS_LINES} whose javadoc does not justify it, as "name: N lines". */
	static List<String> longClasses(List<Source> sources) {
		List<String> out = new ArrayList<>();
		for (Source s : sources)
			if (s.lines.size() > MAX_CLASS_LINES && !s.text().toLowerCase().contains(JUSTIFIED))
				out.add(s.name + ": " + s.lines.size() + " lines");
		return out;
	}

	/** SciJava command classes over {@link #MAX_COMMAND_LINES}, as "name: N lines". */
	static List<String> longCommands(List<Source> sources) {
		List<String> out = new ArrayList<>();
		for (Source s : sources)
			if (COMMAND_PLUGIN.matcher(s.text()).find() && s.lines.size() > MAX_COMMAND_LINES)
				out.add(s.name + ": " + s.lines.size() + " lines");
		return out;
	}

	/** How many SciJava command classes the sources hold (so a broken pattern cannot pass silently). */
	static long commandCount(List<Source> sources) {
		return sources.stream().filter(s -> COMMAND_PLUGIN.matcher(s.text()).find()).count();
	}

	/**
	 * Blocks of {@link #MIN_DUPLICATE_LINES} or more lines that are the same, white space aside, in two
	 * places, as "a.java:10-15 = b.java:40-45". Passed over, as boilerplate: blank lines, comments,
	 * imports, annotations (parameter declarations), lone punctuation and field declarations with only a
	 * type and a name.
	 */
	static List<String> duplicates(List<Source> sources) {
		List<int[]> kept = new ArrayList<>(); // per source: indices of the lines that count
		List<List<String>> norm = new ArrayList<>();
		for (Source s : sources) {
			List<String> n = new ArrayList<>();
			List<Integer> at = new ArrayList<>();
			boolean inComment = false;
			for (int i = 0; i < s.lines.size(); i++) {
				String t = s.lines.get(i).trim().replaceAll("\\s+", " ");
				if (inComment) {
					if (t.contains("*/")) inComment = false;
					continue;
				}
				if (t.startsWith("/*")) {
					inComment = !t.contains("*/");
					continue;
				}
				if (counts(t)) {
					n.add(t);
					at.add(i);
				}
			}
			norm.add(n);
			kept.add(at.stream().mapToInt(Integer::intValue).toArray());
		}
		Map<String, List<int[]>> windows = new HashMap<>(); // window text -> (source, start)
		for (int f = 0; f < norm.size(); f++) {
			List<String> n = norm.get(f);
			for (int i = 0; i + MIN_DUPLICATE_LINES <= n.size(); i++)
				windows.computeIfAbsent(String.join("\n", n.subList(i, i + MIN_DUPLICATE_LINES)), k -> new ArrayList<>())
					.add(new int[] { f, i });
		}
		// merge overlapping windows of one pair of places into one reported block
		Map<String, int[]> blocks = new LinkedHashMap<>();
		for (List<int[]> places : windows.values()) {
			if (places.size() < 2) continue;
			int[] a = places.get(0);
			for (int k = 1; k < places.size(); k++) {
				int[] b = places.get(k);
				String key = a[0] + ":" + b[0] + ":" + (b[1] - a[1]);
				int[] block = blocks.get(key);
				if (block == null) blocks.put(key, new int[] { a[0], a[1], b[0], b[1], a[1] + MIN_DUPLICATE_LINES - 1 });
				else {
					block[1] = Math.min(block[1], a[1]);
					block[3] = Math.min(block[3], b[1]);
					block[4] = Math.max(block[4], a[1] + MIN_DUPLICATE_LINES - 1);
				}
			}
		}
		TreeSet<String> out = new TreeSet<>();
		for (int[] b : blocks.values()) {
			int len = b[4] - b[1];
			int[] ka = kept.get(b[0]), kb = kept.get(b[2]);
			out.add(sources.get(b[0]).name + ":" + (ka[b[1]] + 1) + "-" + (ka[b[4]] + 1) + " = "
				+ sources.get(b[2]).name + ":" + (kb[b[3]] + 1) + "-" + (kb[b[3] + len] + 1));
		}
		return new ArrayList<>(out);
	}

	private static boolean counts(String t) {
		if (t.isEmpty() || t.startsWith("//") || t.startsWith("*") || t.startsWith("import ") || t.startsWith("package "))
			return false;
		if (t.startsWith("@")) return false;
		if (t.matches("[{}()\\[\\];,.]*")) return false;
		if (t.matches("(?:(?:private|protected|public|static|final) )*[\\w.<>\\[\\], ?]+ \\w+;")) return false;
		return !t.matches("(?:description|label|choices|style|min|max|stepSize|callback|persist|required|visibility) ?=.*");
	}
}
