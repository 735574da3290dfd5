package org.convlens.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one rule for the default layer of class activation maps (CAM methods, guided Grad-CAM,
 * heatmap faithfulness), from the layer catalogue alone, so that Sequential stacks, functional
 * graphs (ResNet, MobileNetV2), nested and subclassed models are treated alike:
 *
 * <ol>
 * <li>Each convolution (a layer with a {@code Conv2D} or {@code DepthwiseConv2dNative} op) stands
 * for its <em>activated</em> output: the convolution's layer itself followed, in graph order, by
 * the layers that only normalise, activate or merge a residual at the same map size (BatchNorm,
 * ReLU, ReLU6, other activations, {@code Add}); a pooling, dropout, flatten, concatenation or any
 * size change ends the run. This is the "last conv layer" of tf-keras-vis and of <i>Deep Learning
 * with Python</i>, but after its BatchNorm and ReLU as in a ResNet's {@code convN_blockM_out}.</li>
 * <li>Of these, only maps larger than 1x1 count (a 1x1 map gives a constant heatmap).</li>
 * <li>The deepest one with a map of at least 7x7 wins when the model has one, else the deepest
 * one larger than 1x1.</li>
 * <li>A model without a convolution falls back to its deepest spatial layer larger than 1x1, then
 * to its deepest spatial layer.</li>
 * </ol>
 */
public final class CamLayers {

	/** Map side preferred when the model has one, as the usual 7x7 of ImageNet networks. */
	public static final int PREFERRED_SIDE = 7;

	private static final Set<String> CONV = Set.of("Conv2D", "DepthwiseConv2dNative", "Conv2DBackpropInput");
	/** Ops that normalise, activate or merge element-wise without changing the map size. */
	private static final Set<String> POINTWISE = Set.of("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "Relu",
		"Relu6", "Elu", "Selu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Softsign", "Mul", "Add", "AddV2", "Sub",
		"Rsqrt", "Sqrt", "Maximum", "Minimum", "Identity", "RealDiv", "Erf", "Pow", "Square", "Neg");
	/** Ops that do something: a layer of only {@code Identity} (an inference-time Dropout) is not an activation. */
	private static final Set<String> PASS = Set.of("Identity", "StopGradient");

	private CamLayers() {}

	/** Whether the layer holds a convolution. */
	public static boolean isConvolution(LayerInfo l) {
		for (String t : l.opTypes()) if (CONV.contains(t)) return true;
		return l.opType() != null && CONV.contains(l.opType());
	}

	/** Whether a spatial layer's map is known to be 1x1 (a CAM on it is constant). */
	public static boolean isOneByOne(LayerInfo l) {
		int[] s = l.spatialSize();
		return s != null && s[0] == 1 && s[1] == 1;
	}

	/**
	 * The activated output of a convolution: the last of the layers that directly follow it in
	 * graph order and only normalise, activate or add at the same map size.
	 */
	public static LayerInfo activatedOutput(List<LayerInfo> layers, LayerInfo conv) {
		int at = layers.indexOf(conv);
		if (at < 0) throw new IllegalArgumentException("Layer " + conv.name() + " is not in the list.");
		LayerInfo best = conv;
		for (int i = at + 1; i < layers.size(); i++) {
			LayerInfo l = layers.get(i);
			if (l.kind() != LayerKind.SPATIAL || !java.util.Arrays.equals(l.spatialSize(), conv.spatialSize()) || !pointwise(l)) break;
			best = l;
		}
		return best;
	}

	private static boolean pointwise(LayerInfo l) {
		if (isConvolution(l)) return false;
		boolean acts = false;
		for (String t : l.opTypes()) {
			if (!POINTWISE.contains(t)) return false;
			if (!PASS.contains(t)) acts = true;
		}
		return acts;
	}

	/**
	 * The default CAM layer by the rule above.
	 *
	 * @throws ModelException if the model has no spatial layer
	 */
	public static LayerInfo defaultLayer(List<LayerInfo> layers) {
		List<LayerInfo> activated = new ArrayList<>();
		for (LayerInfo l : layers) {
			if (l.kind() == LayerKind.SPATIAL && isConvolution(l)) {
				LayerInfo a = activatedOutput(layers, l);
				if (!isOneByOne(a)) activated.add(a);
			}
		}
		LayerInfo pick = deepest(activated);
		if (pick != null) return pick;
		List<LayerInfo> spatial = new ArrayList<>();
		for (LayerInfo l : layers) if (l.kind() == LayerKind.SPATIAL && !isOneByOne(l)) spatial.add(l);
		pick = deepest(spatial);
		if (pick != null) return pick;
		for (int i = layers.size() - 1; i >= 0; i--) if (layers.get(i).kind() == LayerKind.SPATIAL) return layers.get(i);
		throw new ModelException("The model has no spatial (feature-map) layer.");
	}

	/** The deepest layer with a map of at least 7x7 (or of unknown size), else the deepest; null for none. */
	private static LayerInfo deepest(List<LayerInfo> candidates) {
		for (int i = candidates.size() - 1; i >= 0; i--) {
			int[] s = candidates.get(i).spatialSize();
			if (s[0] < 0 || s[1] < 0 || Math.min(s[0], s[1]) >= PREFERRED_SIDE) return candidates.get(i);
		}
		return candidates.isEmpty() ? null : candidates.get(candidates.size() - 1);
	}

	/**
	 * The spatial layers in the order every layer list of ConvLens uses: the default first, then
	 * the others in the model's order, input to output (1x1 maps, which make constant maps, are
	 * still listed: the Log warns when one is chosen).
	 */
	public static List<LayerInfo> choices(List<LayerInfo> layers) {
		List<LayerInfo> out = new ArrayList<>();
		boolean any = false;
		for (LayerInfo l : layers) any |= l.kind() == LayerKind.SPATIAL;
		if (!any) return out;
		LayerInfo def = defaultLayer(layers);
		out.add(def);
		// the one order of every layer list: the default first, then the model's order (input to output)
		for (LayerInfo l : layers) {
			if (l.kind() == LayerKind.SPATIAL && !l.equals(def)) out.add(l);
		}
		return out;
	}

	/**
	 * The warning for a CAM on a layer with a 1x1 map (its heatmap is one value spread over the
	 * image), or null for any other layer.
	 */
	public static String oneByOneWarning(LayerInfo l) {
		if (!isOneByOne(l)) return null;
		return "Layer " + l.name() + " has a 1x1 feature map: a class activation map on it is one value spread over the whole image " +
			"(constant, it shows no location). Choose a larger layer, e.g. the default.";
	}
}
