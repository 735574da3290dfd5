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

	/** How many files the run wrote. */
	public synchronized long fileCount() {
		return fileCount;
	}
}
