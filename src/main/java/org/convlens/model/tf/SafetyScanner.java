package org.convlens.model.tf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.convlens.model.ModelException;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GradientDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;

/**
 * A SavedModel is a program from an untrusted file. This decides what of it may run, with an
 * allowlist ({@code allowed-ops.txt}, one reviewed file) instead of a deny-list, and without
 * trusting any part of the file to say what is exempt. <b>Every</b> node of the graph and every
 * function of the library is checked, each against the rules of the zone it sits in:
 *
 * <ul>
 * <li>The <b>serving path</b> (backward closure of the signature's outputs and inputs), the
 * <b>init path</b> (the init op that TensorFlow's own loader would run) and every function any
 * of their nodes calls, recursively (call ops, ops named after a library function, If / Case /
 * While branches, any function-valued attribute, nested ones, and registered gradients) may hold
 * only {@code [inference]} ops.
 * <li>The <b>restore path</b> ({@code saver_def}'s restore op and filename tensor, with the
 * functions it calls, e.g. Keras's {@code __inference__traced_restore_*}) may hold only
 * {@code [restore]} ops, and no string constant there may name a path or URL. Pointing
 * {@code restore_op_name} at anything else therefore gains nothing: it is checked all the same.
 * <li>The <b>save side</b> ({@code save_tensor_name}'s closure and the functions it calls, e.g.
 * {@code __inference__traced_save_*}) may in addition hold {@code [save]} ops ({@code SaveV2},
 * {@code MergeV2Checkpoints}, ...), and is never run: {@link #runnable} keeps only the serving
 * and restore paths and the functions they reach. A node on both sides keeps the stricter rules
 * of the path that runs, so repointing {@code save_tensor_name} exempts nothing.
 * <li><b>Everything else</b> (orphan nodes, functions no zone reaches, e.g. the training-mode
 * traces of Keras layers or functions named only by a gradient def) is never run either, and
 * may hold {@code [inference]}, {@code [restore]} and {@code [elsewhere]} ops (gradients and
 * optimizer updates of TF1 training graphs, image codecs of other signatures), nothing else.
 * <li>Any attribute whose string value is a URL or an absolute path ({@code debug_urls},
 * {@code output_stream}, ...) is refused wherever it sits (regular expressions, separators and
 * templates of string ops excepted: they are text, not places).
 * </ul>
 */
final class SafetyScanner {

	/** Which allowlist a zone of the graph is checked against. */
	enum Zone {
		SERVING("serving path", true), INIT("init op", true), RESTORE("restore path", true),
		SAVE("save side, never run", false), ELSEWHERE("not reachable from the serving path", false);

		final String label;
		/** Whether TensorFlow may run this zone; the others are checked but never imported. */
		final boolean runs;

		Zone(String label, boolean runs) {
			this.label = label;
			this.runs = runs;
		}
	}

	static final String RESOURCE = "allowed-ops.txt";

	private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");
	private static final Pattern ABSOLUTE = Pattern.compile("^(/|\\\\|~[/\\\\]|[A-Za-z]:[/\\\\]).*", Pattern.DOTALL);

	private static Map<Zone, Set<String>> lists;

	/**
	 * String attributes that are text the op works with in memory, never a location: regular
	 * expressions (Keras's save function matches {@code "^s3://.*"}), separators ({@code "/"}),
	 * templates.
	 */
	private static final Map<String, Set<String>> TEXT_ATTRS = Map.of("StaticRegexFullMatch", Set.of("pattern"),
		"StaticRegexReplace", Set.of("pattern", "rewrite"), "StringJoin", Set.of("separator"), "ReduceJoin", Set.of("separator"),
		"StringFormat", Set.of("template", "placeholder"));

	private SafetyScanner() {}

	/** The sections of {@value #RESOURCE}, in file order. */
	static final List<String> SECTIONS = List.of("inference", "restore", "save", "elsewhere");

	private static Map<String, Set<String>> sections;

