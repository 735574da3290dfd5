package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.batch.Shard;
import org.convlens.imagej.batch.ShardScope;
import org.convlens.model.ModelLease;
import org.convlens.model.ModelService;

/**
 * {@code Batch ... --shard I/N}: one of N tasks of an array job (SLURM, PBS, ...) runs on its share
 * of the input ({@link Shard}, {@link ShardScope}), so that N tasks cover every image exactly once
 * and {@code Batch merge} puts their outputs together as one run would have made them.
 *
 * <p><b>Outputs.</b> Shard {@code I} writes into {@code OUTPUT/shard-I-of-N/}: the usual files,
 * each table the command outputs also at full precision ({@code name.exact.csv}; a per-image
 * command's run table, e.g. {@code FOLDER_predictions.csv}, is ImageJ's CSV only) and, last, a
 * manifest {@code convlens-shard.properties} ({@link ShardScope#MANIFEST}) that says what was run
 * on what, with the model's fingerprint; a shard folder without it did not finish.
 */
public final class Shards {

	private Shards() {}

	/** The shard of the current thread's batch run, or null. */
	public static Shard current() {
		return ShardScope.current();
	}

	/** This shard's block of a dataset source ({@link ShardScope#restrict}). */
	public static ImageSource restrict(ImageSource src) {
		return ShardScope.restrict(src);
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

	/**
	 * Runs one shard: the batch run on this shard's block into {@code output/shard-I-of-N}, then
	 * the manifest. A dataset command's source and a per-image command's image list are cut by
	 * {@link ShardScope#restrict} and {@link ShardScope#select}.
	 */
	public static Batch.Report run(Shard shard, String command, Path input, Path output, Map<String, String> options, PrintStream log)
		throws IOException
	{
		return run(shard, command, input, output, options, log, new Batch.Settings());
	}

	/** As {@link #run(Shard, String, Path, Path, Map, PrintStream)} with the batch run's settings. */
	public static Batch.Report run(Shard shard, String command, Path input, Path output, Map<String, String> options, PrintStream log,
		Batch.Settings settings) throws IOException
	{
		String why = refusal(command, options);
		if (why != null) throw new IllegalArgumentException(why);
		Path dir = output.resolve(shard.folder());
		if (Files.exists(dir.resolve(ShardScope.MANIFEST))) {
			throw new IllegalArgumentException(dir + " already holds a finished shard; remove it or choose another --output.");
		}
		if (Files.isDirectory(dir)) {
			try (java.util.stream.Stream<Path> l = Files.list(dir)) {
				if (l.findAny().isPresent()) {
					throw new IllegalArgumentException(dir + " holds an unfinished shard (no " + ShardScope.MANIFEST + "); remove it and run the shard again.");
				}
			}
		}
		Files.createDirectories(dir);
		String model = options.get("model"), fingerprint = null;
		Batch.Report r;
		// held around the run, so the run gets this model and the manifest names the one it used
		try (ModelLease held = model == null ? null : Contexts.get().service(ModelService.class).hold(Paths.get(model))) {
			if (held != null) fingerprint = held.fingerprint();
			r = ShardScope.within(shard, () -> Batch.run(command, input, dir, options, log, settings));
		}
		Properties p = new Properties();
		p.setProperty("shard", Integer.toString(shard.index));
		p.setProperty("shards", Integer.toString(shard.count));
		p.setProperty("command", command.toLowerCase(java.util.Locale.ROOT));
		p.setProperty("input", input == null ? "" : input.toAbsolutePath().normalize().toString());
		for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) p.setProperty("option." + e.getKey(), e.getValue());
		// the model as an absolute path, as the input (merge compares models by fingerprint)
		if (model != null) p.setProperty("option.model", Paths.get(model).toAbsolutePath().normalize().toString());
		if (fingerprint != null) p.setProperty(ShardScope.FINGERPRINT, fingerprint);
		p.setProperty("failures", Integer.toString(r.failures.size()));
		Path tmp = dir.resolve(ShardScope.MANIFEST + ".tmp");
		try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
			p.store(w, "ConvLens shard " + shard + " of " + command + " (written when the shard finished)");
		}
		Files.move(tmp, dir.resolve(ShardScope.MANIFEST), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		if (log != null) log.println("shard " + shard + " done: " + dir);
		return r;
	}
}
