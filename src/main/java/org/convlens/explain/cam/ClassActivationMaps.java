package org.convlens.explain.cam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.convlens.explain.core.Progress;
import org.convlens.model.ConvModel;
import org.convlens.model.GradientResult;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;

/**
 * Computes class activation maps for a batch of preprocessed images ({@code [N, H, W, C]}) with a
 * {@link ConvModel}. Settings are immutable; each {@code with...} returns a changed copy:
 *
 * <pre>
 * List&lt;Heatmap&gt; maps = new ClassActivationMaps(model).withMethod(CamMethod.GRAD_CAM_PLUS_PLUS)
 * 	.withTarget(Target.classIndex(1)).compute(batch, progress);
 * </pre>
 *
 * <p>Cost per batch of {@code batchSize} images: the gradient methods take one forward and
 * backward pass; for the top class without its scores passed in, a forward pass first and then
 * (with one layer) the forward and backward pass of only the layers after it. EigenCAM takes one
 * forward pass. Score-CAM takes a forward pass per image per {@code batchSize} masked inputs;
 * Ablation-CAM runs the layers after the chosen one (the engine's feeds) per image per
 * {@code batchSize} ablated channels.
 */
public final class ClassActivationMaps {

	/** Default number of images (gradient methods) or masked inputs (Score/Ablation-CAM) per model call. */
	public static final int DEFAULT_BATCH_SIZE = 32;

	private final ConvModel model;
	private final CamMethod method;
	private final List<String> layers;
	private final Target target;
	private final int batchSize;
	private final Map<String, int[]> targetShapes = new HashMap<>();

	public ClassActivationMaps(ConvModel model) {
		this(model, CamMethod.GRAD_CAM, List.of(), Target.topClass(), DEFAULT_BATCH_SIZE);
	}

	private ClassActivationMaps(ConvModel model, CamMethod method, List<String> layers, Target target, int batchSize) {
		this.model = Objects.requireNonNull(model, "model");
		this.method = Objects.requireNonNull(method, "method");
		this.layers = List.copyOf(layers);
		this.target = Objects.requireNonNull(target, "target");
		this.batchSize = batchSize;
	}

	public ClassActivationMaps withMethod(CamMethod m) {
		return new ClassActivationMaps(model, m, layers, target, batchSize);
	}

	/** The layers whose maps are averaged; empty (the default) means {@link ModelInfo#defaultCamLayer()}. */
	public ClassActivationMaps withLayers(List<String> l) {
		return new ClassActivationMaps(model, method, l == null ? List.of() : l, target, batchSize);
	}

	public ClassActivationMaps withTarget(Target t) {
		return new ClassActivationMaps(model, method, layers, t, batchSize);
	}

	/** Images per model call for the gradient methods and EigenCAM; masked inputs per call for Score/Ablation-CAM. */
	public ClassActivationMaps withBatchSize(int b) {
		if (b < 1) throw new IllegalArgumentException("Batch size must be at least 1, not " + b);
		return new ClassActivationMaps(model, method, layers, target, b);
	}

	public CamMethod method() { return method; }
	public Target target() { return target; }
	public int batchSize() { return batchSize; }

	/**
	 * The layers that will be used, checked: the chosen ones, or the default CAM layer (the last
	 * convolution's activated output larger than 1x1, {@link ModelInfo#defaultCamLayer()}).
	 *
	 * @throws ModelException for an unknown layer or a model without spatial layers
	 * @throws IllegalArgumentException for a layer that is not spatial
	 */
	public List<LayerInfo> resolveLayers() {
		ModelInfo info = model.info();
		if (layers.isEmpty()) return List.of(info.defaultCamLayer());
		List<LayerInfo> out = new ArrayList<>();
		for (String name : layers) {
			LayerInfo l = info.layer(name);
			if (l.kind() != LayerKind.SPATIAL) {
				List<String> spatial = new ArrayList<>();
				for (LayerInfo s : info.spatialLayers()) spatial.add(s.name());
				throw new IllegalArgumentException("Layer '" + l.name() + "' is not spatial (its output is " + Arrays.toString(l.shape()) +
					"): class activation maps need a feature-map layer [N, H, W, C]. Spatial layers: " + spatial);
			}
			if (!out.contains(l)) out.add(l);
		}
		return out;
	}

	/** Maps for every image of the batch, running the model as needed. */
	public List<Heatmap> compute(NdArray batch, Progress progress) {
		return compute(batch, null, progress);
	}

