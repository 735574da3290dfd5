package org.convlens.explain.core;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Up-front cost of a many-pass method (Score-CAM, Ablation-CAM, occlusion): the number of model
 * passes before anything runs, and after the first timed batch an estimate of the time, said in
 * the status line and, when the run will be long, in the Log (through the given sink, so that
 * this room stays free of ImageJ).
 */
public final class PassEstimate {

	/** A run of at least this many passes is announced as long before it starts. */
	public static final long LONG_PASSES = 2_000;
	/** A run estimated to take at least this long (seconds) is announced after its first batch. */
	public static final double LONG_SECONDS = 20;

	private final String what;
	private final long passes;
	private final int batchSize;
	private final Consumer<String> log;
	private final long start = System.nanoTime();
	private volatile boolean timed;
	private volatile double seconds = Double.NaN;

	/**
	 * @param what the method, e.g. {@code Score-CAM}
	 * @param passes model inputs to run in all (masked images, ablated activations, occluded images)
	 * @param batchSize inputs per model call
	 * @param log where a long run is announced (e.g. ImageJ's Log); may be null
	 */
	public PassEstimate(String what, long passes, int batchSize, Consumer<String> log) {
		this.what = what;
		this.passes = passes;
		this.batchSize = Math.max(1, batchSize);
		this.log = log == null ? s -> {} : log;
	}

	public long passes() { return passes; }

	/** Model calls: passes in batches. */
	public long calls() { return (passes + batchSize - 1) / batchSize; }

	/** Whether the pass count alone makes this a long run. */
	public boolean isLong() { return passes >= LONG_PASSES; }

	/** Estimated total seconds after the first batch, NaN before. */
	public double seconds() { return seconds; }

	/** e.g. {@code Score-CAM: 2048 model passes in 64 calls of 32; about 95 s}. */
	public String describe() {
		String s = plan();
		if (!Double.isNaN(seconds)) s += String.format(Locale.ROOT, "; about %.0f s (timed on the first batch)", seconds);
		return s;
	}

	/**
	 * The plan without the timing, e.g. {@code Score-CAM: 2048 model passes in 64 calls of 32}: what an
	 * output's Info records, so that the same run on the same data writes the same file.
	 */
	public String plan() {
		return String.format(Locale.ROOT, "%s: %d model passes in %d call%s of up to %d", what, passes, calls(), calls() == 1 ? "" : "s", batchSize);
	}

	/** Puts the plan in the status line, and in the Log when the pass count makes it long. */
	public void announce(Progress progress) {
		progress.update(0, describe());
		if (isLong()) log.accept(describe() + ": this will take a while (Esc cancels).");
	}

	/**
	 * Wraps the progress of the whole run: after the first update past 0 (the first batch done),
	 * estimates the total time from the elapsed time, adds the time left to status messages, and
	 * logs the estimate once when it is {@link #LONG_SECONDS} or more.
	 */
	public Progress track(Progress outer) {
		return new Progress() {
			@Override
			public void update(double fraction, String message) {
				if (fraction > 0 && fraction < 1) {
					double elapsed = (System.nanoTime() - start) / 1e9;
					double total = elapsed / fraction;
					if (!timed) {
						timed = true;
						seconds = total;
						if (total >= LONG_SECONDS) log.accept(describe() + ": a long run (Esc cancels).");
					}
					message = String.format(Locale.ROOT, "%s (about %.0f s left)", message, Math.max(0, total - elapsed));
				}
				outer.update(fraction, message);
			}

			@Override
			public boolean isCancelled() {
				return outer.isCancelled();
			}
		};
	}
}
