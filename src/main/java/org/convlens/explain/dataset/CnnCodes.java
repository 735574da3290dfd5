package org.convlens.explain.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.explain.core.Progress;

/**
 * CNN codes: one layer's activation vector per image (by default the input of the classifier,
 * the features the last dense layer sees), with the predicted class, streamed row by row to a
 * consumer: a table, a CSV file ({@link CodeCsvWriter}), or memory for an embedding
 * ({@link CodeCollector}).
 */
public final class CnnCodes {

	/** How a feature map {@code [H, W, C]} becomes a vector. */
	public enum Pooling {
		/** All {@code H * W * C} values, row-major (y, x, channel). */
		FLATTEN,
		/** The mean of each channel over the map: {@code C} values. */
		AVERAGE,
		/** The maximum of each channel: {@code C} values. */
		MAX
	}

	/** The code of one image. */
	public static final class Row {
		private final int index;
		private final String name;
		private final String label;
		private final int predicted;
		private final String predictedName;
		private final float confidence;
		private final float[] code;

		public Row(int index, String name, String label, int predicted, String predictedName, float confidence, float[] code) {
			this.index = index;
			this.name = name;
			this.label = label;
			this.predicted = predicted;
			this.predictedName = predictedName;
			this.confidence = confidence;
			this.code = code;
		}

		/** Position among the images used. */
		public int index() { return index; }
		public String name() { return name; }
		/** The source's label, or null. */
		public String label() { return label; }
		/** Predicted class index (for a single sigmoid output: 1 when the output is at least 0.5). */
		public int predicted() { return predicted; }
		public String predictedName() { return predictedName; }
		/** The predicted class's probability (softmax value, or p / 1-p for a sigmoid). */
		public float confidence() { return confidence; }
		/** The code vector (not a copy; for a {@link StreamingSink}, valid only during its {@code accept}). */
		public float[] code() { return code; }
	}

	/**
	 * A sink that is done with each row when {@code accept} returns (it writes the row out and
	 * keeps nothing): {@link CnnCodes#extract} then hands it every row's code in one reused array
	 * instead of a new array per image.
	 */
	public interface StreamingSink extends Consumer<Row> {}

	/**
	 * Feature maps with more values than this are averaged per channel when the pooling is left
	 * to {@link #auto}: a flattened 224 x 224 model's map (186,624 values) makes codes too wide
	 * for a table and mostly redundant for an embedding.
	 */
	public static final int FLATTEN_LIMIT = 16_384;

	/** The layer and pooling that {@code pooling=auto} gives, with the reason when it is not plain flatten. */
	public static final class Choice {
		private final String layer;
		private final Pooling pooling;
		private final String note;

		Choice(String layer, Pooling pooling, String note) {
			this.layer = layer;
			this.pooling = pooling;
			this.note = note;
		}

		public String layer() { return layer; }
		public Pooling pooling() { return pooling; }
		/** One sentence for the Info and the Log; null when the codes are the layer's values as they are. */
		public String note() { return note; }
	}

	/**
	 * What {@code pooling=auto} means for a layer ({@code null} or blank = the default layer):
	 * flatten, unless the feature map has more than {@link #FLATTEN_LIMIT} values; then the
	 * per-channel average. When the layer is a flattened feature map that wide (the usual input of
	 * a Keras classifier, and the default layer), the codes are the average of that feature map
	 * (dialogs always name a layer, so the default cannot be told from a choice); other vector
	 * layers are kept as they are.
	 */
	public static Choice auto(ModelInfo info, String layer) {
		LayerInfo l = info.layer(layer == null || layer.isBlank() ? defaultLayer(info) : layer.trim());
		long values = values(l.shape());
		if (l.kind() == LayerKind.SPATIAL) {
			if (values <= FLATTEN_LIMIT) return new Choice(l.name(), Pooling.FLATTEN, null);
			return new Choice(l.name(), Pooling.AVERAGE, String.format(java.util.Locale.ROOT,
				"pooling auto: the feature map %s has %,d values (more than %,d), so the codes are the per-channel average (%d values); " +
					"choose pooling=flatten for all values.", l.name(), values, FLATTEN_LIMIT, l.channels()));
		}
		if (l.kind() == LayerKind.VECTOR && values > FLATTEN_LIMIT) {
			LayerInfo map = flattenedMap(info, l);
			if (map != null) {
				return new Choice(map.name(), Pooling.AVERAGE, String.format(java.util.Locale.ROOT,
					"pooling auto: the layer %s has %,d values (more than %,d), a flattened %s; the codes are the per-channel " +
						"average of %s (%d values); choose pooling=flatten for all values.", l.name(), values, FLATTEN_LIMIT,
					shapeText(map.shape()), map.name(), map.channels()));
			}
		}
		return new Choice(l.name(), Pooling.FLATTEN, null);
	}

