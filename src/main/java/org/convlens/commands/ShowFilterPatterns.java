package org.convlens.commands;

import java.util.List;

import org.convlens.explain.patterns.FilterPatterns;
import org.convlens.explain.patterns.Pattern;
import org.convlens.explain.patterns.PatternOptions;
import org.convlens.explain.patterns.PatternRequest;
import org.convlens.explain.patterns.PatternTarget;
import org.convlens.imagej.PatternViews;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * Filter patterns: for each chosen filter (or neuron, or class) the input image, grown from noise
 * by gradient ascent, that the filter responds to most ({@link FilterPatterns}). Needs no image.
 * Outputs a stack with one pattern per filter, a labelled montage and a table of the objective
 * before and after; filters whose gradient is zero from the start are flagged dead.
 */
@Plugin(type = Command.class, name = "patterns", label = "Filter Patterns", menuPath = "Plugins>ConvLens>Filter Patterns...", headless = true)
public class ShowFilterPatterns extends PatternInputs {

	@Parameter(label = "Sharper preset", description = "Preset: fourier, decorrelate, adam, jitter size/16, scale 0.05, rotate 5 (non-zero values above win)")
	private boolean sharper;

	@Parameter(type = ItemIO.OUTPUT, label = "Filter patterns")
	private ImagePlus patterns;

	@Parameter(type = ItemIO.OUTPUT, label = "Pattern montage")
	private ImagePlus montage;

	@Parameter(type = ItemIO.OUTPUT, label = "Pattern results")
	private ResultsTable results;

	/** {@link PatternRequest#defaultLayer}. */
	static String defaultLayer(ConvModel m) {
		return PatternRequest.defaultLayer(m);
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		ModelInfo info = m.info();
		Preprocessing prep = prep(info);
		List<PatternTarget> targets = targets(m);
		PatternOptions opt = options(prep, info.imageInput().shape(), sharper);
		progress().update(0, "optimising " + targets.size() + " pattern(s)");
		List<Pattern> ps = new FilterPatterns(m, opt).compute(targets, progress().sub(0, 0.95));
		long dead = ps.stream().filter(Pattern::dead).count();
		// black tiles labelled DEAD are a fact about the starting noise, not about the filter on real images
		if (dead > 0) {
			log(getInfo().getTitle() + ": " + dead + " of " + ps.size() + " patterns are black (DEAD): a zero gradient on the starting noise, which "
				+ "switches them off; that does not prove them dead on real images (Max-Activating Images shows whether they fire there).");
		}
		progress().update(0.96, "building the images");
		ImagePlus[] out = PatternViews.show(getInfo().getTitle(), info, prep, ps, targets, objective, selection(), opt);
		patterns = out[0];
		montage = out[1];
		results = Tables.patterns(ps, info);
	}
}
