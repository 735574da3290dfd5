package org.convlens.explain.cam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;

/**
 * What a heatmap explains: a weighted sum of one tensor's values per image. For classifiers that
 * is one class score, on the pre-softmax logits when the engine found them ({@link ConvModel#LOGITS},
 * which falls back to the output otherwise): the top class, a class by index or by name. For
 * other models it is one output unit (a regression output) or the sum of an output region, e.g.
 * the pixels of an ROI in a segmentation output, given as weights over one item of any tensor.
 */
public final class Target {

	/** The kinds of target. */
	public enum Kind { TOP_CLASS, CLASS_INDEX, CLASS_NAME, OUTPUT, REGION }

	private final Kind kind;
	private final int index;
	private final String name;
	private final String tensor;
	private final float[] weights;

	private Target(Kind kind, int index, String name, String tensor, float[] weights) {
		this.kind = kind;
		this.index = index;
		this.name = name;
		this.tensor = tensor;
		this.weights = weights;
	}

	/**
	 * The class with the highest score, per image. For a single sigmoid output (a binary classifier)
	 * that is the output itself when its logit is positive (probability above 0.5), else its
	 * complement: the weight is then -1 and the label {@code not <class>}.
	 */
	public static Target topClass() {
		return new Target(Kind.TOP_CLASS, -1, null, ConvModel.LOGITS, null);
	}

	/** Class {@code k} (0-based). */
	public static Target classIndex(int k) {
		return new Target(Kind.CLASS_INDEX, k, null, ConvModel.LOGITS, null);
	}

	/** The class of this name (as {@link ModelInfo#className(int)} gives it; case is ignored). */
	public static Target className(String name) {
		if (name == null || name.isBlank()) throw new IllegalArgumentException("No class name given.");
		return new Target(Kind.CLASS_NAME, -1, name.trim(), ConvModel.LOGITS, null);
	}

	/**
	 * Unit {@code k} of the model's vector output (pre-activation where known), e.g. a regression
	 * output; the same as {@link #classIndex(int)} but named {@code output k}, not after a class.
	 */
	public static Target output(int k) {
		return new Target(Kind.OUTPUT, k, null, ConvModel.LOGITS, null);
	}

	/**
	 * The weighted sum {@code sum(weights * values)} of one image's values of {@code tensor}, e.g. a
	 * 0/1 mask of an ROI over a segmentation output {@code [H, W, C]} (flattened, channel fastest),
	 * or a single 1 for one pixel.
	 *
	 * @param tensor a tensor name as {@link ConvModel} accepts it ({@link ConvModel#OUTPUT},
	 *          {@link ConvModel#LOGITS}, a layer)
	 * @param weights one weight per value of one item of the tensor (copied)
	 * @param description shown in labels, e.g. {@code ROI 3}; null for {@code region}
	 */
	public static Target region(String tensor, float[] weights, String description) {
		if (tensor == null || tensor.isBlank()) throw new IllegalArgumentException("No tensor given for the region target.");
		if (weights == null || weights.length == 0) throw new IllegalArgumentException("No region weights given.");
		return new Target(Kind.REGION, -1, description == null ? "region" : description, tensor, weights.clone());
	}

	/**
	 * Reads a macro-friendly spec: {@code top}, a number (class index), {@code class=3},
	 * {@code output=2}, or a class name ({@code name=ring}, or just {@code ring}). Regions come from
	 * ROIs, not from text.
	 */
	public static Target parse(String spec) {
		if (spec == null || spec.isBlank()) return topClass();
		String s = spec.trim();
		String lower = s.toLowerCase(Locale.ROOT);
		if (lower.equals("top") || lower.equals("top class") || lower.equals("top-class")) return topClass();
		try {
			if (lower.startsWith("class=")) return classIndex(Integer.parseInt(s.substring(6).trim()));
			if (lower.startsWith("output=")) return output(Integer.parseInt(s.substring(7).trim()));
			if (lower.matches("-?\\d+")) return classIndex(Integer.parseInt(s));
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("Cannot read the target '" + spec + "': expected top, a class index, class=K, output=K or a class name.");
		}
		if (lower.startsWith("name=")) return className(s.substring(5));
		return className(s);
	}

	public Kind kind() { return kind; }

	/** The tensor whose values are weighted: {@link ConvModel#LOGITS} except for regions. */
	public String tensor() { return tensor; }

	/** Whether the target can only be chosen after seeing the scores (the top class). */
	public boolean needsValues() {
		return kind == Kind.TOP_CLASS;
	}