	/**
	 * Maps for every image of the batch.
	 *
	 * @param batch preprocessed images {@code [N, H, W, C]}
	 * @param targetValues the batch's values of {@link Target#tensor()} when the caller has them
	 *          already (e.g. the logits behind a predictions table), so that the top class needs no
	 *          extra forward pass; may be null
	 */
	public List<Heatmap> compute(NdArray batch, NdArray targetValues, Progress progress) {
		return compute(batch, targetValues, List.of(), null, progress);
	}

	/**
	 * Maps for every image of the batch, also fetching other tensors (e.g. {@link ConvModel#OUTPUT}
	 * for a predictions table) in the forward pass the method makes anyway, or in an extra one
	 * where it makes none.
	 *
	 * @param alsoFetch tensor names to fetch for the whole batch
	 * @param fetched receives each of {@code alsoFetch} for the whole batch (may be null when
	 *          {@code alsoFetch} is empty)
	 */
	public List<Heatmap> compute(NdArray batch, NdArray targetValues, List<String> alsoFetch, Map<String, NdArray> fetched, Progress progress) {
		Map<String, List<NdArray>> extra = new LinkedHashMap<>();
		for (String name : alsoFetch) extra.put(name, new ArrayList<>());
		List<Heatmap> out = computeChunks(batch, targetValues, extra, progress);
		for (Map.Entry<String, List<NdArray>> e : extra.entrySet()) fetched.put(e.getKey(), NdArray.concat(e.getValue()));
		return out;
	}

	private List<Heatmap> computeChunks(NdArray batch, NdArray targetValues, Map<String, List<NdArray>> extra, Progress progress) {
		Progress p = progress == null ? Progress.NONE : progress;
		ModelInfo info = model.info();
		if (!"NHWC".equals(info.dataFormat())) {
			throw new ModelException("Class activation maps need an NHWC model; this one is " + info.dataFormat() + ".");
		}
		if (batch.rank() != 4) {
			throw new IllegalArgumentException("Expected a batch of images [N, H, W, C], got " + Arrays.toString(batch.shape()));
		}
		if (targetValues != null && targetValues.dim(0) != batch.dim(0)) {
			throw new IllegalArgumentException("Target values for " + targetValues.dim(0) + " images but the batch has " + batch.dim(0));
		}
		target.validate(info);
		List<LayerInfo> ls = resolveLayers();
		int N = batch.dim(0);
		List<Heatmap> out = new ArrayList<>(N);
		// perturbation methods run many forward passes per image: take images one at a time
		int chunk = method.isPerturbation() ? 1 : batchSize;
		for (int from = 0; from < N; from += chunk) {
			p.checkCancelled();
			int to = Math.min(N, from + chunk);
			boolean whole = from == 0 && to == N;
			NdArray part = whole ? batch : batch.items(from, to);
			NdArray known = targetValues == null ? null : whole ? targetValues : targetValues.items(from, to);
			Progress sub = p.sub((double) from / N, (double) to / N);
			Map<String, NdArray> got = new HashMap<>();
			if (method.usesGradients()) out.addAll(gradientMaps(part, known, ls, sub, extra.keySet(), got));
			else out.addAll(forwardMaps(part, ls, sub, extra.keySet(), got));
			List<String> missing = new ArrayList<>();
			for (String name : extra.keySet()) if (!got.containsKey(name)) missing.add(name);
			if (!missing.isEmpty()) got.putAll(model.run(part, missing));
			for (Map.Entry<String, List<NdArray>> e : extra.entrySet()) e.getValue().add(got.get(e.getKey()));
			p.update((double) to / N, method.label() + ": " + to + "/" + N + " images");
		}
		return out;
	}

