package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convlens.imagej.Montage;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.measure.ResultsTable;

/** Batch on files and folders, the overview, Inspect and the command-line exit codes. */
class BatchAndCliTest extends CommandTestBase {

	static Path demoImage() {
		return org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif");
	}

	static NdArray input(ImagePlus imp) {
		float[] px = (float[]) imp.getProcessor().convertToFloatProcessor().getPixels();
		return Preprocessing.forModel(engine.info()).apply(new Preprocessing.Planes(new float[][] { px }, imp.getWidth(), imp.getHeight(),
			imp.getBitDepth() == 16 ? 65535 : imp.getBitDepth() == 32 ? 1 : 255, false), engine.info().imageInput().shape());
	}

	@Test
	void batchOnAFolderSavesTiffWithProvenanceAndTables(@TempDir Path tmp) throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in"));
		ImagePlus a = random("a", size + 4, size, 8, 1, 1, 1, 21), b = random("b", size, size, 16, 1, 1, 1, 22);
		new FileSaver(a).saveAsTiff(in.resolve("a.tif").toString());
		new FileSaver(b).saveAsTiff(in.resolve("b.tif").toString());
		Files.writeString(in.resolve("notes.txt"), "not an image");
		Path out = tmp.resolve("out");
		String layer = engine.info().spatialLayers().get(2).name();
		Batch.Report r = Batch.run("activations", in, out, Map.of("model", modelPath.toString(), "layer", layer, "predict", "true"), null);
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		for (String n : new String[] { "a", "b" }) {
			ImagePlus maps = IJ.openImage(out.resolve(n + "_activations.tif").toString());
			assertNotNull(maps);
			ImagePlus src = IJ.openImage(in.resolve(n + ".tif").toString());
			assertMapsEqual(raw(input(src), layer), maps, 1);
			assertEquals(layer, Provenance.get(maps, "layer"));
			assertEquals(modelPath.toAbsolutePath().normalize().toString(), Provenance.get(maps, "model"));
			assertEquals(Preprocessing.forModel(engine.info()).toString(), Provenance.get(maps, "preprocessing"));
			// one table per run, the file in the first column
			ResultsTable st = ResultsTable.open(out.resolve("in_statistics.csv").toString());
			int rows = 0;
			for (int i = 0; i < st.size(); i++) if (st.getStringValue("file", i).equals(n + ".tif")) rows++;
			assertEquals(maps.getNChannels(), rows);
			ResultsTable pr = ResultsTable.open(out.resolve("in_predictions.csv").toString());
			int row = -1;
			for (int i = 0; i < pr.size(); i++) if (pr.getStringValue("file", i).equals(n + ".tif") && pr.getValue("rank", i) == 1) row = i;
			assertTrue(row >= 0, "a rank-1 row for " + n);
			NdArray p = engine.run(input(src), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
			int best = 0;
			for (int k = 1; k < p.dim(1); k++) if (p.get(0, k) > p.get(0, best)) best = k;
			assertEquals(engine.info().className(best), pr.getStringValue("class", row));
			assertEquals(p.get(0, best), pr.getValue("probability", row), 1e-5);
		}
		assertTrue(java.nio.file.Files.notExists(out.resolve("a_statistics.csv")), "no per-image table beside the run's");
		assertEquals(4, r.files.size()); // 2 activation TIFFs, the run's statistics and predictions tables
	}

