package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.Outputs;
import org.convlens.imagej.batch.InputFiles;
import org.convlens.imagej.batch.RunTables;
import org.convlens.imagej.batch.ShardScope;
import org.convlens.imagej.batch.WrittenFiles;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.ImagePlus;

/**
 * The runs behind {@link Batch#run(String, Path, Path, Map, PrintStream, Batch.Settings)}: a
 * per-image command over an image or a folder (the batched stream, {@link BatchedExplainer}, where
 * it applies, else the SciJava command once per image) and a dataset command once over a folder,
 * list or stack. Outputs are saved with the names and refusals to overwrite the user guide gives.
 */
final class BatchRun {

	private BatchRun() {}

	static Batch.Report runImages(Context ctx, Class<? extends Command> cls, String command, Path input, Path output, Map<String, String> options,
		PrintStream log, Batch.Settings settings) throws IOException
	{
		boolean needsImage = ConvLensCommand.needsImage(CommandRunner.create(ctx, cls));
		// a command that does not look at images runs once, its outputs named after the model
		List<Path> images = needsImage ? ShardScope.select(InputFiles.images(input)) : java.util.Collections.singletonList((Path) null);
		Map<Path, String> bases = needsImage ? InputFiles.baseNames(images) : Map.of();
		if (needsImage && Files.isDirectory(input) && !settings.overwrite) {
			refuseEarlierRun(output, Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString()), images, bases);
		}
		// --- batched explanations (issue 15): a folder or list of images streams through the model in batches ---
		if (needsImage && Files.isDirectory(input)) {
			Batch.Report batched = BatchedExplainer.run(ctx, cls, images, bases, Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString()), output,
				options, log, settings);
			if (batched != null) return batched;
		}
		// ---
		WrittenFiles written = new WrittenFiles();
		Batch.Report report = new Batch.Report();
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
							report.failures.add(img + ": cannot open: " + Batch.oneLine(e.getMessage()) + ".");
							report.errors.add(e);
							continue;
						}
					}
					Module module = CommandRunner.create(ctx, cls);
					Map<String, Object> in = Batch.inputs(module, options);
					if (imp != null) for (ModuleItem<?> item : module.getInfo().inputs()) if (Inputs.isImage(item)) in.put(item.getName(), imp);
					String overlayBefore = overlayText(imp);
					Map<String, Object> outs = CommandRunner.run(ctx, module, in, false, false);
					if (module.getDelegateObject() instanceof ConvLensCommand) last = (ConvLensCommand) module.getDelegateObject();
					String base = img != null ? bases.get(img) : Outputs.safe(Batch.baseName(module, in.get("model")));
					// a command that draws on the image (e.g. a heatmap overlay): the image with it, flattened
					boolean overlay = imp != null && imp.getOverlay() != null && !overlayText(imp).equals(overlayBefore);
					Path overlayPng = output.resolve(base + "_" + Outputs.safe(command + "-overlay") + ".png");
					List<Path> targets = new ArrayList<>();
					if (overlay) targets.add(overlayPng);
					for (Map.Entry<String, Object> e : outs.entrySet()) {
						if (e.getValue() == null || runTables != null && e.getValue() instanceof ij.measure.ResultsTable) continue;
						targets.addAll(Outputs.targets(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())));
					}
					written.refuse(targets, settings.overwrite);
					if (overlay) record(report, written, List.of(Outputs.saveFlattenedAs(imp, overlayPng)), log);
					if (overlay && log != null && Outputs.planeNote(imp, overlayPng) != null) log.println(Outputs.planeNote(imp, overlayPng));
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
		if (last != null) report.warnAbout(same, last.runInfo(), last.prep(last.runInfo()), log);
		return report;
	}

	/**
	 * Runs a dataset command once on the whole input: a folder ({@code source=folder}), a list file
	 * (.txt, .csv: {@code source=list}) or one image file, as a stack ({@code source=image}).
	 * Outputs are named after the folder or file.
	 */
	static Batch.Report runDataset(Context ctx, Class<? extends Command> cls, Path input, Path output, Map<String, String> options,
		PrintStream log, Batch.Settings settings) throws IOException
	{
		if (!Files.exists(input)) throw new IllegalArgumentException("Input does not exist: " + input);
		Map<String, String> opts = new LinkedHashMap<>(options);
		Batch.Report report = new Batch.Report();
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
					report.failures.add(input + ": cannot open: " + Batch.oneLine(e.getMessage()) + ".");
					report.errors.add(e);
					return report;
				}
				opts.putIfAbsent("source", "image");
			}
			Module module = CommandRunner.create(ctx, cls);
			Map<String, Object> in = Batch.inputs(module, opts);
			if (imp != null) for (ModuleItem<?> item : module.getInfo().inputs()) if (Inputs.isImage(item)) in.put(item.getName(), imp);
			Map<String, Object> outs = CommandRunner.run(ctx, module, in, false, false);
			String base = Outputs.safe(input.toAbsolutePath().normalize().getFileName().toString());
			List<Path> targets = new ArrayList<>();
			for (Map.Entry<String, Object> e : outs.entrySet()) {
				if (e.getValue() != null) targets.addAll(Outputs.targets(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())));
			}
			try (WrittenFiles written = new WrittenFiles()) {
				written.refuse(targets, settings.overwrite);
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

	private static long sizeMB(Path img) {
		try {
			// a compressed file is at least this large once decoded
			return Files.size(img) * 2 >> 20;
		}
		catch (IOException e) {
			return 0;
		}
	}

	private static void record(Batch.Report report, WrittenFiles written, List<Path> files, PrintStream log) {
		for (Path w : files) {
			written.add(w);
			report.addFile(w);
			if (log != null) log.println("wrote " + w);
		}
	}

	private static String overlayText(ImagePlus imp) {
		ij.gui.Overlay ov = imp == null ? null : imp.getOverlay();
		if (ov == null) return "";
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < ov.size(); i++) sb.append(System.identityHashCode(ov.get(i))).append(',');
		return sb.toString();
	}

	/**
	 * A folder run into a folder holding results named after its images or its run tables: one refusal
	 * before any work, rather than one "would overwrite" per image after the model ran on it.
	 */
	static void refuseEarlierRun(Path output, String runBase, List<Path> images, Map<Path, String> bases) throws IOException {
		if (!Files.isDirectory(output)) return;
		java.util.Set<String> stems = new java.util.HashSet<>();
		stems.add(runBase);
		for (Path img : images) stems.add(bases.get(img));
		try (Stream<Path> s = Files.list(output)) {
			java.util.Optional<Path> earlier = s.filter(p -> Files.isRegularFile(p) && hasStem(p.getFileName().toString(), stems)).findFirst();
			if (earlier.isPresent()) {
				throw new IllegalArgumentException("--output " + output + " already holds results for these images (e.g. " + earlier.get().getFileName() +
					", from this or another command); the run would overwrite them: add --overwrite to replace them, or choose another --output " +
					"(one folder per command keeps results apart).");
			}
		}
	}

	/** Whether {@code name} is {@code stem_...} for one of the stems. */
	private static boolean hasStem(String name, java.util.Set<String> stems) {
		for (int i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) if (stems.contains(name.substring(0, i))) return true;
		return false;
	}
}
