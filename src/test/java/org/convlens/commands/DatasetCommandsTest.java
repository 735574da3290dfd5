package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCollector;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.Embedding;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.ShapeFiles;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.measure.ResultsTable;

/**
 * The dataset commands (Max-Activating Images, CNN Codes, Embedding Map) through SciJava, the
 * macro path and Batch, on a generated folder of labelled shapes with one broken file: results
 * equal the explain-level classes and the engine's raw values.
 */
class DatasetCommandsTest extends CommandTestBase {

	@TempDir
	static Path data;
	/** Files that are images, relative to {@link #data}, in source order. */
	static List<String> names = new ArrayList<>();

	@BeforeAll
	static void writeDataset() throws Exception {
		System.setProperty("convlens.dialogs", "false");
		ShapeFiles.write(data, 4, 32, 77);
		Files.writeString(data.resolve("ring").resolve("broken.tif"), "not a tiff");
		DatasetSources.folder(data, true, true).forEach(e -> {
			if (!e.name().endsWith("broken.tif")) names.add(e.name());
		});
		assertEquals(12, names.size());
	}

	@AfterAll
	static void dialogsBack() {
		System.clearProperty("convlens.dialogs");
		WindowManager.setTempCurrentImage(null);
	}

	static String opts(String rest) {
		return "model=[" + modelPath.toAbsolutePath() + "] source=folder folder=[" + data + "] recursive labels " + rest;
	}

	/** The model input of a file by hand: 8-bit pixels / 255. */
	static NdArray input(String name) {
		ImagePlus imp = IJ.openImage(data.resolve(name).toString());
		float[] d = new float[size * size];
		for (int k = 0; k < d.length; k++) d[k] = imp.getProcessor().getf(k) / 255f;
		return new NdArray(new int[] { 1, size, size, 1 }, d);
	}

	static Map<String, Object> runFolder(Class<? extends org.scijava.command.Command> cls, Object... kv) {
		Object[] all = new Object[kv.length + 6];
		System.arraycopy(new Object[] { "folder", data.toFile(), "recursive", true, "labels", true }, 0, all, 0, 6);
		System.arraycopy(kv, 0, all, 6, kv.length);
		return run(cls, all);
	}

	@Test
	void maxActivatingEqualsTheExplainResultAndTheRawMaxima() {
		Map<String, Object> out = runFolder(MaxActivatingImages.class, "layer", "conv2d_2", "filters", "0-2", "top", 3);
		ResultsTable t = (ResultsTable) out.get("hits");
		assertEquals(9, t.size());
		MaxActivating.Result r = new MaxActivating(engine).layer("conv2d_2").filters(0, 1, 2).topK(3)
			.run(DatasetSources.folder(data, true, true), new DatasetRunner(engine, null), null);
		int row = 0;
		for (int f = 0; f < 3; f++) {
			for (MaxActivating.Hit h : r.hits(f)) {
				assertEquals(f, (int) t.getValue("filter", row));
				assertEquals(h.name(), t.getStringValue("file", row));
				assertEquals(h.label(), t.getStringValue("label", row));
				assertEquals(h.score(), t.getValue("score", row), 1e-6);
				assertEquals(h.unitY(), (int) t.getValue("y", row));
				assertEquals(h.imageRect()[2], t.getValue("patch width", row), 1e-9);
				row++;
			}
		}
		// independently: the best score of each filter is the largest raw value over every image
		for (int f = 0; f < 3; f++) {
			double best = Double.NEGATIVE_INFINITY;
			for (String n : names) {
				NdArray a = raw(input(n), "conv2d_2");
				for (int i = f; i < a.size(); i += a.dim(3)) best = Math.max(best, a.data()[i]);
			}
			assertEquals(best, t.getValue("score", 3 * f), 1e-5);
		}
		ImagePlus m = (ImagePlus) out.get("montages");
		assertEquals(3, m.getStackSize());
		assertEquals(24, m.getBitDepth());
		assertEquals("conv2d_2 \u00b7 filter 1", m.getStack().getSliceLabel(2));
		ResultsTable sk = (ResultsTable) out.get("skipped");
		assertEquals(1, sk.size());
		assertEquals("ring/broken.tif", sk.getStringValue("file", 0));
	}

