package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.imagej.Outputs;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.IJ;
import ij.ImagePlus;

/**
 * Headless batch entry: runs any ConvLens command on an image file or a folder of images and
 * saves every output (images as TIFF with provenance in the Info property, plus PNG for RGB and
 * single-plane images; tables as CSV) to an output folder, named {@code <image>_<output>.<ext>};
 * when the command draws an overlay on the image (a heatmap), also the image with its overlay
 * flattened, {@code <image>_overlay.png}.
 *
 * <pre>
 * java -cp "ConvLens_.jar:jars/*" org.convlens.commands.Batch activations --model M --input FILE_OR_DIR --output DIR [key=value ...]
 * java -cp ... org.convlens.commands.Batch --list
 * </pre>
 *
 * A command is found by the {@code name} of its {@code @Plugin} annotation (or its class name);
 * {@code key=value} pairs set its inputs by name, as in macros (check boxes take true/false).
 */
public final class Batch {

	private static final String USAGE = "Usage: Batch <command> --model MODEL --input IMAGE_OR_FOLDER --output FOLDER [key=value ...]\n" +
		"       Batch --list   (commands and their options)\n" +
		"       Batch <command> ... --shard I/N   (task I of N, 1-based, of an array job; see docs/large-datasets.md)\n" +
		"       " + Merge.USAGE.substring("Usage: ".length());

	private Batch() {}

	public static void main(String[] args) {
		if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
		int rc = run(args, System.out, System.err);
		System.exit(rc);
	}

	/** The command line without exiting: 0 = all done, 1 = some image or the command failed, 2 = usage. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
			err.println(USAGE);
			return args.length == 0 ? 2 : 0;
		}
		// --- shards (issue 15): the merge verb ---
		if (args[0].equals("merge")) return Merge.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
		// ---
		if (args[0].equals("--list")) {
			out.print(list(Contexts.get()));
			return 0;
		}
		String command = args[0];
		Map<String, String> opts = new LinkedHashMap<>();
		Path input = null, output = null;
		Shards.Spec shard = null; // --- shards (issue 15)
		for (int i = 1; i < args.length; i++) {
			String a = args[i];
			if ((a.equals("--model") || a.equals("--input") || a.equals("--output")) && i + 1 < args.length) {
				String v = args[++i];
				if (a.equals("--model")) opts.put("model", v);
				else if (a.equals("--input")) input = Paths.get(v);
				else output = Paths.get(v);
			}
			// --- shards (issue 15): --shard I/N, --codes FILE (embedding of merged codes) ---
			else if (a.equals("--shard") && i + 1 < args.length) {
				try {
					shard = Shards.parse(args[++i]);
				}
				catch (IllegalArgumentException e) {
					err.println(e.getMessage());
					return 2;
				}
			}
			else if (a.equals("--codes") && i + 1 < args.length) opts.put("codes", args[++i]);
			// ---
			else if (a.contains("=") && !a.startsWith("-")) {
				opts.put(a.substring(0, a.indexOf('=')).toLowerCase(Locale.ROOT), a.substring(a.indexOf('=') + 1));
			}
			else {
				err.println("Cannot read argument '" + a + "'.\n" + USAGE);
				return 2;
			}
		}
		if (output == null || (input == null && needsInput(command))) {
			err.println((output == null ? "--output" : "--input") + " is required.\n" + USAGE);
			return 2;
		}
		if (shard != null && Shards.usageError(command, opts, err)) return 2; // shards (issue 15)
		try {
			Report r = shard != null ? Shards.run(shard, command, input, output, opts, out) : run(command, input, output, opts, out);
			for (String f : r.failures) err.println(f);
			return r.failures.isEmpty() ? 0 : 1;
		}
		catch (IllegalArgumentException | IOException e) {
			err.println("Error: " + ConvLensCommand.message(e));
			return 1;
		}
	}

	/** What a batch run did. */
	public static final class Report {
		public final List<Path> files = new ArrayList<>();
		public final List<String> failures = new ArrayList<>();
	}

