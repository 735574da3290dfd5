package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ImageConverter;

/**
 * The batched path of Batch over a folder gives what the per-image path gives: the same files
 * (per-image tables joined into one per run), the same pixels within 1e-5 and the same Info.
 */
class BatchedExplainerTest {

	@TempDir
	static Path tmp;
	static Path data;
	static final String MODEL = TestPaths.model("shapes-keras").toString();

	/** Seven images: five of one size, a larger one and a 16-bit one, so that batches split by size and type. */
	@BeforeAll
	static void images() throws Exception {
		data = Files.createDirectories(tmp.resolve("data"));
		Path src = TestPaths.testData().resolve("images").resolve("localization");
		for (int i = 0; i < 5; i++) Files.copy(src.resolve(String.format("shape_%03d.tif", 3 * i)), data.resolve("img" + i + ".tif"));
		ImagePlus big = IJ.openImage(src.resolve("shape_020.tif").toString());
		big = big.resize(big.getWidth() + 9, big.getHeight() + 5, "bilinear");
		new FileSaver(big).saveAsTiff(data.resolve("img5_big.tif").toString());
		ImagePlus deep = IJ.openImage(src.resolve("shape_021.tif").toString());
		new ImageConverter(deep).convertToGray16();
		new FileSaver(deep).saveAsTiff(data.resolve("img6_16bit.tif").toString());
	}

	static Path run(String name, boolean perImage, String... args) {
		Path out = tmp.resolve(name + (perImage ? "-per-image" : "-batched"));
		List<String> a = new ArrayList<>(List.of(args));
		a.addAll(List.of("--model", MODEL, "--input", data.toString(), "--output", out.toString()));
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		String before = System.getProperty("convlens.perImage");
		if (perImage) System.setProperty("convlens.perImage", "true");
		try {
			assertEquals(0, Batch.run(a.toArray(new String[0]), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)), err.toString());
		}
		finally {
			if (before == null) System.clearProperty("convlens.perImage");
			else System.setProperty("convlens.perImage", before);
		}
		return out;
	}

	static Set<String> files(Path dir) throws Exception {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
		}
	}

	/** Compares the two runs: files, pixels, Info, table rows. */
	static void assertSameOutputs(String name, String table, String... args) throws Exception {
		Path b = run(name, false, args), p = run(name, true, args);
		Set<String> fb = files(b), fp = files(p);
		// both paths write a folder's per-image tables as one table per run
		if (table != null) assertTrue(fp.contains("data_" + table + ".csv"), name + ": " + fp);
		assertEquals(fp, fb, name);
		int tifs = 0;
		for (String f : fb) {
			if (f.endsWith(".tif")) {
				ImagePlus x = IJ.openImage(b.resolve(f).toString()), y = IJ.openImage(p.resolve(f).toString());
				assertNotNull(x, f);
				assertEquals(y.getStackSize(), x.getStackSize(), f);
				assertEquals(String.valueOf(y.getProperty("Info")), String.valueOf(x.getProperty("Info")), f + " Info");
				for (int s = 1; s <= x.getStackSize(); s++) {
					float[] u = (float[]) x.getStack().getProcessor(s).convertToFloat().getPixels();
					float[] v = (float[]) y.getStack().getProcessor(s).convertToFloat().getPixels();
					assertEquals(v.length, u.length);
					double max = 0, peak = 0;
					for (int i = 0; i < u.length; i++) {
						max = Math.max(max, Math.abs(u[i] - v[i]));
						peak = Math.max(peak, Math.abs(v[i]));
					}
					// 1e-5 of the map's scale at least 1: raw-pixel inputs give maps in the tens, where floats round coarser
					assertTrue(max <= 1e-5 * Math.max(1, peak), f + " slice " + s + ": differs by " + max + " (peak " + peak + ")");
				}
				tifs++;
			}
			else if (f.endsWith(".png")) {
				ImagePlus x = IJ.openImage(b.resolve(f).toString()), y = IJ.openImage(p.resolve(f).toString());
				int[] u = (int[]) x.getProcessor().convertToRGB().getPixels(), v = (int[]) y.getProcessor().convertToRGB().getPixels();
				assertEquals(v.length, u.length, f);
				int differ = 0;
				for (int i = 0; i < u.length; i++) if (u[i] != v[i]) differ++;
				assertTrue(differ <= u.length / 1000, f + ": " + differ + " pixels differ"); // a colour step at a rounding edge at most
			}
		}
		if (table != null) {
			// the run's table: the same rows, in file order, with the file first
			List<String> rows = Files.readAllLines(b.resolve("data_" + table + ".csv"), StandardCharsets.UTF_8);
			List<String> expect = Files.readAllLines(p.resolve("data_" + table + ".csv"), StandardCharsets.UTF_8);
			assertTrue(rows.get(0).startsWith("file,"), rows.get(0));
			assertEquals(expect.get(0), rows.get(0));
			assertEquals(expect.size(), rows.size());
			assertTrue(rows.size() > 1, name + ": an empty run table");
			for (int i = 1; i < expect.size(); i++) assertSameRow(expect.get(i), rows.get(i));
		}
		assertTrue(table != null || tifs >= 7, name + ": " + tifs + " TIFFs");
	}

	/** Text cells equal, number cells within 1e-5. */
	static void assertSameRow(String expected, String actual) {
		String[] e = expected.split(","), a = actual.split(",");
		assertEquals(e.length, a.length, actual);
		for (int i = 0; i < e.length; i++) {
			try {
				assertEquals(Double.parseDouble(e[i]), Double.parseDouble(a[i]), 1e-5, actual);
			}
			catch (NumberFormatException x) {
				assertEquals(e[i], a[i], actual);
			}
		}
	}

	@Test
	void gradCamBatchedEqualsPerImage() throws Exception {
		assertSameOutputs("gradcam", "predictions", "cam", "batch=4", "showraw=true");
	}

	@Test
	void gradCamPlusPlusOnAClassEqualsPerImage() throws Exception {
		assertSameOutputs("gradcampp", null, "cam", "method=Grad-CAM++", "target=1", "predict=false");
	}

	@Test
	void saliencyMethodsBatchedEqualPerImage() throws Exception {
		assertSameOutputs("vanilla", null, "saliency", "method=vanilla", "blend=true");
		assertSameOutputs("smoothgrad", null, "saliency", "method=smoothgrad", "samples=6");
		assertSameOutputs("ig", null, "saliency", "method=integrated-gradients", "steps=8");
		assertSameOutputs("guided", null, "saliency", "method=guided-backprop");
	}

	@Test
	void occlusionAndPredictionsBatchedEqualPerImage() throws Exception {
		assertSameOutputs("occlusion", null, "occlusion", "patch=8", "stride=4", "blend=true");
		assertSameOutputs("predictions", "predictions", "predictions", "top=2");
	}

	/** The normalization option reaches the batched path as it does the per-image one (it was dropped there). */
	@Test
	void normalizationOptionReachesTheBatchedPath() throws Exception {
		assertSameOutputs("cam-none", "predictions", "cam", "normalization=none", "batch=4");
		assertSameOutputs("predictions-none", "predictions", "predictions", "normalization=none", "top=3");
		ImagePlus heatmap = IJ.openImage(tmp.resolve("cam-none-batched").resolve("img0_heatmap.tif").toString());
		assertNotNull(heatmap);
		String info = String.valueOf(heatmap.getProperty("Info"));
		assertTrue(info.contains("normalization=none"), info);
	}
}
