package org.convlens.explain.faithfulness;

import java.util.Arrays;
import java.util.Random;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.Fill;
import org.convlens.explain.core.Progress;

/**
 * The deletion and insertion metrics of Petsiuk et al. (RISE): pixels are removed from the image
 * (deletion) or revealed on a blurred copy (insertion) in order of decreasing heatmap value, and
 * the target class score is recorded after each step. A faithful heatmap makes the deletion
 * curve fall fast (small area) and the insertion curve rise fast (large area). Ties in the
 * heatmap are broken at random with a fixed seed, so that a flat map behaves like a random one
 * rather than sweeping in raster order. All perturbed images of a curve run {@code batchSize} at
 * a time.
 *
 * <p>Removed pixels take the values of a blurred copy by default (sigma a tenth of the larger
 * side), not zeros: zeroing scattered pixels makes salt-and-pepper noise the model never saw,
 * which destroys the score whatever the order, so a random map looks as faithful as a good one
 * (on the generated shapes set, zero fill gave random maps a mean deletion area of 0.34 against
 * 0.46 for Grad-CAM; blur fill 0.65 against 0.36).
 */
public final class DeletionInsertion {

	public enum Mode { DELETION, INSERTION }

	/** A curve: fraction of pixels removed (or inserted) against the class score. */
	public static final class Curve {
		private final Mode mode;
		private final double[] fractions;
		private final double[] scores;

		public Curve(Mode mode, double[] fractions, double[] scores) {
			this.mode = mode;
			this.fractions = fractions;
			this.scores = scores;
		}

		public Mode mode() { return mode; }
		/** 0 .. 1, {@code steps + 1} points. */
		public double[] fractions() { return fractions.clone(); }
		public double[] scores() { return scores.clone(); }

		/** Area under the curve over the fraction axis [0, 1], trapezoidal rule, in the score's own units. */
		public double auc() {
			return ExplainMath.trapezoid(fractions, scores);
		}

		/** Score of the unmodified image: the first point of a deletion curve, the last of an insertion curve. */
		public double imageScore() {
			return mode == Mode.DELETION ? scores[0] : scores[scores.length - 1];
		}

		/** Score of the fully removed image (the fill): the last point of a deletion curve, the first of an insertion curve. */
		public double removedScore() {
			return mode == Mode.DELETION ? scores[scores.length - 1] : scores[0];
		}

		/**
		 * The area on a scale comparable across models and score units: each score mapped
		 * linearly so that the fully removed image is 0 and the unmodified image 1, i.e.
		 * {@code (auc - removed) / (image - removed)}. A faithful map gives a small deletion and a
		 * large insertion area, about 0.5 for both with a random map. NaN when the curve is flat
		 * (the two end scores are equal at float precision): see {@link #flat()}.
		 */
		public double normalizedAuc() {
			return flat() ? Double.NaN : (auc() - removedScore()) / (imageScore() - removedScore());
		}

		/** Whether removing every pixel leaves the score unchanged, so that no area means anything. */
		public boolean flat() {
			double a = imageScore(), b = removedScore();
			return !(Math.abs(a - b) > 1e-6 * Math.max(Math.abs(a), Math.abs(b))) || !Double.isFinite(a - b);
		}
	}

	private final int steps;
	private final Fill deletionFill;
	private final Fill insertionStart;
	private final double blurSigma;
	private final int batchSize;
	private final String score;
	private final long seed;

	/** 50 steps; deletion to and insertion from a blurred copy; batches of 32; the class probability. */
	public DeletionInsertion() {
		this(50, Fill.BLUR, Fill.BLUR, -1, 32, ConvModel.OUTPUT, 0);
	}

	private DeletionInsertion(int steps, Fill deletionFill, Fill insertionStart, double blurSigma, int batchSize, String score, long seed) {
		if (steps < 1 || batchSize < 1) throw new IllegalArgumentException("Steps and batch size must be >= 1");
		this.steps = steps;
		this.deletionFill = deletionFill;
		this.insertionStart = insertionStart;
		this.blurSigma = blurSigma;
		this.batchSize = batchSize;
		this.score = score;
		this.seed = seed;
	}

