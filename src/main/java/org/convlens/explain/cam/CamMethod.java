package org.convlens.explain.cam;

import java.util.Arrays;
import java.util.Locale;

/**
 * The class-activation-map methods. Each weights the feature maps {@code A} (h x w x k) of a
 * spatial layer and keeps the positive part of the result; see {@link CamMath} for the formulas.
 */
public enum CamMethod {
	/** Selvaraju et al. 2017: channel weights = spatial mean of the gradient. */
	GRAD_CAM("Grad-CAM", true),
	/** Chattopadhyay et al. 2018: positive gradients weighted by higher-order terms. */
	GRAD_CAM_PLUS_PLUS("Grad-CAM++", true),
	/** Draelos and Carin 2020: element-wise gradient x activation, summed over channels. */
	HIRES_CAM("HiResCAM", true),
	/** Fu et al. 2020: channel weights = sum(gradient x activation) / sum(activation). */
	XGRAD_CAM("XGradCAM", true),
	/** Jiang et al. 2021: element-wise positive gradient x activation, summed over channels. */
	LAYER_CAM("LayerCAM", true),
	/** Wang et al. 2020: channel weights from the scores of the input masked by each upsampled channel. */
	SCORE_CAM("Score-CAM", false),
	/** Desai and Ramaswamy 2020: channel weights from the score drop when the channel is zeroed. */
	ABLATION_CAM("Ablation-CAM", false),
	/** Muhammad and Yeasin 2020: projection on the first principal component; not class-specific. */
	EIGEN_CAM("EigenCAM", false);

	private final String label;
	private final boolean gradients;

	CamMethod(String label, boolean gradients) {
		this.label = label;
		this.gradients = gradients;
	}

	/** The name shown to users and recorded in macros, e.g. {@code Grad-CAM++}. */
	public String label() {
		return label;
	}

	/** Whether the method needs the gradient of the target with respect to the layer. */
	public boolean usesGradients() {
		return gradients;
	}

	/** Whether the map depends on the target (all but EigenCAM). */
	public boolean isClassSpecific() {
		return this != EIGEN_CAM;
	}

	/** Whether the method runs the model once per channel (in batches). */
	public boolean isPerturbation() {
		return this == SCORE_CAM || this == ABLATION_CAM;
	}

	@Override
	public String toString() {
		return label;
	}

	/** All labels, for a choice list. */
	public static String[] labels() {
		return Arrays.stream(values()).map(CamMethod::label).toArray(String[]::new);
	}

	/**
	 * Reads a method from its label or enum name, ignoring case, spaces, dashes and underscores
	 * ({@code gradcam++}, {@code GRAD_CAM_PLUS_PLUS}, {@code Score-CAM}, {@code eigen cam}).
	 *
	 * @throws IllegalArgumentException naming the known methods
	 */
	public static CamMethod parse(String s) {
		if (s == null) throw new IllegalArgumentException("No method given; use one of " + Arrays.toString(labels()));
		// the label itself (what the command's choice list gives) without building keys
		for (CamMethod m : values()) if (m.label.equals(s)) return m;
		String k = key(s);
		for (CamMethod m : values()) {
			if (key(m.label).equals(k) || key(m.name()).equals(k)) return m;
		}
		throw new IllegalArgumentException("Unknown class-activation-map method '" + s + "'; use one of " + Arrays.toString(labels()));
	}

	private static String key(String s) {
		return s.toLowerCase(Locale.ROOT).replace("++", "plusplus").replaceAll("[^a-z0-9]", "");
	}
}