	private List<Heatmap> gradientMaps(NdArray part, NdArray known, List<LayerInfo> ls, Progress p, java.util.Set<String> extra,
		Map<String, NdArray> got)
	{
		ModelInfo info = model.info();
		int n = part.dim(0);
		String t = target.tensor();
		List<String> names = new ArrayList<>();
		for (LayerInfo l : ls) names.add(l.name());
		NdArray values = known;
		Map<String, NdArray> feeds = Map.of(ConvModel.INPUT, part);
		if (values == null && target.needsValues() && ConvModel.LOGITS.equals(t) && info.numClasses() > 1) {
			List<Heatmap> one = topClassInOneCall(part, names, extra, got);
			if (one != null) return one;
		}
		if (values == null && target.needsValues()) {
			// the class is known only after a forward pass; with one layer, keep its activation from
			// that pass and differentiate only the rest of the network
			List<String> fetches = new ArrayList<>(List.of(t));
			boolean keep = names.size() == 1 && !names.get(0).equals(t);
			if (keep) fetches.add(names.get(0));
			for (String e : extra) if (!fetches.contains(e)) fetches.add(e);
			Map<String, NdArray> r = model.run(part, fetches);
			for (String e : extra) got.put(e, r.get(e));
			values = r.get(t);
			if (keep) feeds = Map.of(ConvModel.INPUT, part, names.get(0), r.get(names.get(0)));
		}
		int[] wShape;
		if (values != null) wShape = values.shape();
		else {
			int[] item = targetItemShape(part);
			wShape = new int[item.length + 1];
			wShape[0] = n;
			System.arraycopy(item, 0, wShape, 1, item.length);
		}
		int size = (int) NdArray.count(wShape) / n;
		List<Target.Choice> choices = new ArrayList<>(n);
		float[] w = new float[n * size];
		for (int i = 0; i < n; i++) {
			Target.Choice c = target.choose(info, values == null ? null : itemValues(values, i), size);
			choices.add(c);
			System.arraycopy(c.weights(), 0, w, i * size, size);
		}
		GradientResult g = model.gradients(feeds, t, new NdArray(wShape, w), names);
		NdArray tv = g.target();
		return perItem(n, i -> {
			Target.Choice c = choices.get(i);
			return heatmap(layerMaps(g, names, i), c, c.score(itemValues(tv, i)), part);
		});
	}

	/** Item {@code i}'s map of each layer from the activations and gradients. */
	private List<Heatmap.LayerMap> layerMaps(GradientResult g, List<String> names, int i) {
		List<Heatmap.LayerMap> maps = new ArrayList<>();
		for (String name : names) {
			FeatureMaps a = FeatureMaps.of(g.activation(name), i);
			FeatureMaps d = FeatureMaps.of(g.gradient(name), i);
			maps.add(new Heatmap.LayerMap(name, a.width(), a.height(), CamMath.gradientMap(method, a, d)));
		}
		return maps;
	}