	@Test
	void defaultLayerIsADeepConvolutionAndDeadFiltersAreNamed() {
		// no layer given: the dialog's first choice, the default, a deep convolution
		Map<String, Object> out = runFolder(MaxActivatingImages.class, "top", 3);
		ImagePlus m = (ImagePlus) out.get("montages");
		String layer = MaxActivating.defaultLayer(engine);
		assertEquals("conv2d_1", layer);
		assertEquals(layer, org.convlens.imagej.Provenance.get(m, "layer"));
		MaxActivating.Result r = new MaxActivating(engine).layer(layer).topK(3).run(DatasetSources.folder(data, true, true),
			new DatasetRunner(engine, null), null);
		assertEquals(16, m.getStackSize());
		List<Integer> dead = r.filters(MaxActivating.Status.DEAD);
		assertEquals(String.valueOf(16 - dead.size() - r.filters(MaxActivating.Status.CONSTANT).size()),
			org.convlens.imagej.Provenance.get(m, "live_filters"));
		if (!dead.isEmpty()) {
			String note = org.convlens.imagej.Provenance.get(m, "note");
			assertTrue(note.startsWith(dead.size() + " of 16 filters of conv2d_1 are dead (zero on all 12 images): "), note);
			assertEquals(layer + " \u00b7 filter " + dead.get(0) + " (dead)", m.getStack().getSliceLabel(16 - dead.size() + 1));
			ResultsTable t = (ResultsTable) out.get("hits");
			assertEquals("dead", t.getStringValue("status", t.size() - 1));
		}
		assertEquals("0-3, 7, 9-10", MaxActivatingImages.ranges(List.of(10, 0, 1, 2, 3, 7, 9)));
	}

	@Test
	void macroPathWithoutAnOpenImageGivesTheSameHits() {
		WindowManager.setTempCurrentImage(null);
		Map<String, Object> viaMacro = IJ1Bridge.runCommand(MaxActivatingImages.class.getName(),
			opts("layer=conv2d_1 filters=[0,5] top=4 score=mean patch"));
		Map<String, Object> viaSciJava = runFolder(MaxActivatingImages.class, "layer", "conv2d_1", "filters", "0,5", "top", 4, "score", "mean");
		ResultsTable a = (ResultsTable) viaMacro.get("hits"), b = (ResultsTable) viaSciJava.get("hits");
		// four rows per live filter, one per dead filter (listed last), as the explain-level run says
		MaxActivating.Result r = new MaxActivating(engine).layer("conv2d_1").filters(0, 5).topK(4).score(MaxActivating.Score.MEAN)
			.run(DatasetSources.folder(data, true, true), new DatasetRunner(engine, null), null);
		int rows = 0;
		for (int f : r.filters()) rows += r.status(f) == MaxActivating.Status.LIVE ? r.hits(f).size() : 1;
		assertEquals(rows, a.size());
		assertEquals(rows, b.size());
		for (int i = 0; i < a.size(); i++) {
			assertEquals(b.getStringValue("file", i), a.getStringValue("file", i));
			assertEquals(b.getValue("score", i), a.getValue("score", i), 0);
			assertEquals(b.getStringValue("status", i), a.getStringValue("status", i));
		}
		int f2 = r.filters().get(1);
		assertEquals(f2, (int) a.getValue("filter", r.status(r.filters().get(0)) == MaxActivating.Status.LIVE ? 4 : 1));
	}

