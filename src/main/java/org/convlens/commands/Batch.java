package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.Outputs;
import org.convlens.imagej.batch.Shard;
import org.convlens.imagej.batch.ShardScope;
import org.convlens.imagej.batch.BatchReport;
import org.convlens.imagej.batch.RunTables;
import org.convlens.imagej.batch.WrittenFiles;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.ImagePlus;

/**
 * Headless batch entry: runs any ConvLens command on an image file or a folder of images and
 * saves every output (images as TIFF with provenance in the Info property, plus PNG for RGB and
 * single-plane images; tables as CSV) to an output folder, named {@code <image>_<output>.<ext>};
 * when the command draws an overlay on the image (a heatmap), also the image with its overlay
 * flattened, {@code <image>_overlay.png}.
 *
 * <pre>
 * java -cp "ConvLens_.jar:jars/*" org.convlens.commands.Batch activations --model M --input FILE_OR_DIR --output DIR [--overwrite] [--debug] [key=value ...]
 * java -cp ... org.convlens.commands.Batch --list
 * </pre>
 *
 * A command is found by the {@code name} of its {@code @Plugin} annotation (or its class name);
 * {@code key=value} pairs set its inputs by name, as in macros (check boxes take true/false;
 * {@code key=[a b]} as macros write values with spaces). Exit codes: 0 done, 1 an image, the model
 * or the output failed, 2 wrong usage; every error is one line on standard error (stack traces
 * with {@code --debug}), many failures end with a count and one summary line.
 */
public final class Batch {

	private static final String USAGE = "Usage: Batch <command> --model MODEL --input IMAGE_OR_FOLDER --output FOLDER [--overwrite] [--debug] [key=value ...]\n" +
		"       Batch --list   (commands and their options)\n" +
		"       Batch <command> ... --shard I/N   (task I of N, 1-based, of an array job; see docs/large-datasets.md)\n" +
		"       " + Merge.USAGE.substring("Usage: ".length());

	/** Per-file failure lines printed before the summary; the rest are counted. */
	static final int MAX_FAILURE_LINES = 20;

	private Batch() {}

	public static void main(String[] args) {
		if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
		int rc = run(args, System.out, System.err);
		System.exit(rc);
	}

	/** How a run treats existing files and errors. */
	public static final class Settings {
		/** Whether files that exist before the run may be replaced (never files written earlier in the same run). */
		public boolean overwrite;
		/** Whether stack traces are printed (and SciJava's log left on). */
		public boolean debug = Boolean.getBoolean("convlens.debug");
	}

