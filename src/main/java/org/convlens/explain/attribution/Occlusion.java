package org.convlens.explain.attribution;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fill;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;

/**
 * Occlusion sensitivity (Zeiler and Fergus): a square patch slides over the image, its pixels are
 * replaced (see {@link Fill}), and the drop of the target class score is recorded. A pixel's
 * value is the mean drop over the patches that covered it, so positive = the class needs this
 * region. The occluded images run through the model {@code batchSize} at a time.
 *
 * <p>Sizes are in model-input pixels; 0 means automatic: a patch of a fifth of the shorter side
 * and a stride of a third of the patch (6 and 2 on a 32 x 32 input, 45 and 15 on 224 x 224).
 * The default fill is the image mean (the grey square of Zeiler and Fergus). Immutable; the
 * {@code with} methods return copies.
 */
public final class Occlusion implements HeatmapMethod {

	/** An occlusion map and how it was made. */
	public static final class Result {
		private final NdArray map;
		private final String score;
		private final int passes;
		private final String reason;

		Result(NdArray map, String score, int passes, String reason) {
			this.map = map;
			this.score = score;
			this.passes = passes;
			this.reason = reason;
		}

		/** Which score was used and why (the {@link ScoreRule}'s reason), for the Info and the Log. */
		public String scoreReason() { return reason; }

		/** Mean score drop per pixel, {@code [H, W]}. */
		public NdArray map() { return map; }
		/** The score whose drops the map holds: {@link ConvModel#OUTPUT} or, as a fallback, {@link ConvModel#LOGITS}. */
		public String score() { return score; }
		/** Number of occluded images that were run. */
		public int passes() { return passes; }
	}

	private final int patch;
	private final int stride;
	private final Fill fill;
	private final int batchSize;
	private final String score;

	/** The {@code score=auto} rule of {@link ScoreRule}, resolved per image. */
	public static final String AUTO = "auto";

	/** Automatic patch and stride, mean fill, batches of 32, the score by {@link ScoreRule} ({@code auto}). */
	public Occlusion() {
		this(0, 0, Fill.MEAN, 32, AUTO);
	}

	private Occlusion(int patch, int stride, Fill fill, int batchSize, String score) {
		if (patch < 0 || stride < 0 || batchSize < 1) throw new IllegalArgumentException("Patch and stride must be >= 0 (0 = automatic), batch size >= 1");
		this.patch = patch;
		this.stride = stride;
		this.fill = fill;
		this.batchSize = batchSize;
		this.score = score;
	}

	public Occlusion withPatch(int p) { return new Occlusion(p, stride, fill, batchSize, score); }
	public Occlusion withStride(int s) { return new Occlusion(patch, s, fill, batchSize, score); }
	public Occlusion withFill(Fill f) { return new Occlusion(patch, stride, f, batchSize, score); }
	/** How many occluded images go through the model per run; 1 = one per forward pass. */
	public Occlusion withBatchSize(int b) { return new Occlusion(patch, stride, fill, b, score); }
	/**
	 * The score whose drops are recorded: {@link #AUTO} (default, {@link ScoreRule}),
	 * {@link ConvModel#OUTPUT} or {@link ConvModel#LOGITS}.
	 */
	public Occlusion withScore(String s) { return new Occlusion(patch, stride, fill, batchSize, s); }

	/** The patch size setting; 0 = automatic (see {@link #patchFor}). */
	public int patch() { return patch; }
	/** The stride setting; 0 = automatic (see {@link #strideFor}). */
	public int stride() { return stride; }

	/** The patch size used for an {@code h x w} input. */
	public int patchFor(int h, int w) {
		int p = patch > 0 ? patch : Math.max(2, (int) Math.round(Math.min(h, w) / 5.0));
		return Math.min(p, Math.min(h, w));
	}

	/** The stride used for an {@code h x w} input. */
	public int strideFor(int h, int w) {
		return stride > 0 ? stride : Math.max(1, (int) Math.round(patchFor(h, w) / 3.0));
	}
	public Fill fill() { return fill; }
	public int batchSize() { return batchSize; }
	public String score() { return score; }

	/** Patch origins along an axis of length {@code n}: every {@code stride}, plus one flush with the far edge. */
	static int[] origins(int n, int patch, int stride) {
		int p = Math.min(patch, n);
		List<Integer> o = new ArrayList<>();
		for (int x = 0; x + p <= n; x += stride) o.add(x);
		if (o.isEmpty() || o.get(o.size() - 1) + p < n) o.add(n - p);
		return o.stream().mapToInt(Integer::intValue).toArray();
	}

