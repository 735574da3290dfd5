package org.convlens.explain.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;

/** Runs a model over a large batch in chunks, with progress and cancellation between chunks. */
public final class BatchRunner {

	/** Items per model call: large enough to amortise a call, small enough for big feature maps. */
	public static final int DEFAULT_CHUNK = 16;

	private BatchRunner() {}

	/** {@link ConvModel#run} on {@code input} in chunks of {@code chunk} items; results concatenated. */
	public static Map<String, NdArray> run(ConvModel model, NdArray input, List<String> fetches, int chunk,
		Progress progress)
	{
		Progress pr = progress == null ? Progress.NONE : progress;
		int n = input.dim(0);
		int step = Math.max(1, chunk);
		Map<String, List<NdArray>> parts = new LinkedHashMap<>();
		for (String f : fetches) parts.put(f, new ArrayList<>());
		for (int from = 0; from < n; from += step) {
			pr.checkCancelled();
			int to = Math.min(n, from + step);
			pr.update((double) from / n, "running the model on " + (n == 1 ? "the image" : "items " + (from + 1) + "-" + to + " of " + n));
			Map<String, NdArray> r = model.run(n <= step ? input : input.items(from, to), fetches);
			for (String f : fetches) parts.get(f).add(r.get(f));
		}
		pr.update(1, "model done");
		Map<String, NdArray> out = new LinkedHashMap<>();
		parts.forEach((k, v) -> out.put(k, v.size() == 1 ? v.get(0) : NdArray.concat(v)));
		return out;
	}
}
