package org.convlens.explain.cam;

import java.util.List;

import org.convlens.explain.core.Degenerate;
import org.convlens.explain.core.Heatmaps;

/**
 * One image's class activation map: the raw low-resolution map of each layer, and from them the map
 * at the model's input size or any other size (bilinear, computed on first use). With one layer
 * the resampled map keeps the raw scale; with several, each layer's map is scaled to [0, 1] before
 * they are averaged, since their scales differ. {@link #normalized()} gives [0, 1] for display.
 */
public final class Heatmap {

	/** One layer's raw map, {@code height x width}, row-major, after the method's ReLU. */
	public static final class LayerMap {
		private final String layer;
		private final int width;
		private final int height;
		private final float[] values;

		public LayerMap(String layer, int width, int height, float[] values) {
			if (values.length != width * height) throw new IllegalArgumentException("Map of " + values.length + " values is not " + width + "x" + height);
			this.layer = layer;
			this.width = width;
			this.height = height;
			this.values = values;
		}

		public String layer() { return layer; }
		public int width() { return width; }
		public int height() { return height; }
		/** The raw values (not a copy). */
		public float[] values() { return values; }
	}

	private final CamMethod method;
	private final List<LayerMap> layerMaps;
	private final int classIndex;
	private final String label;
	private final float score;
	private final int width;
	private final int height;
	private final boolean showIndex;
	private final String scoreName;
	private volatile float[] map;
	private volatile String problem; // computed once; "" for none

	/**
	 * @param width the model input's width, which the layers' maps cover
	 */
	public Heatmap(CamMethod method, List<LayerMap> layerMaps, int classIndex, String label, float score, int width, int height) {
		this(method, layerMaps, classIndex, label, score, width, height, true);
	}

	/**
	 * @param showIndex whether the caption shows the class index after a class name (not for a
	 *          single sigmoid output, whose classes are named, not numbered)
	 */
	public Heatmap(CamMethod method, List<LayerMap> layerMaps, int classIndex, String label, float score, int width, int height,
		boolean showIndex)
	{
		this(method, layerMaps, classIndex, label, score, width, height, showIndex, false);
	}

	/**
	 * @param scoreIsLogit whether the score is a logit (the class output before its softmax or
	 *          sigmoid): the caption then says "logit", so that it is not read as the probability
	 *          the predictions table shows
	 */
	public Heatmap(CamMethod method, List<LayerMap> layerMaps, int classIndex, String label, float score, int width, int height,
		boolean showIndex, boolean scoreIsLogit)
	{
		this.showIndex = showIndex;
		this.scoreName = scoreIsLogit ? "logit" : "score";
		if (layerMaps.isEmpty()) throw new IllegalArgumentException("A heatmap needs at least one layer's map");
		this.method = method;
		this.layerMaps = List.copyOf(layerMaps);
		this.classIndex = classIndex;
		this.label = label;
		this.score = score;
		this.width = width;
		this.height = height;
	}

	public CamMethod method() { return method; }

	/** The raw maps, one per layer, in the order asked for. */
	public List<LayerMap> layerMaps() { return layerMaps; }

	/** The explained class or output index; -1 for a region or the complement of a single sigmoid output. */
	public int classIndex() { return classIndex; }

	/** The class name, {@code output k}, or the region's description. */
	public String label() { return label; }

	/**
	 * The target's score for the unmodified image: {@code sum(weights * values)} of the target tensor,
	 * a logit for a class of a model with logits (negated for the complement of a sigmoid output).
	 */
	public float score() { return score; }

	/** Width of the model input the map covers. */
	public int width() { return width; }

	public int height() { return height; }

	/** The map at the model's input size, row-major (computed once; not a copy). */
	public float[] values() {
		float[] m = map;
		if (m == null) map = m = combined(width, height);
		return m;
	}

	/** The map scaled to [0, 1] (minimum to 0), in a new array; all zeros when the map is constant. */
	public float[] normalized() {
		return Heatmaps.normalize(values());
	}

	/**
	 * The map at {@code w x h}, e.g. the image's size when the image was resized to the model's
	 * input: resampled straight from the layers' maps (one interpolation, not two). A new array.
	 */
	public float[] resized(int w, int h) {
		return w == width && h == height ? values().clone() : combined(w, h);
	}

	private float[] combined(int w, int h) {
		if (layerMaps.size() == 1) {
			LayerMap m = layerMaps.get(0);
			return Heatmaps.upsample(m.values(), m.height(), m.width(), h, w);
		}
		List<float[]> up = new java.util.ArrayList<>();
		for (LayerMap m : layerMaps) up.add(Heatmaps.normalize(Heatmaps.upsample(m.values(), m.height(), m.width(), h, w)));
		return Heatmaps.mean(up);
	}

	/**
	 * What makes this map meaningless, or null: a layer with a 1x1 map (one value spread over the
	 * image), or a map that is all zero, constant or holds NaN/Inf ({@link Degenerate}).
	 */
	public String problem() {
		// captions, Info, tables and the overlay's legend each ask: scan the map once
		String known = problem;
		if (known == null) problem = known = findProblem();
		return known.isEmpty() ? null : known;
	}

	private String findProblem() {
		List<String> p = new java.util.ArrayList<>();
		for (LayerMap m : layerMaps) {
			if (m.width() == 1 && m.height() == 1) p.add("layer " + m.layer() + " is 1x1");
		}
		String d = Degenerate.describe(values());
		if (d != null) p.add("map " + d);
		else if (p.isEmpty()) {
			for (LayerMap m : layerMaps) {
				String dl = Degenerate.describe(m.values());
				if (dl != null) p.add(m.layer() + " map " + dl);
			}
		}
		return String.join("; ", p);
	}

	/** Position {@code y * width + x} of the largest value (the first one on ties). */
	public int peak() {
		return Heatmaps.argmax(values());
	}

	/**
	 * A short caption, e.g. {@code Grad-CAM conv2d_2: ring (1), logit 4.21} ("score" where the
	 * target is not a logit), ending in
	 * {@code [map all zero]} (or another {@link #problem()}) for a meaningless map.
	 */
	public String caption() {
		StringBuilder sb = new StringBuilder(method.label()).append(' ');
		for (int i = 0; i < layerMaps.size(); i++) sb.append(i == 0 ? "" : "+").append(layerMaps.get(i).layer());
		if (method.isClassSpecific()) {
			sb.append(": ").append(label);
			if (showIndex && classIndex >= 0 && !label.equals("class " + classIndex) && !label.equals("output " + classIndex)) sb.append(" (").append(classIndex).append(')');
			// Locale.US formats as Locale.ROOT does ('.', ASCII digits) but skips the per-call lookup of
			// the locale's DecimalFormatSymbols that ROOT costs
			sb.append(", ").append(scoreName).append(String.format(java.util.Locale.US, " %.4g", score));
		}
		String p = problem();
		if (p != null) sb.append(" [").append(p).append(']');
		return sb.toString();
	}

	@Override
	public String toString() {
		return "Heatmap[" + caption() + ", " + width + "x" + height + "]";
	}
}