	/**
	 * Item {@code i}'s heatmap for each {@code i}, made on several cores where there are several
	 * items (each is independent; the order is kept), its {@link Heatmap#problem()} checked there
	 * too: on a fast model this work, not TensorFlow, would otherwise bound a batch's time.
	 */
	private static List<Heatmap> perItem(int n, java.util.function.IntFunction<Heatmap> make) {
		Heatmap[] out = new Heatmap[n];
		java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
			out[i] = make.apply(i);
			out[i].problem();
		});
		return Arrays.asList(out);
	}

	/**
	 * The top class of a multi-class model in one TensorFlow call: the gradient of
	 * {@link ConvModel#TOP} (each item's largest logit) is the gradient of each item's top class, and
	 * the logits come back from the same run to name it. Null when a logit tie makes the top class
	 * ambiguous (the caller then picks it explicitly).
	 */
	private List<Heatmap> topClassInOneCall(NdArray part, List<String> names, java.util.Set<String> extra, Map<String, NdArray> got) {
		ModelInfo info = model.info();
		int n = part.dim(0);
		List<String> fetch = new ArrayList<>(List.of(ConvModel.LOGITS));
		for (String e : extra) if (!fetch.contains(e)) fetch.add(e);
		float[] ones = new float[n];
		java.util.Arrays.fill(ones, 1f);
		GradientResult g = model.gradients(Map.of(ConvModel.INPUT, part), ConvModel.TOP, new NdArray(new int[] { n }, ones), names, fetch);
		NdArray logits = g.activation(ConvModel.LOGITS);
		int size = logits.dim(1);
		List<Target.Choice> choices = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			float[] v = itemValues(logits, i);
			Target.Choice c = target.choose(info, v, size);
			for (int k = 0; k < v.length; k++) if (k != c.classIndex() && v[k] == v[c.classIndex()]) return null; // a tie splits the gradient
			choices.add(c);
		}
		List<Heatmap> out = perItem(n, i -> heatmap(layerMaps(g, names, i), choices.get(i), choices.get(i).score(itemValues(logits, i)), part));
		for (String e : extra) got.put(e, g.activation(e));
		return out;
	}

	/**
	 * The target's values with the layer's output replaced by {@code acts} ({@code [n, h, w, k]}):
	 * the rest of the network only. The image is fed as well (repeated {@code n} times) for
	 * networks whose later layers also read the input; TensorFlow skips what is not needed.
	 */
	private NdArray runFrom(NdArray item, String layer, NdArray acts, String t) {
		int n = acts.dim(0);
		List<NdArray> copies = new ArrayList<>(n);
		for (int i = 0; i < n; i++) copies.add(item);
		NdArray inputs = n == 1 ? item : NdArray.concat(copies);
		return model.run(Map.of(ConvModel.INPUT, inputs, layer, acts), List.of(t)).get(t);
	}

	/** EigenCAM, Score-CAM and Ablation-CAM: activations from one forward pass, then per image. */
	private List<Heatmap> forwardMaps(NdArray part, List<LayerInfo> ls, Progress p, java.util.Set<String> extra, Map<String, NdArray> got) {
		ModelInfo info = model.info();
		int n = part.dim(0);
		String t = target.tensor();
		List<String> fetches = new ArrayList<>();
		for (LayerInfo l : ls) fetches.add(l.name());
		if (!fetches.contains(t)) fetches.add(t);
		for (String e : extra) if (!fetches.contains(e)) fetches.add(e);
		Map<String, NdArray> r = model.run(part, fetches);
		for (String e : extra) got.put(e, r.get(e));
		NdArray values = r.get(t);
		int H = part.dim(1), W = part.dim(2), C = part.dim(3);
		List<Heatmap> out = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			float[] v = itemValues(values, i);
			Target.Choice c = target.choose(info, v, v.length);
			float score = c.score(v);
			NdArray item = part.item(i);
			List<Heatmap.LayerMap> maps = new ArrayList<>();
			for (int li = 0; li < ls.size(); li++) {
				String name = ls.get(li).name();
				FeatureMaps a = FeatureMaps.of(r.get(name), i);
				Progress lp = p.sub((double) (i * ls.size() + li) / (n * ls.size()), (double) (i * ls.size() + li + 1) / (n * ls.size()));
				float[] map;
				switch (method) {
					case EIGEN_CAM:
						map = CamMath.eigenCam(a);
						break;
					case SCORE_CAM: {
						BatchScorer s = masked -> scores(model.run(masked, List.of(t)).get(t), c);
						map = CamMath.scoreCam(item.data(), H, W, C, a, s, batchSize, lp);
						break;
					}
					case ABLATION_CAM: {
						BatchScorer s = acts -> scores(runFrom(item, name, acts, t), c);
						map = CamMath.ablationCam(a, score, s, batchSize, lp);
						break;
					}
					default:
						throw new IllegalStateException(method.toString());
				}
				maps.add(new Heatmap.LayerMap(name, a.width(), a.height(), map));
			}
			out.add(heatmap(maps, c, score, part));
		}
		return out;
	}

	private Heatmap heatmap(List<Heatmap.LayerMap> maps, Target.Choice c, float score, NdArray part) {
		boolean logit = ConvModel.LOGITS.equals(target.tensor()) && target.kind() != Target.Kind.REGION && model.info().logitsTensor() != null;
		return new Heatmap(method, maps, c.classIndex(), c.label(), score, part.dim(2), part.dim(1), !model.info().singleSigmoid(), logit);
	}

	private static float[] scores(NdArray values, Target.Choice c) {
		int n = values.dim(0);
		float[] s = new float[n];
		for (int i = 0; i < n; i++) s[i] = c.score(itemValues(values, i));
		return s;
	}

	private static float[] itemValues(NdArray a, int i) {
		int s = a.stride0();
		return Arrays.copyOfRange(a.data(), i * s, (i + 1) * s);
	}

	/** Shape of one image's values of the target tensor, from the catalogue where static, else from one forward pass. */
	private int[] targetItemShape(NdArray part) {
		String t = target.tensor();
		synchronized (targetShapes) {
			int[] s = targetShapes.get(t);
			if (s != null) return s;
		}
		ModelInfo info = model.info();
		int[] shape = null;
		if (t.equals(ConvModel.LOGITS) && info.numClasses() > 0) shape = new int[] { info.numClasses() };
		else if (info.hasLayer(t)) {
			int[] full = info.layer(t).shape();
			if (full != null && full.length > 1 && Arrays.stream(full, 1, full.length).allMatch(d -> d > 0)) {
				shape = Arrays.copyOfRange(full, 1, full.length);
			}
		}
		if (shape == null) {
			int[] full = model.run(part.item(0), List.of(t)).get(t).shape();
			shape = Arrays.copyOfRange(full, 1, full.length);
		}
		synchronized (targetShapes) {
			targetShapes.put(t, shape);
		}
		return shape;
	}

	/** The settings as text, for logs and for labels of saved results. */
	@Override
	public String toString() {
		Map<String, String> m = new LinkedHashMap<>();
		m.put("method", method.label());
		m.put("layers", layers.isEmpty() ? "auto" : String.join(",", layers));
		m.put("target", target.toString());
		m.put("batch", Integer.toString(batchSize));
		return m.toString();
	}
}