	public DeletionInsertion withSteps(int s) { return new DeletionInsertion(s, deletionFill, insertionStart, blurSigma, batchSize, score, seed); }
	/** What removed pixels become in a deletion curve. */
	public DeletionInsertion withDeletionFill(Fill f) { return new DeletionInsertion(steps, f, insertionStart, blurSigma, batchSize, score, seed); }
	/** The image pixels are inserted into. */
	public DeletionInsertion withInsertionStart(Fill f) { return new DeletionInsertion(steps, deletionFill, f, blurSigma, batchSize, score, seed); }
	/** Sigma of {@link Fill#BLUR} in pixels; {@code <= 0} = a tenth of the larger image side. */
	public DeletionInsertion withBlurSigma(double s) { return new DeletionInsertion(steps, deletionFill, insertionStart, s, batchSize, score, seed); }
	public DeletionInsertion withBatchSize(int b) { return new DeletionInsertion(steps, deletionFill, insertionStart, blurSigma, b, score, seed); }
	public DeletionInsertion withScore(String s) { return new DeletionInsertion(steps, deletionFill, insertionStart, blurSigma, batchSize, s, seed); }
	/** Seed of the tie-breaking order. */
	public DeletionInsertion withSeed(long s) { return new DeletionInsertion(steps, deletionFill, insertionStart, blurSigma, batchSize, score, s); }

	public int steps() { return steps; }
	public Fill deletionFill() { return deletionFill; }
	public Fill insertionStart() { return insertionStart; }
	public int batchSize() { return batchSize; }
	public String score() { return score; }

	/** Pixel indices {@code y * w + x} from most to least important. */
	public int[] order(NdArray heatmap) {
		float[] v = heatmap.data();
		int n = v.length;
		Integer[] idx = new Integer[n];
		for (int i = 0; i < n; i++) idx[i] = i;
		Random rnd = new Random(seed);
		for (int i = n - 1; i > 0; i--) {
			int j = rnd.nextInt(i + 1);
			Integer t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		// a stable sort keeps the shuffled order among equal values; NaN counts as least important
		Arrays.sort(idx, (a, b) -> Float.compare(key(v[b]), key(v[a])));
		int[] out = new int[n];
		for (int i = 0; i < n; i++) out[i] = idx[i];
		return out;
	}

	private static float key(float f) {
		return Float.isNaN(f) ? Float.NEGATIVE_INFINITY : f;
	}

	/** The deletion or insertion curve of a heatmap (resampled to the input's size if needed). */
	public Curve curve(ConvModel model, NdArray input, NdArray heatmap, int target, Mode mode, Progress progress) {
		ExplainMath.checkImage(input);
		ExplainMath.checkTarget(model, target);
		int h = input.dim(1), w = input.dim(2), c = input.dim(3);
		int[] order = order(ExplainMath.resize(heatmap, h, w));
		int pixels = h * w;
		double sigma = blurSigma > 0 ? blurSigma : Math.max(h, w) / 10.0;
		float[] x = input.data();
		float[] other = (mode == Mode.DELETION ? deletionFill : insertionStart).replacement(input, sigma).data();
		// deletion moves pixels from the input to the fill; insertion from the start image to the input
		float[] from = mode == Mode.DELETION ? x : other;
		float[] to = mode == Mode.DELETION ? other : x;
		int per = x.length;
		double[] fractions = new double[steps + 1];
		double[] scores = new double[steps + 1];
		float[] current = from.clone();
		int changed = 0;
		int done = 0;
		while (done <= steps) {
			progress.checkCancelled();
			int n = Math.min(batchSize, steps + 1 - done);
			float[] batch = new float[n * per];
			for (int j = 0; j < n; j++) {
				int k = done + j;
				int upto = (int) Math.round((double) k * pixels / steps);
				for (; changed < upto; changed++) {
					int p = order[changed];
					System.arraycopy(to, p * c, current, p * c, c);
				}
				System.arraycopy(current, 0, batch, j * per, per);
				fractions[k] = (double) upto / pixels;
			}
			NdArray s = model.run(new NdArray(new int[] { n, h, w, c }, batch), java.util.List.of(score)).get(score);
			int k1 = s.stride0();
			for (int j = 0; j < n; j++) scores[done + j] = ExplainMath.value(s.data(), j * k1, target, score);
			done += n;
			progress.update((double) done / (steps + 1), (mode == Mode.DELETION ? "Deletion " : "Insertion ") + done + "/" + (steps + 1));
		}
		return new Curve(mode, fractions, scores);
	}

	@Override
	public String toString() {
		return "deletion-insertion steps=" + steps + " deletion-fill=" + deletionFill.name().toLowerCase(java.util.Locale.ROOT) +
			" insertion-start=" + insertionStart.name().toLowerCase(java.util.Locale.ROOT) + " batch=" + batchSize + " score=" + score +
			" seed=" + seed;
	}
}
