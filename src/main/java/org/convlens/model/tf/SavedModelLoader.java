package org.convlens.model.tf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.convlens.model.LoadOptions;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.TensorInfo;
import org.convlens.model.TfThreads;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TString;

/**
 * Loads a SavedModel into a {@link TfModel}: reads and fingerprints the files, picks the meta
 * graph and signature, refuses unsafe ops, inlines function calls, imports the graph, restores the
 * variables through the MetaGraph's {@code saver_def} and checks them, and reads class names.
 */
final class SavedModelLoader {

	private SavedModelLoader() {}

	/**
	 * Loads, checks and imports the SavedModel in {@code dir}.
	 *
	 * @throws ModelException naming the file and the problem when the model cannot be used
	 */
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

		TensorBudget.checkDeclared(inl.graph, dir);
		Graph g = new Graph();
		Session s = null;
		try {
			try {
				g.importGraphDef(inl.graph);
			}
			catch (IllegalArgumentException | org.tensorflow.exceptions.TensorFlowException e) {
				throw new ModelException("TensorFlow cannot import the graph of " + dir + ": " + e.getMessage(), e);
			}
			TensorBudget.checkInferred(g, dir);
			s = new Session(g, sessionConfig());
			java.util.function.Consumer<Session> restore = restorer(meta, dir);
			restore.accept(s);
			checkVariableShapes(g, s, inl.graph, dir);
			// static shapes from the imported graph are better than the signature's
			List<TensorInfo> in2 = refreshShapes(g, inputs);
			List<TensorInfo> out2 = refreshShapes(g, outputs);
			ModelInfo info = withLabels(LayerCatalog.build(dir, sig.getKey(), in2, out2, inl, g, List.of()), dir)
				.withFingerprint(fingerprint(digest, dir));
			checkUsable(info, dir);
			return new TfModel(g, s, info, inl.graph, inl.cleanNames, restore, inl.callsInlined, options.tags());
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
			try (Result res = DeepStack.run(r)) {
				for (int i = 0; i < vars.size(); i++) got.add(Tensors.longs((org.tensorflow.types.TInt64) res.get(i)));
			}
		}
		catch (RuntimeException e) {
			// some variable was not restored (not in the checkpoint): check the others one by one
			got.clear();
			for (String op : shapeOps) {
				try (Result res = DeepStack.run(s.runner().fetch(op))) {
					got.add(Tensors.longs((org.tensorflow.types.TInt64) res.get(0)));
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

	private static ModelException refusal(Path dir, List<String> refused) {
		return new ModelException("Refusing to load " + dir + ": it holds " + refused.size() + " op(s) or setting(s) outside " +
			"what ConvLens runs in a model it does not trust (ops that may touch files, the network or the log, " +
			"or that inference and variable restore do not need): " + String.join("; ", refused) +
			". Do not open it unless you trust its source; code that must can load it with LoadOptions.withUnsafeOpsAllowed(true).");
	}

	/**
	 * The init op TensorFlow's own loader would run ({@link TfModel#compareWithSignature} uses that
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

	/**
	 * The configuration of every session, the warm-up's included: TensorFlow sizes its shared thread
	 * pools from the first session's ({@link TfThreads}).
	 */
	static ConfigProto sessionConfig() {
		ConfigProto.Builder b = ConfigProto.newBuilder().setAllowSoftPlacement(true);
		int threads = TfThreads.requested();
		if (threads > 0) b.setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads);
		return b.build();
	}

	/**
	 * The fingerprint of the model files in {@code dir} now, as {@link ModelInfo#fingerprint()}
	 * holds it from the load.
	 */
	static String currentFingerprint(Path dir) {
		java.security.MessageDigest digest = sha256();
		readSavedModel(dir, digest);
		return fingerprint(digest, dir);
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
			// a protocol buffer holds at most 2 GiB: a larger file is not one (Java cannot even read it into one array)
			if (Files.size(pb) > Integer.MAX_VALUE) {
				throw new ModelException(pb + " has " + Files.size(pb) + " bytes, more than the 2 GiB a SavedModel's graph can have: " +
					"it is damaged or not a SavedModel. Export the model again.");
			}
			byte[] bytes = Files.readAllBytes(pb);
			digest.update(bytes);
			SavedModel sm = SavedModel.parseFrom(bytes);
			if (sm.getMetaGraphsCount() == 0) {
				throw new ModelException(pb + " holds no meta graph: the file is empty, truncated or not a SavedModel.");
			}
			return sm;
		}
		catch (com.google.protobuf.InvalidProtocolBufferException e) {
			// protobuf's own advice (raise the recursion limit) is for developers, not for a crafted file
			if (String.valueOf(e.getMessage()).contains("levels of nesting")) {
				throw new ModelException(pb + " is nested deeper than the 100 levels a model file may have: it is damaged or crafted. Export the model again.", e);
			}
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
				int[] s = Tensors.shapeOf(g.outputOrThrow(t.tensorName()));
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
				DeepStack.run(s.runner().feed(meta.getSaverDef().getFilenameTensorName(), file)
					.addTarget(meta.getSaverDef().getRestoreOpName())).close();
			}
			catch (RuntimeException e) {
				throw new ModelException("Cannot restore the model's variables from " + vars +
					" (missing, truncated or from another model?): " + TfModel.firstLine(e.getMessage()), e);
			}
		};
	}

	/** Under TfModel's name, as before the loader had its own class. */
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
}