	/** The ops of each section of {@value #RESOURCE}, read once (for the scan, tests and the docs). */
	static synchronized Map<String, Set<String>> sections() {
		if (sections == null) {
			Map<String, Set<String>> read = new LinkedHashMap<>();
			for (String sec : SECTIONS) read.put(sec, new TreeSet<>());
			try (InputStream in = SafetyScanner.class.getResourceAsStream(RESOURCE)) {
				if (in == null) throw new ModelException("ConvLens is missing its op allowlist " + RESOURCE + "; reinstall it.");
				BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
				Set<String> current = null;
				for (String line = r.readLine(); line != null; line = r.readLine()) {
					String l = line.replaceFirst("#.*", "").trim();
					if (l.isEmpty()) continue;
					if (l.startsWith("[") && l.endsWith("]") && read.containsKey(l.substring(1, l.length() - 1))) {
						current = read.get(l.substring(1, l.length() - 1));
					}
					else if (current == null || !l.matches("[A-Za-z0-9_]+")) {
						throw new ModelException("Malformed line in the op allowlist " + RESOURCE + ": " + line);
					}
					else current.add(l);
				}
			}
			catch (IOException e) {
				throw new ModelException("Cannot read the op allowlist " + RESOURCE + ": " + e.getMessage(), e);
			}
			Map<String, Set<String>> m = new LinkedHashMap<>();
			read.forEach((k, v) -> m.put(k, Collections.unmodifiableSet(v)));
			sections = Collections.unmodifiableMap(m);
		}
		return sections;
	}

	/** The ops allowed in each zone, built from the sections. */
	static synchronized Map<Zone, Set<String>> allowlists() {
		if (lists == null) {
			Map<String, Set<String>> s = sections();
			Set<String> elsewhere = new HashSet<>(s.get("inference"));
			elsewhere.addAll(s.get("restore"));
			elsewhere.addAll(s.get("elsewhere"));
			Set<String> save = new HashSet<>(elsewhere);
			save.addAll(s.get("save"));
			Map<Zone, Set<String>> m = new EnumMap<>(Zone.class);
			m.put(Zone.SERVING, s.get("inference"));
			m.put(Zone.INIT, s.get("inference"));
			m.put(Zone.RESTORE, s.get("restore"));
			m.put(Zone.SAVE, Set.copyOf(save));
			m.put(Zone.ELSEWHERE, Set.copyOf(elsewhere));
			lists = m;
		}
		return lists;
	}

	/** Every op on any section (for tests and the docs). */
	static Set<String> allowedOps() {
		Set<String> all = new TreeSet<>();
		sections().values().forEach(all::addAll);
		return all;
	}

	/** The ops the running TensorFlow registers (for tests: the allowlist must name real ops). */
	static Set<String> registeredOps() {
		return new TreeSet<>(OpRegistry.all().keySet());
	}

	/** What runs: roots of each zone (tensor or node names of the top-level graph). */
	static final class Roots {
		final Map<Zone, List<String>> roots = new LinkedHashMap<>();

		Roots add(Zone z, Collection<String> names) {
			for (String n : names) {
				if (n != null && !n.isEmpty()) roots.computeIfAbsent(z, k -> new ArrayList<>()).add(n);
			}
			return this;
		}

		List<String> get(Zone z) {
			return roots.getOrDefault(z, List.of());
		}
	}

	/**
	 * Every refused op, attribute and constant of the whole file, each with where it sits
	 * ({@code WriteFile 'w' in function f (serving path)}); empty when the model is safe to load.
	 * Zones are checked strictest first; a node or function already checked on a path that runs
	 * is not checked again under the looser rules of the save side or of unreachable code.
	 */
	static List<String> scan(GraphDef graph, Roots roots) {
		Map<String, NodeDef> byName = new LinkedHashMap<>();
		for (NodeDef n : graph.getNodeList()) byName.put(n.getName(), n);
		Map<String, FunctionDef> lib = library(graph.getLibrary());
		Map<String, String> grads = gradients(graph.getLibrary());
		Set<String> found = new LinkedHashSet<>();
		// a function named like an op would make a node of that op look like a call of model code
		Set<String> ops = OpRegistry.all().keySet();
		for (FunctionDef f : graph.getLibrary().getFunctionList()) {
			String fn = f.getSignature().getName();
			if (ops.contains(fn)) found.add("function " + fn + " of the library, which has the name of the TensorFlow op " + fn);
		}
		Set<String> nodesDone = new HashSet<>();
		Set<String> funcsDone = new HashSet<>();
		for (Zone z : Zone.values()) {
			Set<String> allowed = allowlists().get(z);
			Set<String> closure = z == Zone.ELSEWHERE ? byName.keySet() : GraphInliner.backwardClosure(byName, roots.get(z));
			// function name -> the node that names it, for the message
			Deque<String[]> funcs = new ArrayDeque<>();
			for (NodeDef n : graph.getNodeList()) {
				if (closure.contains(n.getName()) && (z.runs || !nodesDone.contains(n.getName()))) {
					check(n, "the graph", z, allowed, lib, funcs, found);
				}
			}
			nodesDone.addAll(closure);
			if (z == Zone.ELSEWHERE) {
				// functions nothing names, or named only by a gradient def
				for (FunctionDef f : graph.getLibrary().getFunctionList()) funcs.add(new String[] { f.getSignature().getName(), "the library" });
			}
			Set<String> seen = new HashSet<>();
			while (!funcs.isEmpty()) {
				String[] call = funcs.poll();
				String fn = call[0];
				if (!z.runs && funcsDone.contains(fn)) continue;
				if (!seen.add(fn)) continue;
				FunctionDef f = lib.get(fn);
				if (f == null) {
					// TensorFlow runs a registered op named as a function as a one-op function, and
					// refuses other unknown names: neither is a call of the model's own code
					found.add(call[1] + " calls " + fn + ", which is not a function of the model's library");
					continue;
				}
				if (grads.containsKey(fn)) funcs.add(new String[] { grads.get(fn), "the gradient of function " + fn });
				for (String alt : alternatives(f, lib)) funcs.add(new String[] { alt, "function " + fn + "'s api_implements" });
				for (NodeDef n : f.getNodeDefList()) check(n, "function " + fn, z, allowed, lib, funcs, found);
			}
			funcsDone.addAll(seen);
		}
		return new ArrayList<>(found);
	}

