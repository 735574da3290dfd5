package org.convlens.explain.attribution;

import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;

/**
 * Which class score a perturbation measure (occlusion, deletion/insertion) follows, and why: the
 * one {@code score=auto} rule. A probability that is saturated does not move when pixels are
 * removed (at float precision 0.9999999 is 1), so the map or curve comes out flat; the logit
 * before the softmax or sigmoid still moves. {@code auto} therefore takes
 * <ul>
 * <li>the logit for a single sigmoid output (it saturates for most confident inputs),</li>
 * <li>the logit when the class probability of the unmodified image is within {@value #SATURATION}
 * of 0 or 1 (a saturated softmax),</li>
 * <li>else the probability,</li>
 * </ul>
 * and the probability where the model exposes no logits (the reason then says it is saturated).
 */
public final class ScoreRule {

	/** A class probability this close to 0 or 1 counts as saturated. */
	public static final double SATURATION = 1e-3;

	private final String tensor;
	private final String reason;

	private ScoreRule(String tensor, String reason) {
		this.tensor = tensor;
		this.reason = reason;
	}

	/** {@link ConvModel#OUTPUT} or {@link ConvModel#LOGITS}. */
	public String tensor() { return tensor; }

	/** One line for the Info and the Log, e.g. {@code logit (auto: class probability 1.000000 is saturated)}. */
	public String reason() { return reason; }

	/** {@code logit} or {@code probability}, for axis labels and tables. */
	public String name() {
		return tensor.equals(ConvModel.LOGITS) ? "logit" : "probability";
	}

	@Override
	public String toString() {
		return reason;
	}

	/**
	 * Resolves a {@code score} option for one image and class.
	 *
	 * @param option {@code auto}, {@code probability} (or {@code output}), {@code logits} (or {@code logit})
	 * @throws IllegalArgumentException for any other option
	 */
	public static ScoreRule resolve(String option, ConvModel model, NdArray input, int target) {
		String o = option == null ? "auto" : option.trim().toLowerCase(Locale.ROOT);
		ModelInfo info = model.info();
		switch (o) {
			case "probability":
			case "output":
				return new ScoreRule(ConvModel.OUTPUT, "probability (chosen)");
			case "logits":
			case "logit":
				return new ScoreRule(info.logitsTensor() != null ? ConvModel.LOGITS : ConvModel.OUTPUT,
					info.logitsTensor() != null ? "logit (chosen)" : "output (chosen logits, but the model exposes none)");
			case "auto":
				break;
			default:
				throw new IllegalArgumentException("Unknown score '" + option + "'; use auto, probability or logits");
		}
		if ("none".equals(info.outputActivation())) return new ScoreRule(ConvModel.OUTPUT, "output (auto: the model's output has no softmax or sigmoid)");
		boolean hasLogits = info.logitsTensor() != null;
		if (info.singleSigmoid() && hasLogits) return new ScoreRule(ConvModel.LOGITS, "logit (auto: a single sigmoid output saturates)");
		double p = ExplainMath.score(model, input, ConvModel.OUTPUT, Math.max(0, target));
		boolean saturated = p <= SATURATION || p >= 1 - SATURATION;
		String ps = String.format(Locale.ROOT, "%.6f", p);
		if (saturated && hasLogits) {
			return new ScoreRule(ConvModel.LOGITS, "logit (auto: the class probability " + ps + " is within " + SATURATION +
				" of 0 or 1, saturated)");
		}
		if (saturated) {
			return new ScoreRule(ConvModel.OUTPUT, "probability (auto; SATURATED at " + ps + " and the model exposes no logits: " +
				"expect a flat map or curves)");
		}
		return new ScoreRule(ConvModel.OUTPUT, "probability (auto: the class probability " + ps + " is not saturated)");
	}
}