	@Test
	void overviewHasEverySpatialLayerInOrder(@TempDir Path tmp) throws Exception {
		ImagePlus src = IJ.openImage(demoImage().toString());
		String before = fingerprint(src);
		ImagePlus ov = (ImagePlus) run(AllLayersOverview.class, "image", src).get("overview");
		List<LayerInfo> spatial = engine.info().spatialLayers();
		assertEquals(String.join(",", spatial.stream().map(LayerInfo::name).toArray(String[]::new)), Provenance.get(ov, "layers"));
		// the canvas is as high as the titled grids of all layers
		int h = 0, w = 0;
		for (LayerInfo l : spatial) {
			int[] s = l.shape();
			int cols = Math.min(s[3], org.convlens.imagej.Overview.COLUMNS);
			int[] last = Montage.tileBounds(s[3], s[2], s[1], s[3] - 1, cols);
			int gridW = Montage.GAP + cols * (last[2] + Montage.GAP);
			h += org.convlens.imagej.Overview.TITLE + last[1] + last[3] + Montage.GAP + Montage.GAP;
			w = Math.max(w, gridW);
		}
		assertEquals(h, ov.getHeight());
		assertEquals(Math.max(w, 220), ov.getWidth());
		assertEquals(before, fingerprint(src));
		Batch.Report r = Batch.run("overview", demoImage(), tmp, Map.of("model", modelPath.toString()), null);
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		assertTrue(Files.size(tmp.resolve("demo-ring_overview.png")) > 1000);
	}

	@Test
	void commandLineExitCodesAndMessages(@TempDir Path tmp) throws Exception {
		ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
		PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8), err = new PrintStream(e, true, StandardCharsets.UTF_8);
		assertEquals(0, Batch.run(new String[] { "predictions", "--model", modelPath.toString(), "--input", demoImage().toString(), "--output", tmp.toString(), "top=1" }, out, err));
		ResultsTable pr = ResultsTable.open(tmp.resolve("demo-ring_predictions.csv").toString());
		assertEquals("ring", pr.getStringValue("class", 0));
		assertEquals(1, Batch.run(new String[] { "activations", "--model", modelPath.toString(), "--input", demoImage().toString(), "--output", tmp.toString(), "layer=dense" }, out, err));
		assertTrue(e.toString(StandardCharsets.UTF_8).contains("not a feature map"), e.toString(StandardCharsets.UTF_8));
		assertEquals(2, Batch.run(new String[] { "nosuch", "--model", modelPath.toString(), "--input", demoImage().toString(), "--output", tmp.toString() }, out, err));
		// the list grows as commands are added: check its start and that it names the known ones
		String msg = e.toString(StandardCharsets.UTF_8);
		assertTrue(msg.contains("Unknown command 'nosuch'. Commands: activations, "), msg);
		for (String c : new String[] { "cam", "maxact", "occlusion", "overview", "patterns", "predictions" }) {
			assertTrue(msg.matches("(?s).*Commands: [a-z, ]*\\b" + c + "\\b.*"), msg);
		}
		assertEquals(2, Batch.run(new String[] { "activations", "--model", modelPath.toString(), "--input", demoImage().toString(), "--output", tmp.toString(), "layr=x" }, out, err));
		assertTrue(e.toString(StandardCharsets.UTF_8).contains("Unknown option 'layr'"));
		assertEquals(2, Batch.run(new String[] { "activations", "--model", modelPath.toString() }, out, err));
		assertEquals(0, Batch.run(new String[] { "--list" }, out, err));
		assertTrue(o.toString(StandardCharsets.UTF_8).contains("activations  (Plugins>ConvLens>Show Activations...)"));
		assertTrue(o.toString(StandardCharsets.UTF_8).contains("    layer=String"));

		o.reset();
		e.reset();
		assertEquals(0, Inspect.run(new String[] { modelPath.toString() }, out, err));
		for (LayerInfo l : engine.info().layers()) assertTrue(o.toString(StandardCharsets.UTF_8).contains(l.name()));
		assertEquals(1, Inspect.run(new String[] { tmp.resolve("missing").toString() }, out, err));
		assertTrue(e.toString(StandardCharsets.UTF_8).startsWith("Error: Model path does not exist"));
		assertEquals(1, Inspect.run(new String[] { demoImage().toString() }, out, err));
		assertEquals(2, Inspect.run(new String[0], out, err));
	}
}
