package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convlens.TestPaths;
import org.convlens.explain.dataset.CnnCodes;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * CNN Codes and Embedding Map at their defaults on {@code wide-codes}, whose classifier input
 * (a flatten) has 131,072 values: the codes are averaged per channel and listed; flatten goes to
 * the CSV only; t-SNE of nine raw-pixel-scale codes converges; three images get a PCA map with a
 * one-line note.
 */
class WideLayerCommandsTest extends CommandTestBase {

	static Path wide;
	static ConvModel wideModel;
	@TempDir
	static Path data;
	static List<String> names;
	/** Pixels times 100 (8-bit images: 0 to 25,500). */
	static final String SCALE = "normalization=mean-std mean=0 std=0.01";

	@BeforeAll
	static void nineImages() throws Exception {
		System.setProperty("convlens.dialogs", "false");
		wide = TestPaths.model("wide-codes");
		wideModel = Models.open(wide);
		Path loc = TestPaths.testData().resolve("images").resolve("localization");
		for (int i = 0; i < 9; i++) {
			String n = String.format("shape_%03d.tif", i);
			Files.copy(loc.resolve(n), data.resolve(n));
		}
		names = new java.util.ArrayList<>();
		DatasetSources.folder(data, false, false).forEach(e -> names.add(e.name()));
		assertEquals(9, names.size());
	}

	@AfterAll
	static void close() {
		System.clearProperty("convlens.dialogs");
		if (wideModel != null) wideModel.close();
	}

	static Map<String, Object> runWide(Class<? extends org.scijava.command.Command> cls, Object... kv) {
		Object[] all = new Object[kv.length + 4];
		System.arraycopy(new Object[] { "model", wide.toFile(), "folder", data.toFile() }, 0, all, 0, 4);
		System.arraycopy(kv, 0, all, 4, kv.length);
		return run(cls, all);
	}

	/** The raw activations of a layer for one file, through the model's own preprocessing. */
	static NdArray raw(String name, String layer, String prep) throws Exception {
		Preprocessing p = Preprocessing.parse(Preprocessing.forModel(wideModel.info()).toString() + " " + prep);
		Preprocessing.Planes planes = DatasetSources.folder(data, false, false).iterator().next().read();
		for (org.convlens.explain.dataset.ImageSource.Entry e : DatasetSources.folder(data, false, false)) if (e.name().equals(name)) planes = e.read();
		return wideModel.run(p.apply(planes, wideModel.info().imageInput().shape()), List.of(layer)).get(layer);
	}

	@Test
	void defaultsAverageTheWideFeatureMapAndSayWhy(@TempDir Path tmp) throws Exception {
		assertEquals("flatten", CnnCodes.defaultLayer(wideModel.info()));
		assertArrayEquals131072();
		CnnCodes.Choice c = CnnCodes.auto(wideModel.info(), null);
		assertEquals("conv2d_2", c.layer());
		assertEquals(CnnCodes.Pooling.AVERAGE, c.pooling());
		assertEquals("pooling auto: the layer flatten has 131,072 values (more than 16,384), a flattened 64x64x32; the codes are " +
			"the per-channel average of conv2d_2 (32 values); choose pooling=flatten for all values.", c.note());
		assertEquals("conv2d_2", CnnCodes.auto(wideModel.info(), "flatten").layer(), "the same when the dialog names the default layer");
		CnnCodes.Choice small = CnnCodes.auto(engine.info(), null);
		assertEquals(CnnCodes.Pooling.FLATTEN, small.pooling(), "shapes-keras: 8x8x16 = 1,024 values, flattened");
		assertEquals("flatten", small.layer());
		assertNull(small.note());
		CnnCodes.Choice conv = CnnCodes.auto(wideModel.info(), "conv2d_1");
		assertEquals(CnnCodes.Pooling.AVERAGE, conv.pooling(), "128x128x8 = 131,072 values");
		assertEquals("conv2d_1", conv.layer());
		Path csv = tmp.resolve("codes.csv");
		// pooling named: SciJava keeps a command's last pooling between runs
		ResultsTable t = (ResultsTable) runWide(CnnCodesExport.class, "csv", csv.toFile(), "pooling", "auto").get("codes");
		assertEquals(9, t.size());
		List<String> lines = Files.readAllLines(csv);
		assertEquals(10, lines.size());
		assertEquals(6 + 32, lines.get(0).split(",").length);
		for (int i = 0; i < 9; i += 4) {
			NdArray a = raw(names.get(i), "conv2d_2", "");
			String[] cells = lines.get(i + 1).split(",");
			for (int ch = 0; ch < 32; ch += 7) {
				double s = 0;
				for (int k = ch; k < a.size(); k += 32) s += a.data()[k];
				assertEquals(s / (64 * 64), t.getValue("c" + ch, i), 1e-5);
				assertEquals(s / (64 * 64), Double.parseDouble(cells[6 + ch]), 1e-5);
			}
		}
	}

