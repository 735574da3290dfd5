package org.convlens.arch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The package graph of ConvLens read from source text, and the rules of the developers' guide checked
 * on it: no cycle between {@code org.convlens} packages, the four rooms' arrows one way
 * ({@code model -> explain -> imagej -> commands}), no ImageJ/SciJava/AWT/Swing in {@code explain},
 * and no TensorFlow outside {@code model.tf}. Reads {@code package} and {@code import} lines and
 * fully-qualified names in code; comments and string literals are ignored, so a Javadoc link or a
 * message naming a package is no dependency. Plain text, no compiler: a new library is not needed.
 */
final class PackageGraph {

	static final String ROOT = "org.convlens";

	private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
	/** A name starting at a package segment: lower-case segments are the package, the first capital ends it. */
	private static final Pattern OUR_NAME = Pattern.compile("(?<![\\w.])org\\.convlens(?:\\.[a-z_][a-z0-9_]*)*");
	private static final Pattern COMMENT_OR_STRING = Pattern.compile(
		"/\\*.*?\\*/|//[^\\n]*|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'", Pattern.DOTALL);

	/** Names an {@code explain} file must not use, as regexes on code (imports included). */
	static final Map<String, Pattern> EXPLAIN_FORBIDDEN = new TreeMap<>(Map.of(
		"ij.", Pattern.compile("(?<![\\w.])ij\\.[A-Za-z]"),
		"org.scijava.", Pattern.compile("(?<![\\w.])org\\.scijava\\."),
		"java.awt.", Pattern.compile("(?<![\\w.])java\\.awt\\."),
		"javax.swing.", Pattern.compile("(?<![\\w.])javax\\.swing\\."),
		"net.imagej", Pattern.compile("(?<![\\w.])net\\.imagej\\b")));
	private static final Pattern TENSORFLOW = Pattern.compile("(?<![\\w.])org\\.tensorflow\\b");

	/** The rooms in arrow order: a room may name those before it, never those after it. */
	static final List<String> ROOMS = List.of("model", "explain", "imagej", "commands");

	/** One source file as the checks see it. */
	static final class Source {
		final String path;
		final String pkg;
		/** Code with comments and string literals blanked out. */
		final String code;
		/** org.convlens packages named by imports or fully-qualified names. */
		final Set<String> uses = new TreeSet<>();

		Source(String path, String text) {
			this.path = path;
			this.code = stripCommentsAndStrings(text);
			Matcher p = PACKAGE.matcher(code);
			boolean named = p.find();
			this.pkg = named ? p.group(1) : "";
			int pkgAt = named ? p.start(1) : -1;
			Matcher m = OUR_NAME.matcher(code);
			while (m.find()) {
				if (m.start() == pkgAt) continue; // the package line itself
				uses.add(m.group());
			}
			uses.remove(pkg);
		}
	}

	final List<Source> sources = new ArrayList<>();
	/** Package -> packages it names (org.convlens only), sorted for stable messages. */
	final Map<String, Set<String>> edges = new TreeMap<>();

	void add(String path, String text) {
		Source s = new Source(path, text);
		sources.add(s);
		edges.computeIfAbsent(s.pkg, k -> new TreeSet<>()).addAll(s.uses);
	}

	static PackageGraph scan(Path root) {
		PackageGraph g = new PackageGraph();
		try (Stream<Path> files = Files.walk(root)) {
			for (Path f : files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList()))
				g.add(root.relativize(f).toString(), new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return g;
	}

	static String stripCommentsAndStrings(String text) {
		Matcher m = COMMENT_OR_STRING.matcher(text);
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			// keep line breaks so nothing from two lines is joined into one name
			m.appendReplacement(out, Matcher.quoteReplacement(" " + m.group().replaceAll("[^\\n]", "")));
		}
		m.appendTail(out);
		return out.toString();
	}

	/** The room of an org.convlens package ("model", "explain", ...), or null outside the four rooms. */
	static String room(String pkg) {
		for (String r : ROOMS)
			if (pkg.equals(ROOT + "." + r) || pkg.startsWith(ROOT + "." + r + ".")) return r;
		return null;
	}

