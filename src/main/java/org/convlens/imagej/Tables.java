package org.convlens.imagej;

import java.util.List;

import org.convlens.explain.FilterStats;
import org.convlens.explain.TopK;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;

import ij.measure.ResultsTable;

/** ResultsTables shared by the commands: predictions (any command can add them) and filter statistics. */
public final class Tables {

	private Tables() {}

	/**
	 * Top-{@code k} classes per item of a class-score output {@code [N, K]}: columns image, rank,
	 * class, index, probability (or score when the output has no softmax/sigmoid). A single
	 * sigmoid output is read as the probability of class 1, class 0 getting {@code 1 - p}.
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
			if (K == 1 && "sigmoid".equals(info.outputActivation())) row = new float[] { 1 - row[0], row[0] };
			for (int r = 0, idx[] = TopK.indices(row, k); r < idx.length; r++) {
				rt.incrementCounter();
				rt.addValue("image", items.get(i));
				rt.addValue("rank", r + 1);
				rt.addValue("class", info.className(idx[r]));
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
}
