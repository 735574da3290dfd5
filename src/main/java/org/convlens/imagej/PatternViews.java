package org.convlens.imagej;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.convlens.explain.patterns.Pattern;
import org.convlens.explain.patterns.PatternOptions;
import org.convlens.explain.patterns.PatternTarget;
import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;

/**
 * Filter patterns as images: a stack with one labelled pattern per target and a montage whose
 * tiles name the filter (or class) and flag the dead ones, both stamped with the objective, the
 * targets, the settings and the dead filters.
 */
public final class PatternViews {

	private PatternViews() {}

	/**
	 * @param title the command's title, for the Info
	 * @param selection the targets as asked for (e.g. {@code 0-7}, {@code all}), named in the Info when there are several
	 * @return the pattern stack and the montage
	 */
	public static ImagePlus[] show(String title, ModelInfo info, Preprocessing prep, List<Pattern> ps, List<PatternTarget> targets, String objective,
		String selection, PatternOptions opt)
	{
		List<Preprocessing.Planes> planes = new ArrayList<>();
		String[] labels = new String[ps.size()], short_ = new String[ps.size()];
		boolean[] dead = new boolean[ps.size()];
		for (int i = 0; i < ps.size(); i++) {
			Pattern p = ps.get(i);
			planes.add(p.display());
			labels[i] = p.label();
			PatternTarget t = p.target();
			short_[i] = (t.kind() == PatternTarget.Kind.CLASS && !info.classNames().isEmpty() ? info.className(t.index()) : Integer.toString(t.index())) +
				(p.dead() ? " DEAD" : "");
			dead[i] = p.dead();
		}
		String what = targets.get(0).kind() == PatternTarget.Kind.CLASS ? "classes" : targets.get(0).layer();
		String model = info.path().getFileName().toString();
		ImagePlus stack = PlaneImages.stack(Titles.of(model, "patterns", what), planes, labels);
		ImagePlus montage = PlaneImages.montage(Titles.of(model, "patterns", what, "montage"), planes, short_, dead);
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("objective", objective);
		params.put("targets", targets.size() == 1 ? targets.get(0).describe(info) : what + " " + selection);
		params.put("options", opt);
		params.put("dead", Arrays.toString(IntStream.range(0, dead.length).filter(i -> dead[i]).map(i -> targets.get(i).index()).toArray()));
		Provenance.stamp(stack, title, info, prep, null, params);
		Provenance.stamp(montage, title, info, prep, null, params);
		return new ImagePlus[] { stack, montage };
	}
}