	private static void check(NodeDef n, String where, Zone z, Set<String> allowed, Map<String, FunctionDef> lib,
		Deque<String[]> funcs, Set<String> found)
	{
		String at = "'" + n.getName() + "' in " + where + " (" + z.label + ")";
		String caller = n.getOp() + " " + at;
		if (lib.containsKey(n.getOp())) funcs.add(new String[] { n.getOp(), caller });
		else if (!allowed.contains(n.getOp())) {
			found.add(caller + (z == Zone.RESTORE && allowlists().get(Zone.SERVING).contains(n.getOp()) ? ": only restore ops may run there" : ""));
		}
		for (Map.Entry<String, AttrValue> e : n.getAttrMap().entrySet()) {
			if (TEXT_ATTRS.getOrDefault(n.getOp(), Set.of()).contains(e.getKey())) continue;
			attr(e.getKey(), e.getValue(), n, at, caller, funcs, found);
		}
		if (z == Zone.RESTORE && n.getOp().equals("Const")) {
			AttrValue v = n.getAttrMap().get("value");
			if (v != null && v.hasTensor() && v.getTensor().getDtype() == DataType.DT_STRING) {
				for (com.google.protobuf.ByteString s : v.getTensor().getStringValList()) {
					String str = s.toStringUtf8();
					if (isLocation(str)) found.add("string constant " + at + " holding the location '" + shorten(str) + "'");
				}
			}
		}
	}

	private static void attr(String name, AttrValue v, NodeDef n, String at, String caller, Deque<String[]> funcs, Set<String> found) {
		if (v.hasFunc()) func(v.getFunc(), n, at, caller, funcs, found);
		if (v.hasList()) {
			for (NameAttrList f : v.getList().getFuncList()) func(f, n, at, caller, funcs, found);
			for (com.google.protobuf.ByteString s : v.getList().getSList()) location(name, s.toStringUtf8(), n, at, found);
		}
		if (v.getValueCase() == AttrValue.ValueCase.S) location(name, v.getS().toStringUtf8(), n, at, found);
	}

	private static void func(NameAttrList f, NodeDef n, String at, String caller, Deque<String[]> funcs, Set<String> found) {
		funcs.add(new String[] { f.getName(), caller });
		for (Map.Entry<String, AttrValue> e : f.getAttrMap().entrySet()) attr(e.getKey(), e.getValue(), n, at, caller, funcs, found);
	}

	private static void location(String attr, String value, NodeDef n, String at, Set<String> found) {
		if (isLocation(value)) found.add("attribute " + attr + " = '" + shorten(value) + "' of " + n.getOp() + " " + at);
	}

	/** A URL ({@code file://}, {@code gs://}, {@code http://}, ...) or an absolute path. */
	static boolean isLocation(String s) {
		String t = s.trim();
		return URL.matcher(t).find() || ABSOLUTE.matcher(t).matches();
	}

	private static String shorten(String s) {
		String t = s.replaceAll("\\p{Cntrl}", "?");
		return t.length() > 80 ? t.substring(0, 77) + "..." : t;
	}

	private static Map<String, FunctionDef> library(FunctionDefLibrary l) {
		Map<String, FunctionDef> lib = new HashMap<>();
		for (FunctionDef f : l.getFunctionList()) lib.put(f.getSignature().getName(), f);
		return lib;
	}

	private static Map<String, String> gradients(FunctionDefLibrary l) {
		Map<String, String> g = new HashMap<>();
		for (GradientDef d : l.getGradientList()) g.put(d.getFunctionName(), d.getGradientFunc());
		return g;
	}

