package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.convlens.imagej.batch.Shard;
import org.convlens.imagej.batch.BatchReport;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.module.Module;

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
		"       Batch --list   (commands and their options; besides them: merge, below)\n" +
		"       Batch <command> --help   (that command's options)\n" +
		"       Batch <command> ... --shard I/N   (task I of N, 1-based, of an array job; see docs/large-datasets.md)\n" +
		"       Batch <command> ... --threads N   (TensorFlow uses at most N CPU threads; default: every core it may use)\n" +
		"       " + Merge.USAGE.substring("Usage: ".length());

	/** Per-file failure lines printed before the summary; the rest are counted. */
	static final int MAX_FAILURE_LINES = 20;

	private Batch() {}

	/** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
	private static final java.util.logging.Logger PREFS_LOG = java.util.logging.Logger.getLogger("java.util.prefs");

	public static void main(String[] args) {
		if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
		// the JDK's "Created user preferences directory." on a fresh home is not the user's business
		PREFS_LOG.setLevel(java.util.logging.Level.WARNING);
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
		requireImageJ();
		// --- shards (issue 15): the merge verb ---
		if (args[0].equals("merge")) return Merge.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
		// ---
		if (args[0].equals("--list")) {
			if (args.length > 1) throw new UsageException("--list takes no other arguments.");
			out.print(BatchCommands.list(Contexts.get()));
			return 0;
		}
		String command = args[0];
		if (command.startsWith("-")) throw new UsageException("The first argument must be a command (see Batch --list), not '" + command + "'.");
		if (java.util.Arrays.asList(args).contains("--help")) { // Batch cam --help: the usage and that command's options
			Class<? extends Command> cls = find(Contexts.get(), command);
			out.println(USAGE);
			out.print(BatchCommands.list(Contexts.get(), cls));
			return 0;
		}
		Map<String, String> opts = new LinkedHashMap<>();
		Path input = null, output = null;
		Shard shard = null; // --- shards (issue 15)
		String threads = null;
		for (int i = 1; i < args.length; i++) {
			String a = args[i];
			if (a.equals("--debug")) continue;
			if (a.equals("--overwrite")) {
				settings.overwrite = true;
				continue;
			}
			String flag = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
			if (VALUE_FLAGS.contains(flag)) {
				String v = flagValue(args, i, flag);
				if (flag.equals(a)) i++; // the value was the next argument
				switch (flag) {
					case "--model": put(opts, "model", v); break;
					case "--codes": put(opts, "codes", v); break; // embedding of merged codes (issue 15)
					case "--input":
						if (input != null) throw new UsageException("--input is given twice.");
						input = Paths.get(v);
						break;
					case "--output":
						if (output != null) throw new UsageException("--output is given twice.");
						output = Paths.get(v);
						break;
					case "--threads":
						if (threads != null) throw new UsageException("--threads is given twice.");
						threads = v;
						break;
					default: // --shard I/N (issue 15)
						try {
							shard = Shard.parse(v);
						}
						catch (IllegalArgumentException e) {
							throw new UsageException(e.getMessage());
						}
				}
			}
			else if (a.startsWith("-")) {
				throw new UsageException("Unknown option '" + a + "'; Batch takes --model, --input, --output, --shard, --codes, --threads, --overwrite, --debug and key=value options.");
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
		if (shard != null && Shards.refusal(command, opts) != null) throw new UsageException(Shards.refusal(command, opts)); // shards (issue 15)
		threads(threads, err); // before the check, which makes the output folder: wrong usage leaves none
		boolean existed = java.nio.file.Files.isDirectory(output);
		BatchCommands.check(ctx, cls, input, output, opts);
		String model = opts.get("model");
		if (model != null && !loads(ctx, Paths.get(model), err, settings)) return BatchCommands.dropIfMadeEmpty(output, existed, 1);
		Report r = shard != null ? Shards.run(shard, command, input, output, opts, out, settings) : run(command, input, output, opts, out, settings);
		printFailures(r, err, settings);
		if (out != null && r.failures.isEmpty()) out.println(summary(r));
		return r.failures.isEmpty() ? 0 : BatchCommands.dropIfMadeEmpty(output, existed, 1);
	}

	/**
	 * Keeps TensorFlow to {@code value} threads ({@code --threads} wins over {@code -Dconvlens.tf.threads};
	 * without it a wrong property is wrong usage here, before the model loads). TensorFlow sizes its
	 * pools once per JVM, so a run in a JVM where it already started (scripts calling {@link #run}
	 * twice) says that it has no effect, and how many threads it does use.
	 */
	private static void threads(String value, PrintStream err) {
		int n;
		try {
			n = value == null ? org.convlens.model.TfThreads.requested() : org.convlens.model.TfThreads.parse(value, "--threads");
		}
		catch (org.convlens.model.ModelException e) {
			throw new UsageException(e.getMessage());
		}
		if (value == null) return;
		int now = org.convlens.model.TfThreads.inEffect();
		if (now < 0) {
			System.setProperty(org.convlens.model.TfThreads.PROPERTY, Integer.toString(n));
			int cores = Runtime.getRuntime().availableProcessors();
			// more threads than cores only makes TensorFlow and the image writers take turns
			if (n > cores && err != null) {
				err.println("Warning: --threads " + n + " is more than the " + cores + (cores == 1 ? " core" : " cores") +
					" this JVM may use; TensorFlow's threads and the image readers and writers would take turns on them. Use --threads " +
					cores + " or fewer.");
			}
		}
		else if (now != n && err != null) {
			err.println("Warning: --threads " + n + " has no effect: TensorFlow already started in this JVM with " +
				(now == 0 ? "its own choice of threads (every core it may use)" : now + (now == 1 ? " thread" : " threads")) +
				", and it sets its threads once per JVM (from the first model loaded); this run uses that. " +
				"Run Batch in a new JVM to use " + n + ".");
		}
	}

	/** The flags that take a value, as {@code --flag VALUE} or {@code --flag=VALUE}. */
	private static final java.util.Set<String> VALUE_FLAGS = java.util.Set.of("--model", "--input", "--output", "--shard", "--codes", "--threads");

	/**
	 * The value of the flag at {@code args[i]}: after its '=', else the next argument (which the
	 * caller then skips) unless that is another flag.
	 *
	 * @throws UsageException "FLAG needs a value." when there is none or it is blank
	 */
	static String flagValue(String[] args, int i, String flag) {
		String a = args[i];
		String v = !flag.equals(a) ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length && !args[i + 1].startsWith("--") ? args[i + 1] : "";
		if (v.isBlank()) throw new UsageException(flag + " needs a value.");
		return v;
	}

	/** ImageJ 1.x missing from the class path makes SciJava find no commands: say so, not a NullPointerException. */
	private static void requireImageJ() {
		try {
			Class.forName("ij.ImagePlus", false, Batch.class.getClassLoader());
		}
		catch (ClassNotFoundException | LinkageError e) {
			throw new UsageException("ImageJ 1.x (ij.jar) is not on the class path; add it, e.g. in a plain ImageJ folder: " +
				"java -cp \"plugins/ConvLens_.jar:jars/*:ij.jar\" org.convlens.commands.Batch ...");
		}
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
		return "Batch: " + r.items + (r.items == 1 ? " item, " : " items, ") + r.failures.size() + " failed, " + r.fileCount() + (r.fileCount() == 1 ? " file written" : " files written") +
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
			if (DatasetCommand.class.isAssignableFrom(cls)) return BatchRun.runDataset(ctx, cls, input, output, options, log, settings);
			return BatchRun.runImages(ctx, cls, command, input, output, options, log, settings);
		}
		finally {
			logService.setLevel(level);
		}
	}

	/** Inputs from {@code key=value} texts, checked against the command's inputs ({@link BatchCommands#inputs}). */
	static Map<String, Object> inputs(Module module, Map<String, String> options) {
		return BatchCommands.inputs(module, options);
	}

	/** A ConvLens command by its plugin name (e.g. {@code activations}) or class name. */
	public static Class<? extends Command> find(Context ctx, String name) {
		return BatchCommands.find(ctx, name);
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

	/** Whether a command (batch name) reads a dataset (folder) rather than single images. */
	public static boolean isDatasetCommand(String command) {
		Context ctx = Contexts.get();
		return DatasetCommand.class.isAssignableFrom(find(ctx, command));

	}

}