	/** The feature map a vector layer is the flattening of (the spatial layer just before it with as many values), or null. */
	private static LayerInfo flattenedMap(ModelInfo info, LayerInfo vector) {
		List<LayerInfo> layers = info.layers();
		long n = values(vector.shape());
		for (int i = vector.index() - 1; i >= 0; i--) {
			LayerInfo l = layers.get(i);
			if (l.kind() == LayerKind.SPATIAL) return values(l.shape()) == n ? l : null;
			if (l.kind() == LayerKind.VECTOR) return null;
		}
		return null;
	}

	/** Values per image of a shape with a batch axis first; -1 when a size is unknown. */
	private static long values(int[] shape) {
		if (shape == null || shape.length < 2) return -1;
		long n = 1;
		for (int i = 1; i < shape.length; i++) {
			if (shape[i] < 0) return -1;
			n *= shape[i];
		}
		return n;
	}

	private static String shapeText(int[] shape) {
		StringBuilder sb = new StringBuilder();
		for (int i = 1; i < shape.length; i++) sb.append(i > 1 ? "x" : "").append(shape[i]);
		return sb.toString();
	}

	private final ConvModel model;
	private String layer;
	private Pooling pooling = Pooling.FLATTEN;

	public CnnCodes(ConvModel model) {
		this.model = model;
		this.layer = defaultLayer(model.info());
	}

	/** The layer to read codes from; null restores the default. */
	public CnnCodes layer(String name) {
		this.layer = name == null || name.isBlank() ? defaultLayer(model.info()) : model.info().layer(name).name();
		return this;
	}

	/** How a spatial layer becomes a vector (default: flatten). */
	public CnnCodes pooling(Pooling p) {
		this.pooling = p;
		return this;
	}

	public String layer() { return layer; }

	/** Length of the code vector for the current layer and pooling. */
	public int dimension() {
		int[] s = model.info().layer(layer).shape();
		if (s == null || s.length < 2) throw new ModelException("Layer " + layer + " has no usable shape.");
		if (s.length == 4 && pooling != Pooling.FLATTEN) return s[3];
		int n = 1;
		for (int i = 1; i < s.length; i++) {
			if (s[i] < 0) return -1;
			n *= s[i];
		}
		return n;
	}

	/**
	 * The input of the classifier: the layer just before the one holding the logits (or the class
	 * output), e.g. the flattened or pooled features, or the penultimate dense layer's output.
	 */
	public static String defaultLayer(ModelInfo info) {
		List<LayerInfo> layers = info.layers();
		if (layers.isEmpty()) throw new ModelException("The model lists no layers.");
		String target = info.logitsTensor() != null ? info.logitsTensor() : info.classOutput() == null ? null : info.classOutput().tensorName();
		int cls = layers.size() - 1;
		if (target != null) {
			String node = target.contains(":") ? target.substring(0, target.lastIndexOf(':')) : target;
			String scope = node.contains("/") ? node.substring(0, node.lastIndexOf('/')) : "";
			int byName = -1, byScope = -1;
			for (LayerInfo l : layers) {
				if (l.opName().equals(node)) byName = l.index();
				String ls = l.opName().contains("/") ? l.opName().substring(0, l.opName().lastIndexOf('/')) : "";
				if (byScope < 0 && !scope.isEmpty() && ls.equals(scope)) byScope = l.index();
			}
			if (byName >= 0) cls = byName;
			else if (byScope >= 0) cls = byScope;
		}
		for (int i = cls - 1; i >= 0; i--) {
			LayerKind k = layers.get(i).kind();
			if (k == LayerKind.VECTOR || k == LayerKind.SPATIAL) return layers.get(i).name();
		}
		return layers.get(cls).name();
	}

