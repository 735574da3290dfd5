package org.convlens.model.tf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.convlens.model.ConvModel;
import org.convlens.model.GradientResult;
import org.convlens.model.LayerInfo;
import org.convlens.model.LoadOptions;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.OpNode;
import org.convlens.model.TensorInfo;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A SavedModel loaded into a fresh {@link Graph} after inlining its function calls, with its
 * variables restored through the MetaGraph's {@code saver_def}. Thread-safe: the session may be
 * run from several threads; gradient ops are added once per (target, wrt) under a lock.
 */
final class TfModel implements ConvModel {

	private final Graph graph;
	private final Session session;
	private final boolean ownsGraph;
	private final ModelInfo info;
	private final GraphDef graphDef;
	private final Map<String, NodeDef> nodes;
	private final Map<String, String> cleanNames;
	private int inlinedCalls;
	/** The meta-graph tags the model was loaded with, for {@link #compareWithSignature}. */
	private String[] tags = { "serve" };
	private final String inputTensor;
	private final Map<String, GradientOps> gradientCache;
	private final Map<String, String[]> assignCache;
	private final java.util.function.Consumer<Session> restore;
	private volatile boolean closed;

	/** Ops added for one (target, wrt) gradient. */
	private static final class GradientOps {
		final String dy;
		final String[] dx;

		GradientOps(String dy, String[] dx) {
			this.dy = dy;
			this.dx = dx;
		}
	}

	private TfModel(Graph graph, Session session, boolean ownsGraph, ModelInfo info, GraphDef graphDef, Map<String, String> cleanNames,
		Map<String, GradientOps> gradientCache, Map<String, String[]> assignCache, java.util.function.Consumer<Session> restore)
	{
		this.graph = graph;
		this.session = session;
		this.ownsGraph = ownsGraph;
		this.info = info;
		this.graphDef = graphDef;
		this.cleanNames = cleanNames;
		this.nodes = new HashMap<>();
		for (NodeDef n : graphDef.getNodeList()) nodes.put(n.getName(), n);
		this.inputTensor = info.imageInput().tensorName();
		this.gradientCache = gradientCache;
		this.assignCache = assignCache;
		this.restore = restore;
	}

	// ---------------------------------------------------------------- loading

