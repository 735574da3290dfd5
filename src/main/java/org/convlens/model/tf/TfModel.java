package org.convlens.model.tf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.convlens.model.ConvModel;
import org.convlens.model.GradientResult;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.OpNode;
import org.convlens.model.TensorInfo;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * A SavedModel as {@link SavedModelLoader} imported it (function calls inlined, variables
 * restored): runs it, differentiates it ({@link GradientGraphs}), reads and re-initialises its
 * weights ({@link ModelWeights}) and lists its ops ({@link GraphPaths}). Thread-safe: the session
 * may be run from several threads; gradient ops are added once per (target, wrt) under a lock.
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
	private final GradientGraphs gradientGraphs;
	private final ModelWeights layerWeights;
	private final Consumer<Session> restore;
	private volatile boolean closed;
	private volatile List<OpNode> pathCache;

	/** A model that owns its graph, as loaded. */
	TfModel(Graph graph, Session session, ModelInfo info, GraphDef graphDef, Map<String, String> cleanNames, Consumer<Session> restore,
		int inlinedCalls, String[] tags)
	{
		this(graph, session, true, info, graphDef, cleanNames, new GradientGraphs(graph), null, restore);
		this.inlinedCalls = inlinedCalls;
		this.tags = tags;
	}

	/** {@code weights} null: new ones, for a new graph; a randomised copy shares its model's. */
	private TfModel(Graph graph, Session session, boolean ownsGraph, ModelInfo info, GraphDef graphDef, Map<String, String> cleanNames,
		GradientGraphs gradients, ModelWeights weights, Consumer<Session> restore)
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
		this.gradientGraphs = gradients;
		this.layerWeights = weights != null ? weights : new ModelWeights(graph, graphDef, nodes, info, cleanNames, gradients);
		this.restore = restore;
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
				return gradientGraphs.top(tensorFor(LOGITS));
			default:
		}
		if (info.hasLayer(name)) return info.layer(name).tensorName();
		String node = GraphInliner.nodeOf(name);
		if (nodes.containsKey(node)) return GraphInliner.canonical(name);
		for (TensorInfo t : info.outputs()) if (t.key().equals(name)) return t.tensorName();
		throw new ModelException("The model has no layer or tensor '" + name + "'. Its layers are: " + info.layerNames());
	}

	private TensorInfo requireOutput() {
		TensorInfo t = info.classOutput();
		if (t == null) throw new ModelException("The model has no output.");
		return t;
	}

	private void checkOpen() {
		if (closed) throw new ModelException("The model " + info.path() + " has been closed.");
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
				t.put(name, name.equals(inputTensor) ? Tensors.inputTensor(e.getValue(), info.imageInput().shape()) : Tensors.tensorOf(e.getValue()));
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
			try (Result res = fetched.isEmpty() ? null : DeepStack.run(r)) {
				for (int i = 0; i < fetches.size(); i++) {
					String t = tensors.get(i);
					out.put(fetches.get(i), fedByTensor.containsKey(t) ? fedByTensor.get(t) : Tensors.toArray(res.get(fetched.indexOf(t)), fetches.get(i),
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

	@Override
	public Map<String, Object> diagnostics() {
		Map<String, Object> d = new LinkedHashMap<>();
		d.put("gradientGraphs", gradientGraphs.count());
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
		int[] ys = Tensors.shapeOf(graph.outputOrThrow(y));
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
		GradientGraphs.GradientOps ops = gradientGraphs.ops(y, xs);
		Map<String, NdArray> acts = new LinkedHashMap<>();
		Map<String, NdArray> grads = new LinkedHashMap<>();
		NdArray targetValue;
		Map<String, TFloat32> in = feedTensors(feeds);
		try (TFloat32 dy = Tensors.tensorOf(weights)) {
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
			try (Result res = DeepStack.run(r)) {
				targetValue = Tensors.toArray(res.get(0), target);
				if (!Arrays.equals(targetValue.shape(), weights.shape())) {
					throw new ModelException("Target weights of shape " + Arrays.toString(weights.shape()) +
						" do not match " + target + " of shape " + Arrays.toString(targetValue.shape()) + ".");
				}
				int k = 1;
				for (int i = 0; i < wrt.size(); i++) {
					NdArray fed = fedByTensor.get(xs.get(i));
					acts.put(wrt.get(i), fed != null ? fed : Tensors.toArray(res.get(k++), wrt.get(i)));
				}
				for (int i = 0; i < wrt.size(); i++) {
					NdArray a = acts.get(wrt.get(i));
					grads.put(wrt.get(i), ops.dx[i] == null ? NdArray.zeros(a.shape()) : Tensors.toArray(res.get(k++), wrt.get(i)));
				}
				for (int i = 0; i < alsoFetch.size(); i++) {
					NdArray fed = fedByTensor.get(extra.get(i));
					acts.putIfAbsent(alsoFetch.get(i), fed != null ? fed : Tensors.toArray(res.get(k++), alsoFetch.get(i)));
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

	@Override
	public List<OpNode> graphPath() {
		List<OpNode> path = pathCache;
		if (path != null) return path;
		pathCache = GraphPaths.path(graph, graphDef.getNodeList(), nodes,
			info.outputs().stream().map(TensorInfo::tensorName).collect(Collectors.toList()), inputTensor);
		return pathCache;
	}

	@Override
	public NdArray kernel(String layer) {
		checkOpen();
		List<String> w = layerWeights.weightTensors(layer);
		if (w.isEmpty()) throw new ModelException("Layer '" + layer + "' has no convolution or dense kernel.");
		try (Result res = DeepStack.run(session.runner().fetch(w.get(0)))) {
			return Tensors.toArray(res.get(0), layer + " kernel");
		}
		catch (RuntimeException e) {
			throw wrap(e, "Cannot read the kernel of " + layer);
		}
	}

	@Override
	public ConvModel randomizedCopy(List<String> layers, long seed) {
		checkOpen();
		Session copy = new Session(graph, SavedModelLoader.sessionConfig());
		try {
			// a second session has its own variable state; restore gives this model's weights (the
			// checkpoint plus what this model, if itself a copy, re-initialised)
			restore.accept(copy);
			Map<String, NdArray> assigned = layerWeights.randomize(copy, layers, seed);
			Consumer<Session> parent = restore;
			Consumer<Session> mine = s -> {
				parent.accept(s);
				assigned.forEach((name, value) -> layerWeights.assign(s, name, value));
			};
			return new TfModel(graph, copy, false, info, graphDef, cleanNames, gradientGraphs, layerWeights, mine);
		}
		catch (RuntimeException e) {
			copy.close();
			throw e instanceof ModelException ? e : new ModelException("Cannot randomise layers " + layers + ": " + e.getMessage(), e);
		}
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
		String now = SavedModelLoader.currentFingerprint(info.path());
		if (info.fingerprint() != null && !info.fingerprint().equals(now)) {
			throw new ModelException("The model files in " + info.path() + " changed since they were loaded and checked (fingerprint " +
				info.fingerprint() + ", now " + now + "); reload the model.");
		}
		try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(info.path().toString(), tags);
			TFloat32 in = Tensors.inputTensor(input, info.imageInput().shape()))
		{
			SignatureDef sig = b.metaGraphDef().getSignatureDefOrThrow(info.signatureKey());
			String inName = sig.getInputsOrThrow(info.imageInput().key()).getName();
			double max = 0;
			for (TensorInfo out : info.outputs()) {
				String outName = sig.getOutputsOrThrow(out.key()).getName();
				NdArray a;
				try (Result r = DeepStack.run(b.session().runner().feed(inName, in).fetch(outName))) {
					a = Tensors.toArray(r.get(0), outName);
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
}
