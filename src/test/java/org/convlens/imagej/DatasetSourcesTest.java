package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import org.convlens.ShapesModelTest;
import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCollector;
import org.convlens.explain.dataset.DatasetException;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.testdata.SyntheticShapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders, list files and stacks as datasets, with bad files, empty folders and mixed images. */
class DatasetSourcesTest extends ShapesModelTest {

	static List<String> names(ImageSource s) {
		List<String> l = new ArrayList<>();
		for (ImageSource.Entry e : s) l.add(e.name() + (e.label() == null ? "" : "=" + e.label()));
		return l;
	}

	@Test
	void foldersListFilesInOrderWithFolderLabels(@TempDir Path dir) throws Exception {
		ShapeFiles.write(dir, 2, 32, 1);
		save(new ImagePlus("top", new ByteProcessor(8, 8)), dir.resolve("top.tif"));
		Files.createDirectories(dir.resolve("ring/deeper"));
		save(new ImagePlus("deep", new ByteProcessor(8, 8)), dir.resolve("ring/deeper/deep.tif"));
		Files.writeString(dir.resolve(".DS_Store"), "x");
		Files.writeString(dir.resolve("disc/.hidden.tif"), "x");
		ImageSource rec = DatasetSources.folder(dir, true, true);
		assertEquals(List.of("top.tif", "cross/cross_000.tif=cross", "cross/cross_001.tif=cross", "disc/disc_000.tif=disc",
			"disc/disc_001.tif=disc", "ring/ring_000.tif=ring", "ring/ring_001.tif=ring", "ring/deeper/deep.tif=deeper"), names(rec));
		assertEquals(8, rec.size());
		assertEquals(List.of("top.tif"), names(DatasetSources.folder(dir, false, true)));
		assertEquals("cross/cross_000.tif", names(DatasetSources.folder(dir, true, false)).get(1));
		assertThrows(DatasetException.class, () -> DatasetSources.folder(dir.resolve("nope"), true, true));
	}

	@Test
	void badFilesAreSkippedWithReasonsAndEmptyFoldersRefused(@TempDir Path dir) throws Exception {
		ShapeFiles.write(dir.resolve("good"), 2, 32, 2);
		Files.writeString(dir.resolve("notes.txt"), "these are not pixels\n");
		Files.writeString(dir.resolve("fake.jpg"), "not a jpeg at all, just text\n");
		Files.write(dir.resolve("empty.png"), new byte[0]);
		byte[] broken = new byte[200];
		broken[0] = 'I';
		broken[1] = 'I';
		broken[2] = 42;
		broken[4] = (byte) 250; // first IFD far beyond the end of the file
		broken[5] = (byte) 250;
		Files.write(dir.resolve("broken.tif"), broken);
		Files.writeString(dir.resolve("table.csv"), "a,b\n1,2\n");
		Files.createDirectories(dir.resolve("nothing-here"));

		DatasetReport rep = new DatasetRunner(model, null).run(DatasetSources.folder(dir, true, true), List.of(ConvModel.OUTPUT), null,
			(items, out) -> {});
		assertEquals(6, rep.processed());
		Map<String, String> why = new LinkedHashMap<>();
		rep.skipped().forEach(s -> why.put(s.name(), s.reason()));
		System.out.println(rep.details());
		assertEquals(List.of("broken.tif", "empty.png", "fake.jpg", "notes.txt", "table.csv"), new ArrayList<>(why.keySet()));
		assertEquals("empty file", why.get("empty.png"));
		assertEquals("not an image file (text)", why.get("notes.txt"));
		assertEquals("not an image file (text)", why.get("fake.jpg"));
		assertEquals("not an image file (table)", why.get("table.csv"));
		assertEquals("cannot be read as TIFF (damaged or truncated?)", why.get("broken.tif"));

		DatasetException e = assertThrows(DatasetException.class, () -> new DatasetRunner(model, null).run(DatasetSources.folder(dir.resolve(
			"nothing-here"), true, true), List.of(ConvModel.OUTPUT), null, (items, out) -> {}));
		assertTrue(e.getMessage().startsWith("There are no images in folder "), e.getMessage());
		assertTrue(e.getMessage().contains("nothing-here"), e.getMessage());
	}