	@Test
	void codesTableAndCsvHoldTheRawFlattenValuesWithLabels(@TempDir Path tmp) throws Exception {
		Path csv = tmp.resolve("sub").resolve("codes.csv");
		ResultsTable t = (ResultsTable) runFolder(CnnCodesExport.class, "csv", csv.toFile()).get("codes");
		assertEquals(12, t.size());
		String layer = CnnCodes.defaultLayer(engine.info());
		for (int i = 0; i < names.size(); i += 5) {
			String n = names.get(i);
			assertEquals(n, t.getStringValue("file", i));
			assertEquals(n.substring(0, n.indexOf('/')), t.getStringValue("label", i));
			Map<String, NdArray> raw = engine.run(input(n), List.of(layer, ConvModel.OUTPUT));
			NdArray code = raw.get(layer);
			for (int c = 0; c < code.size(); c += 37) assertEquals(code.data()[c], t.getValue("c" + c, i), 1e-5);
			float[] p = raw.get(ConvModel.OUTPUT).data();
			int best = 0;
			for (int k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
			assertEquals(engine.info().className(best), t.getStringValue("predicted", i));
		}
		List<String> lines = Files.readAllLines(csv);
		assertEquals(13, lines.size());
		assertTrue(lines.get(0).startsWith("index,name,label,predicted,predicted_name,confidence,c0,"));
		assertTrue(lines.get(1).startsWith("0," + names.get(0) + "," + names.get(0).substring(0, names.get(0).indexOf('/')) + ","), lines.get(1).substring(0, 60));
	}

	@Test
	void codesOfTheOpenStackAreOneRowPerSlice() {
		ImageStack st = new ImageStack(size, size);
		for (int i = 0; i < 3; i++) st.addSlice("s" + i, IJ.openImage(data.resolve(names.get(i)).toString()).getProcessor());
		ImagePlus imp = new ImagePlus("stack", st);
		String before = fingerprint(imp);
		ResultsTable t = (ResultsTable) run(CnnCodesExport.class, "source", "image", "image", imp, "pooling", "average", "layer", "conv2d_1").get("codes");
		assertEquals(3, t.size());
		assertEquals("s1", t.getStringValue("file", 1));
		NdArray a = raw(input(names.get(1)), "conv2d_1");
		int C = a.dim(3);
		for (int c = 0; c < C; c++) {
			double s = 0;
			for (int i = c; i < a.size(); i += C) s += a.data()[i];
			assertEquals(s / (a.size() / C), t.getValue("c" + c, 1), 1e-5);
		}
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void embeddingEqualsTsneOfTheCodesWithPlotAndGrid() {
		Map<String, Object> out = runFolder(EmbeddingMap.class, "perplexity", 3.0, "iterations", 200, "seed", 7L, "grid", 6, "cell", 20,
			"color", "label");
		ResultsTable t = (ResultsTable) out.get("coordinates");
		assertEquals(12, t.size());
		CodeCollector rows = new CodeCollector();
		new CnnCodes(engine).extract(DatasetSources.folder(data, true, true), new DatasetRunner(engine, null), null, rows);
		double[][] xy = Embedding.tsne(rows.codes(), new Embedding.TsneOptions().perplexity(3).iterations(200).seed(7), null);
		for (int i = 0; i < 12; i++) {
			assertEquals(names.get(i), t.getStringValue("file", i));
			assertEquals(xy[i][0], t.getValue("x", i), 1e-6);
			assertEquals(xy[i][1], t.getValue("y", i), 1e-6);
		}
		ImagePlus grid = (ImagePlus) out.get("images");
		assertEquals(120, grid.getWidth());
		assertEquals(120, grid.getHeight());
		ImagePlus plot = (ImagePlus) out.get("plot");
		assertNotNull(plot);
		assertTrue(plot.getTitle().contains("label"));
		assertEquals("1", org.convlens.imagej.Provenance.get(grid, "skipped"));
		assertEquals("exact", org.convlens.imagej.Provenance.get(grid, "tsne_used"), "auto: exact for 12 images");

		// Barnes-Hut on request, the same map as called directly
		out = runFolder(EmbeddingMap.class, "perplexity", 3.0, "iterations", 200, "seed", 7L, "grid", 6, "cell", 20, "method", "barnes-hut");
		t = (ResultsTable) out.get("coordinates");
		double[][] bh = Embedding.tsne(rows.codes(),
			new Embedding.TsneOptions().perplexity(3).iterations(200).seed(7).method(Embedding.Method.BARNES_HUT), null);
		for (int i = 0; i < 12; i++) {
			assertEquals(bh[i][0], t.getValue("x", i), 1e-6);
			assertEquals(bh[i][1], t.getValue("y", i), 1e-6);
		}
		assertEquals("barnes-hut", org.convlens.imagej.Provenance.get((ImagePlus) out.get("images"), "tsne_used"));
	}

	@Test
	void badInputsGiveClearMessages(@TempDir Path empty) throws Exception {
		Exception e = assertThrows(RuntimeException.class, () -> run(MaxActivatingImages.class, "folder", empty.toFile(), "layer", "conv2d"));
		assertTrue(ConvLensCommand.message(e).contains("no images"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(CnnCodesExport.class, "folder", empty.resolve("nope").toFile()));
		assertTrue(ConvLensCommand.message(e).contains("Not a folder"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> runFolder(MaxActivatingImages.class, "layer", "conv9"));
		assertTrue(ConvLensCommand.message(e).contains("conv9"), ConvLensCommand.message(e));
		assertTrue(e instanceof ModelException || e.getCause() instanceof ModelException || ConvLensCommand.message(e).contains("conv2d"));
		e = assertThrows(RuntimeException.class, () -> runFolder(CnnCodesExport.class, "layer", "nolayer"));
		assertTrue(ConvLensCommand.message(e).contains("nolayer"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> runFolder(MaxActivatingImages.class, "layer", "conv2d", "filters", "99"));
		assertTrue(ConvLensCommand.message(e).contains("99"), ConvLensCommand.message(e));
		// a folder of nothing but unreadable files
		Path junk = Files.createDirectories(empty.resolve("junk"));
		Files.writeString(junk.resolve("a.tif"), "x");
		e = assertThrows(RuntimeException.class, () -> run(CnnCodesExport.class, "folder", junk.toFile()));
		assertTrue(ConvLensCommand.message(e).contains("a.tif"), ConvLensCommand.message(e));
	}

	@Test
	void singleImageCommandsStillNeedAnOpenImage() {
		WindowManager.setTempCurrentImage(null);
		// under a display, earlier tests may have left images open
		for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
			ImagePlus w = WindowManager.getImage(id);
			if (w != null) {
				w.changes = false;
				w.close();
			}
		}
		Exception e = assertThrows(RuntimeException.class, () -> IJ1Bridge.runCommand(ShowActivations.class.getName(),
			"model=[" + modelPath.toAbsolutePath() + "] layer=conv2d"));
		assertEquals("No image is open.", ConvLensCommand.message(e));
		assertTrue(ConvLensCommand.needsImage(CommandRunner.create(ctx, ShowActivations.class)));
		assertTrue(!ConvLensCommand.needsImage(CommandRunner.create(ctx, EmbeddingMap.class)));
		// source=image without an open image is the usual message
		e = assertThrows(RuntimeException.class, () -> run(CnnCodesExport.class, "source", "image"));
		assertTrue(ConvLensCommand.message(e).toLowerCase().contains("no image"), ConvLensCommand.message(e));
	}

	@Test
	void batchRunsADatasetCommandOnceOnTheFolder(@TempDir Path out) throws Exception {
		Batch.Report r = Batch.run("maxact", data, out, Map.of("model", modelPath.toString(), "layer", "conv2d_2", "filters", "0-1",
			"top", "2", "recursive", "true", "patch", "false"), null);
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		String base = org.convlens.imagej.Outputs.safe(data.getFileName().toString());
		assertTrue(Files.isRegularFile(out.resolve(base + "_montages.tif")));
		assertTrue(Files.isRegularFile(out.resolve(base + "_hits.csv")));
		assertTrue(Files.isRegularFile(out.resolve(base + "_skipped.csv")));
		ImagePlus m = IJ.openImage(out.resolve(base + "_montages.tif").toString());
		assertEquals(2, m.getStackSize());
		assertEquals("conv2d_2", org.convlens.imagej.Provenance.get(m, "layer"));
		assertNull(Batch.run("codes", data.resolve("disc"), out, Map.of("model", modelPath.toString()), null).failures.stream()
			.findFirst().orElse(null));
		assertTrue(Files.isRegularFile(out.resolve("disc_codes.csv")));
		assertEquals(5, Files.readAllLines(out.resolve("disc_codes.csv")).size());
	}

	@Test
	void escapeCancelsADatasetCommand() throws Exception {
		java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
		Thread esc = new Thread(() -> {
			while (!stop.get()) IJ.setKeyDown(java.awt.event.KeyEvent.VK_ESCAPE);
		});
		esc.start();
		try {
			CommandCancelledException e = assertThrows(CommandCancelledException.class,
				() -> runFolder(EmbeddingMap.class, "iterations", 100000, "perplexity", 3.0));
			assertEquals("Cancelled by the user.", e.getMessage());
		}
		finally {
			stop.set(true);
			esc.join();
			IJ.resetEscape();
		}
	}

	@Test
	void exampleMacroWritesTheDatasetViews(@TempDir Path tmp) throws Exception {
		org.junit.jupiter.api.Assumptions.assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display");
		RecorderGuiTest.registerMenuEntries();
		Path in = org.convlens.TestPaths.testData().resolve("images").resolve("localization");
		IJ.runMacroFile(Path.of("macros/dataset-views.ijm").toAbsolutePath().toString(),
			"model=" + modelPath.toAbsolutePath() + " input=" + in + " output=" + tmp);
		ImagePlus m = IJ.openImage(tmp.resolve("MaxActivatingImages_montages.tif").toString());
		assertEquals(4, m.getStackSize());
		ResultsTable hits = ResultsTable.open(tmp.resolve("MaxActivatingImages_hits.csv").toString());
		assertEquals(24, hits.size());
		long images;
		try (java.util.stream.Stream<Path> s = Files.list(in)) {
			images = s.filter(p -> p.toString().endsWith(".tif")).count();
		}
		assertEquals(images + 1, Files.readAllLines(tmp.resolve("codes.csv")).size());
		assertTrue(Files.isRegularFile(tmp.resolve("EmbeddingMap_images.png")));
		assertTrue(Files.isRegularFile(tmp.resolve("EmbeddingMap_plot.png")));
		assertEquals(images, ResultsTable.open(tmp.resolve("EmbeddingMap_coordinates.csv").toString()).size());
	}
}