	/**
	 * The part of the graph that may run: the backward closure of {@code roots} (the serving and
	 * restore paths; not the save side, not the init op), and only the library functions those
	 * nodes reach. What TensorFlow imports is what {@link #scan} checked.
	 */
	static GraphDef runnable(GraphDef graph, Collection<String> roots) {
		Map<String, NodeDef> byName = new LinkedHashMap<>();
		for (NodeDef n : graph.getNodeList()) byName.put(n.getName(), n);
		Set<String> keep = GraphInliner.backwardClosure(byName, new ArrayList<>(roots));
		GraphDef.Builder b = graph.toBuilder().clearNode();
		for (NodeDef n : graph.getNodeList()) if (keep.contains(n.getName())) b.addNode(n);
		return b.setLibrary(reachableLibrary(b.getNodeList(), graph.getLibrary())).build();
	}

	/** The library functions (and their registered gradients) that {@code nodes} reach, recursively. */
	static FunctionDefLibrary reachableLibrary(List<NodeDef> nodes, FunctionDefLibrary library) {
		Map<String, FunctionDef> lib = library(library);
		Map<String, String> grads = gradients(library);
		Set<String> reached = new LinkedHashSet<>();
		Deque<String> todo = new ArrayDeque<>();
		for (NodeDef n : nodes) calls(n, lib, todo);
		while (!todo.isEmpty()) {
			String fn = todo.poll();
			if (!lib.containsKey(fn) || !reached.add(fn)) continue;
			if (grads.containsKey(fn)) todo.add(grads.get(fn));
			todo.addAll(alternatives(lib.get(fn), lib));
			for (NodeDef n : lib.get(fn).getNodeDefList()) calls(n, lib, todo);
		}
		FunctionDefLibrary.Builder b = FunctionDefLibrary.newBuilder();
		for (FunctionDef f : library.getFunctionList()) if (reached.contains(f.getSignature().getName())) b.addFunction(f);
		for (GradientDef d : library.getGradientList()) {
			if (reached.contains(d.getFunctionName()) && reached.contains(d.getGradientFunc())) b.addGradient(d);
		}
		return b.build();
	}

	/**
	 * Functions Grappler may swap in for {@code f}: those that declare the same
	 * {@code api_implements} (e.g. Keras's CuDNN and generic LSTM); they can run in its place.
	 */
	private static List<String> alternatives(FunctionDef f, Map<String, FunctionDef> lib) {
		AttrValue api = f.getAttrMap().get("api_implements");
		if (api == null || api.getS().isEmpty()) return List.of();
		List<String> out = new ArrayList<>();
		for (FunctionDef g : lib.values()) {
			AttrValue a = g.getAttrMap().get("api_implements");
			if (a != null && a.getS().equals(api.getS())) out.add(g.getSignature().getName());
		}
		return out;
	}

	private static void calls(NodeDef n, Map<String, FunctionDef> lib, Deque<String> todo) {
		if (lib.containsKey(n.getOp())) todo.add(n.getOp());
		for (AttrValue v : n.getAttrMap().values()) funcNames(v, todo);
	}

	private static void funcNames(AttrValue v, Deque<String> todo) {
		if (v.hasFunc()) {
			todo.add(v.getFunc().getName());
			v.getFunc().getAttrMap().values().forEach(a -> funcNames(a, todo));
		}
		if (v.hasList()) {
			for (NameAttrList f : v.getList().getFuncList()) {
				todo.add(f.getName());
				f.getAttrMap().values().forEach(a -> funcNames(a, todo));
			}
		}
	}

	/**
	 * A last check of the graph handed to TensorFlow: every node and every library function op
	 * is on one of the allowlists. {@link #scan} already refused anything else on the paths that
	 * run; this guards against a change in how the graph is assembled (e.g. the inliner).
	 */
	static List<String> checkImported(GraphDef imported) {
		Set<String> any = new HashSet<>(allowlists().get(Zone.SERVING));
		any.addAll(allowlists().get(Zone.RESTORE));
		Map<String, FunctionDef> lib = library(imported.getLibrary());
		List<String> bad = new ArrayList<>();
		for (NodeDef n : imported.getNodeList()) {
			if (!any.contains(n.getOp()) && !lib.containsKey(n.getOp())) bad.add(n.getOp() + " '" + n.getName() + "' in the graph");
		}
		for (FunctionDef f : imported.getLibrary().getFunctionList()) {
			for (NodeDef n : f.getNodeDefList()) {
				if (!any.contains(n.getOp()) && !lib.containsKey(n.getOp())) {
					bad.add(n.getOp() + " '" + n.getName() + "' in function " + f.getSignature().getName());
				}
			}
		}
		return bad;
	}
}
