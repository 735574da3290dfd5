package org.convlens.imagej.batch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a batch run did: images attempted, files written, failures and warnings. Its size does not
 * grow with the files written: they are counted, and only the first {@value #LISTED_FILES} are
 * listed (a run over 100,000 images writes 300,000 files; the log names each one as it goes).
 */
public class BatchReport {

	/** How many written files {@link #files} lists. */
	public static final int LISTED_FILES = 100;

	/** The first {@value #LISTED_FILES} files written ({@link #addFile}); {@link #fileCount} counts them all. */
	public final List<Path> files = Collections.synchronizedList(new ArrayList<>());
	private long fileCount;
	/** One line per failed image (or the run), in the order they happened. */
	public final List<String> failures = new ArrayList<>();
	/** Warnings about the run as a whole (e.g. every image predicted as one class). */
	public final List<String> warnings = new ArrayList<>();
	/** The exceptions behind the failures (printed with --debug). */
	public final List<Throwable> errors = new ArrayList<>();
	/** Images (or runs, for commands without images) attempted. */
	public int items;
	/** Files in the input folder that are not images by their extension, and were not looked at. */
	public int ignored;

	/** Counts a written file (and lists it, among the first {@value #LISTED_FILES}). */
	public synchronized void addFile(Path file) {
		fileCount++;
		if (files.size() < LISTED_FILES) files.add(file);
	}

	/** Records a failure: {@code where: text}, the exception kept for --debug. */
	public synchronized void fail(Object where, Throwable t, Object imageSize) {
		failures.add(where + ": " + failureText(t, imageSize));
		errors.add(t);
	}

	/** A failure in one line ({@code imageSize}: the image or its size, for running out of memory). */
	protected String failureText(Throwable t, Object imageSize) {
		return oneLine(message(t));
	}

	/** A failure's message for the user. */
	protected String message(Throwable t) {
		return t.getMessage() == null ? t.toString() : t.getMessage();
	}

	private int rangeNoted;
	private String firstRange;

	/** An image whose pixel range the preprocessing turns into a misleading input ({@code Provenance.rangeNote}). */
	public synchronized void rangeNote(Object where, String note) {
		if (rangeNoted++ == 0) firstRange = where + ": " + note;
	}

	/**
	 * The run-wide warnings: every image in one class with high confidence, saturated top
	 * probabilities, images whose pixel range the preprocessing makes misleading; each added and
	 * printed as a WARNING line.
	 */
	public synchronized void warnAbout(org.convlens.explain.dataset.SameClassCheck same, org.convlens.model.ModelInfo info,
		org.convlens.model.Preprocessing prep, java.io.PrintStream log)
	{
		List<String> lines = new ArrayList<>();
		if (same.count() > 1) lines.add(same.warning(info, prep));
		lines.add(same.saturation(info));
		if (rangeNoted > 0) {
			lines.add(rangeNoted + " of " + items + (items == 1 ? " image reaches" : " images reach") + " the model with a misleading pixel range, e.g. " +
				firstRange + " (each output's Info says so in ConvLens.input.fit)");
		}
		for (String w : lines) {
			if (w == null) continue;
			warnings.add(w);
			if (log != null) log.println("WARNING: " + w);
		}
	}

	/** A text on several lines in one: "a: b; c". */
	public static String oneLine(String s) {
		// a list on several lines becomes "a; b; c"
		return s == null ? "" : s.replaceAll(":\\s*[\\r\\n]+\\s*", ": ").replaceAll("\\s*[\\r\\n]+\\s*", "; ").trim();
	}

	/** How many files the run wrote. */
	public synchronized long fileCount() {
		return fileCount;
	}
}