	/**
	 * 8-, 16-, 32-bit and RGB images of several sizes and formats: each goes through; the codes
	 * of lossless files equal those of the same pixels given in memory.
	 */
	@Test
	void mixedSizesAndTypesGoThroughWithTheirOwnScaling(@TempDir Path dir) throws Exception {
		SyntheticShapes gen = new SyntheticShapes(9, 40);
		Map<String, Preprocessing.Planes> expected = new LinkedHashMap<>();
		SyntheticShapes.Sample s = gen.next(0);
		// 8-bit TIFF 40x40
		ByteProcessor b8 = new ByteProcessor(40, 40);
		for (int i = 0; i < 1600; i++) b8.set(i, Math.round(s.pixels[i] * 255));
		save(new ImagePlus("b", b8), dir.resolve("a-8bit.tif"));
		expected.put("a-8bit.tif", planes(b8.getPixels(), 40, 40, 255));
		// 16-bit TIFF 24x30 (non-square)
		ShortProcessor s16 = new ShortProcessor(24, 30);
		for (int i = 0; i < 720; i++) s16.set(i, (i * 97) % 65536);
		save(new ImagePlus("s", s16), dir.resolve("b-16bit.tif"));
		expected.put("b-16bit.tif", planes(s16.getPixels(), 24, 30, 65535));
		// 32-bit TIFF 33x33
		FloatProcessor f32 = new FloatProcessor(33, 33);
		for (int i = 0; i < 1089; i++) f32.setf(i, (float) Math.sin(i * 0.1) * 0.5f + 0.5f);
		save(new ImagePlus("f", f32), dir.resolve("c-32bit.tif"));
		expected.put("c-32bit.tif", planes(f32.getPixels(), 33, 33, 1));
		// RGB PNG 50x20, mapped to the model's one channel by luminance
		ColorProcessor rgb = new ColorProcessor(50, 20);
		for (int i = 0; i < 1000; i++) rgb.set(i, ((i * 3) % 256) << 16 | ((i * 5) % 256) << 8 | (i * 7) % 256);
		assertTrue(new FileSaver(new ImagePlus("c", rgb)).saveAsPng(dir.resolve("d-rgb.png").toString()));
		byte[] r = new byte[1000], g = new byte[1000], bl = new byte[1000];
		rgb.getRGB(r, g, bl);
		expected.put("d-rgb.png", new Preprocessing.Planes(new float[][] { f(r), f(g), f(bl) }, 50, 20, 255, true));
		// lossy and palette formats: only checked to go through
		assertTrue(new FileSaver(new ImagePlus("j", rgb)).saveAsJpeg(dir.resolve("e-rgb.jpg").toString()));
		assertTrue(new FileSaver(new ImagePlus("g", b8)).saveAsGif(dir.resolve("f-8bit.gif").toString()));
		assertTrue(new FileSaver(new ImagePlus("m", b8)).saveAsBmp(dir.resolve("g-8bit.bmp").toString()));

		CodeCollector rows = new CodeCollector();
		DatasetReport rep = new CnnCodes(model).layer("dense").extract(DatasetSources.folder(dir, false, false), new DatasetRunner(model,
			null).batchSize(4), null, rows);
		assertEquals(7, rep.processed(), rep.details());
		Preprocessing pp = Preprocessing.forModel(model.info());
		for (CnnCodes.Row row : rows.rows()) {
			for (float v : row.code()) assertTrue(Float.isFinite(v));
			Preprocessing.Planes p = expected.get(row.name());
			if (p == null) continue;
			NdArray want = model.run(pp.apply(p, new int[] { -1, 32, 32, 1 }), List.of("dense")).get("dense");
			assertArrayEquals(want.data(), row.code(), 1e-5f, row.name());
		}
	}

	@Test
	void listFilesResolveRelativePathsAndLabels(@TempDir Path dir) throws Exception {
		ShapeFiles.write(dir.resolve("imgs"), 1, 32, 3);
		Path abs = dir.resolve("imgs/ring/ring_000.tif").toAbsolutePath();
		Path list = dir.resolve("list.csv");
		Files.writeString(list, String.join("\n", "file,label", "# a comment", "imgs/disc/disc_000.tif,round", "", abs + "\tcircle",
			"\"imgs/cross/cross_000.tif\"", "imgs/missing.tif,lost"), StandardCharsets.UTF_8);
		ImageSource src = DatasetSources.listFile(list);
		assertEquals(4, src.size());
		assertEquals(List.of("imgs/disc/disc_000.tif=round", abs + "=circle", "imgs/cross/cross_000.tif", "imgs/missing.tif=lost"), names(src));
		DatasetReport rep = new DatasetRunner(model, null).run(src, List.of(ConvModel.OUTPUT), null, (items, out) -> {});
		assertEquals(3, rep.processed());
		assertEquals("imgs/missing.tif: file not found", rep.skipped().get(0).toString());
		assertThrows(DatasetException.class, () -> DatasetSources.listFile(dir.resolve("none.txt")));
	}