	/**
	 * Runs {@code command} on each image and saves the outputs.
	 *
	 * @param options input values by key (e.g. {@code model}, {@code layer})
	 * @throws IllegalArgumentException for an unknown command, option or unreadable input
	 */
	public static Report run(String command, Path input, Path output, Map<String, String> options, PrintStream log) throws IOException {
		Context ctx = Contexts.get();
		Class<? extends Command> cls = find(ctx, command);
		// dataset commands run once on the whole folder, list or stack
		if (DatasetCommand.class.isAssignableFrom(cls)) return runDataset(ctx, cls, input, output, options, log);
		boolean needsImage = ConvLensCommand.needsImage(CommandRunner.create(ctx, cls));
		// a command that does not look at images runs once, its outputs named after the model
		List<Path> images = needsImage ? Shards.select(images(input)) : java.util.Collections.singletonList((Path) null);
		// --- batched explanations (issue 15): folders of images stream through the model in batches ---
		if (needsImage && (Files.isDirectory(input) || isList(input))) {
			Report batched = BatchedExplainer.run(ctx, cls, images, Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString()), output, options, log);
			if (batched != null) return batched;
		}
		// ---
		Report report = new Report();
		for (Path img : images) {
			ImagePlus imp = img == null ? null : IJ.openImage(img.toString());
			if (img != null && imp == null) {
				report.failures.add(img + ": cannot open this image.");
				continue;
			}
			Module module = CommandRunner.create(ctx, cls);
			Map<String, Object> in = inputs(module, options);
			if (imp != null) for (ModuleItem<?> item : module.getInfo().inputs()) if (Inputs.isImage(item)) in.put(item.getName(), imp);
			org.scijava.log.LogService logService = ctx.service(org.scijava.log.LogService.class);
			int level = logService.getLevel();
			// failures are reported once, as a message, below; -Dconvlens.debug=true keeps SciJava's stack traces
			if (!Boolean.getBoolean("convlens.debug")) logService.setLevel(org.scijava.log.LogLevel.NONE);
			String overlayBefore = overlayText(imp);
			try {
				Map<String, Object> outs = CommandRunner.run(ctx, module, in, false);
				String base = img != null ? Outputs.safe(img.getFileName().toString()) : Outputs.safe(baseName(module, in.get("model")));
				// a command that draws on the image (e.g. a heatmap overlay): the image with it, flattened
				if (imp != null && imp.getOverlay() != null && !overlayText(imp).equals(overlayBefore)) {
					Path png = Outputs.saveFlattened(imp, output, base, command + "-overlay");
					report.files.add(png);
					if (log != null) log.println("wrote " + png);
				}
				for (Map.Entry<String, Object> e : outs.entrySet()) {
					if (e.getValue() == null) continue;
					List<Path> written = Outputs.save(e.getValue(), output, base, e.getKey());
					written.addAll(Shards.sidecar(e.getValue(), output, base, e.getKey())); // shards (issue 15)
					report.files.addAll(written);
					if (log != null) for (Path w : written) log.println("wrote " + w);
				}
			}
			catch (RuntimeException e) {
				report.failures.add((img != null ? img : command) + ": " + ConvLensCommand.message(e));
			}
			finally {
				logService.setLevel(level);
			}
		}
		return report;
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
		PrintStream log) throws IOException
	{
		if (!Files.exists(input)) throw new IllegalArgumentException("Input does not exist: " + input);
		Map<String, String> opts = new LinkedHashMap<>(options);
		ImagePlus imp = null;
		if (Files.isDirectory(input)) {
			opts.putIfAbsent("source", "folder");
			opts.putIfAbsent("folder", input.toString());
		}
		else if (input.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(txt|csv|lst)$")) {
			opts.putIfAbsent("source", "list");
			opts.putIfAbsent("list", input.toString());
		}
		else {
			imp = IJ.openImage(input.toString());
			if (imp == null) throw new IllegalArgumentException(input + ": cannot open this image.");
			opts.putIfAbsent("source", "image");
		}
		Module module = CommandRunner.create(ctx, cls);
		Map<String, Object> in = inputs(module, opts);
		if (imp != null) for (ModuleItem<?> item : module.getInfo().inputs()) if (Inputs.isImage(item)) in.put(item.getName(), imp);
		Report report = new Report();
		try {
			Map<String, Object> outs = CommandRunner.run(ctx, module, in, false);
			String base = Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString());
			for (Map.Entry<String, Object> e : outs.entrySet()) {
				if (e.getValue() == null) continue;
				List<Path> written = Outputs.save(e.getValue(), output, base, e.getKey());
				written.addAll(Shards.sidecar(e.getValue(), output, base, e.getKey())); // shards (issue 15)
				report.files.addAll(written);
				if (log != null) for (Path w : written) log.println("wrote " + w);
			}
		}
		catch (RuntimeException e) {
			report.failures.add(input + ": " + ConvLensCommand.message(e));
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
				throw new IllegalArgumentException("Unknown option '" + e.getKey() + "' for " + module.getInfo().getTitle() + "; its options are: " +
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
		throw new IllegalArgumentException("Unknown command '" + name + "'. Commands: " + String.join(", ", names));
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
						.append(item.getDescription() == null ? "" : "  " + item.getDescription()).append('\n');
				}
			}
			catch (RuntimeException | ClassNotFoundException e) {
				sb.append("    (cannot list options: ").append(e.getMessage()).append(")\n");
			}
		}
		return sb.toString();
	}

	/** Whether the input is a list file (.txt, .csv, .lst), as the dataset commands read it. */
	static boolean isList(Path input) {
		return Files.isRegularFile(input) && input.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(txt|csv|lst)$");
	}

	/** The image, the images a list file names, or the images (tif, png, jpg, gif, bmp) directly in a folder, sorted by name ({@link Shards#FILE_ORDER}). */
	static List<Path> images(Path input) throws IOException {
		if (!Files.exists(input)) throw new IllegalArgumentException("Input does not exist: " + input);
		// a list file (.txt, .lst: one image per line, as for the dataset commands) names the images (issue 15)
		if (isList(input)) {
			List<Path> l = org.convlens.imagej.DatasetSources.listedFiles(input);
			if (l.isEmpty()) throw new IllegalArgumentException("No images listed in " + input);
			return l;
		}
		if (Files.isRegularFile(input)) return List.of(input);
		try (Stream<Path> s = Files.list(input)) {
			List<Path> l = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT)
				.matches(".*\\.(tiff?|png|jpe?g|gif|bmp)$")).sorted(Shards.FILE_ORDER).collect(Collectors.toList());
			if (l.isEmpty()) throw new IllegalArgumentException("No images (tif, png, jpg, gif, bmp) in " + input);
			return l;
		}
	}
}
