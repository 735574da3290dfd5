package org.convlens.imagej.batch;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;

import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.ExactTables;
import org.convlens.imagej.Outputs;

import ij.measure.ResultsTable;

/**
 * The shard a batch run on this thread works on, if any ({@code Batch ... --shard I/N}), and what
 * that changes: the run reads only its block of the input ({@link #select}, {@link #restrict})
 * and saves every table also at full precision ({@link #sidecar}) for the merge.
 *
 * <p>The input list is the one a single run reads, in the same order: a folder's files sorted by
 * name, then (recursive) its sub-folders sorted by name, names compared by Unicode code units
 * ({@link String#compareTo}: no locale, no case folding, the same on every machine and OS); a list
 * file in its line order.
 */
public final class ShardScope {

	/** File name of a shard's manifest, written when the shard has finished. */
	public static final String MANIFEST = "convlens-shard.properties";

	/**
	 * The manifest's key for the fingerprint of the model the shard ran (as outputs record it):
	 * merge compares models by it, not by the path they were read from.
	 */
	public static final String FINGERPRINT = "model.fingerprint";

	/** Names compared by code units, locale- and OS-independent. */
	public static final Comparator<String> NAME_ORDER = Comparator.naturalOrder();

	/** Files by name ({@link #NAME_ORDER}), for sorting a folder's listing. */
	public static final Comparator<Path> FILE_ORDER = Comparator.comparing(p -> p.getFileName().toString(), NAME_ORDER);

	private static final ThreadLocal<Shard> CURRENT = new ThreadLocal<>();

	private ShardScope() {}

	/** The shard of the current thread's batch run, or null. */
	public static Shard current() {
		return CURRENT.get();
	}

	/** Runs {@code run} on this thread as shard {@code shard}. */
	public static <T, E extends Exception> T within(Shard shard, ThrowingSupplier<T, E> run) throws E {
		Shard before = CURRENT.get();
		CURRENT.set(shard);
		try {
			return run.get();
		}
		finally {
			if (before == null) CURRENT.remove();
			else CURRENT.set(before);
		}
	}

	/** A {@link Supplier} that may throw. */
	public interface ThrowingSupplier<T, E extends Exception> {
		T get() throws E;
	}

	/** This shard's block of a list in input order (the whole list outside a sharded run). */
	public static <T> List<T> select(List<T> all) {
		Shard s = CURRENT.get();
		if (s == null) return all;
		return new ArrayList<>(all.subList((int) s.from(all.size()), (int) s.to(all.size())));
	}

	/** This shard's block of a dataset source (the source itself outside a sharded run). */
	public static ImageSource restrict(ImageSource src) {
		Shard s = CURRENT.get();
		if (s == null) return src;
		int m = src.size();
		if (m < 0) { // unknown size: count the entries (handles, no pixels)
			m = 0;
			for (Iterator<ImageSource.Entry> it = src.iterator(); it.hasNext(); it.next()) m++;
		}
		long from = s.from(m), to = s.to(m);
		int size = (int) (to - from);
		String desc = src.description() + ", shard " + s + " (entries " + (from + 1) + "-" + to + " of " + m + ")";
		return ImageSource.of(desc, size, () -> {
			Iterator<ImageSource.Entry> it = src.iterator();
			for (long i = 0; i < from && it.hasNext(); i++) it.next();
			return new Iterator<>() {
				int left = size;

				@Override
				public boolean hasNext() {
					return left > 0 && it.hasNext();
				}

				@Override
				public ImageSource.Entry next() {
					left--;
					return it.next();
				}
			};
		});
	}

	/**
	 * Beside a table a sharded run saves, the same table at full precision (for {@code merge}).
	 *
	 * @return the file written, or nothing outside a sharded run or for an image
	 */
	public static List<Path> sidecar(Object value, Path dir, String base, String name) throws IOException {
		if (CURRENT.get() == null || !(value instanceof ResultsTable)) return List.of();
		Path f = dir.resolve(Outputs.safe(base) + "_" + Outputs.safe(name) + ExactTables.SUFFIX);
		ExactTables.write((ResultsTable) value, f);
		return List.of(f);
	}

	/** A shard's manifest. */
	public static Properties manifest(Path dir) throws IOException {
		Properties p = new Properties();
		try (Reader r = Files.newBufferedReader(dir.resolve(MANIFEST), StandardCharsets.UTF_8)) {
			p.load(r);
		}
		return p;
	}
}