	@Test
	void openStacksAreReadWithoutChangingThem() {
		SyntheticShapes gen = new SyntheticShapes(4, 32);
		ImageStack st = new ImageStack(32, 32);
		for (int i = 0; i < 5; i++) {
			SyntheticShapes.Sample s = gen.next(i % 3);
			st.addSlice(i == 3 ? "" : s.className() + "-" + i, new FloatProcessor(32, 32, s.pixels.clone()));
		}
		ImagePlus imp = new ImagePlus("stack", st);
		float[][] before = new float[5][];
		for (int i = 0; i < 5; i++) before[i] = ((float[]) st.getPixels(i + 1)).clone();
		ImageSource src = DatasetSources.stack(imp);
		assertEquals(List.of("disc-0", "ring-1", "cross-2", "slice 4", "ring-4"), names(src));
		CodeCollector rows = new CodeCollector();
		new CnnCodes(model).extract(src, new DatasetRunner(model, null), null, rows);
		assertEquals(5, rows.size());
		assertEquals("disc", rows.rows().get(0).predictedName());
		for (int i = 0; i < 5; i++) assertArrayEquals(before[i], (float[]) st.getPixels(i + 1), 0f, "slice " + (i + 1) + " unchanged");
		// a hyperstack: each (z, t) with its channels
		ImageStack h = new ImageStack(8, 8);
		for (int i = 0; i < 12; i++) h.addSlice(new ByteProcessor(8, 8));
		ImagePlus hs = new ImagePlus("h", h);
		hs.setDimensions(2, 3, 2);
		ImageSource hsrc = DatasetSources.stack(hs);
		assertEquals(6, hsrc.size());
		assertEquals("z=1 t=1", hsrc.iterator().next().name());
	}

	/** Planes of an open image hold copies of its pixels: drawing in the image afterwards does not reach them. */
	@Test
	void stackPlanesAreCopiesOfThePixels() {
		ByteProcessor b = new ByteProcessor(4, 3);
		for (int i = 0; i < 12; i++) b.set(i, 10 * i);
		ColorProcessor c = new ColorProcessor(4, 3);
		for (int i = 0; i < 12; i++) c.set(i, (i << 16) | (2 * i << 8) | 3 * i);
		for (ImageProcessor ip : List.of(b, c)) {
			ImagePlus imp = new ImagePlus("x", ip);
			Preprocessing.Planes p = DatasetSources.planes(imp, 1, 1);
			ip.set(5, 0); // drawn after reading
			float[][] ch = p.channels();
			for (int k = 0; k < ch.length; k++) {
				float want = ip instanceof ColorProcessor ? (k + 1) * 5 : 50;
				assertEquals(want, ch[k][5], 0f, ip + " channel " + k);
			}
		}
	}

