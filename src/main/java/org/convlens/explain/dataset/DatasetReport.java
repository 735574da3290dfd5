package org.convlens.explain.dataset;

import java.util.List;

/**
 * What happened to the images of a source: how many went through the model, and which were
 * skipped, each with the reason.
 */
public final class DatasetReport {

	/** An image that was left out, and why. */
	public static final class Skipped {
		private final String name;
		private final String reason;

		public Skipped(String name, String reason) {
			this.name = name;
			this.reason = reason;
		}

		public String name() { return name; }
		public String reason() { return reason; }

		@Override
		public String toString() {
			return name + ": " + reason;
		}
	}

	private final String source;
	private final int processed;
	private final List<Skipped> skipped;

	public DatasetReport(String source, int processed, List<Skipped> skipped) {
		this.source = source;
		this.processed = processed;
		this.skipped = List.copyOf(skipped);
	}

	/** The source's description. */
	public String source() { return source; }
	/** Images that went through the model. */
	public int processed() { return processed; }
	public List<Skipped> skipped() { return skipped; }
	/** Entries seen: processed plus skipped. */
	public int total() { return processed + skipped.size(); }

	/** One line, e.g. {@code folder /data: 410 of 412 images used; 2 skipped (listed below)}. */
	public String summary() {
		String s = source + ": " + processed + " of " + total() + " images used";
		return skipped.isEmpty() ? s : s + "; " + skipped.size() + " skipped";
	}

	/** Skipped images listed by {@link #details()}; the rest are counted (the skipped-files table has them all). */
	public static final int LISTED = 20;

	/** The summary and one line per skipped image, at most {@link #LISTED}, then one line for the rest. */
	public String details() {
		StringBuilder sb = new StringBuilder(summary());
		for (int i = 0; i < Math.min(LISTED, skipped.size()); i++) sb.append("\n  skipped ").append(skipped.get(i));
		if (skipped.size() > LISTED) sb.append("\n  ... and ").append(skipped.size() - LISTED).append(" more skipped files (see the skipped-files table)");
		return sb.toString();
	}

	@Override
	public String toString() {
		return summary();
	}
}
