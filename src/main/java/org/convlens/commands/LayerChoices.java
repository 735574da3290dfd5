package org.convlens.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;

/**
 * The layer lists and layer look-ups commands share. Every layer list follows one rule: the
 * command's default first, then the model's order (input to output); see also
 * {@link ModelInfo#camLayerChoices()}.
 */
final class LayerChoices {

	private LayerChoices() {}

	/** See {@link ConvLensCommand#spatialLayer}. */
	static LayerInfo spatialLayer(ModelInfo info, String name) {
		List<LayerInfo> spatial = info.spatialLayers();
		if (spatial.isEmpty()) throw new ModelException("The model has no spatial (feature-map) layer, so there is nothing to show as images. Its layers are: " + info.layerNames());
		if (name == null || name.isBlank()) return spatial.get(0);
		LayerInfo l = info.layer(name);
		if (l.kind() != LayerKind.SPATIAL) {
			throw new ModelException("Layer '" + name + "' is not a feature map (shape " + java.util.Arrays.toString(l.shape()) +
				"). Spatial layers: " + names(spatial));
		}
		return l;
	}

	/** Layer names, those matching {@code first} before the others, each group in the model's order. */
	static List<String> layerChoices(ModelInfo info, Predicate<LayerInfo> include, Predicate<LayerInfo> first) {
		List<String> a = new ArrayList<>(), b = new ArrayList<>();
		for (LayerInfo l : info.layers()) {
			if (!include.test(l)) continue;
			(first.test(l) ? a : b).add(l.name());
		}
		a.addAll(b);
		return a;
	}

	/** {@code names} with {@code def} moved to the front (unchanged when {@code def} is not among them). */
	static List<String> defaultFirst(List<String> names, String def) {
		if (def == null || !names.contains(def)) return names;
		List<String> out = new ArrayList<>(names.size());
		out.add(def);
		for (String n : names) if (!n.equals(def)) out.add(n);
		return out;
	}

	private static List<String> names(List<LayerInfo> ls) {
		List<String> n = new ArrayList<>();
		for (LayerInfo l : ls) n.add(l.name());
		return n;
	}
}
