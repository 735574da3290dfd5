package org.convlens.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

/**
 * The commands {@link Batch} can run: found by name, listed with their options, and a command
 * line's options checked against them before a run (every key known, every value of its type and
 * in range, paths that must exist).
 */
final class BatchCommands {

	private BatchCommands() {}

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
		if (input != null && (opts.containsKey(DatasetCommand.FOLDER) || opts.containsKey(DatasetCommand.LIST))) {
			throw new UsageException("Give the images with --input only; " + (opts.containsKey(DatasetCommand.FOLDER) ? "folder=" : "list=") +
				" is the dialog's way to say the same (drop it).");
		}
		ChoiceCheck.check(module, opts);
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
		return list(ctx, null);
	}

	/** The flags and the options of {@code only} (a command class), or of every command when it is null. */
	static String list(Context ctx, Class<?> only) {
		StringBuilder sb = new StringBuilder("Flags: --model, --input, --output, --overwrite, --debug, --shard I/N, --threads N (TensorFlow's CPU threads), "
			+ "--codes FILE (embedding). Besides these commands, "
			+ "'merge' joins shard outputs (Batch --help). A choice option takes the values its command's dialog offers.\n");
		for (CommandInfo info : commands(ctx)) {
			if (only != null && !info.getClassName().equals(only.getName())) continue;
			String menu = info.getMenuPath().stream().map(org.scijava.MenuEntry::getName).collect(Collectors.joining(">"));
			sb.append(info.getName()).append("  (").append(menu).append(")\n");
			try {
				@SuppressWarnings("unchecked")
				Module m = CommandRunner.create(ctx, (Class<? extends Command>) info.loadDelegateClass());
				IJ1Dialogs.initializeChoices(m);
				for (ModuleItem<?> item : Inputs.userInputs(m)) {
					List<?> choices = item.getChoices();
					sb.append("    ").append(Inputs.key(item)).append('=').append(item.getType().getSimpleName())
						.append(Inputs.isNumber(item.getType()) ? " (" + Inputs.range(item) + ")" : "")
						.append(choices != null && !choices.isEmpty() ? " (one of: " + choices.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")" : "")
						.append(item.getDescription() == null ? "" : "  " + item.getDescription()).append('\n');
				}
			}
			catch (RuntimeException | ClassNotFoundException e) {
				sb.append("    (cannot list options: ").append(e.getMessage()).append(")\n");
			}
		}
		return sb.toString();
	}

	/**
	 * Removes the output folder when this run made it and wrote nothing (a model that does not load
	 * leaves no empty folder behind); returns {@code rc}.
	 */
	static int dropIfMadeEmpty(Path output, boolean existed, int rc) {
		if (existed) return rc;
		try (java.util.stream.Stream<Path> s = Files.list(output)) {
			if (!s.findAny().isPresent()) Files.delete(output);
		}
		catch (IOException e) {
			// left as it is: the error said above is what matters
		}
		return rc;
	}
}
