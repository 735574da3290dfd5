package org.convlens.imagej.batch;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convlens.explain.dataset.SameClassCheck;
import org.convlens.imagej.Outputs;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.measure.ResultsTable;

/**
 * Where a batched run's images put their files and table rows: the per-image path's names
 * ({@code <image>_<output>.<ext>}, {@code <image>_<command>-overlay.png}), its refusal to replace a
 * file written earlier in the run or one that was there before (without --overwrite), and one
 * CSV per run for per-image tables.
 */
public final class BatchSink {
	final Path output;
	final PrintStream log;
	final BatchReport report;
	final RunTables tables;
	/** Top classes of the run's predictions, for the per-image path's same-class warning. */
	final SameClassCheck same = new SameClassCheck();
	final Map<Path, String> bases;
	final String command;
	final boolean overwrite;
	final WrittenFiles written = new WrittenFiles();

	/**
	 * @param runBase names the run's tables (the input folder's name)
	 * @param bases each image's output name stem ({@link InputFiles#baseNames})
	 * @param command the batch verb, for the overlay PNG's name
	 */
	public BatchSink(Path output, String runBase, PrintStream log, BatchReport report, Map<Path, String> bases, String command, boolean overwrite) {
		this.output = output;
		this.log = log;
		this.report = report;
		this.bases = bases;
		this.command = command;
		this.overwrite = overwrite;
		this.tables = new RunTables(output, Outputs.safe(runBase), overwrite, written);
	}

	/**
	 * Writes one image's outputs (null ones left out) and, when {@code overlaid} is given, that
	 * image flattened with its overlay.
	 */
	public void write(Path file, ImagePlus overlaid, Map<String, Object> outs) throws IOException {
		String base = bases.get(file);
		Path overlayPng = overlaid == null ? null : output.resolve(base + "_" + Outputs.safe(command + "-overlay") + ".png");
		List<Path> targets = new ArrayList<>();
		if (overlayPng != null) targets.add(overlayPng);
		for (Map.Entry<String, Object> e : outs.entrySet()) {
			if (e.getValue() != null) targets.addAll(Outputs.targets(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())));
		}
		written.reserve(targets, overwrite);
		if (overlayPng != null) {
			Files.createDirectories(overlayPng.toAbsolutePath().getParent());
			PngFiles.save(Outputs.figure(overlaid), overlayPng); // as Outputs.saveFlattenedAs, its PNG written faster
			add(List.of(overlayPng));
			String note = Outputs.planeNote(overlaid, overlayPng);
			if (note != null && log != null) log.println(note);
		}
		for (Map.Entry<String, Object> e : outs.entrySet()) {
			if (e.getValue() == null) continue;
			add(save(e.getValue(), base + "_" + Outputs.safe(e.getKey())));
			add(ShardScope.sidecar(e.getValue(), output, base, e.getKey()));
		}
	}

	/** As {@link Outputs#saveAs}, a one-plane image's PNG written by {@link PngFiles} (the same pixels, faster). */
	private List<Path> save(Object value, String stem) throws IOException {
		if (!(value instanceof ImagePlus) || ((ImagePlus) value).getStackSize() != 1) return Outputs.saveAs(value, output, stem);
		ImagePlus imp = (ImagePlus) value;
		Files.createDirectories(output);
		Path tif = output.resolve(stem + ".tif"), png = output.resolve(stem + ".png");
		if (!new FileSaver(imp).saveAsTiff(tif.toString())) throw new IOException("Could not write " + tif);
		PngFiles.save(imp.getOverlay() != null ? Outputs.figure(imp) : imp, png);
		return List.of(tif, png);
	}

	synchronized void add(List<Path> files) {
		for (Path w : files) {
			report.addFile(w);
			if (log != null) log.println("wrote " + w);
		}
	}

	void fail(Path file, Throwable t, ImagePlus imp) {
		report.fail(file, t, imp);
	}

	/** {@link #table}, on the explaining thread (in image order), an I/O error unchecked. */
	public void tableInOrder(String name, String file, ResultsTable t) {
		try {
			table(name, file, t);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Appends a per-image table's rows to the run's table of that name. */
	public synchronized void table(String name, String file, ResultsTable t) throws IOException {
		if (t == null) return;
		add(tables.append(name, file, t));
		RunTables.addTopRows(t, same);
	}

	void close() throws IOException {
		try {
			tables.close();
		}
		finally {
			written.close();
		}
	}
}