	private static void assertArrayEquals131072() {
		int[] s = wideModel.info().layer("flatten").shape();
		assertEquals(131072, s[1], "the classifier input has more than 100,000 values");
	}

	@Test
	void flattenGoesToTheCsvWithoutATableOrIsRefusedWithoutOne(@TempDir Path tmp) throws Exception {
		Path csv = tmp.resolve("flat.csv");
		Map<String, Object> out = runWide(CnnCodesExport.class, "layer", "flatten", "pooling", "flatten", "csv", csv.toFile());
		assertNull(out.get("codes"), "no table of 131,072 columns");
		List<String> lines = Files.readAllLines(csv);
		assertEquals(10, lines.size());
		String[] header = lines.get(0).split(",");
		assertEquals(6 + 131072, header.length);
		assertEquals("c131071", header[header.length - 1]);
		NdArray a = raw(names.get(2), "flatten", "");
		String[] row = lines.get(3).split(",");
		assertEquals(names.get(2), row[1]);
		for (int k = 0; k < 131072; k += 4099) assertEquals(a.data()[k], Float.parseFloat(row[6 + k]), 1e-6f * (1 + Math.abs(a.data()[k])));
		Exception e = assertThrows(RuntimeException.class, () -> runWide(CnnCodesExport.class, "layer", "flatten", "pooling", "flatten"));
		assertEquals("The codes of layer flatten have 131,072 values per image, more than a table can list (1,024 columns): choose a CSV file " +
			"(option 'csv') or pooling=average.", ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> runWide(CnnCodesExport.class, "pooling", "sum"));
		assertEquals("Unknown pooling 'sum'; use auto, flatten, average or max.", ConvLensCommand.message(e));
	}

	@Test
	void tsneOfNineRawPixelScaleCodesConverges() {
		// pixels x 100 and all 131,072 values: codes in the thousands
		Map<String, Object> out = runWide(EmbeddingMap.class, "layer", "flatten", "pooling", "flatten", "preprocessing", SCALE,
			"grid", 3, "cell", 16);
		ResultsTable t = (ResultsTable) out.get("coordinates");
		assertEquals(9, t.size());
		ImagePlus plot = (ImagePlus) out.get("plot");
		assertTrue(!plot.getTitle().contains("NOT CONVERGED"), plot.getTitle());
		assertTrue(Provenance.get(plot, "converged").startsWith("yes"), Provenance.get(plot, "converged"));
		assertEquals("131072 -> 8 dimensions (100.0% of the variance)", Provenance.get(plot, "pca"));
		assertTrue(Provenance.get(plot, "learning_rate").startsWith("2.0 (auto"), Provenance.get(plot, "learning_rate"));
		double spread = 0;
		for (int i = 0; i < 9; i++) {
			assertTrue(Double.isFinite(t.getValue("x", i)) && Double.isFinite(t.getValue("y", i)));
			spread += Math.abs(t.getValue("x", i)) + Math.abs(t.getValue("y", i));
		}
		assertTrue(spread > 0, "not all points at the origin");
		// the codes really are raw-pixel-scale
		double max = 0;
		try {
			NdArray a = raw(names.get(0), "flatten", SCALE);
			for (float v : a.data()) max = Math.max(max, Math.abs(v));
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
		assertTrue(max > 1000, "largest code value " + max);
	}

	@Test
	void threeImagesGiveAPcaMapWithANoteAndOneIsRefused(@TempDir Path few) throws Exception {
		for (int i = 0; i < 3; i++) Files.copy(data.resolve(names.get(i)), few.resolve(names.get(i)));
		Map<String, Object> out = run(EmbeddingMap.class, "model", wide.toFile(), "folder", few.toFile(), "grid", 2, "cell", 16, "pooling", "auto");
		ImagePlus plot = (ImagePlus) out.get("plot");
		assertTrue(plot.getTitle().startsWith("wide-codes-PCA-conv2d_2") && plot.getTitle().endsWith("[too few images for t-SNE]"), plot.getTitle());
		assertEquals("3 images are too few for t-SNE (it needs at least 5): the map shows the first two principal components of the codes instead.",
			Provenance.get(plot, "note"));
		assertEquals(3, ((ResultsTable) out.get("coordinates")).size());
		Path one = Files.createDirectories(few.resolve("one"));
		Files.copy(data.resolve(names.get(0)), one.resolve(names.get(0)));
		Exception e = assertThrows(RuntimeException.class, () -> run(EmbeddingMap.class, "model", wide.toFile(), "folder", one.toFile()));
		assertEquals("An embedding map needs at least 2 images; there is 1.", ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> runWide(EmbeddingMap.class, "learningRate", "fast"));
		assertEquals("Learning rate 'fast' is neither 'auto' nor a number; use auto or a positive number such as 200.", ConvLensCommand.message(e));
	}
}
