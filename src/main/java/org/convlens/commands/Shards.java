package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.ExactTables;
import org.convlens.imagej.Outputs;

import ij.measure.ResultsTable;

/**
 * {@code Batch ... --shard I/N}: one of N tasks of an array job (SLURM, PBS, ...) runs on its share
 * of the input, so that N tasks cover every image exactly once and {@code Batch merge} puts their
 * outputs together as one run would have made them.
 *
 * <p><b>The rule.</b> {@code I} is 1-based ({@code 1 <= I <= N}). The input list is the one a
 * single run reads, in the same order: a folder's files sorted by name, then (recursive) its
 * sub-folders sorted by name, names compared by Unicode code units ({@link String#compareTo}: no
 * locale, no case folding, the same on every machine and OS); a list file in its line order. Of
 * its {@code M} entries, shard {@code I} takes the contiguous block of positions
 * {@code floor((I-1)*M/N)} to {@code floor(I*M/N)-1} (0-based). Blocks in shard order are the
 * input in order, so concatenating shard tables gives the single run's order.
 *
 * <p><b>Outputs.</b> Shard {@code I} writes into {@code OUTPUT/shard-I-of-N/}: the usual files,
 * every table also at full precision ({@code name.exact.csv}, {@link ExactTables}) and, last, a
 * manifest {@code convlens-shard.properties} that says what was run on what; a shard folder
 * without it did not finish.
 */
public final class Shards {

	/** File name of a shard's manifest, written when the shard has finished. */
	public static final String MANIFEST = "convlens-shard.properties";

	/** Names compared by code units, locale- and OS-independent. */
	public static final Comparator<String> NAME_ORDER = Comparator.naturalOrder();

	/** Files by name ({@link #NAME_ORDER}), for sorting a folder's listing. */
	public static final Comparator<Path> FILE_ORDER = Comparator.comparing(p -> p.getFileName().toString(), NAME_ORDER);

	private static final ThreadLocal<Spec> CURRENT = new ThreadLocal<>();

	private Shards() {}

	/** Shard {@code index} (1-based) of {@code count}. */
	public static final class Spec implements java.io.Serializable {
		private static final long serialVersionUID = 1L;
		public final int index, count;

		public Spec(int index, int count) {
			if (count < 1 || index < 1 || index > count) {
				throw new IllegalArgumentException("--shard " + index + "/" + count + ": need 1 <= I <= N (I is 1-based).");
			}
			this.index = index;
			this.count = count;
		}

		/** First position (0-based, inclusive) of this shard's block among {@code m} entries. */
		public long from(long m) {
			return (index - 1) * m / count;
		}

		/** End (exclusive) of this shard's block. */
		public long to(long m) {
			return index * m / count;
		}

		/** Name of the shard's output folder. */
		public String folder() {
			return "shard-" + index + "-of-" + count;
		}

		@Override
		public String toString() {
			return index + "/" + count;
		}
	}

	/**
	 * Reads {@code I/N}.
	 *
	 * @throws IllegalArgumentException with a one-line message for anything else
	 */
	public static Spec parse(String s) {
		String t = s == null ? "" : s.trim();
		if (!t.matches("[0-9]{1,9}/[0-9]{1,9}")) {
			throw new IllegalArgumentException("--shard wants I/N with 1 <= I <= N (I is 1-based), e.g. --shard 3/10; got '" + s + "'.");
		}
		int slash = t.indexOf('/');
		return new Spec(Integer.parseInt(t.substring(0, slash)), Integer.parseInt(t.substring(slash + 1)));
	}

	/** The shard of the current thread's batch run, or null. */
	public static Spec current() {
		return CURRENT.get();
	}

	/** This shard's block of a list in input order (the whole list outside a sharded run). */
	public static <T> List<T> select(List<T> all) {
		Spec s = CURRENT.get();
		if (s == null) return all;
		return new ArrayList<>(all.subList((int) s.from(all.size()), (int) s.to(all.size())));
	}

