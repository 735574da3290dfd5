package org.convlens.imagej;

import java.util.List;

import org.convlens.explain.core.FilterStats;
import org.convlens.explain.core.TopK;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;

import ij.measure.ResultsTable;

/** ResultsTables shared by the commands: predictions (any command can add them) and filter statistics. */
public final class Tables {

	private Tables() {}

	/**
	 * Top-{@code k} classes per item of a class-score output {@code [N, K]}: columns image, rank,
	 * class, index, probability (or score when the output has no softmax/sigmoid). A single
	 * sigmoid output is read as the probability of the positive class (index 1, named by
	 * {@link ModelInfo#className(int)} {@code 0}), its complement getting {@code 1 - p} (index 0).
	 *
	 * @param items a label per batch item (e.g. image title and position)
	 */
	public static ResultsTable predictions(ModelInfo info, NdArray scores, List<String> items, int k) {
		ResultsTable rt = new ResultsTable();
		rt.showRowNumbers(false);
		rt.setPrecision(6);
		boolean prob = !"none".equals(info.outputActivation());
		String col = prob ? "probability" : "score";
		int n = scores.dim(0);
		int K = scores.size() / Math.max(1, n);
		for (int i = 0; i < n; i++) {
			float[] row = java.util.Arrays.copyOfRange(scores.data(), i * K, (i + 1) * K);
			boolean binary = K == 1 && info.singleSigmoid();
			if (binary) row = new float[] { 1 - row[0], row[0] };
			for (int r = 0, idx[] = TopK.indices(row, k); r < idx.length; r++) {
				rt.incrementCounter();
				rt.addValue("image", items.get(i));
				rt.addValue("rank", r + 1);
				// a single sigmoid: index 1 is the output (positive), 0 its complement, named as everywhere else
				rt.addValue("class", binary ? info.className(idx[r] == 1 ? 0 : ModelInfo.COMPLEMENT) : info.className(idx[r]));
				rt.addValue("index", idx[r]);
				rt.addValue(col, row[idx[r]]);
			}
		}
		return rt;
	}

	/** One row per filter: layer, filter, mean, min, max, zero fraction, dead (yes when all zero). */
	public static ResultsTable filterStats(String layer, FilterStats[] stats) {
		ResultsTable rt = new ResultsTable();
		rt.showRowNumbers(false);
		rt.setPrecision(6);
		for (FilterStats s : stats) {
			rt.incrementCounter();
			rt.addValue("layer", layer);
			rt.addValue("filter", s.filter);
			rt.addValue("mean", s.mean);
			rt.addValue("min", s.min);
			rt.addValue("max", s.max);
			rt.addValue("zero fraction", s.zeroFraction);
			rt.addValue("dead", s.dead() ? "yes" : "no");
		}
		return rt;
	}

	/**
	 * One row per filter pattern: target (e.g. {@code conv2d_1 filter 7}), filter (filter, unit or
	 * class index), objective for the starting noise and at the end, gain (final / |start|), dead
	 * (yes when the gradient was zero from the start) and rescues (steps undone because they
	 * switched the filter off).
	 */
	public static ResultsTable patterns(List<org.convlens.explain.patterns.Pattern> patterns, ModelInfo info) {
		ResultsTable rt = new ResultsTable();
		rt.showRowNumbers(false);
		rt.setPrecision(6);
		for (org.convlens.explain.patterns.Pattern p : patterns) {
			rt.incrementCounter();
			rt.addValue("target", p.target().describe(info));
			rt.addValue("filter", p.target().index());
			rt.addValue("start", p.startActivation());
			rt.addValue("final", p.finalActivation());
			rt.addValue("gain", p.gain());
			rt.addValue("dead", p.dead() ? "yes" : "no");
			rt.addValue("rescues", p.rescues());
		}
		return rt;
	}
}