	/**
	 * Streams every image of the source through the model and hands one {@link Row} per image to
	 * {@code sink}, in source order.
	 */
	public DatasetReport extract(ImageSource source, DatasetRunner runner, Progress progress, Consumer<Row> sink) {
		ModelInfo info = model.info();
		LayerInfo l = info.layer(layer);
		if (l.kind() == LayerKind.OTHER) {
			throw new ModelException("Layer " + layer + " has shape " + java.util.Arrays.toString(l.shape()) + "; choose a vector or feature-map layer.");
		}
		String key = layer;
		List<String> fetches = new ArrayList<>(List.of(key));
		boolean hasOutput = info.classOutput() != null;
		if (hasOutput) fetches.add(ConvModel.OUTPUT);
		boolean reuse = sink instanceof StreamingSink;
		float[][] shared = new float[1][];
		return runner.run(source, fetches, progress, new DatasetRunner.BatchHandler() {
			@Override
			public boolean keepsOutputs() {
				return false; // the codes are copied out of them
			}

			@Override
			public void accept(List<DatasetRunner.Item> items, java.util.Map<String, NdArray> out) {
				NdArray a = out.get(key);
				NdArray o = hasOutput ? out.get(ConvModel.OUTPUT) : null;
				for (int b = 0; b < items.size(); b++) {
					int len = codeLength(a, pooling);
					float[] code = reuse && shared[0] != null && shared[0].length == len ? shared[0] : new float[len];
					if (reuse) shared[0] = code;
					vector(a, b, pooling, code);
					int pred = -1;
					float conf = Float.NaN;
					if (o != null && o.rank() == 2) {
						int k = o.dim(1);
						int base = b * k;
						float[] d = o.data();
						if (k == 1) {
							pred = d[base] >= 0.5f ? 1 : 0;
							conf = pred == 1 ? d[base] : 1 - d[base];
						}
						else {
							pred = 0;
							for (int j = 1; j < k; j++) if (d[base + j] > d[base + pred]) pred = j;
							conf = d[base + pred];
						}
					}
					DatasetRunner.Item it = items.get(b);
					sink.accept(new Row(it.index(), it.name(), it.label(), pred, pred >= 0 ? info.predictedName(pred) : "", conf, code));
				}
			}
		});
	}

	/** Item {@code b}'s code from a batch of activations. */
	static float[] vector(NdArray a, int b, Pooling pooling) {
		float[] v = new float[codeLength(a, pooling)];
		vector(a, b, pooling, v);
		return v;
	}

	private static int codeLength(NdArray a, Pooling pooling) {
		return a.rank() != 4 || pooling == Pooling.FLATTEN ? a.stride0() : a.dim(3);
	}

	/** Item {@code b}'s code written into {@code v} (of {@link #codeLength}). */
	private static void vector(NdArray a, int b, Pooling pooling, float[] v) {
		int per = a.stride0();
		float[] d = a.data();
		if (a.rank() != 4 || pooling == Pooling.FLATTEN) {
			System.arraycopy(d, b * per, v, 0, per);
			return;
		}
		int c = a.dim(3);
		int n = a.dim(1) * a.dim(2);
		java.util.Arrays.fill(v, pooling == Pooling.MAX ? Float.NEGATIVE_INFINITY : 0f);
		for (int p = 0; p < n; p++) {
			int o = b * per + p * c;
			for (int ch = 0; ch < c; ch++) {
				if (pooling == Pooling.MAX) v[ch] = Math.max(v[ch], d[o + ch]);
				else v[ch] += d[o + ch];
			}
		}
		if (pooling == Pooling.AVERAGE) for (int ch = 0; ch < c; ch++) v[ch] /= n;
	}
}
