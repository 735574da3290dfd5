package org.convlens.commands;

import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.core.Progress;
import org.convlens.explain.attribution.VanillaGradient;
import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.HeatmapDisplay;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Outputs;
import org.convlens.imagej.SaliencyMaps;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelService;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * The batched path of {@code Batch cam|saliency|occlusion|predictions} over a folder: instead of
 * running the SciJava command once per image, images are opened and preprocessed by reader threads
 * a bounded number ahead, explained in model batches (one forward and backward pass per batch for
 * the gradient class activation maps and the plain gradient; the other saliency methods and
 * occlusion, whose model calls are per image anyway, image by image in the same stream with the
 * commands' own computation), and their outputs built and written by writer threads, with
 * the same files, names, Info and refusals to overwrite as the per-image path: the image outputs are
 * made by the commands' own output code
 * ({@link ClassActivationMap#outputs}, {@link HeatmapOutputs#build}). Per-image tables
 * (predictions) go to one CSV per run, {@code <folder>_<table>.csv}, with the file as first
 * column. Memory is flat in the number of images: a few batches in flight.
 *
 * <p>Images of several positions (stacks), images of other sizes or types batch with their
 * like only; command settings that depend on the single image ({@code target=roi}, pixel or
 * region targets) and the perturbation class activation maps keep the per-image path ({@link #run}
 * returns null).
 */
final class BatchedExplainer {

	/** Images per model call for the commands without a batch option of their own. */
	static final int IMAGES_PER_BATCH = 32;

	private BatchedExplainer() {}

	/** An opened, preprocessed image. */
	private static final class Prepared {
		final Path file;
		final ImagePlus imp;
		final List<ImageInput.Position> positions;
		final NdArray input; // [P, H, W, C]
		final String key; // images batch only with images of the same key
		final String problem;

		Prepared(Path file, ImagePlus imp, List<ImageInput.Position> positions, NdArray input, String key, String problem) {
			this.file = file;
			this.imp = imp;
			this.positions = positions;
			this.input = input;
			this.key = key;
			this.problem = problem;
		}
	}

	/** What the writer makes of one image. */
	private static final class Job {
		final Prepared image;
		final Work work;

		Job(Prepared image, Work work) {
			this.image = image;
			this.work = work;
		}
	}

	/** Builds and writes one image's outputs. */
	private interface Work {
		void write() throws IOException;
	}

	/** The explanation of a verb, set up once per run. */
	private abstract static class Verb {
		Module module;
		ConvLensCommand command;
		ConvModel model;
		ModelInfo info;
		Preprocessing prep;
		String title;

		Object get(String input) {
			return module.getInput(input);
		}

		String string(String input) {
			Object v = get(input);
			return v == null ? "" : v.toString();
		}

		int integer(String input) {
			return ((Number) get(input)).intValue();
		}

		boolean bool(String input) {
			return Boolean.TRUE.equals(get(input));
		}

		/** Whether these settings take the batched path; may throw for a wrong setting. */
		abstract boolean supported();

		/** Images per model call. */
		int imagesPerBatch() {
			return IMAGES_PER_BATCH;
		}

		/** The batch key beyond the input shape (e.g. the image type, where settings depend on it). */
		String key(ImagePlus imp) {
			return "";
		}

		/**
		 * Explains a batch of images (their inputs stacked) and returns, per image, what the writer
		 * does with it; tables go to {@code tables}.
		 */
		abstract List<Job> explain(List<Prepared> images, NdArray x, Sink sink);
	}

	/** Where jobs put their files and table rows. */
	private static final class Sink {
		final Path output;
		final PrintStream log;
		final Batch.Report report;
		final Batch.RunTables tables;
		/** Top classes of the run's predictions, for the per-image path's same-class warning. */
		final org.convlens.explain.dataset.SameClassCheck same = new org.convlens.explain.dataset.SameClassCheck();
		final Map<Path, String> bases;
		final String command;
		final Batch.Settings settings;
		final org.convlens.imagej.batch.WrittenFiles written = new org.convlens.imagej.batch.WrittenFiles();

		Sink(Path output, String runBase, PrintStream log, Batch.Report report, Map<Path, String> bases, String command, Batch.Settings settings) {
			this.output = output;
			this.log = log;
			this.report = report;
			this.bases = bases;
			this.command = command;
			this.settings = settings;
			this.tables = new Batch.RunTables(output, Outputs.safe(runBase), settings, written);
		}

		/**
		 * Writes one image's outputs (null ones left out) and, when {@code overlaid} is given, that
		 * image flattened with its overlay: the names of the per-image path, and its refusal to
		 * replace a file written earlier in the run or one that was there before (without --overwrite).
		 */
		void write(Path file, ImagePlus overlaid, Map<String, Object> outs) throws IOException {
			String base = bases.get(file);
			Path overlayPng = overlaid == null ? null : output.resolve(base + "_" + Outputs.safe(command + "-overlay") + ".png");
			List<Path> targets = new ArrayList<>();
			if (overlayPng != null) targets.add(overlayPng);
			for (Map.Entry<String, Object> e : outs.entrySet()) {
				if (e.getValue() != null) targets.addAll(Outputs.targets(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())));
			}
			written.reserve(targets, settings.overwrite);
			if (overlayPng != null) add(List.of(Outputs.saveFlattenedAs(overlaid, overlayPng)));
			for (Map.Entry<String, Object> e : outs.entrySet()) {
				if (e.getValue() == null) continue;
				add(Outputs.saveAs(e.getValue(), output, base + "_" + Outputs.safe(e.getKey())));
				add(Shards.sidecar(e.getValue(), output, base, e.getKey()));
			}
		}

		synchronized void add(List<Path> written) {
			for (Path w : written) report.addFile(w);
			if (log != null) for (Path w : written) log.println("wrote " + w);
		}

		synchronized void fail(Path file, Throwable t, ImagePlus imp) {
			report.fail(file, t, imp);
		}

		/** {@link #table}, on the explaining thread (in image order), an I/O error unchecked. */
		void tableInOrder(String name, String file, ResultsTable t) {
			try {
				table(name, file, t);
			}
			catch (IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
		}

		/** Appends a per-image table's rows to the run's table of that name. */
		synchronized void table(String name, String file, ResultsTable t) throws IOException {
			if (t == null) return;
			List<Path> created;
			synchronized (written) {
				created = tables.append(name, file, t);
			}
			add(created);
			Batch.addTopRows(t, same);
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

	/**
	 * One CSV for a run's per-image tables: {@code file} and the table's columns, cells as ImageJ
	 * writes them. A table with a column the earlier ones lacked (e.g. a {@code heatmap} note that
	 * only a degenerate map adds) widens the run's table: the column is appended, and at the end
	 * the header is rewritten and earlier rows get empty cells there.
	 */
	static final class TableWriter {
		private final Path path;
		private final BufferedWriter out;
		private final List<String> headings = new ArrayList<>();
		private int writtenHeadings = -1;

		TableWriter(Path p) throws IOException {
			path = p;
			Files.createDirectories(p.getParent());
			out = Files.newBufferedWriter(p, StandardCharsets.UTF_8);
		}

		void append(String file, ResultsTable t) throws IOException {
			for (String h : t.getHeadings()) if (!headings.contains(h)) headings.add(h);
			if (writtenHeadings < 0) {
				StringBuilder sb = new StringBuilder("file");
				for (String h : headings) sb.append(',').append(quote(h));
				out.write(sb.toString());
				out.newLine();
				writtenHeadings = headings.size();
			}
			for (int r = 0; r < t.size(); r++) {
				StringBuilder sb = new StringBuilder(quote(file));
				for (String h : headings) {
					String v = !t.columnExists(h) && !h.equals("Label") ? "" : h.equals("Label") ? t.getLabel(r) : t.getStringValue(h, r);
					sb.append(',').append(quote(v));
				}
				out.write(sb.toString());
				out.newLine();
			}
		}

		void close() throws IOException {
			out.close();
			if (writtenHeadings < 0 || writtenHeadings == headings.size()) return;
			// columns were added on the way: the header names them all, earlier rows get empty cells
			Path tmp = path.resolveSibling(path.getFileName() + ".part");
			try (java.io.BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
				BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))
			{
				in.readLine();
				StringBuilder head = new StringBuilder("file");
				for (String h : headings) head.append(',').append(quote(h));
				w.write(head.toString());
				w.newLine();
				for (String line = in.readLine(); line != null; line = in.readLine()) {
					int cells = cells(line);
					StringBuilder sb = new StringBuilder(line);
					for (int k = cells; k < headings.size() + 1; k++) sb.append(',');
					w.write(sb.toString());
					w.newLine();
				}
			}
			Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		}

		/** Number of CSV cells in a line written by {@link #append} (quotes respected). */
		static int cells(String line) {
			int n = 1;
			boolean q = false;
			for (int i = 0; i < line.length(); i++) {
				char c = line.charAt(i);
				if (c == '"') q = !q;
				else if (c == ',' && !q) n++;
			}
			return n;
		}

		static String quote(String s) {
			if (s == null) return "";
			if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
			return '"' + s.replace("\"", "\"\"") + '"';
		}
	}

	/**
	 * Runs {@code cls} on the images batched, or returns null when this command or these settings
	 * keep the per-image path.
	 *
	 * @param runBase names the run's tables (the input folder's name)
	 */
	static Batch.Report run(Context ctx, Class<? extends Command> cls, List<Path> images, Map<Path, String> bases, String runBase, Path output,
		Map<String, String> options, PrintStream log, Batch.Settings settings) throws IOException
	{
		if (Boolean.getBoolean("convlens.perImage")) return null; // the old path, for comparison
		String name = ctx.service(CommandService.class).getCommand(cls).getName();
		Module module = CommandRunner.create(ctx, cls);
		for (Map.Entry<String, Object> e : Batch.inputs(module, options).entrySet()) module.setInput(e.getKey(), e.getValue());
		Verb v = verb(name, module);
		if (v == null) return null;
		v.module = module;
		v.command = (ConvLensCommand) module.getDelegateObject();
		v.title = module.getInfo().getTitle();
		Object m = module.getInput("model");
		if (m == null || m.toString().isEmpty()) throw new IllegalArgumentException("No model chosen (option 'model').");
		v.model = ctx.service(ModelService.class).get(((File) m).toPath());
		v.info = v.model.info();
		String base = Preprocessing.forModel(v.info).toString(), extra = v.string("preprocessing");
		v.prep = extra.isBlank() ? Preprocessing.parse(base) : Preprocessing.parse(base + " " + extra.trim());
		if (!v.supported()) return null;
		return stream(v, images, bases, runBase, output, log, settings, ctx.service(CommandService.class).getCommand(cls).getName());
	}

	private static Verb verb(String name, Module module) {
		switch (name) {
			case "cam":
				return new Cam();
			case "saliency":
				return new Saliency();
			case "occlusion":
				return new OcclusionVerb();
			case "predictions":
				return new Predictions();
			default:
				return null;
		}
	}

	/** Reads ahead on reader threads, explains batches here, writes on a writer thread. */
	private static Batch.Report stream(Verb v, List<Path> images, Map<Path, String> bases, String runBase, Path output, PrintStream log,
		Batch.Settings settings, String command) throws IOException
	{
		Batch.Report report = new Batch.Report();
		report.items = images.size();
		Sink sink = new Sink(output, runBase, log, report, bases, command, settings);
		int readers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
		int perBatch = Math.max(1, v.imagesPerBatch());
		int window = Math.max(perBatch, 2 * readers);
		ExecutorService pool = Executors.newFixedThreadPool(readers, r -> {
			Thread t = new Thread(r, "ConvLens batch reader");
			t.setDaemon(true);
			return t;
		});
		// writers: each image's files are its own, so several threads may write; tables are appended in order by explain()
		int writers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
		ExecutorService writePool = Executors.newFixedThreadPool(writers, r -> {
			Thread t = new Thread(r, "ConvLens batch writer");
			t.setDaemon(true);
			return t;
		});
		Writing writing = new Writing(writePool, Math.max(2 * perBatch, 4 * writers));
		int[] shape = v.info.imageInput().shape();
		Deque<Future<Prepared>> inFlight = new ArrayDeque<>();
		List<Prepared> batch = new ArrayList<>();
		int next = 0;
		try {
			while (next < images.size() || !inFlight.isEmpty()) {
				while (next < images.size() && inFlight.size() < window) {
					Path f = images.get(next++);
					inFlight.add(pool.submit(() -> prepare(v, f, shape)));
				}
				Prepared p = inFlight.poll().get();
				if (p.problem != null) {
					synchronized (sink) {
						report.failures.add(p.file + ": " + p.problem);
					}
					continue;
				}
				if (!batch.isEmpty() && !batch.get(0).key.equals(p.key)) {
					explain(v, batch, sink, writing);
					batch = new ArrayList<>();
				}
				batch.add(p);
				int items = 0;
				for (Prepared b : batch) items += b.positions.size();
				if (items >= perBatch) {
					explain(v, batch, sink, writing);
					batch = new ArrayList<>();
				}
			}
			if (!batch.isEmpty()) explain(v, batch, sink, writing);
			writePool.shutdown();
			while (!writePool.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS)) {
				// the last images are being written
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", e);
		}
		catch (java.util.concurrent.ExecutionException e) {
			throw new IllegalStateException("Cannot read an image: " + e.getCause(), e.getCause());
		}
		finally {
			pool.shutdownNow();
			writePool.shutdownNow();
			sink.close();
		}
		Throwable e = writing.error.get();
		if (e instanceof IOException) throw (IOException) e;
		if (e instanceof java.io.UncheckedIOException) throw ((java.io.UncheckedIOException) e).getCause();
		if (e instanceof Error) throw (Error) e;
		if (e != null) throw (RuntimeException) e;
		// every image in one class with high confidence: named in the run's summary, as the per-image path does
		if (sink.same.count() > 1) {
			String w = sink.same.warning(v.info, v.prep);
			if (w != null) {
				report.warnings.add(w);
				if (log != null) log.println("WARNING: " + w);
			}
		}
		return report;
	}

	/** The writer threads, a bounded number of images ahead, and the first error. */
	private static final class Writing {
		final ExecutorService pool;
		final java.util.concurrent.Semaphore room;
		final java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();

		Writing(ExecutorService pool, int inFlight) {
			this.pool = pool;
			this.room = new java.util.concurrent.Semaphore(inFlight);
		}

		void submit(Job j, Sink sink) throws InterruptedException {
			room.acquire();
			pool.submit(() -> {
				try {
					if (error.get() == null) j.work.write();
				}
				catch (Throwable e) {
					// one image's failure, as in the per-image path: listed, and the run goes on
					if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) error.compareAndSet(null, e);
					else sink.fail(j.image.file, e, j.image.imp);
				}
				finally {
					room.release();
				}
			});
		}
	}

	private static void explain(Verb v, List<Prepared> batch, Sink sink, Writing writing) throws InterruptedException {
		if (writing.error.get() != null) return;
		List<NdArray> parts = new ArrayList<>();
		for (Prepared p : batch) parts.add(p.input);
		NdArray x = parts.size() == 1 ? parts.get(0) : NdArray.concat(parts);
		List<Job> jobs;
		try {
			jobs = v.explain(batch, x, sink);
		}
		catch (java.io.UncheckedIOException e) {
			writing.error.compareAndSet(null, e); // a run table cannot be written: the run stops
			return;
		}
		catch (RuntimeException e) {
			// a batch that fails (e.g. a target the model does not have) fails for each of its images
			for (Prepared p : batch) sink.fail(p.file, e, p.imp);
			return;
		}
		for (Job j : jobs) writing.submit(j, sink);
	}

	private static Prepared prepare(Verb v, Path f, int[] shape) {
		ImagePlus imp;
		try {
			imp = DatasetSources.open(f);
		}
		catch (IOException e) {
			return new Prepared(f, null, null, null, null, "cannot open: " + Batch.oneLine(e.getMessage()) + ".");
		}
		try {
			List<ImageInput.Position> ps = ImageInput.positions(imp);
			NdArray in = ImageInput.batch(imp, ps, v.prep, shape);
			String key = Arrays.toString(Arrays.copyOfRange(in.shape(), 1, in.shape().length)) + "|" + v.key(imp);
			return new Prepared(f, imp, ps, in, key, null);
		}
		catch (RuntimeException e) {
			return new Prepared(f, imp, null, null, null, ConvLensCommand.message(e));
		}
	}

	/** The items of image {@code i} of the batch: their range in the stacked input. */
	private static int[] range(List<Prepared> images, int i) {
		int from = 0;
		for (int k = 0; k < i; k++) from += images.get(k).positions.size();
		return new int[] { from, from + images.get(i).positions.size() };
	}

	/** Batch's name for an image's outputs. */
	static String base(Prepared p) {
		return Outputs.safe(p.file.getFileName().toString());
	}

	/** The predictions table the per-image path gives (its {@code predictionTable}). */
	static ResultsTable predictionTable(ModelInfo info, ImagePlus imp, List<ImageInput.Position> ps, NdArray scores, int top) {
		List<String> labels = new ArrayList<>();
		boolean many = imp.getNSlices() * imp.getNFrames() > 1;
		for (ImageInput.Position p : ps) labels.add(imp.getTitle() + (many ? " " + p : ""));
		return Tables.predictions(info, scores, labels, top);
	}

	/** Class activation maps of the gradient methods: one forward and backward pass per batch. */
	private static final class Cam extends Verb {
		CamMethod method;
		ClassActivationMaps cam;
		Target target;
		List<String> warnings;

		@Override
		boolean supported() {
			method = CamMethod.parse(string("method"));
			String t = string("target").trim().toLowerCase(Locale.ROOT);
			if (!method.usesGradients() || t.startsWith("pixel=") || t.startsWith("region=") || t.startsWith("roi")) return false;
			List<String> chosen = new ArrayList<>();
			String names = !string("layers").isBlank() ? string("layers") : string("layer");
			for (String l : names.split(",")) if (!l.isBlank()) chosen.add(l.trim());
			target = Target.parse(string("target"));
			cam = new ClassActivationMaps(model).withMethod(method).withLayers(chosen).withTarget(target).withBatchSize(integer("batch"));
			warnings = new ArrayList<>();
			for (org.convlens.model.LayerInfo l : cam.resolveLayers()) {
				String w1 = org.convlens.model.CamLayers.oneByOneWarning(l);
				if (w1 != null) warnings.add(w1);
			}
			for (String w1 : warnings) IJ.log(title + ": " + w1); // once for the run, not once per image
			return true;
		}

		@Override
		int imagesPerBatch() {
			return integer("batch");
		}

		@Override
		List<Job> explain(List<Prepared> images, NdArray x, Sink sink) {
			boolean predict = bool("predict");
			Map<String, NdArray> fetched = new HashMap<>();
			List<Heatmap> maps = cam.compute(x, null, predict ? List.of(ConvModel.OUTPUT) : List.of(), fetched, Progress.NONE);
			NdArray scores = fetched.get(ConvModel.OUTPUT);
			HeatmapDisplay.OverlayStyle style = bool("overlay") ? new HeatmapDisplay.OverlayStyle(string("lut"), ((Number) get("opacity")).doubleValue(),
				((Number) get("threshold")).doubleValue(), false, true) : null;
			List<Job> jobs = new ArrayList<>();
			for (int i = 0; i < images.size(); i++) {
				Prepared p = images.get(i);
				int[] r = range(images, i);
				List<Heatmap> mine = maps.subList(r[0], r[1]);
				NdArray myScores = scores == null ? null : scores.items(r[0], r[1]);
				if (myScores != null) {
					sink.tableInOrder("predictions", p.file.getFileName().toString(),
						ClassActivationMap.annotate(predictionTable(info, p.imp, p.positions, myScores, integer("top")), mine));
				}
				jobs.add(new Job(p, () -> {
					ImagePlus[] out = ClassActivationMap.outputs(p.imp, mine, method, target, info, prep, title, bool("showraw"), style, warnings, p.positions);
					Map<String, Object> outs = new LinkedHashMap<>();
					outs.put("heatmap", out[0]);
					outs.put("raw", out[1]);
					sink.write(p.file, style != null ? p.imp : null, outs);
				}));
			}
			return jobs;
		}
	}

	/** The outputs of the saliency and occlusion commands ({@link HeatmapOutputs#build}). */
	private abstract static class HeatmapVerb extends Verb {
		int[] targets(NdArray x) {
			return HeatmapMethods.classIndices(model, x, Target.parse(string("target")));
		}

		/** One image's outputs from its maps and Info parameters. */
		Job job(Prepared p, List<NdArray> mine, int[] myTargets, String method, boolean signed, Map<String, Object> params, String output, Sink sink) {
			return new Job(p, () -> {
				Map<String, Object> ps = new LinkedHashMap<>(params);
				ps.put("target", string("target"));
				boolean overlay = bool("overlay");
				ImagePlus[] out = HeatmapOutputs.build(command, p.imp, info, prep, mine, myTargets, method, signed, overlay, bool("blend"), ps);
				Map<String, Object> outs = new LinkedHashMap<>();
				outs.put(output, out[0]);
				outs.put("blended", out[1]);
				sink.write(p.file, overlay ? p.imp : null, outs);
			});
		}
	}

	/**
	 * Saliency: the plain gradient of a whole batch in one backward pass; the other methods (many
	 * model calls per image: noisy copies, path points) image by image with the command's own
	 * computation ({@link SaliencyMap#compute}).
	 */
	private static final class Saliency extends HeatmapVerb {
		String method;

		@Override
		boolean supported() {
			method = string("method").trim().toLowerCase(Locale.ROOT);
			// a wrong baseline or method: the per-image path says why, as it always did
			if (!List.of("black", "blurred", "mean").contains(string("baseline").trim().toLowerCase(Locale.ROOT))) return false;
			try {
				HeatmapMethods.saliency(method);
			}
			catch (RuntimeException e) {
				return false;
			}
			return true;
		}

		@Override
		String key(ImagePlus imp) {
			return imp.getBitDepth() + "|" + imp.getNChannels(); // the black baseline depends on the image type
		}

		@Override
		List<Job> explain(List<Prepared> images, NdArray x, Sink sink) {
			int[] targets = targets(x);
			SaliencyMap cmd = (SaliencyMap) command;
			boolean signed = cmd.signed();
			List<Job> jobs = new ArrayList<>();
			HeatmapMethod hm = HeatmapMethods.saliency(method);
			if (hm instanceof VanillaGradient && string("layer").isBlank()) {
				// the settings the command records, from the same construction
				Map<String, Object> params = new LinkedHashMap<>();
				params.put("settings", HeatmapMethods.saliency(method, new HeatmapMethods.SaliencySettings(integer("samples"),
					((Number) get("noise")).doubleValue() / 100, integer("steps"), IntegratedGradients.Baseline.valueOf(string("baseline").trim().toUpperCase(Locale.ROOT)),
					null, List.of(), integer("batch"))).toString());
				List<NdArray> maps = vanilla((VanillaGradient) hm, x, targets);
				for (int i = 0; i < images.size(); i++) {
					int[] r = range(images, i);
					jobs.add(job(images.get(i), maps.subList(r[0], r[1]), Arrays.copyOfRange(targets, r[0], r[1]), method, signed, params, "saliency", sink));
				}
				return jobs;
			}
			for (int i = 0; i < images.size(); i++) {
				Prepared p = images.get(i);
				int[] r = range(images, i);
				int[] mine = Arrays.copyOfRange(targets, r[0], r[1]);
				List<NdArray> maps = new ArrayList<>();
				Map<String, Object> params = cmd.compute(p.imp, model, prep, p.input, mine, Progress.NONE, maps);
				jobs.add(job(p, maps, mine, method, signed, params, "saliency", sink));
			}
			return jobs;
		}

		/** {@link VanillaGradient#heatmap} for every item, from one backward pass. */
		private List<NdArray> vanilla(VanillaGradient vg, NdArray x, int[] targets) {
			int n = x.dim(0);
			int k = model.info().numClasses();
			if (k <= 0) return HeatmapMethods.maps(model, x, targets, vg, Progress.NONE);
			float[] w = new float[n * k];
			for (int i = 0; i < n; i++) {
				if (targets[i] < 0 || targets[i] >= k) return HeatmapMethods.maps(model, x, targets, vg, Progress.NONE); // the per-item path says why
				w[i * k + targets[i]] = 1;
			}
			NdArray g = model.gradients(x, vg.score(), new NdArray(new int[] { n, k }, w), List.of(ConvModel.INPUT)).gradient(ConvModel.INPUT);
			List<NdArray> out = new ArrayList<>(n);
			for (int i = 0; i < n; i++) {
				NdArray m = ExplainMath.map(ExplainMath.maxAbsOverChannels(g.item(i)), 0);
				out.add(ExplainMath.resize(m, x.dim(1), x.dim(2)));
			}
			return out;
		}
	}

	/** Occlusion, image by image (its model calls are one image's occluded copies) with the command's computation. */
	private static final class OcclusionVerb extends HeatmapVerb {
		@Override
		boolean supported() {
			return true;
		}

		@Override
		int imagesPerBatch() {
			return 1; // the batch option is the occluded copies per call
		}

		@Override
		List<Job> explain(List<Prepared> images, NdArray x, Sink sink) {
			List<Job> jobs = new ArrayList<>();
			for (Prepared p : images) {
				int[] targets = targets(p.input);
				List<NdArray> maps = new ArrayList<>();
				Map<String, Object> params = ((OcclusionMap) command).compute(p.imp, model, p.input, targets, Progress.NONE, maps);
				jobs.add(job(p, maps, targets, "occlusion", false, params, "occlusion", sink));
			}
			return jobs;
		}
	}

	/** Predictions: one forward pass per batch, one table per run. */
	private static final class Predictions extends Verb {
		@Override
		boolean supported() {
			return true;
		}

		@Override
		List<Job> explain(List<Prepared> images, NdArray x, Sink sink) {
			NdArray scores = model.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
			List<Job> jobs = new ArrayList<>();
			for (int i = 0; i < images.size(); i++) {
				Prepared p = images.get(i);
				int[] r = range(images, i);
				NdArray mine = scores.items(r[0], r[1]);
				sink.tableInOrder("predictions", p.file.getFileName().toString(), predictionTable(info, p.imp, p.positions, mine, integer("top")));
			}
			return jobs;
		}
	}
}