	/**
	 * The command line without exiting: 0 = all done, 1 = some image or the command failed, 2 = wrong
	 * usage (unknown command or option, a value out of range, a path that does not exist). Every
	 * error is one line on {@code err}; stack traces only with {@code --debug}.
	 */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		Settings settings = new Settings();
		for (String a : args) if (a.equals("--debug")) settings.debug = true;
		try {
			return runArgs(args, out, err, settings);
		}
		catch (UsageException e) {
			err.println("Error: " + oneLine(e.getMessage()) + " (Batch --help shows the usage.)");
			if (settings.debug) e.printStackTrace(err);
			return 2;
		}
		catch (Throwable e) {
			err.println("Error: " + failureText(e, null));
			if (settings.debug) e.printStackTrace(err);
			return 1;
		}
	}

	private static int runArgs(String[] args, PrintStream out, PrintStream err, Settings settings) throws IOException {
		if (args.length == 0) throw new UsageException("no command given; Batch --list shows the commands.");
		if (args[0].equals("--help") || args[0].equals("-h")) {
			err.println(USAGE);
			return 0;
		}
		// --- shards (issue 15): the merge verb ---
		if (args[0].equals("merge")) return Merge.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
		// ---
		if (args[0].equals("--list")) {
			if (args.length > 1) throw new UsageException("--list takes no other arguments.");
			out.print(list(Contexts.get()));
			return 0;
		}
		String command = args[0];
		if (command.startsWith("-")) throw new UsageException("The first argument must be a command (see Batch --list), not '" + command + "'.");
		Map<String, String> opts = new LinkedHashMap<>();
		Path input = null, output = null;
		Shard shard = null; // --- shards (issue 15)
		for (int i = 1; i < args.length; i++) {
			String a = args[i];
			if (a.equals("--debug")) continue;
			if (a.equals("--overwrite")) {
				settings.overwrite = true;
				continue;
			}
			String flag = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
			if (flag.equals("--model") || flag.equals("--input") || flag.equals("--output")) {
				String v;
				if (!flag.equals(a)) v = a.substring(a.indexOf('=') + 1);
				else if (i + 1 < args.length && !args[i + 1].startsWith("--")) v = args[++i];
				else throw new UsageException(flag + " needs a value.");
				if (v.isBlank()) throw new UsageException(flag + " needs a value.");
				if (flag.equals("--model")) put(opts, "model", v);
				else if (flag.equals("--input")) {
					if (input != null) throw new UsageException("--input is given twice.");
					input = Paths.get(v);
				}
				else {
					if (output != null) throw new UsageException("--output is given twice.");
					output = Paths.get(v);
				}
			}
			// --- shards (issue 15): --shard I/N, --codes FILE (embedding of merged codes) ---
			else if (flag.equals("--shard") || flag.equals("--codes")) {
				String v;
				if (!flag.equals(a)) v = a.substring(a.indexOf('=') + 1);
				else if (i + 1 < args.length && !args[i + 1].startsWith("--")) v = args[++i];
				else throw new UsageException(flag + " needs a value.");
				if (flag.equals("--codes")) put(opts, "codes", v);
				else {
					try {
						shard = Shard.parse(v);
					}
					catch (IllegalArgumentException e) {
						throw new UsageException(e.getMessage());
					}
				}
			}
			// ---
			else if (a.startsWith("-")) {
				throw new UsageException("Unknown option '" + a + "'; Batch takes --model, --input, --output, --overwrite, --debug and key=value options.");
			}
			else if (a.startsWith("=")) throw new UsageException("An option has no name before '=': '" + a + "'.");
			else if (a.indexOf('=') > 0) {
				put(opts, a.substring(0, a.indexOf('=')).trim().toLowerCase(Locale.ROOT), unbracket(a.substring(a.indexOf('=') + 1)));
			}
			else {
				throw new UsageException("Cannot read argument '" + a + "'; options are key=value (see Batch --list).");
			}
		}
		Context ctx = Contexts.get();
		Class<? extends Command> cls = find(ctx, command);
		boolean needsInput = DatasetCommand.class.isAssignableFrom(cls) || ConvLensCommand.needsImage(CommandRunner.create(ctx, cls));
		if (output == null) throw new UsageException("--output is required.");
		if (input == null && needsInput) throw new UsageException("--input is required for '" + command + "'.");
		check(ctx, cls, input, output, opts);
		String model = opts.get("model");
		if (model != null && !loads(ctx, Paths.get(model), err, settings)) return 1;
		if (shard != null && Shards.refusal(command, opts) != null) throw new UsageException(Shards.refusal(command, opts)); // shards (issue 15)
		Report r = shard != null ? Shards.run(shard, command, input, output, opts, out, settings) : run(command, input, output, opts, out, settings);
		printFailures(r, err, settings);
		if (out != null && r.failures.isEmpty()) out.println(summary(r));
		return r.failures.isEmpty() ? 0 : 1;
	}

	/** Loads the model once before the images: a model that cannot be used is one line, not one per image. */
	private static boolean loads(Context ctx, Path model, PrintStream err, Settings settings) {
		try {
			ctx.service(org.convlens.model.ModelService.class).get(model);
			return true;
		}
		catch (RuntimeException | LinkageError e) {
			err.println("Error: " + failureText(e, null));
			if (settings.debug) e.printStackTrace(err);
			return false;
		}
	}

	/** A key=value option, refused when given twice (which one would win is not obvious). */
	private static void put(Map<String, String> opts, String key, String value) {
		if (key.isEmpty()) throw new UsageException("An option has no name before '='.");
		if (opts.containsKey(key)) throw new UsageException("Option '" + key + "' is given twice.");
		opts.put(key, value);
	}

	/** {@code [a b]} as macros write values with spaces; the brackets are not part of the value. */
	static String unbracket(String v) {
		String t = v.trim();
		return t.length() >= 2 && t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : v;
	}

	/**
	 * Everything that can be checked before a run: paths that must exist, the output folder, and
	 * every option's name, type and range, with one message per mistake.
	 *
	 * @throws UsageException for a mistake in the call
	 * @throws IllegalArgumentException when the output folder cannot be written
	 */
	static void check(Context ctx, Class<? extends Command> cls, Path input, Path output, Map<String, String> opts) {
		if (input != null && !Files.exists(input)) throw new UsageException("--input " + input + " does not exist.");
		if (Files.exists(output) && !Files.isDirectory(output)) throw new UsageException("--output " + output + " is a file; give a folder.");
		Module module = CommandRunner.create(ctx, cls);
		inputs(module, opts);
		if (module.getInfo().getInput("model") != null) {
			String m = opts.get("model");
			if (m == null || m.isBlank()) throw new UsageException("--model is required.");
			if (!Files.exists(Paths.get(m))) throw new UsageException("--model " + m + " does not exist.");
		}
		String prep = opts.get("preprocessing");
		if (prep != null && !prep.isBlank()) {
			try {
				org.convlens.model.Preprocessing.parse(prep);
			}
			catch (RuntimeException e) {
				throw new UsageException("Option 'preprocessing': " + e.getMessage());
			}
		}
		try {
			Files.createDirectories(output);
			Path probe = Files.createTempFile(output, ".convlens-", ".tmp");
			Files.delete(probe);
		}
		catch (IOException | SecurityException e) {
			String why = e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null ?
				((java.nio.file.FileSystemException) e).getReason() : e.getMessage();
			throw new IllegalArgumentException("Cannot write to the output folder " + output + (why == null ? "" : " (" + why + ")") +
				"; choose another --output.");
		}
	}

	/** The failure lines, at most {@link #MAX_FAILURE_LINES}, then one line for the rest. */
	static void printFailures(Report r, PrintStream err, Settings settings) {
		int n = r.failures.size();
		for (int i = 0; i < Math.min(n, MAX_FAILURE_LINES); i++) err.println(r.failures.get(i));
		if (n > MAX_FAILURE_LINES) err.println("... and " + (n - MAX_FAILURE_LINES) + " more failures like these.");
		if (settings.debug) for (Throwable t : r.errors) t.printStackTrace(err);
		if (n > 0) err.println(summary(r));
	}

	/** One line: what was done and what failed. */
	static String summary(Report r) {
		return "Batch: " + r.items + (r.items == 1 ? " item, " : " items, ") + r.failures.size() + " failed, " + r.fileCount() + " files written" +
			(r.ignored > 0 ? "; " + r.ignored + " other files in the folder ignored (not tif, png, jpg, gif or bmp)." : ".");
	}

	/** What a batch run did. */
	public static final class Report extends BatchReport {
		@Override
		protected String failureText(Throwable t, Object imageSize) {
			return Batch.failureText(t, imageSize);
		}

		@Override
		protected String message(Throwable t) {
			return ConvLensCommand.message(t);
		}
	}

	/**
	 * One line for a failure: our messages as they are; running out of memory with how much the
	 * image needs and what to do; anything else with its type.
	 *
	 * @param imp the image being analysed, or null
	 */
	static String failureText(Throwable t, Object imp) {
		for (Throwable c = t; c != null; c = c.getCause()) {
			if (c instanceof OutOfMemoryError) {
				long max = Runtime.getRuntime().maxMemory() >> 20;
				long need = imp instanceof ImagePlus ? floatMB((ImagePlus) imp) : imp instanceof Long ? (Long) imp : 0;
				return "ran out of memory (Java has at most " + max + " MB" + (need > 0 ? "; this image needs about " + need + " MB as floating-point data" : "") +
					"); give ImageJ more memory (Edit > Options > Memory & Threads, or java -Xmx) or use a smaller image or batch size.";
			}
		}
		return oneLine(ConvLensCommand.message(t));
	}

	/** Megabytes of the image as 32-bit values, twice (an input copy and an image-sized map). */
	private static long floatMB(ImagePlus imp) {
		return 2L * imp.getWidth() * imp.getHeight() * imp.getStackSize() * (imp.getBitDepth() == 24 ? 3 : 1) * 4 >> 20;
	}

	static String oneLine(String s) {
		return BatchReport.oneLine(s);
	}

	/** As {@link #run(String, Path, Path, Map, PrintStream, Settings)} with default settings (no overwriting). */
	public static Report run(String command, Path input, Path output, Map<String, String> options, PrintStream log) throws IOException {
		return run(command, input, output, options, log, new Settings());
	}

	/**
	 * Runs {@code command} on each image and saves the outputs. Each image's failure (including
	 * running out of memory) is listed and the run goes on with the next image. Output names keep
	 * the image's name (with its extension where two images would share a name); an existing file
	 * is not replaced unless {@code settings.overwrite}, and never one written earlier in this run.
	 * The user's SciJava preferences are neither read nor written.
	 *
	 * @param options input values by key (e.g. {@code model}, {@code layer})
	 * @throws IllegalArgumentException for an unknown command, option or unreadable input
	 */
	public static Report run(String command, Path input, Path output, Map<String, String> options, PrintStream log, Settings settings)
		throws IOException
	{
		Context ctx = Contexts.get();
		Class<? extends Command> cls = find(ctx, command);
		org.scijava.log.LogService logService = ctx.service(org.scijava.log.LogService.class);
		int level = logService.getLevel();
		// failures are reported once, as a line; --debug (or -Dconvlens.debug=true) keeps SciJava's stack traces
		if (!settings.debug) logService.setLevel(org.scijava.log.LogLevel.NONE);
		String modelOption = options.get("model");
		// a run uses one model: every image gets the model the run started with, even if its folder changes meanwhile
		try (org.convlens.model.ModelLease held = modelOption == null ? null
			: ctx.service(org.convlens.model.ModelService.class).hold(Paths.get(modelOption)))
		{
			if (held != null && log != null) log.println("model " + modelOption + " (fingerprint " + held.fingerprint() + ")");
			// dataset commands run once on the whole folder, list or stack
			if (DatasetCommand.class.isAssignableFrom(cls)) return runDataset(ctx, cls, input, output, options, log, settings);
			return runImages(ctx, cls, command, input, output, options, log, settings);
		}
		finally {
			logService.setLevel(level);
		}
	}

	private static Report runImages(Context ctx, Class<? extends Command> cls, String command, Path input, Path output, Map<String, String> options,
		PrintStream log, Settings settings) throws IOException
	{
		boolean needsImage = ConvLensCommand.needsImage(CommandRunner.create(ctx, cls));
		// a command that does not look at images runs once, its outputs named after the model
		List<Path> images = needsImage ? ShardScope.select(images(input)) : java.util.Collections.singletonList((Path) null);
		Map<Path, String> bases = needsImage ? baseNames(images) : Map.of();
		// --- batched explanations (issue 15): a folder or list of images streams through the model in batches ---
		if (needsImage && Files.isDirectory(input)) {
			Report batched = BatchedExplainer.run(ctx, cls, images, bases, Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString()), output,
				options, log, settings);
			if (batched != null) return batched;
		}
		// ---
		WrittenFiles written = new WrittenFiles();
		Report report = new Report();
		org.convlens.explain.dataset.SameClassCheck same = new org.convlens.explain.dataset.SameClassCheck();
		ConvLensCommand last = null;
		// a folder's per-image tables (statistics, predictions, AUCs, ...) go to one CSV per run, the file a column
		RunTables runTables = needsImage && Files.isDirectory(input)
			? new RunTables(output, Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString()), settings.overwrite, written) : null;
		try {
			if (needsImage && Files.isDirectory(input)) {
				try (Stream<Path> s = Files.list(input)) {
					report.ignored = (int) s.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")).count() - images.size();
				}
			}
			for (Path img : images) {
				report.items++;
				ImagePlus imp = null;
				try {
					if (img != null) {
						try {
							imp = DatasetSources.open(img);
						}
						catch (IOException e) {
							report.failures.add(img + ": cannot open: " + oneLine(e.getMessage()) + ".");
							report.errors.add(e);
							continue;
						}
					}
					Module module = CommandRunner.create(ctx, cls);
					Map<String, Object> in = inputs(module, options);
					if (imp != null) for (ModuleItem<?> item : module.getInfo().inputs()) if (Inputs.isImage(item)) in.put(item.getName(), imp);
					String overlayBefore = overlayText(imp);
					Map<String, Object> outs = CommandRunner.run(ctx, module, in, false, false);
					if (module.getDelegateObject() instanceof ConvLensCommand) last = (ConvLensCommand) module.getDelegateObject();
					String base = img != null ? bases.get(img) : Outputs.safe(baseName(module, in.get("model")));
					// a command that draws on the image (e.g. a heatmap overlay): the image with it, flattened
					boolean overlay = imp != null && imp.getOverlay() != null && !overlayText(imp).equals(overlayBefore);
					Path overlayPng = output.resolve(base + "_" + Outputs.safe(command + "-overlay") + ".png");
					List<Path> targets = new ArrayList<>();
					if (overlay) targets.add(overlayPng);
					for (Map.Entry<String, Object> e : outs.entrySet()) {
						if (e.getValue() == null || runTables != null && e.getValue() instanceof ij.measure.ResultsTable) continue;
						targets.addAll(Outputs.targets(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())));
					}
					refuseOverwrite(targets, written, settings);
					if (overlay) record(report, written, List.of(Outputs.saveFlattenedAs(imp, overlayPng)), log);
					for (Map.Entry<String, Object> e : outs.entrySet()) {
						if (e.getValue() == null) continue;
						RunTables.addTopRows(e.getValue(), same);
						if (runTables != null && e.getValue() instanceof ij.measure.ResultsTable) {
							record(report, written, runTables.append(e.getKey(), img.getFileName().toString(), (ij.measure.ResultsTable) e.getValue()), log);
							continue;
						}
						record(report, written, Outputs.saveAs(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())), log);
						record(report, written, ShardScope.sidecar(e.getValue(), output, base, e.getKey()), log); // shards (issue 15)
					}
				}
				catch (Throwable e) {
					if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) throw (VirtualMachineError) e;
					Object size = imp != null ? imp : img != null ? Long.valueOf(sizeMB(img)) : null;
					imp = null; // let the image go before the next one
					report.fail(img != null ? img : command, e, size);
				}
			}
		}
		finally {
			try {
				if (runTables != null) runTables.close();
			}
			finally {
				written.close();
			}
		}
		if (last != null && same.count() > 1) {
			String w = same.warning(last.runInfo(), last.prep(last.runInfo()));
			if (w != null) {
				report.warnings.add(w);
				if (log != null) log.println("WARNING: " + w);
			}
		}
		return report;
	}

	private static long sizeMB(Path img) {
		try {
			// a compressed file is at least this large once decoded
			return Files.size(img) * 2 >> 20;
		}
		catch (IOException e) {
			return 0;
		}
	}

	private static void record(Report report, WrittenFiles written, List<Path> files, PrintStream log) {
		for (Path w : files) {
			written.add(w);
			report.addFile(w);
			if (log != null) log.println("wrote " + w);
		}
	}

	/**
	 * Refuses outputs that would replace a file written earlier in this run (two inputs with one
	 * name), or one that was there before the run unless overwriting was asked for.
	 */
	static void refuseOverwrite(List<Path> targets, WrittenFiles written, Settings settings) throws IOException {
		written.refuse(targets, settings.overwrite);
	}

	/**
	 * Distinct output name stems for the images, safe for file names: the file name without its
	 * extension ({@code a}); where two images would share that, the whole name ({@code a.tif},
	 * {@code a.png.tif}); where even that collides (e.g. {@code cell 1.tif} and {@code cell_1.tif}
	 * once made file-name safe, or names differing in case), the name plus a short hash of the
	 * original name.
	 */
	static Map<Path, String> baseNames(List<Path> images) {
		Map<Path, Integer> level = new LinkedHashMap<>();
		for (Path p : images) level.put(p, 0);
		for (int round = 0; round < 3; round++) {
			Map<String, Integer> count = new HashMap<>();
			for (Path p : images) count.merge(stem(p, level.get(p)).toLowerCase(Locale.ROOT), 1, Integer::sum);
			boolean clash = false;
			for (Path p : images) {
				if (count.get(stem(p, level.get(p)).toLowerCase(Locale.ROOT)) > 1 && level.get(p) < 2) {
					level.put(p, level.get(p) + 1);
					clash = true;
				}
			}
			if (!clash) break;
		}
		Map<Path, String> out = new LinkedHashMap<>();
		for (Path p : images) out.put(p, stem(p, level.get(p)));
		return out;
	}

	private static String stem(Path p, int level) {
		String name = p.getFileName().toString();
		if (level == 0) return Outputs.safe(name);
		String full = name.replaceAll("[^A-Za-z0-9._-]+", "_");
		return level == 1 ? full : full + "-" + String.format("%08x", name.hashCode());
	}

	/** Whether a command (by name) needs --input: false only for commands that just read the model. */
	static boolean needsInput(String command) {
		try {
			Context ctx = Contexts.get();
			Class<? extends Command> cls = find(ctx, command);
			return DatasetCommand.class.isAssignableFrom(cls) || ConvLensCommand.needsImage(CommandRunner.create(ctx, cls));
		}
		catch (IllegalArgumentException e) {
			return true; // an unknown command is reported with the usage
		}
	}

	/** File-name base for the outputs of a command run without an image: the model folder's name. */
	static String baseName(Module module, Object model) {
		String name = model == null ? "" : java.nio.file.Paths.get(model.toString()).normalize().getFileName() + "";
		return name.isEmpty() || name.equals("null") ? module.getInfo().getName() : name;

	}

	/**
	 * Runs a dataset command once on the whole input: a folder ({@code source=folder}), a list file
	 * (.txt, .csv: {@code source=list}) or one image file, as a stack ({@code source=image}).
	 * Outputs are named after the folder or file.
	 */
	static Report runDataset(Context ctx, Class<? extends Command> cls, Path input, Path output, Map<String, String> options,
		PrintStream log, Settings settings) throws IOException
	{
		if (!Files.exists(input)) throw new IllegalArgumentException("Input does not exist: " + input);
		Map<String, String> opts = new LinkedHashMap<>(options);
		Report report = new Report();
		report.items = 1;
		ImagePlus imp = null;
		try {
			if (Files.isDirectory(input)) {
				opts.putIfAbsent("source", "folder");
				opts.putIfAbsent("folder", input.toString());
			}
			else if (input.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(txt|csv|lst)$")) {
				opts.putIfAbsent("source", "list");
				opts.putIfAbsent("list", input.toString());
			}
			else {
				try {
					imp = DatasetSources.open(input);
				}
				catch (IOException e) {
					report.failures.add(input + ": cannot open: " + oneLine(e.getMessage()) + ".");
					report.errors.add(e);
					return report;
				}
				opts.putIfAbsent("source", "image");
			}
			Module module = CommandRunner.create(ctx, cls);
			Map<String, Object> in = inputs(module, opts);
			if (imp != null) for (ModuleItem<?> item : module.getInfo().inputs()) if (Inputs.isImage(item)) in.put(item.getName(), imp);
			Map<String, Object> outs = CommandRunner.run(ctx, module, in, false, false);
			String base = Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString());
			List<Path> targets = new ArrayList<>();
			for (Map.Entry<String, Object> e : outs.entrySet()) {
				if (e.getValue() != null) targets.addAll(Outputs.targets(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())));
			}
			try (WrittenFiles written = new WrittenFiles()) {
				refuseOverwrite(targets, written, settings);
				for (Map.Entry<String, Object> e : outs.entrySet()) {
					if (e.getValue() == null) continue;
					record(report, written, Outputs.save(e.getValue(), output, base, e.getKey()), log);
					record(report, written, ShardScope.sidecar(e.getValue(), output, base, e.getKey()), log); // shards (issue 15)
				}
			}
		}
		catch (Throwable e) {
			if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) throw (VirtualMachineError) e;
			Object size = imp;
			imp = null;
			report.fail(input, e, size);
		}
		return report;
	}

	/** Whether a command (batch name) reads a dataset (folder) rather than single images. */
	public static boolean isDatasetCommand(String command) {
		Context ctx = Contexts.get();
		return DatasetCommand.class.isAssignableFrom(find(ctx, command));

	}

	private static String overlayText(ImagePlus imp) {
		ij.gui.Overlay ov = imp == null ? null : imp.getOverlay();
		if (ov == null) return "";
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < ov.size(); i++) sb.append(System.identityHashCode(ov.get(i))).append(',');
		return sb.toString();
	}

	/** Inputs from {@code key=value} texts, checked against the command's inputs. */
	static Map<String, Object> inputs(Module module, Map<String, String> options) {
		Map<String, ModuleItem<?>> byKey = new LinkedHashMap<>();
		for (ModuleItem<?> item : Inputs.userInputs(module)) byKey.put(Inputs.key(item), item);
		Map<String, Object> in = new LinkedHashMap<>();
		for (Map.Entry<String, String> e : options.entrySet()) {
			ModuleItem<?> item = byKey.get(e.getKey());
			if (item == null) {
				throw new UsageException("Unknown option '" + e.getKey() + "' for " + module.getInfo().getTitle() + "; its options are: " +
					String.join(", ", byKey.keySet()));
			}
			in.put(item.getName(), Inputs.convert(item, e.getValue()));
		}
		return in;
	}

	/** A ConvLens command by its plugin name (e.g. {@code activations}) or class name. */
	@SuppressWarnings("unchecked")
	public static Class<? extends Command> find(Context ctx, String name) {
		List<String> names = new ArrayList<>();
		for (CommandInfo info : commands(ctx)) {
			if (name.equalsIgnoreCase(info.getName()) || name.equals(info.getClassName())) {
				try {
					return (Class<? extends Command>) info.loadDelegateClass();
				}
				catch (ClassNotFoundException e) {
					throw new IllegalArgumentException("Cannot load command " + info.getClassName(), e);
				}
			}
			names.add(info.getName());
		}
		throw new UsageException("Unknown command '" + name + "'. Commands: " + String.join(", ", names));
	}

	/** ConvLens commands with a batch name, sorted by name. */
	static List<CommandInfo> commands(Context ctx) {
		return ctx.service(CommandService.class).getCommands().stream()
			.filter(c -> c.getClassName().startsWith("org.convlens.") && c.getName() != null && !c.getName().isEmpty())
			.sorted((a, b) -> a.getName().compareTo(b.getName())).collect(Collectors.toList());
	}

	static String list(Context ctx) {
		StringBuilder sb = new StringBuilder();
		for (CommandInfo info : commands(ctx)) {
			String menu = info.getMenuPath().stream().map(org.scijava.MenuEntry::getName).collect(Collectors.joining(">"));
			sb.append(info.getName()).append("  (").append(menu).append(")\n");
			try {
				@SuppressWarnings("unchecked")
				Module m = CommandRunner.create(ctx, (Class<? extends Command>) info.loadDelegateClass());
				for (ModuleItem<?> item : Inputs.userInputs(m)) {
					sb.append("    ").append(Inputs.key(item)).append('=').append(item.getType().getSimpleName())
						.append(Inputs.isNumber(item.getType()) ? " (" + Inputs.range(item) + ")" : "")
						.append(item.getDescription() == null ? "" : "  " + item.getDescription()).append('\n');
				}
			}
			catch (RuntimeException | ClassNotFoundException e) {
				sb.append("    (cannot list options: ").append(e.getMessage()).append(")\n");
			}
		}
		return sb.toString();
	}

	/** The image, or the images (tif, png, jpg, gif, bmp) directly in a folder, sorted by name. */
	static List<Path> images(Path input) throws IOException {
		if (!Files.exists(input)) throw new IllegalArgumentException("Input does not exist: " + input);
		if (Files.isRegularFile(input)) return List.of(input);
		try (Stream<Path> s = Files.list(input)) {
			List<Path> l = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT)
				.matches(".*\\.(tiff?|png|jpe?g|gif|bmp)$")).sorted(ShardScope.FILE_ORDER).collect(Collectors.toList());
			if (l.isEmpty()) throw new IllegalArgumentException("No images (tif, png, jpg, gif, bmp) in " + input);
			return l;
		}
	}
}
