package org.convlens.explain.dataset;

import java.util.Locale;

import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;

/**
 * Notices a run in which every image lands in the same class with high confidence: the usual sign
 * of a preprocessing the model was not trained with (e.g. ÷255 pixels for a model that rescales
 * raw pixels itself, or the reverse), which otherwise gives confident, plausible-looking output.
 * Collect each image's predicted class and its probability, then ask for {@link #warning}.
 */
public final class SameClassCheck {

	/** Fewer images than this say nothing: a few images of one class are common. */
	public static final int MIN_IMAGES = 4;
	/** Mean top probability at or above this counts as "high confidence". */
	public static final double MIN_CONFIDENCE = 0.9;

	private int n;
	private int first = -1;
	private boolean same = true;
	private double confSum;
	private int saturated;

	/** One image's predicted class (negative: unknown) and its probability (NaN: unknown). */
	public synchronized void add(int predicted, double confidence) {
		n++;
		if (predicted < 0 || Double.isNaN(confidence)) {
			same = false;
			return;
		}
		if (confidence >= SATURATED) saturated++;
		if (first < 0) first = predicted;
		else if (predicted != first) same = false;
		confSum += confidence;
	}

	/** Adds every row of a class-score batch {@code [n, K]} of probabilities (K = 1: a sigmoid). */
	public void addScores(float[] scores, int rows) {
		if (rows <= 0) return;
		int k = scores.length / rows;
		for (int i = 0; i < rows; i++) {
			if (k == 1) {
				float p = scores[i];
				add(p >= 0.5f ? 1 : 0, p >= 0.5f ? p : 1 - p);
				continue;
			}
			int best = 0;
			for (int j = 1; j < k; j++) if (scores[i * k + j] > scores[i * k + best]) best = j;
			add(best, scores[i * k + best]);
		}
	}

	/** A top probability at or above this is 1.000000 in a table's six decimals (float32 holds no more). */
	public static final double SATURATED = 1 - 5e-7;

	/**
	 * A line when some of the images' top probability is {@link #SATURATED}: "1.000000" reads as
	 * certainty, yet such images differ only in their logits. Null when none is, or the output is no
	 * sigmoid or softmax.
	 */
	public String saturation(ModelInfo info) {
		return saturation(info, "images");
	}

	/** {@link #saturation(ModelInfo)}, the rows called {@code items} (e.g. the positions of one image). */
	public synchronized String saturation(ModelInfo info, String items) {
		return saturationLine(info.outputActivation(), saturated, n, items);
	}

	private static String saturationLine(String activation, int hit, int n, String items) {
		if (hit == 0 || !("sigmoid".equals(activation) || "softmax".equals(activation))) return null;
		return (n == 1 ? "the top probability is" : "the top probability of " + hit + " of " + n + " " + items + " is") +
			" 1.000000: the " + activation + " output is saturated, so it says nothing about how sure the model is or how " + items +
			" compare (the occlusion and faithfulness maps follow the logit; check the preprocessing if this is unexpected).";
	}

	/** Images seen. */
	public synchronized int count() {
		return n;
	}

	/** Whether all of at least {@link #MIN_IMAGES} images got one class with mean probability ≥ {@link #MIN_CONFIDENCE}. */
	public synchronized boolean triggered() {
		return n >= MIN_IMAGES && same && first >= 0 && confSum / n >= MIN_CONFIDENCE;
	}

	/**
	 * The warning for the Log and the Info, or null when the run is not suspicious. Only meaningful
	 * for a model whose class output is a softmax or sigmoid (probabilities).
	 *
	 * @param used the preprocessing of this run
	 */
	public synchronized String warning(ModelInfo info, Preprocessing used) {
		if (!triggered() || "none".equals(info.outputActivation())) return null;
		Preprocessing def = Preprocessing.forModel(info);
		String hint = used.equals(def) ? " (the model's default: " + Preprocessing.defaultReason(info) + ")" :
			"; the model's default is " + def + " (" + Preprocessing.defaultReason(info) + ")";
		return String.format(Locale.ROOT,
			"all %d images were predicted as '%s' with high confidence (mean probability %.3f). Unless they all show this " +
				"class, check the preprocessing: this run used %s%s.",
			n, info.predictedName(first), confSum / n, used, hint);
	}
}