	/**
	 * Checks the target against a model before anything runs.
	 *
	 * @throws ModelException if a class target meets a model without a class output
	 * @throws IllegalArgumentException if the class or output is out of range or unknown
	 */
	public void validate(ModelInfo info) {
		if (kind == Kind.REGION) return;
		int n = info.numClasses();
		if (n <= 0) {
			throw new ModelException("The model has no class output (its outputs are " + info.outputs() +
				"), so there is no " + (kind == Kind.OUTPUT ? "output unit" : "class") + " to explain; choose an output region as the target.");
		}
		if (kind == Kind.CLASS_INDEX || kind == Kind.OUTPUT) {
			if (index < 0 || index >= n) {
				String what = kind == Kind.OUTPUT ? "Output " : "Class ";
				throw new IllegalArgumentException(what + index + " is out of range: the model has " + n +
					(kind == Kind.OUTPUT ? " outputs" : " classes") + ", 0 to " + (n - 1) + (kind == Kind.OUTPUT ? "." : " (" + classList(info) + ")."));
			}
		}
		if (kind == Kind.CLASS_NAME) classOf(info);
	}

	private int classOf(ModelInfo info) {
		int n = info.numClasses();
		for (int k = 0; k < n; k++) if (info.className(k).equalsIgnoreCase(name)) return k;
		if (info.singleSigmoid() && info.className(ModelInfo.COMPLEMENT).equalsIgnoreCase(name)) return ModelInfo.COMPLEMENT;
		throw new IllegalArgumentException("The model has no class '" + name + "'; its classes are " + classList(info) + ".");
	}

	private static String classList(ModelInfo info) {
		int n = info.numClasses();
		List<String> names = new ArrayList<>();
		if (info.singleSigmoid()) return info.className(0) + " (the output) or " + info.className(ModelInfo.COMPLEMENT);
		for (int k = 0; k < Math.min(n, 50); k++) names.add(k + ": " + info.className(k));
		if (n > 50) names.add("...");
		return String.join(", ", names);
	}

	/**
	 * The weights over one item of {@link #tensor()} for one image.
	 *
	 * @param values that image's values of the tensor; needed for the top class and for regions
	 *          (to check their size), may be null otherwise
	 * @param size number of values per item of the tensor
	 */
	public Choice choose(ModelInfo info, float[] values, int size) {
		switch (kind) {
			case TOP_CLASS: {
				if (values == null) throw new IllegalStateException("The top class needs the scores");
				if (values.length == 1 && size == 1 && "sigmoid".equals(info.outputActivation())) {
					double threshold = info.logitsTensor() != null ? 0 : 0.5;
					if (values[0] < threshold) return new Choice(new float[] { -1 }, ModelInfo.COMPLEMENT, info.className(ModelInfo.COMPLEMENT));
				}
				int k = argmax(values);
				return Choice.oneHot(size, k, info.className(k));
			}
			case CLASS_INDEX:
				validate(info);
				return Choice.oneHot(size, index, info.className(index));
			case CLASS_NAME: {
				int k = classOf(info);
				if (k == ModelInfo.COMPLEMENT) return new Choice(new float[] { -1 }, k, info.className(k));
				return Choice.oneHot(size, k, info.className(k));
			}
			case OUTPUT:
				validate(info);
				return Choice.oneHot(size, index, "output " + index);
			case REGION:
				if (weights.length != size) {
					throw new IllegalArgumentException("The region has " + weights.length + " weights but each image's " + tensor +
						" has " + size + " values.");
				}
				return new Choice(weights, -1, name);
			default:
				throw new IllegalStateException(kind.toString());
		}
	}

	private static int argmax(float[] v) {
		int best = 0;
		for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
		return best;
	}

	@Override
	public String toString() {
		switch (kind) {
			case TOP_CLASS: return "top";
			case CLASS_INDEX: return "class=" + index;
			case CLASS_NAME: return "name=" + name;
			case OUTPUT: return "output=" + index;
			default: return name + " of " + tensor + " (" + weights.length + " weights)";
		}
	}

	/** A target resolved for one image: weights over the tensor's values, the class and a label. */
	public static final class Choice {
		private final float[] weights;
		private final int classIndex;
		private final String label;

		Choice(float[] weights, int classIndex, String label) {
			this.weights = weights;
			this.classIndex = classIndex;
			this.label = label;
		}

		static Choice oneHot(int size, int k, String label) {
			if (k < 0 || k >= size) {
				throw new IllegalArgumentException("Index " + k + " is outside the " + size + " values of the target tensor.");
			}
			float[] w = new float[size];
			w[k] = 1;
			return new Choice(w, k, label);
		}

		/** Weights over one item of the tensor (not a copy). */
		public float[] weights() { return weights; }
		/** The class or output index; -1 for a region or the complement of a single sigmoid output. */
		public int classIndex() { return classIndex; }
		/** Class name, {@code output k} or the region's description. */
		public String label() { return label; }

		/** {@code sum(weights * values)}. */
		public float score(float[] values) {
			if (values.length != weights.length) {
				throw new IllegalArgumentException(values.length + " values for " + weights.length + " weights");
			}
			double s = 0;
			for (int i = 0; i < values.length; i++) if (weights[i] != 0) s += (double) weights[i] * values[i];
			return (float) s;
		}

		@Override
		public String toString() {
			return label + (classIndex >= 0 ? " (" + classIndex + ")" : "") + " " + Arrays.toString(Arrays.copyOf(weights, Math.min(weights.length, 8)));
		}
	}
}