	/** The TIFF shortcut gives exactly ImageJ's planes, and leaves what it does not handle to ImageJ. */
	@Test
	void plainTiffsReadLikeImageJ(@TempDir Path dir) throws Exception {
		java.util.Random rnd = new java.util.Random(3);
		int w = 7, h = 5;
		ByteProcessor b8 = new ByteProcessor(w, h);
		ShortProcessor s16 = new ShortProcessor(w, h);
		FloatProcessor f32 = new FloatProcessor(w, h);
		ColorProcessor rgb = new ColorProcessor(w, h);
		for (int i = 0; i < w * h; i++) {
			b8.set(i, rnd.nextInt(256));
			s16.set(i, rnd.nextInt(65536));
			f32.setf(i, (float) rnd.nextGaussian());
			rgb.set(i, rnd.nextInt(1 << 24));
		}
		ImagePlus cal = new ImagePlus("cal", s16.duplicate());
		cal.getCalibration().setFunction(ij.measure.Calibration.STRAIGHT_LINE, new double[] { -5, 0.5 }, "u");
		ImagePlus inv = new ImagePlus("inv", b8.duplicate());
		inv.getProcessor().invertLut();
		ImageStack st = new ImageStack(w, h);
		st.addSlice(b8.duplicate());
		st.addSlice(b8.duplicate());
		Map<String, ImagePlus> files = new LinkedHashMap<>();
		files.put("b8.tif", new ImagePlus("b8", b8));
		files.put("s16.tif", new ImagePlus("s16", s16));
		files.put("f32.tiff", new ImagePlus("f32", f32));
		files.put("rgb.tif", new ImagePlus("rgb", rgb));
		files.put("cal.tif", cal);
		files.put("inv.tif", inv);
		files.put("stack.tif", new ImagePlus("stack", st));
		for (Map.Entry<String, ImagePlus> e : files.entrySet()) save(e.getValue(), dir.resolve(e.getKey()));
		for (String f : List.of("b8.tif", "s16.tif", "f32.tiff", "rgb.tif")) {
			Preprocessing.Planes fast = PlainTiff.plainTiff(dir.resolve(f));
			Preprocessing.Planes ij = DatasetSources.planes(DatasetSources.open(dir.resolve(f)));
			assertTrue(fast != null, f + " takes the shortcut");
			assertEquals(ij.width, fast.width, f);
			assertEquals(ij.height, fast.height, f);
			assertEquals(ij.typeMax, fast.typeMax, f);
			assertEquals(ij.rgb, fast.rgb, f);
			assertEquals(ij.channels().length, fast.channels().length, f);
			for (int c = 0; c < ij.channels().length; c++) assertArrayEquals(ij.channels()[c], fast.channels()[c], 0f, f + " channel " + c);
		}
		// and both are the pixels written, read here from the processors one value at a time
		Map<String, ImageProcessor> written = Map.of("b8.tif", b8, "s16.tif", s16, "f32.tiff", f32, "rgb.tif", rgb);
		for (Map.Entry<String, ImageProcessor> e : written.entrySet()) {
			// read in one call and decoded from memory, decoded from the file, and ImageJ's opener
			for (Preprocessing.Planes p : List.of(PlainTiff.plainTiff(dir.resolve(e.getKey())), PlainTiff.plainTiff(dir.resolve(e
				.getKey()), 0), DatasetSources.planes(DatasetSources.open(dir.resolve(e.getKey())))))
			{
				ImageProcessor ip = e.getValue();
				float[][] ch = p.channels();
				assertEquals(ip instanceof ColorProcessor ? 3 : 1, ch.length, e.getKey());
				for (int i = 0; i < w * h; i++) {
					if (ip instanceof ColorProcessor) {
						int v = ip.get(i);
						for (int c = 0; c < 3; c++) assertEquals((v >> (16 - 8 * c)) & 0xff, ch[c][i], 0f, e.getKey() + " channel " + c);
					}
					else assertEquals(ip.getf(i), ch[0][i], 0f, e.getKey() + " pixel " + i);
				}
			}
		}
		for (String f : List.of("cal.tif", "inv.tif", "stack.tif")) {
			assertNull(PlainTiff.plainTiff(dir.resolve(f)), f + " is left to ImageJ");
			assertNull(PlainTiff.plainTiff(dir.resolve(f), 0), f + " is left to ImageJ");
		}
		Files.writeString(dir.resolve("fake.tif"), "not a tiff");
		assertNull(PlainTiff.plainTiff(dir.resolve("fake.tif")));
	}

	private static void save(ImagePlus imp, Path f) {
		assertTrue(new FileSaver(imp).saveAsTiff(f.toString()), "write " + f);
	}

	private static Preprocessing.Planes planes(Object px, int w, int h, double max) {
		float[] f = new float[w * h];
		for (int i = 0; i < f.length; i++) {
			if (px instanceof byte[]) f[i] = ((byte[]) px)[i] & 0xff;
			else if (px instanceof short[]) f[i] = ((short[]) px)[i] & 0xffff;
			else f[i] = ((float[]) px)[i];
		}
		return new Preprocessing.Planes(new float[][] { f }, w, h, max, false);
	}

	private static float[] f(byte[] b) {
		float[] r = new float[b.length];
		for (int i = 0; i < b.length; i++) r[i] = b[i] & 0xff;
		return r;
	}

	static {
		IJ.redirectErrorMessages(); // keep ImageJ from opening dialogs about the broken files
	}
}