	static TfModel load(Path dir, LoadOptions options) {
		java.security.MessageDigest digest = sha256();
		SavedModel sm = readSavedModel(dir, digest);
		MetaGraphDef meta = pickMetaGraph(sm, options, dir);
		Map.Entry<String, SignatureDef> sig = pickSignature(meta, options, dir);

		List<String> roots = new ArrayList<>();
		sig.getValue().getOutputsMap().values().forEach(t -> roots.add(t.getName()));
		List<String> inputNames = new ArrayList<>();
		sig.getValue().getInputsMap().values().forEach(t -> inputNames.add(t.getName()));
		List<String> restoreRoots = new ArrayList<>();
		if (meta.hasSaverDef() && !meta.getSaverDef().getRestoreOpName().isEmpty()) {
			restoreRoots.add(meta.getSaverDef().getRestoreOpName());
			restoreRoots.add(meta.getSaverDef().getFilenameTensorName());
		}
		if (!options.allowUnsafeOps()) {
			SafetyScanner.Roots zones = new SafetyScanner.Roots().add(SafetyScanner.Zone.SERVING, roots)
				.add(SafetyScanner.Zone.SERVING, inputNames).add(SafetyScanner.Zone.RESTORE, restoreRoots)
				.add(SafetyScanner.Zone.INIT, initOps(meta))
				.add(SafetyScanner.Zone.SAVE, meta.hasSaverDef() ? List.of(meta.getSaverDef().getSaveTensorName()) : List.of());
			List<String> refused = SafetyScanner.scan(meta.getGraphDef(), zones);
			if (!refused.isEmpty()) throw refusal(dir, refused);
		}
		// the whole file was checked; only the serving and restore paths are imported: the save
		// side, the init op and everything unreachable never run
		List<String> keep = new ArrayList<>(roots);
		keep.addAll(inputNames);
		keep.addAll(restoreRoots);
		GraphDef runnable = SafetyScanner.runnable(meta.getGraphDef(), keep);
		GraphInliner inliner = new GraphInliner(runnable, OpRegistry.all());
		GraphInliner.Result inl0 = inliner.inline(runnable, roots);
		GraphDef imported = inl0.graph.toBuilder()
			.setLibrary(SafetyScanner.reachableLibrary(inl0.graph.getNodeList(), inl0.graph.getLibrary())).build();
		GraphInliner.Result inl = new GraphInliner.Result(imported, inl0.rewired, inl0.cleanNames, inl0.callsInlined);
		if (!options.allowUnsafeOps()) {
			List<String> refused = SafetyScanner.checkImported(imported);
			if (!refused.isEmpty()) throw refusal(dir, refused);
		}

		List<TensorInfo> inputs = new ArrayList<>();
		sig.getValue().getInputsMap().forEach((k, t) -> inputs.add(tensorInfo(k, inl.resolve(t.getName()), t)));
		List<TensorInfo> outputs = new ArrayList<>();
		sig.getValue().getOutputsMap().forEach((k, t) -> outputs.add(tensorInfo(k, inl.resolve(t.getName()), t)));
		inputs.sort((a, b) -> a.key().compareTo(b.key()));
		outputs.sort((a, b) -> a.key().compareTo(b.key()));

		Graph g = new Graph();
		Session s = null;
		try {
			try {
				g.importGraphDef(inl.graph);
			}
			catch (IllegalArgumentException | org.tensorflow.exceptions.TensorFlowException e) {
				throw new ModelException("TensorFlow cannot import the graph of " + dir + ": " + e.getMessage(), e);
			}
			s = new Session(g, threads());
			java.util.function.Consumer<Session> restore = restorer(meta, dir);
			restore.accept(s);
			checkVariableShapes(g, s, inl.graph, dir);
			// static shapes from the imported graph are better than the signature's
			List<TensorInfo> in2 = refreshShapes(g, inputs);
			List<TensorInfo> out2 = refreshShapes(g, outputs);
			ModelInfo info = withLabels(LayerCatalog.build(dir, sig.getKey(), in2, out2, inl, g, List.of()), dir)
				.withFingerprint(fingerprint(digest, dir));
			checkUsable(info, dir);
			TfModel m = new TfModel(g, s, true, info, inl.graph, inl.cleanNames, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), restore);
			m.inlinedCalls = inl.callsInlined;
			m.tags = options.tags();
			return m;
		}
		catch (RuntimeException e) {
			if (s != null) s.close();
			g.close();
			throw e;
		}
	}

	/**
	 * Resource variables take whatever shape the checkpoint gives them (TF1's Assign checks, Keras's
	 * AssignVariableOp does not): a variables folder from another model would load and fail only
	 * later, deep in a run. Compares each restored variable with the shape its graph declares.
	 */
	private static void checkVariableShapes(Graph g, Session s, GraphDef def, Path dir) {
		List<NodeDef> vars = new ArrayList<>();
		for (NodeDef n : def.getNodeList()) {
			if (n.getOp().equals("VarHandleOp") && n.containsAttr("shape") && !n.getAttrOrThrow("shape").getShape().getUnknownRank()) vars.add(n);
		}
		if (vars.isEmpty()) return;
		List<String> shapeOps = new ArrayList<>();
		for (int i = 0; i < vars.size(); i++) {
			shapeOps.add(g.opBuilder("VariableShape", "convlens_variable_shape_" + i, g.baseScope())
				.addInput(g.operationOrThrow(vars.get(i).getName()).output(0)).setAttr("out_type", org.tensorflow.proto.DataType.DT_INT64)
				.build().name());
		}
		List<long[]> got = new ArrayList<>();
		try {
			Session.Runner r = s.runner();
			shapeOps.forEach(r::fetch);
			try (Result res = r.run()) {
				for (int i = 0; i < vars.size(); i++) got.add(longs((org.tensorflow.types.TInt64) res.get(i)));
			}
		}
		catch (RuntimeException e) {
			// some variable was not restored (not in the checkpoint): check the others one by one
			got.clear();
			for (String op : shapeOps) {
				try (Result res = s.runner().fetch(op).run()) {
					got.add(longs((org.tensorflow.types.TInt64) res.get(0)));
				}
				catch (RuntimeException notRestored) {
					got.add(null);
				}
			}
		}
		List<String> bad = new ArrayList<>();
		for (int i = 0; i < vars.size(); i++) {
			long[] have = got.get(i);
			if (have == null) continue;
			List<org.tensorflow.proto.TensorShapeProto.Dim> want = vars.get(i).getAttrOrThrow("shape").getShape().getDimList();
			boolean ok = want.size() == have.length;
			for (int d = 0; ok && d < have.length; d++) ok = want.get(d).getSize() < 0 || want.get(d).getSize() == have[d];
			if (!ok) {
				bad.add(vars.get(i).getName() + " is " + Arrays.toString(have) + " in the checkpoint but " +
					want.stream().map(d -> Long.toString(d.getSize())).collect(Collectors.joining(", ", "[", "]")) + " in the graph");
			}
		}
		if (!bad.isEmpty()) {
			throw new ModelException("The variables in " + dir.resolve("variables") + " do not fit the model's graph: " +
				String.join("; ", bad.subList(0, Math.min(3, bad.size()))) + (bad.size() > 3 ? " (and " + (bad.size() - 3) + " more)" : "") +
				". Are they from another model? Put the model's own variables folder beside its saved_model.pb.");
		}
	}

	private static long[] longs(org.tensorflow.types.TInt64 t) {
		long[] v = new long[(int) t.size()];
		for (int i = 0; i < v.length; i++) v[i] = t.getLong(i);
		return v;
	}

	private static ModelException refusal(Path dir, List<String> refused) {
		return new ModelException("Refusing to load " + dir + ": it holds " + refused.size() + " op(s) or setting(s) outside " +
			"what ConvLens runs in a model it does not trust (ops that may touch files, the network or the log, " +
			"or that inference and variable restore do not need): " + String.join("; ", refused) +
			". Do not open it unless you trust its source; code that must can load it with LoadOptions.withUnsafeOpsAllowed(true).");
	}

	/**
	 * The init op TensorFlow's own loader would run ({@link #compareWithSignature} uses that
	 * loader): the {@code __saved_model_init_op} signature and the v1 main-op collections.
	 */
	private static List<String> initOps(MetaGraphDef meta) {
		List<String> ops = new ArrayList<>();
		SignatureDef init = meta.getSignatureDefMap().get("__saved_model_init_op");
		if (init != null) init.getOutputsMap().values().forEach(t -> ops.add(t.getName()));
		for (String c : new String[] { "saved_model_main_op", "legacy_init_op", "main_op" }) {
			org.tensorflow.proto.CollectionDef d = meta.getCollectionDefMap().get(c);
			if (d != null && d.hasNodeList()) ops.addAll(d.getNodeList().getValueList());
		}
		return ops;
	}

	private static void checkUsable(ModelInfo info, Path dir) {
		boolean hasFloat = info.inputs().stream().anyMatch(TensorInfo::isFloat);
		if (!hasFloat) {
			throw new ModelException("The model " + dir + " has no float image input; its inputs are " + info.inputs() +
				". ConvLens needs a model that takes an image as a float tensor.");
		}
		TensorInfo in = info.imageInput();
		if (!"DT_FLOAT".equals(in.dtype())) {
			throw new ModelException("The model's image input " + in.tensorName() + " is " + in.dtype() + "; only DT_FLOAT inputs are supported.");
		}
		if ("NCHW".equals(info.dataFormat())) {
			throw new ModelException("The model " + dir + " uses the channels-first layout (NCHW). ConvLens supports " +
				"channels-last (NHWC) models; re-export it with data_format='channels_last'.");
		}
	}

	private static ConfigProto threads() {
		return ConfigProto.newBuilder().setAllowSoftPlacement(true).build();
	}

	private static java.security.MessageDigest sha256() {
		try {
			return java.security.MessageDigest.getInstance("SHA-256");
		}
		catch (java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java has SHA-256", e);
		}
	}

	/**
	 * The digest (already fed the saved_model.pb bytes that were parsed) over the variables index
	 * too, as 16 hex digits; the index names every variable's shard and offset, so retrained
	 * weights change it.
	 */
	private static String fingerprint(java.security.MessageDigest digest, Path dir) {
		Path index = dir.resolve("variables").resolve("variables.index");
		try {
			if (Files.isRegularFile(index)) digest.update(Files.readAllBytes(index));
		}
		catch (IOException e) {
			throw new ModelException("Cannot read " + index + ": " + e.getMessage(), e);
		}
		StringBuilder sb = new StringBuilder();
		byte[] d = digest.digest();
		for (int i = 0; i < 8; i++) sb.append(String.format("%02x", d[i]));
		return sb.toString();
	}

	private static SavedModel readSavedModel(Path dir, java.security.MessageDigest digest) {
		Path pb = dir.resolve("saved_model.pb");
		try {
			byte[] bytes = Files.readAllBytes(pb);
			digest.update(bytes);
			SavedModel sm = SavedModel.parseFrom(bytes);
			if (sm.getMetaGraphsCount() == 0) {
				throw new ModelException(pb + " holds no meta graph: the file is empty, truncated or not a SavedModel.");
			}
			return sm;
		}
		catch (com.google.protobuf.InvalidProtocolBufferException e) {
			throw new ModelException(pb + " cannot be parsed (truncated or corrupt?): " + e.getMessage(), e);
		}
		catch (IOException e) {
			throw new ModelException("Cannot read " + pb + ": " + e.getMessage(), e);
		}
	}

	private static MetaGraphDef pickMetaGraph(SavedModel sm, LoadOptions options, Path dir) {
		Set<String> want = new HashSet<>(Arrays.asList(options.tags()));
		List<String> seen = new ArrayList<>();
		for (MetaGraphDef m : sm.getMetaGraphsList()) {
			Set<String> tags = new HashSet<>(m.getMetaInfoDef().getTagsList());
			seen.add(tags.toString());
			if (tags.equals(want)) return m;
		}
		throw new ModelException("The SavedModel " + dir + " has no meta graph tagged " + want + "; available tag sets: " + seen);
	}

	private static Map.Entry<String, SignatureDef> pickSignature(MetaGraphDef meta, LoadOptions options, Path dir) {
		Map<String, SignatureDef> sigs = new LinkedHashMap<>(meta.getSignatureDefMap());
		sigs.remove("__saved_model_init_op");
		if (sigs.isEmpty()) throw new ModelException("The SavedModel " + dir + " defines no signature to run.");
		String key = options.signatureKey();
		if (key == null) key = sigs.containsKey("serving_default") ? "serving_default" : sigs.keySet().iterator().next();
		SignatureDef s = sigs.get(key);
		if (s == null) throw new ModelException("The SavedModel " + dir + " has no signature '" + key + "'; it has " + sigs.keySet());
		return Map.entry(key, s);
	}

	private static TensorInfo tensorInfo(String key, String name, org.tensorflow.proto.TensorInfo t) {
		int[] shape = null;
		if (t.hasTensorShape() && !t.getTensorShape().getUnknownRank()) {
			shape = t.getTensorShape().getDimList().stream().mapToInt(d -> (int) d.getSize()).toArray();
		}
		return new TensorInfo(key, name, t.getDtype().name(), shape);
	}

	private static List<TensorInfo> refreshShapes(Graph g, List<TensorInfo> list) {
		List<TensorInfo> out = new ArrayList<>();
		for (TensorInfo t : list) {
			int[] shape = t.shape();
			try {
				int[] s = shapeOf(g.outputOrThrow(t.tensorName()));
				if (s != null && (shape == null || s.length == shape.length)) shape = merge(shape, s);
			}
			catch (RuntimeException ignored) {
				// keep the signature's shape
			}
			out.add(new TensorInfo(t.key(), t.tensorName(), t.dtype(), shape));
		}
		return out;
	}

	private static int[] merge(int[] a, int[] b) {
		if (a == null) return b;
		int[] r = a.clone();
		for (int i = 0; i < r.length; i++) if (r[i] < 0) r[i] = b[i];
		return r;
	}

	static int[] shapeOf(Output<?> o) {
		Shape s = o.shape();
		if (s.isUnknown()) return null;
		int[] r = new int[s.numDimensions()];
		for (int i = 0; i < r.length; i++) r[i] = (int) s.get(i);
		return r;
	}

	/** Restores variables via saver_def (TF1 and TF2 alike); runs the init op for TF1 tables. */
	private static java.util.function.Consumer<Session> restorer(MetaGraphDef meta, Path dir) {
		return s -> {
			if (!meta.hasSaverDef() || meta.getSaverDef().getRestoreOpName().isEmpty()) return;
			Path vars = dir.resolve("variables");
			if (!Files.isRegularFile(vars.resolve("variables.index"))) {
				throw new ModelException("The model's variables are missing: no " + vars.resolve("variables.index") + ".");
			}
			String prefix = vars.resolve("variables").toString();
			try (TString file = TString.scalarOf(prefix)) {
				s.runner().feed(meta.getSaverDef().getFilenameTensorName(), file)
					.addTarget(meta.getSaverDef().getRestoreOpName()).run().close();
			}
			catch (RuntimeException e) {
				throw new ModelException("Cannot restore the model's variables from " + vars +
					" (missing, truncated or from another model?): " + firstLine(e.getMessage()), e);
			}
		};
	}

	/** TensorFlow's exception types must not leave the model room: wrap them with context. */
	static ModelException wrap(RuntimeException e, String what) {
		if (e instanceof ModelException) return (ModelException) e;
		return new ModelException(what + ": " + firstLine(e.getMessage()), e);
	}

	static String firstLine(String s) {
		if (s == null) return "";
		int n = s.indexOf('\n');
		return n < 0 ? s : s.substring(0, n);
	}

	private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TfModel.class.getName());

	/**
	 * Class names from labels.txt (or classes.txt) inside the model folder, or an empty list and
	 * a warning when the file is unreadable, links out of the folder, or does not fit the class
	 * output (one name per class; a single sigmoid output may have one or two names).
	 */
	private static ModelInfo withLabels(ModelInfo info, Path dir) {
		for (String name : new String[] { "labels.txt", "classes.txt" }) {
			String text;
			try {
				text = org.convlens.model.ModelFiles.readText(dir, name, org.convlens.model.ModelFiles.MAX_LABELS_BYTES);
			}
			catch (ModelException e) {
				return warn(info, "class names ignored: " + e.getMessage());
			}
			if (text == null) continue;
			List<String> labels = text.lines().map(String::trim).filter(l -> !l.isEmpty()).collect(Collectors.toList());
			int classes = info.numClasses();
			boolean binary = classes == 1 && "sigmoid".equals(info.outputActivation()) && labels.size() <= 2;
			if (classes > 0 && labels.size() != classes && !binary) {
				return warn(info, "class names ignored: " + dir.resolve(name) + " has " + labels.size() + " names, but the model's " +
					"class output has " + classes + (classes == 1 ? " value" : " classes") + "; fix the file to list one name per class.");
			}
			return info.withClassNames(labels);
		}
		return info;
	}

	private static ModelInfo warn(ModelInfo info, String w) {
		LOG.warning("ConvLens: " + w);
		return info.withWarning(w);
	}

	// ---------------------------------------------------------------- running

	@Override
	public ModelInfo info() {
		return info;
	}

	/** Resolves user-facing names to tensor names. */
	String tensorFor(String name) {
		if (name == null) throw new ModelException("No tensor name given.");
		switch (name) {
			case INPUT:
				return inputTensor;
			case OUTPUT:
				return requireOutput().tensorName();
			case LOGITS:
				return info.logitsTensor() != null ? info.logitsTensor() : requireOutput().tensorName();
			case TOP:
				return topTensor();
			default:
		}
		if (info.hasLayer(name)) return info.layer(name).tensorName();
		String node = GraphInliner.nodeOf(name);
		if (nodes.containsKey(node)) return GraphInliner.canonical(name);
		for (TensorInfo t : info.outputs()) if (t.key().equals(name)) return t.tensorName();
		throw new ModelException("The model has no layer or tensor '" + name + "'. Its layers are: " + info.layerNames());
	}

	private volatile String top;

	/** reduce_max of the logits over the class axis, added to the graph once. */
	private String topTensor() {
		if (top != null) return top;
		synchronized (gradientCache) {
			if (top == null) {
				String logits = tensorFor(LOGITS);
				int[] s = shapeOf(graph.outputOrThrow(logits));
				if (s == null || s.length != 2) throw new ModelException("The class output " + logits + " is not [N, classes]; there is no top class.");
				String existing = "convlens_top";
				if (graph.operation(existing) == null) {
					GraphOperation axis;
					try (org.tensorflow.types.TInt32 t = org.tensorflow.types.TInt32.vectorOf(1)) {
						axis = graph.opBuilder("Const", existing + "_axis", graph.baseScope()).setAttr("dtype", org.tensorflow.proto.DataType.DT_INT32)
							.setAttr("value", t).build();
					}
					graph.opBuilder("Max", existing, graph.baseScope()).addInput(graph.outputOrThrow(logits)).addInput(axis.output(0))
						.setAttr("keep_dims", false).build();
				}
				top = existing + ":0";
			}
			return top;
		}
	}

	private TensorInfo requireOutput() {
		TensorInfo t = info.classOutput();
		if (t == null) throw new ModelException("The model has no output.");
		return t;
	}

	private void checkOpen() {
		if (closed) throw new ModelException("The model " + info.path() + " has been closed.");
	}

	private TFloat32 toTensor(NdArray a) {
		int[] want = info.imageInput().shape();
		int[] got = a.shape();
		if (want != null) {
			boolean ok = want.length == got.length;
			for (int i = 0; ok && i < want.length; i++) ok = want[i] < 0 || want[i] == got[i];
			if (!ok) {
				throw new ModelException("Input of shape " + Arrays.toString(got) + " does not fit the model's input " +
					Arrays.toString(want) + ".");
			}
		}
		long[] shape = new long[got.length];
		for (int i = 0; i < shape.length; i++) shape[i] = got[i];
		return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(a.data(), true, false));
	}

	static NdArray toArray(Tensor t, String name) {
		return toArray(t, name, null);
	}

	/** The tensor's values, in {@code reuse} when it has the right length. */
	private static NdArray toArray(Tensor t, String name, NdArray reuse) {
		if (!(t instanceof TFloat32)) {
			throw new ModelException("Tensor " + name + " is " + t.dataType() + ", not float.");
		}
		TFloat32 f = (TFloat32) t;
		long[] s = f.shape().asArray();
		int[] shape = new int[s.length];
		for (int i = 0; i < s.length; i++) shape[i] = (int) s[i];
		float[] data = reuse != null && reuse.data().length == f.size() ? reuse.data() : new float[(int) f.size()];
		f.copyTo(DataBuffers.of(data, false, false));
		return new NdArray(shape, data);
	}

	@Override
	public Map<String, NdArray> run(NdArray input, List<String> fetches) {
		return run(Map.of(INPUT, input), fetches);
	}

	@Override
	public Map<String, NdArray> run(NdArray input, List<String> fetches, Map<String, NdArray> previous) {
		return run(Map.of(INPUT, input), fetches, previous == null ? Map.of() : previous);
	}

	/** Tensors for the feeds; the caller closes them. */
	private Map<String, TFloat32> feedTensors(Map<String, NdArray> feeds) {
		if (feeds.isEmpty()) throw new ModelException("Nothing to feed: give the input or a layer's value.");
		Map<String, TFloat32> t = new LinkedHashMap<>();
		try {
			for (Map.Entry<String, NdArray> e : feeds.entrySet()) {
				String name = tensorFor(e.getKey());
				t.put(name, name.equals(inputTensor) ? toTensor(e.getValue()) : tensorOf(e.getValue()));
			}
		}
		catch (RuntimeException e) {
			t.values().forEach(TFloat32::close);
			throw e;
		}
		return t;
	}

	@Override
	public Map<String, NdArray> run(Map<String, NdArray> feeds, List<String> fetches) {
		return run(feeds, fetches, Map.of());
	}

	private Map<String, NdArray> run(Map<String, NdArray> feeds, List<String> fetches, Map<String, NdArray> previous) {
		checkOpen();
		Map<String, NdArray> fedByTensor = new HashMap<>();
		feeds.forEach((k, v) -> fedByTensor.put(tensorFor(k), v));
		List<String> tensors = new ArrayList<>();
		for (String f : fetches) tensors.add(tensorFor(f));
		Map<String, NdArray> out = new LinkedHashMap<>();
		Map<String, TFloat32> in = feedTensors(feeds);
		try {
			Session.Runner r = session.runner();
			in.forEach(r::feed);
			List<String> fetched = new ArrayList<>();
			for (String t : tensors) {
				if (!fedByTensor.containsKey(t) && !fetched.contains(t)) {
					r.fetch(t); // TF refuses to fetch a fed tensor
					fetched.add(t);
				}
			}
			try (Result res = fetched.isEmpty() ? null : r.run()) {
				for (int i = 0; i < fetches.size(); i++) {
					String t = tensors.get(i);
					out.put(fetches.get(i), fedByTensor.containsKey(t) ? fedByTensor.get(t) : toArray(res.get(fetched.indexOf(t)), fetches.get(i),
						reusable(previous.get(fetches.get(i)), feeds)));
				}
			}
		}
		catch (RuntimeException e) {
			throw wrap(e, "TensorFlow failed to run " + fetches);
		}
		finally {
			in.values().forEach(TFloat32::close);
		}
		return out;
	}

	/** An earlier output to write into, unless it is one of the arrays fed now. */
	private static NdArray reusable(NdArray previous, Map<String, NdArray> feeds) {
		if (previous == null) return null;
		for (NdArray f : feeds.values()) if (f.data() == previous.data()) return null;
		return previous;
	}

	private static TFloat32 tensorOf(NdArray a) {
		return TFloat32.tensorOf(shapeOfArray(a), DataBuffers.of(a.data(), true, false));
	}

	private GradientOps gradientOps(String target, List<String> wrt) {
		String key = target + "|" + String.join("|", wrt);
		GradientOps ops = gradientCache.get(key);
		if (ops != null) return ops;
		synchronized (gradientCache) {
			ops = gradientCache.get(key);
			if (ops != null) return ops;
			String prefix = "convlens_gradients_" + gradientCache.size();
			Output<?> y = graph.outputOrThrow(target);
			Output<?>[] xs = new Output<?>[wrt.size()];
			for (int i = 0; i < xs.length; i++) xs[i] = graph.outputOrThrow(wrt.get(i));
			GraphOperation dyOp = graph.opBuilder("Placeholder", prefix + "_dy", graph.baseScope())
				.setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT).build();
			Output<?>[] dx;
			try {
				dx = graph.addGradients(prefix, new Output<?>[] { y }, xs, new Output<?>[] { dyOp.output(0) });
			}
			catch (RuntimeException e) {
				throw new ModelException("TensorFlow cannot differentiate " + target + " with respect to " + wrt + ": " +
					firstLine(e.getMessage()), e);
			}
			String[] names = new String[dx.length];
			for (int i = 0; i < dx.length; i++) names[i] = dx[i] == null ? null : dx[i].op().name() + ":" + dx[i].index();
			ops = new GradientOps(dyOp.name() + ":0", names);
			gradientCache.put(key, ops);
			return ops;
		}
	}

	@Override
	public Map<String, Object> diagnostics() {
		Map<String, Object> d = new LinkedHashMap<>();
		d.put("gradientGraphs", gradientCache.size());
		d.put("inlinedCalls", inlinedCalls);
		d.put("runtime", "TensorFlow " + org.tensorflow.TensorFlow.version());
		d.put("classLoader", TfModel.class.getClassLoader().getClass().getName());
		return d;
	}

	@Override
	public GradientResult gradients(NdArray input, String target, NdArray weights, List<String> wrt) {
		return gradients(Map.of(INPUT, input), target, weights, wrt);
	}

	@Override
	public GradientResult gradients(Map<String, NdArray> feeds, String target, NdArray weights, List<String> wrt) {
		return gradients(feeds, target, weights, wrt, List.of());
	}

	@Override
	public GradientResult gradients(Map<String, NdArray> feeds, String target, NdArray weights, List<String> wrt,
		List<String> alsoFetch)
	{
		checkOpen();
		String y = tensorFor(target);
		List<String> xs = new ArrayList<>();
		for (String w : wrt) xs.add(tensorFor(w));
		int[] ys = shapeOf(graph.outputOrThrow(y));
		if (ys != null) {
			boolean ok = ys.length == weights.rank();
			for (int i = 1; ok && i < ys.length; i++) ok = ys[i] < 0 || ys[i] == weights.dim(i);
			if (!ok) {
				throw new ModelException("Target weights of shape " + Arrays.toString(weights.shape()) + " do not match " + target +
					" of shape " + Arrays.toString(ys) + ".");
			}
		}
		Map<String, NdArray> fedByTensor = new HashMap<>();
		feeds.forEach((k, v) -> fedByTensor.put(tensorFor(k), v));
		GradientOps ops = gradientOps(y, xs);
		Map<String, NdArray> acts = new LinkedHashMap<>();
		Map<String, NdArray> grads = new LinkedHashMap<>();
		NdArray targetValue;
		Map<String, TFloat32> in = feedTensors(feeds);
		try (TFloat32 dy = tensorOf(weights)) {
			Session.Runner r = session.runner().feed(ops.dy, dy);
			in.forEach(r::feed);
			r.fetch(y);
			for (String x : xs) {
				if (!fedByTensor.containsKey(x)) r.fetch(x); // TF refuses to fetch a fed tensor
			}
			for (String d : ops.dx) {
				if (d != null) r.fetch(d);
			}
			List<String> extra = new ArrayList<>();
			for (String f : alsoFetch) {
				String t = tensorFor(f);
				extra.add(t);
				if (!fedByTensor.containsKey(t)) r.fetch(t);
			}
			try (Result res = r.run()) {
				targetValue = toArray(res.get(0), target);
				if (!Arrays.equals(targetValue.shape(), weights.shape())) {
					throw new ModelException("Target weights of shape " + Arrays.toString(weights.shape()) +
						" do not match " + target + " of shape " + Arrays.toString(targetValue.shape()) + ".");
				}
				int k = 1;
				for (int i = 0; i < wrt.size(); i++) {
					NdArray fed = fedByTensor.get(xs.get(i));
					acts.put(wrt.get(i), fed != null ? fed : toArray(res.get(k++), wrt.get(i)));
				}
				for (int i = 0; i < wrt.size(); i++) {
					NdArray a = acts.get(wrt.get(i));
					grads.put(wrt.get(i), ops.dx[i] == null ? NdArray.zeros(a.shape()) : toArray(res.get(k++), wrt.get(i)));
				}
				for (int i = 0; i < alsoFetch.size(); i++) {
					NdArray fed = fedByTensor.get(extra.get(i));
					acts.putIfAbsent(alsoFetch.get(i), fed != null ? fed : toArray(res.get(k++), alsoFetch.get(i)));
				}
			}
		}
		catch (RuntimeException e) {
			throw wrap(e, "TensorFlow failed to compute gradients of " + target);
		}
		finally {
			in.values().forEach(TFloat32::close);
		}
		return new GradientResult(targetValue, acts, grads);
	}

	private static Shape shapeOfArray(NdArray a) {
		int[] s = a.shape();
		long[] l = new long[s.length];
		for (int i = 0; i < s.length; i++) l[i] = s[i];
		return Shape.of(l);
	}

	@Override
	public List<OpNode> graphPath() {
		List<OpNode> path = pathCache;
		if (path != null) return path;
		Set<String> back = GraphInliner.backwardClosure(nodes, info.outputs().stream().map(TensorInfo::tensorName).collect(Collectors.toList()));
		Map<String, List<String>> consumers = new HashMap<>();
		for (NodeDef n : graphDef.getNodeList()) {
			for (String in : n.getInputList()) {
				if (!in.startsWith("^")) consumers.computeIfAbsent(GraphInliner.nodeOf(in), k -> new ArrayList<>()).add(n.getName());
			}
		}
		Set<String> fwd = new HashSet<>();
		java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(GraphInliner.nodeOf(inputTensor)));
		while (!todo.isEmpty()) {
			String n = todo.poll();
			if (fwd.add(n)) todo.addAll(consumers.getOrDefault(n, List.of()));
		}
		List<OpNode> out = new ArrayList<>();
		for (java.util.Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
			GraphOperation op = it.next();
			NodeDef n = nodes.get(op.name());
			if (n == null || !fwd.contains(op.name()) || !back.contains(op.name())) continue;
			List<String> inputs = new ArrayList<>();
			for (String in : n.getInputList()) if (!in.startsWith("^")) inputs.add(GraphInliner.canonical(in));
			Map<String, String> attrs = new LinkedHashMap<>();
			for (String a : new String[] { "strides", "ksize", "dilations" }) {
				org.tensorflow.proto.AttrValue v = n.getAttrMap().get(a);
				if (v != null) attrs.put(a, v.getList().getIList().toString());
			}
			for (String a : new String[] { "padding", "data_format" }) {
				org.tensorflow.proto.AttrValue v = n.getAttrMap().get(a);
				if (v != null) attrs.put(a, v.getS().toStringUtf8());
			}
			if (inputs.size() > 1 && (n.getOp().startsWith("Conv") || n.getOp().startsWith("DepthwiseConv"))) {
				int[] ks = shapeOf(graph.outputOrThrow(inputs.get(1)));
				if (ks != null) attrs.put("kernel_shape", Arrays.toString(ks));
			}
			int[] shape = op.numOutputs() > 0 ? shapeOf(op.output(0)) : null;
			out.add(new OpNode(op.name(), op.type(), inputs, shape, attrs));
		}
		pathCache = List.copyOf(out);
		return pathCache;
	}

	private volatile List<OpNode> pathCache;

	// ---------------------------------------------------------------- weights

	/** The variable-reading tensors (kernel first, then bias) that feed a layer, found in its scope. */
	List<String> weightTensors(String layerName) {
		LayerInfo l = info.layer(layerName);
		String scope = LayerCatalog.parent(cleanName(l.opName()));
		List<String> kernels = new ArrayList<>();
		List<String> biases = new ArrayList<>();
		for (NodeDef n : graphDef.getNodeList()) {
			String clean = cleanName(n.getName());
			if (!clean.startsWith(scope + "/")) continue;
			String op = n.getOp();
			if (op.equals("Conv2D") || op.equals("MatMul") || op.equals("DepthwiseConv2dNative") || op.equals("Conv2DBackpropInput")) {
				if (n.getInputCount() > 1) kernels.add(GraphInliner.canonical(n.getInput(1)));
			}
			else if (op.equals("BiasAdd") && n.getInputCount() > 1) {
				biases.add(GraphInliner.canonical(n.getInput(1)));
			}
		}
		List<String> all = new ArrayList<>(kernels);
		all.addAll(biases);
		return all;
	}

	String cleanName(String node) {
		return LayerCatalog.cleanName(node, cleanNames);
	}

	@Override
	public NdArray kernel(String layer) {
		checkOpen();
		List<String> w = weightTensors(layer);
		if (w.isEmpty()) throw new ModelException("Layer '" + layer + "' has no convolution or dense kernel.");
		try (Result res = session.runner().fetch(w.get(0)).run()) {
			return toArray(res.get(0), layer + " kernel");
		}
		catch (RuntimeException e) {
			throw wrap(e, "Cannot read the kernel of " + layer);
		}
	}

	/** The variable op (VarHandleOp or VariableV2) a read tensor comes from, following Identity/ReadVariableOp. */
	private NodeDef variableOf(String tensor) {
		String node = GraphInliner.nodeOf(tensor);
		for (int guard = 0; guard < 50; guard++) {
			NodeDef n = nodes.get(node);
			if (n == null) return null;
			switch (n.getOp()) {
				case "VarHandleOp":
				case "VariableV2":
				case "Variable":
					return n;
				case "ReadVariableOp":
				case "Identity":
				case "Enter":
					node = GraphInliner.nodeOf(n.getInput(0));
					break;
				default:
					return null;
			}
		}
		return null;
	}

	@Override
	public ConvModel randomizedCopy(List<String> layers, long seed) {
		checkOpen();
		Session copy = new Session(graph, threads());
		try {
			// a second session has its own variable state; restore gives this model's weights (the
			// checkpoint plus what this model, if itself a copy, re-initialised)
			restore.accept(copy);
			Map<String, NdArray> assigned = new LinkedHashMap<>();
			Random rnd = new Random(seed);
			for (String layer : layers) {
				for (String t : weightTensors(layer)) {
					NodeDef var = variableOf(t);
					if (var == null) throw new ModelException("Cannot find the variable behind " + t + " in layer " + layer);
					NdArray current;
					try (Result res = copy.runner().fetch(t).run()) {
						current = toArray(res.get(0), t);
					}
					float[] v = current.data();
					double mean = 0, sq = 0;
					for (float x : v) {
						mean += x;
						sq += x * x;
					}
					mean /= v.length;
					double sd = Math.sqrt(Math.max(sq / v.length - mean * mean, 0));
					if (sd == 0) sd = 0.05;
					float[] nv = new float[v.length];
					for (int i = 0; i < nv.length; i++) nv[i] = (float) (rnd.nextGaussian() * sd);
					NdArray value = new NdArray(current.shape(), nv);
					assign(copy, var, value);
					assigned.put(var.getName(), value);
				}
			}
			java.util.function.Consumer<Session> parent = restore;
			java.util.function.Consumer<Session> mine = s -> {
				parent.accept(s);
				assigned.forEach((name, value) -> assign(s, nodes.get(name), value));
			};
			return new TfModel(graph, copy, false, info, graphDef, cleanNames, gradientCache, assignCache, mine);
		}
		catch (RuntimeException e) {
			copy.close();
			throw e instanceof ModelException ? e : new ModelException("Cannot randomise layers " + layers + ": " + e.getMessage(), e);
		}
	}

	private void assign(Session s, NodeDef var, NdArray value) {
		String[] assign = assignOps(var);
		try (TFloat32 val = TFloat32.tensorOf(shapeOfArray(value), DataBuffers.of(value.data(), true, false))) {
			s.runner().feed(assign[0], val).addTarget(assign[1]).run().close();
		}
	}

	/** A placeholder and an assign op for a variable, built once. */
	private String[] assignOps(NodeDef var) {
		return assignCache.computeIfAbsent(var.getName(), k -> {
			synchronized (gradientCache) {
				String p = "convlens_assign_" + assignCache.size();
				GraphOperation ph = graph.opBuilder("Placeholder", p + "_value", graph.baseScope())
					.setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT).build();
				GraphOperation varOp = graph.operationOrThrow(var.getName());
				GraphOperation assign;
				if (var.getOp().equals("VarHandleOp")) {
					assign = graph.opBuilder("AssignVariableOp", p, graph.baseScope()).addInput(varOp.output(0))
						.addInput(ph.output(0)).setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT).build();
				}
				else {
					assign = graph.opBuilder("Assign", p, graph.baseScope()).addInput(varOp.output(0)).addInput(ph.output(0))
						.build();
				}
				return new String[] { ph.name() + ":0", assign.name() };
			}
		});
	}

	/**
	 * Runs the original signature through the un-inlined SavedModel (TensorFlow's own loader) and
	 * returns the largest absolute difference to this model's outputs, for verifying the inliner.
	 */
	@Override
	public double compareWithSignature(NdArray input) {
		checkOpen();
		// TensorFlow's loader reads the files again and runs their restore and init ops: only
		// the files that were checked at load may be handed to it
		java.security.MessageDigest digest = sha256();
		readSavedModel(info.path(), digest);
		String now = fingerprint(digest, info.path());
		if (info.fingerprint() != null && !info.fingerprint().equals(now)) {
			throw new ModelException("The model files in " + info.path() + " changed since they were loaded and checked (fingerprint " +
				info.fingerprint() + ", now " + now + "); reload the model.");
		}
		try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(info.path().toString(), tags);
			TFloat32 in = toTensor(input))
		{
			SignatureDef sig = b.metaGraphDef().getSignatureDefOrThrow(info.signatureKey());
			String inName = sig.getInputsOrThrow(info.imageInput().key()).getName();
			double max = 0;
			for (TensorInfo out : info.outputs()) {
				String outName = sig.getOutputsOrThrow(out.key()).getName();
				NdArray a;
				try (Result r = b.session().runner().feed(inName, in).fetch(outName).run()) {
					a = toArray(r.get(0), outName);
				}
				NdArray c = run(input, List.of(out.tensorName())).get(out.tensorName());
				for (int i = 0; i < a.size(); i++) max = Math.max(max, Math.abs(a.data()[i] - c.data()[i]));
			}
			return max;
		}
	}

	@Override
	public synchronized void close() {
		if (closed) return;
		closed = true;
		session.close();
		if (ownsGraph) graph.close();
	}

	/** Operations of the imported graph, for the catalogue. */
	Graph graph() {
		return graph;
	}

	Operand<?> op(String tensor) {
		return graph.outputOrThrow(tensor);
	}
}
