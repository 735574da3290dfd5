package org.convlens.imagej.batch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The files a batch run has written or is writing, behind its refusal to replace them: a file
 * written earlier in the run is never replaced, one that was there before only with
 * {@code --overwrite}.
 *
 * <p>Memory stays flat in the number of images: a path is kept as a 64-bit hash (8 bytes, in a
 * sorted array plus a small unsorted tail) while its exact text goes to a temporary file (the
 * first {@value #IN_MEMORY} in memory). A hash that matches is checked against the exact texts,
 * so a hash collision can neither let a file be replaced nor refuse one that may be written.
 */
public final class WrittenFiles implements AutoCloseable {

	/** Exact paths kept in memory before the rest go to the temporary file. */
	static final int IN_MEMORY = 4096;
	private static final int TAIL = 1024;

	private long[] sorted = new long[0];
	private int nSorted;
	private final long[] tail = new long[TAIL];
	private int nTail;
	private final List<String> exact = new ArrayList<>();
	private Path spill;
	private DataOutputStream spillOut;
	private long count;

	/** How many paths are held. */
	public synchronized long size() {
		return count;
	}

	/** Whether this path (made absolute and normalized) is held. */
	public synchronized boolean contains(Path p) {
		String s = key(p);
		return mayContain(hash(s)) && exactlyContains(s);
	}

	/** Adds the path (made absolute and normalized); adding it again changes nothing. */
	public synchronized void add(Path p) {
		String s = key(p);
		long h = hash(s);
		if (mayContain(h) && exactlyContains(s)) return;
		if (nTail == TAIL) flushTail();
		tail[nTail++] = h;
		count++;
		if (exact.size() < IN_MEMORY) exact.add(s);
		else {
			try {
				if (spillOut == null) {
					spill = Files.createTempFile("convlens-written-", ".txt");
					spill.toFile().deleteOnExit();
					spillOut = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spill)));
				}
				spillOut.writeUTF(s);
			}
			catch (IOException e) {
				throw new UncheckedIOException("Cannot keep the list of written files in the temporary folder: " + e.getMessage(), e);
			}
		}
	}

	/**
	 * Refuses targets that would replace a file written (or being written) earlier in this run,
	 * or one that was there before the run unless {@code overwrite}; else holds them all, so that
	 * no later target of the run may replace them.
	 *
	 * @throws IOException for a file of this run (this input fails, the run goes on)
	 * @throws IllegalArgumentException for a file that was there before (the run stops)
	 */
	public synchronized void reserve(List<Path> targets, boolean overwrite) throws IOException {
		refuse(targets, overwrite);
		for (Path t : targets) add(t);
	}

	/** As {@link #reserve}, without holding the targets. */
	public synchronized void refuse(List<Path> targets, boolean overwrite) throws IOException {
		for (Path t : targets) {
			Path n = t.toAbsolutePath().normalize();
			if (contains(n)) throw new IOException("would overwrite " + t + ", written earlier in this run; nothing written for this input.");
			if (Files.exists(n) && !overwrite) {
				throw new IllegalArgumentException("would overwrite " + t + ", which this run did not write; use --overwrite or another --output folder.");
			}
		}
	}

	/** Deletes the temporary file. */
	@Override
	public synchronized void close() {
		try {
			if (spillOut != null) spillOut.close();
			if (spill != null) Files.deleteIfExists(spill);
		}
		catch (IOException e) {
			// a temporary file left behind is deleted when Java exits
		}
		spillOut = null;
		spill = null;
	}

	private static String key(Path p) {
		return p.toAbsolutePath().normalize().toString();
	}

	private boolean mayContain(long h) {
		for (int i = 0; i < nTail; i++) if (tail[i] == h) return true;
		return Arrays.binarySearch(sorted, 0, nSorted, h) >= 0;
	}

	/** The exact check behind a matching hash: rare (a real repeat, or a collision). */
	private boolean exactlyContains(String s) {
		if (exact.contains(s)) return true;
		if (spillOut == null) return false;
		try {
			spillOut.flush();
			try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(spill)))) {
				while (true) if (in.readUTF().equals(s)) return true;
			}
			catch (EOFException end) {
				return false;
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read the list of written files: " + e.getMessage(), e);
		}
	}

	private void flushTail() {
		Arrays.sort(tail, 0, nTail);
		long[] merged = new long[nSorted + nTail];
		int i = 0, j = 0, k = 0;
		while (i < nSorted && j < nTail) merged[k++] = sorted[i] <= tail[j] ? sorted[i++] : tail[j++];
		while (i < nSorted) merged[k++] = sorted[i++];
		while (j < nTail) merged[k++] = tail[j++];
		sorted = merged;
		nSorted = k;
		nTail = 0;
	}

	/** A 64-bit hash of the text (FNV-1a over the chars, then a MurmurHash3 finalizer to spread the bits). */
	static long hash(String s) {
		long h = 0xcbf29ce484222325L;
		for (int i = 0; i < s.length(); i++) {
			h ^= s.charAt(i);
			h *= 0x100000001b3L;
		}
		h ^= h >>> 33;
		h *= 0xff51afd7ed558ccdL;
		h ^= h >>> 33;
		h *= 0xc4ceb93fe185ec53L;
		h ^= h >>> 33;
		return h;
	}
}
