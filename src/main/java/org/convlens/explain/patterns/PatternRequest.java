package org.convlens.explain.patterns;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;

/**
 * What a request for filter patterns names, read from its option texts and checked against the
 * model: the default layer, the targets (filters or neurons of a layer, or classes by index or
 * name), the optimiser and parametrisation by name, and the "sharper" preset applied to settings.
 */
public final class PatternRequest {

	private PatternRequest() {}

	/** The activated output of the last convolution, else the last spatial layer. */
	public static String defaultLayer(ConvModel m) {
		List<String> convs = KernelImages.convLayers(m);
		if (!convs.isEmpty()) return FilterPatterns.activatedLayer(m.info(), convs.get(convs.size() - 1));
		return m.info().lastSpatialLayer().name();
	}

	/**
	 * The targets an objective asks for.
	 *
	 * @param objective {@code filter}, {@code neuron} or {@code class} (null: filter)
	 * @param layer the layer of the filters or neurons (blank: {@link #defaultLayer})
	 * @param filters {@code all}, a range or a list ({@link FilterSelection#parse})
	 * @param classes for {@code class}: {@code all}, indices or names ({@link #classIndices})
	 * @param y the neuron's row (-1: centre)
	 * @param x the neuron's column (-1: centre)
	 * @throws ModelException when the model has no such targets; IllegalArgumentException for a bad option
	 */
	public static List<PatternTarget> targets(ConvModel m, String objective, String layer, String filters, String classes, int y, int x) {
		ModelInfo info = m.info();
		String obj = objective == null ? "filter" : objective.trim().toLowerCase(Locale.ROOT);
		List<PatternTarget> ts = new ArrayList<>();
		if (obj.equals("class")) {
			int k = info.numClasses();
			if (k <= 0) throw new ModelException("The model has no class output to visualise.");
			for (int c : classIndices(info, classes, k)) ts.add(PatternTarget.classLogit(c));
			return ts;
		}
		if (!obj.equals("filter") && !obj.equals("neuron")) throw new IllegalArgumentException("Objective must be filter, neuron or class, not '" + objective + "'.");
		String name = layer == null || layer.isBlank() ? defaultLayer(m) : layer.trim();
		LayerInfo l = info.layer(name);
		if (l.kind() == LayerKind.OTHER || (obj.equals("neuron") && l.kind() != LayerKind.SPATIAL)) {
			throw new ModelException("Layer '" + name + "' (shape " + Arrays.toString(l.shape()) + ") has no " +
				(obj.equals("neuron") ? "feature map" : "filters") + " to show.");
		}
		for (int f : FilterSelection.parse(filters, l.channels())) ts.add(obj.equals("neuron") ? PatternTarget.neuron(l.name(), f, y, x) : PatternTarget.filter(l.name(), f));
		return ts;
	}

	/**
	 * Class indices from {@code all}, indices or ranges ({@link FilterSelection#parse}), or class
	 * names (any case), e.g. {@code ring,cross}; an index may be mixed with names.
	 *
	 * @throws IllegalArgumentException naming an unknown class and the model's classes
	 */
	public static int[] classIndices(ModelInfo info, String spec, int count) {
		try {
			return FilterSelection.parse(spec, count);
		}
		catch (IllegalArgumentException e) {
			List<String> names = info.classNames();
			List<Integer> out = new ArrayList<>();
			for (String tok : spec.split("[,;]+")) {
				String t = tok.trim();
				if (t.isEmpty()) continue;
				int k = -1;
				for (int i = 0; i < names.size(); i++) if (names.get(i).equalsIgnoreCase(t)) k = i;
				if (k < 0 && t.matches("\\d+") && Integer.parseInt(t) < count) k = Integer.parseInt(t);
				if (k < 0) {
					throw new IllegalArgumentException("Unknown class '" + t + "': the model has classes 0-" + (count - 1) +
						(names.isEmpty() ? "" : " " + names) + ".");
				}
				if (!out.contains(k)) out.add(k);
			}
			if (out.isEmpty()) throw e;
			return out.stream().mapToInt(Integer::intValue).toArray();
		}
	}

	/**
	 * Whether an option applies to the objective and optimiser chosen (null: not known, so it
	 * applies): the neuron position to {@code neuron}, the classes to {@code class}, the filters to
	 * the others, the step length to {@code ascent} and the learning rate to {@code adam}.
	 */
	public static boolean applies(String option, String objective, String optimizer) {
		switch (option) {
			case "y": case "x": return objective == null || objective.equals("neuron");
			case "classes": return objective == null || objective.equals("class");
			case "filters": return objective == null || !objective.equals("class");
			case "step": return optimizer == null || optimizer.equals("ascent");
			case "rate": return optimizer == null || optimizer.equals("adam");
			default: return true;
		}
	}

	/**
	 * The "sharper" preset ({@link PatternOptions#sharper}) on {@code o} for an image of {@code size}
	 * pixels (0: the model input's shorter side {@code in = [n, H, W, C]}, else 128); the jitter,
	 * zoom and rotation given (non-zero) win over the preset's.
	 */
	public static PatternOptions sharper(PatternOptions o, int size, int[] in, int jitter, double scale, double rotate) {
		int side = size > 0 ? size : in != null && in.length == 4 && in[1] > 0 && in[2] > 0 ? Math.min(in[1], in[2]) : 128;
		PatternOptions s = o.sharper(side);
		if (jitter > 0) s = s.withJitter(jitter);
		if (scale > 0) s = s.withScaleJitter(scale);
		if (rotate > 0) s = s.withRotation(rotate);
		return s;
	}

	/**
	 * An enum constant by name, any case ({@code adam}, {@code fourier}).
	 *
	 * @param key the option's name, for the message
	 * @throws IllegalArgumentException naming the option and its values
	 */
	public static <E extends Enum<E>> E choice(Class<E> type, String v, String key) {
		for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(v == null ? "" : v.trim())) return e;
		throw new IllegalArgumentException("Option '" + key + "' must be one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) +
			", not '" + v + "'.");
	}
}