	/** Number of occluded images (forward passes) for an {@code h x w} input. */
	public int count(int h, int w) {
		int p = patchFor(h, w), st = strideFor(h, w);
		return origins(h, p, st).length * origins(w, p, st).length;
	}

	/**
	 * The map and what it measured. When the class probability does not change at all (a
	 * saturated sigmoid or softmax), the drops of the logit are used instead, and
	 * {@link Result#score()} says so.
	 */
	public Result compute(ConvModel model, NdArray input, int target, Progress progress) {
		ExplainMath.checkImage(input);
		ExplainMath.checkTarget(model, target);
		int h = input.dim(1), w = input.dim(2), c = input.dim(3);
		int p = patchFor(h, w), st = strideFor(h, w);
		int ph = p, pw = p;
		int[] ys = origins(h, p, st), xs = origins(w, p, st);
		int total = ys.length * xs.length;
		float[] src = input.data();
		float[] rep = fill.replacement(input, Math.max(1, p / 2.0)).data();
		String reason;
		String score;
		if (this.score.equals(AUTO)) {
			ScoreRule rule = ScoreRule.resolve("auto", model, input, target);
			score = rule.tensor();
			reason = rule.reason();
		}
		else {
			score = this.score;
			reason = (score.equals(ConvModel.LOGITS) ? "logit" : "probability") + " (chosen)";
		}
		// a saturated probability (a sigmoid at 1.0) does not move at float precision: then use the logits
		boolean fallback = score.equals(ConvModel.OUTPUT) && model.info().logitsTensor() != null;
		List<String> fetches = fallback ? List.of(score, ConvModel.LOGITS) : List.of(score);
		Map<String, NdArray> b0 = model.run(input, fetches);
		double[] base = { ExplainMath.value(b0.get(score).data(), 0, target, score),
			fallback ? ExplainMath.value(b0.get(ConvModel.LOGITS).data(), 0, target, ConvModel.LOGITS) : 0 };
		boolean anyDrop = false;

		double[] sum = new double[h * w];
		double[] sumLogit = new double[h * w];
		int[] cnt = new int[h * w];
		int per = h * w * c;
		int done = 0;
		while (done < total) {
			progress.checkCancelled();
			int n = Math.min(batchSize, total - done);
			float[] batch = new float[n * per];
			for (int b = 0; b < n; b++) {
				int k = done + b;
				int y0 = ys[k / xs.length], x0 = xs[k % xs.length];
				System.arraycopy(src, 0, batch, b * per, per);
				for (int y = y0; y < y0 + ph; y++) {
					int off = (y * w + x0) * c;
					System.arraycopy(rep, off, batch, b * per + off, pw * c);
				}
			}
			Map<String, NdArray> out = model.run(new NdArray(new int[] { n, h, w, c }, batch), fetches);
			NdArray s = out.get(score);
			int k1 = s.stride0();
			for (int b = 0; b < n; b++) {
				int k = done + b;
				int y0 = ys[k / xs.length], x0 = xs[k % xs.length];
				double drop = base[0] - ExplainMath.value(s.data(), b * k1, target, score);
				double dropLogit = fallback ? base[1] - ExplainMath.value(out.get(ConvModel.LOGITS).data(), b * k1, target, ConvModel.LOGITS) : 0;
				if (drop != 0) anyDrop = true;
				for (int y = y0; y < y0 + ph; y++) {
					for (int x = x0; x < x0 + pw; x++) {
						sum[y * w + x] += drop;
						sumLogit[y * w + x] += dropLogit;
						cnt[y * w + x]++;
					}
				}
			}
			done += n;
			progress.update((double) done / total, "Occlusion " + done + "/" + total);
		}
		boolean useLogits = fallback && !anyDrop;
		double[] acc = useLogits ? sumLogit : sum;
		float[] map = new float[h * w];
		for (int i = 0; i < map.length; i++) map[i] = cnt[i] == 0 ? 0 : (float) (acc[i] / cnt[i]);
		if (useLogits) reason = "logit (the probability did not move at all)";
		return new Result(new NdArray(new int[] { h, w }, map), useLogits ? ConvModel.LOGITS : score, total, reason);
	}

	@Override
	public NdArray heatmap(ConvModel model, NdArray input, int target, Progress progress) {
		return compute(model, input, target, progress).map();
	}

	@Override
	public String toString() {
		return "occlusion patch=" + (patch == 0 ? "auto" : Integer.toString(patch)) + " stride=" + (stride == 0 ? "auto" : Integer.toString(stride)) + " fill=" + fill.name().toLowerCase(java.util.Locale.ROOT) +
			" batch=" + batchSize + " score=" + score;
	}
}