	/** This shard's block of a dataset source (the source itself outside a sharded run). */
	public static ImageSource restrict(ImageSource src) {
		Spec s = CURRENT.get();
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

	/** Why a command line cannot be sharded (wrong usage), or null. */
	static String refusal(String command, Map<String, String> options) {
		if (command.equalsIgnoreCase("embedding")) {
			return "embedding cannot be sharded (a map needs every image at once): run 'codes' with --shard, " +
				"'merge' the shards, then 'embedding --codes MERGED_codes.exact.csv'.";
		}
		if (options.containsKey("csv")) return "With --shard leave out csv=: each shard writes its codes at full precision to its folder, and merge joins them.";
		return null;
	}

	/**
	 * Checks a command line before it is sent to many tasks (e.g. by a Spark driver): the command
	 * exists, every option is one of its options with a valid value, and it can be sharded.
	 *
	 * @throws IllegalArgumentException with a one-line message
	 */
	public static void check(String command, Map<String, String> options) {
		String why = refusal(command, options);
		if (why != null) throw new IllegalArgumentException(why);
		org.scijava.Context ctx = Contexts.get();
		Batch.inputs(CommandRunner.create(ctx, Batch.find(ctx, command)), options);
	}

	/** Prints why a sharded command line is wrong usage; true when it is. */
	static boolean usageError(String command, Map<String, String> options, PrintStream err) {
		String why = refusal(command, options);
		if (why != null) err.println(why);
		return why != null;
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

	/**
	 * Runs one shard: the batch run on this shard's block into {@code output/shard-I-of-N}, then
	 * the manifest. A dataset command's source and a per-image command's image list are cut by
	 * {@link #restrict} and {@link #select}.
	 */
	public static Batch.Report run(Spec shard, String command, Path input, Path output, Map<String, String> options, PrintStream log)
		throws IOException
	{
		return run(shard, command, input, output, options, log, new Batch.Settings());
	}

	/** As {@link #run(Spec, String, Path, Path, Map, PrintStream)} with the batch run's settings. */
	public static Batch.Report run(Spec shard, String command, Path input, Path output, Map<String, String> options, PrintStream log,
		Batch.Settings settings) throws IOException
	{
		String why = refusal(command, options);
		if (why != null) throw new IllegalArgumentException(why);
		Path dir = output.resolve(shard.folder());
		if (Files.exists(dir.resolve(MANIFEST))) {
			throw new IllegalArgumentException(dir + " already holds a finished shard; remove it or choose another --output.");
		}
		if (Files.isDirectory(dir)) {
			try (java.util.stream.Stream<Path> l = Files.list(dir)) {
				if (l.findAny().isPresent()) {
					throw new IllegalArgumentException(dir + " holds an unfinished shard (no " + MANIFEST + "); remove it and run the shard again.");
				}
			}
		}
		Files.createDirectories(dir);
		Spec before = CURRENT.get();
		CURRENT.set(shard);
		Batch.Report r;
		try {
			r = Batch.run(command, input, dir, options, log, settings);
		}
		finally {
			if (before == null) CURRENT.remove();
			else CURRENT.set(before);
		}
		Properties p = new Properties();
		p.setProperty("shard", Integer.toString(shard.index));
		p.setProperty("shards", Integer.toString(shard.count));
		p.setProperty("command", command.toLowerCase(java.util.Locale.ROOT));
		p.setProperty("input", input == null ? "" : input.toAbsolutePath().normalize().toString());
		for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) p.setProperty("option." + e.getKey(), e.getValue());
		p.setProperty("failures", Integer.toString(r.failures.size()));
		Path tmp = dir.resolve(MANIFEST + ".tmp");
		try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
			p.store(w, "ConvLens shard " + shard + " of " + command + " (written when the shard finished)");
		}
		Files.move(tmp, dir.resolve(MANIFEST), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		if (log != null) log.println("shard " + shard + " done: " + dir);
		return r;
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