	/**
	 * Every cycle-carrying group of packages (strongly connected component of more than one package,
	 * or a package naming itself), each reported as one concrete cycle {@code a -> b -> ... -> a}.
	 */
	static List<List<String>> cycles(Map<String, Set<String>> graph) {
		List<List<String>> out = new ArrayList<>();
		for (Set<String> scc : components(graph)) {
			String start = scc.iterator().next();
			if (scc.size() == 1 && !graph.getOrDefault(start, Set.of()).contains(start)) continue;
			out.add(cycleThrough(graph, scc, start));
		}
		return out;
	}

	/** Tarjan's strongly connected components, iterative over the sorted graph. */
	private static List<Set<String>> components(Map<String, Set<String>> graph) {
		Set<String> nodes = new TreeSet<>(graph.keySet());
		graph.values().forEach(nodes::addAll);
		Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
		Deque<String> stack = new ArrayDeque<>();
		Set<String> onStack = new TreeSet<>();
		List<Set<String>> result = new ArrayList<>();
		int[] counter = {0};
		for (String n : nodes)
			if (!index.containsKey(n)) strongConnect(n, graph, index, low, stack, onStack, result, counter);
		return result;
	}

	private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
		Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> result, int[] counter)
	{
		index.put(v, counter[0]);
		low.put(v, counter[0]++);
		stack.push(v);
		onStack.add(v);
		for (String w : graph.getOrDefault(v, Set.of())) {
			if (!index.containsKey(w)) {
				strongConnect(w, graph, index, low, stack, onStack, result, counter);
				low.put(v, Math.min(low.get(v), low.get(w)));
			} else if (onStack.contains(w)) {
				low.put(v, Math.min(low.get(v), index.get(w)));
			}
		}
		if (low.get(v).equals(index.get(v))) {
			Set<String> scc = new TreeSet<>();
			String w;
			do {
				w = stack.pop();
				onStack.remove(w);
				scc.add(w);
			} while (!w.equals(v));
			result.add(scc);
		}
	}

	/** A shortest path from start back to start inside one component (breadth-first). */
	private static List<String> cycleThrough(Map<String, Set<String>> graph, Set<String> scc, String start) {
		Map<String, String> parent = new HashMap<>();
		Deque<String> queue = new ArrayDeque<>(List.of(start));
		while (!queue.isEmpty()) {
			String v = queue.poll();
			for (String w : graph.getOrDefault(v, Set.of())) {
				if (!scc.contains(w)) continue;
				if (w.equals(start)) {
					List<String> path = new ArrayList<>();
					for (String x = v; x != null; x = parent.get(x)) path.add(0, x);
					path.add(start);
					return path;
				}
				if (!parent.containsKey(w) && !w.equals(start)) {
					parent.put(w, v);
					queue.add(w);
				}
			}
		}
		throw new IllegalStateException("no cycle through " + start + " in " + scc);
	}

	/** Files of explain naming ImageJ, SciJava, AWT or Swing: "path: names ij." lines. */
	List<String> explainForbidden() {
		List<String> out = new ArrayList<>();
		for (Source s : sources) {
			if (!"explain".equals(room(s.pkg))) continue;
			EXPLAIN_FORBIDDEN.forEach((name, p) -> {
				if (p.matcher(s.code).find()) out.add(s.path + ": names " + name);
			});
		}
		return out;
	}

	/** Files outside org.convlens.model.tf naming org.tensorflow. */
	List<String> tensorflowOutsideModelTf() {
		List<String> out = new ArrayList<>();
		String tf = ROOT + ".model.tf";
		for (Source s : sources)
			if (!(s.pkg.equals(tf) || s.pkg.startsWith(tf + ".")) && TENSORFLOW.matcher(s.code).find())
				out.add(s.path + ": names org.tensorflow outside " + tf);
		return out;
	}

	/** Files naming a later room than their own: "path: model names explain (org.convlens.explain.core)". */
	List<String> roomArrows() {
		List<String> out = new ArrayList<>();
		for (Source s : sources) {
			String from = room(s.pkg);
			if (from == null) continue;
			for (String used : s.uses) {
				String to = room(used);
				if (to != null && ROOMS.indexOf(to) > ROOMS.indexOf(from))
					out.add(s.path + ": " + from + " names " + to + " (" + used + ")");
			}
		}
		return out;
	}
}
