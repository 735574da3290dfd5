package org.convlens.explain.patterns;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;

/**
 * What one pattern maximises: the mean activation of a filter (channel) of a layer over its
 * feature map without a border, one neuron (a filter at one position), or a class score
 * (pre-softmax logit where the model has one). Filter and class indices are 0-based, as in
 * Keras and TensorFlow.
 */
public final class PatternTarget {

	/** The kind of objective. */
	public enum Kind {
		/** Mean of one channel of a layer over its map (less a border); one unit of a vector layer. */
		FILTER,
		/** One channel at one position {@code (y, x)} of a feature map. */
		NEURON,
		/** One class logit (class visualisation). */
		CLASS
	}

	private final Kind kind;
	private final String layer;
	private final int index;
	private final int y;
	private final int x;

	private PatternTarget(Kind kind, String layer, int index, int y, int x) {
		if (index < 0) throw new IllegalArgumentException("Index must be 0 or more: " + index);
		this.kind = kind;
		this.layer = Objects.requireNonNull(layer);
		this.index = index;
		this.y = y;
		this.x = x;
	}

	/** The mean activation of filter {@code f} of a layer. */
	public static PatternTarget filter(String layer, int f) {
		return new PatternTarget(Kind.FILTER, layer, f, -1, -1);
	}

	/** Several filters of one layer. */
	public static List<PatternTarget> filters(String layer, int[] fs) {
		List<PatternTarget> l = new ArrayList<>();
		for (int f : fs) l.add(filter(layer, f));
		return l;
	}

	/**
	 * Filter {@code f} at feature-map position {@code (y, x)}; negative coordinates mean the
	 * centre of the map.
	 */
	public static PatternTarget neuron(String layer, int f, int y, int x) {
		return new PatternTarget(Kind.NEURON, layer, f, y, x);
	}

	/** The logit of class {@code k} (for a one-unit sigmoid output, unit 0 is the positive class). */
	public static PatternTarget classLogit(int k) {
		return new PatternTarget(Kind.CLASS, ConvModel.LOGITS, k, -1, -1);
	}

	public Kind kind() { return kind; }
	/** The layer, or {@link ConvModel#LOGITS} for a class. */
	public String layer() { return layer; }
	/** Filter, unit or class index (0-based). */
	public int index() { return index; }
	/** Neuron row, or -1 (centre / not a neuron). */
	public int y() { return y; }
	/** Neuron column, or -1 (centre / not a neuron). */
	public int x() { return x; }

	/** A short label, e.g. {@code conv2d_1 filter 7}, {@code class 2 (ring)}. */
	public String describe(ModelInfo info) {
		switch (kind) {
			case CLASS:
				return info != null && !info.classNames().isEmpty() ? "class " + index + " (" + info.className(index) + ")" : "class " + index;
			case NEURON:
				return layer + " filter " + index + " at " + (y < 0 || x < 0 ? "centre" : "(x=" + x + ", y=" + y + ")");
			default:
				return layer + " filter " + index;
		}
	}

	/** A number that identifies the target, so its random stream is the same in any batch. */
	long key() {
		long h = layer.hashCode();
		h = h * 31 + kind.ordinal();
		h = h * 1_000_003 + index;
		h = h * 8191 + y;
		h = h * 8191 + x;
		return h;
	}

	@Override
	public boolean equals(Object o) {
		if (!(o instanceof PatternTarget)) return false;
		PatternTarget t = (PatternTarget) o;
		return kind == t.kind && layer.equals(t.layer) && index == t.index && y == t.y && x == t.x;
	}

	@Override
	public int hashCode() {
		return Long.hashCode(key());
	}

	@Override
	public String toString() {
		return describe(null);
	}
}
