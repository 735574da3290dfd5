package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.convlens.TestPaths;
import org.convlens.imagej.Provenance;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;

/**
 * Type-range scaling silently misleads on two common images: a 16-bit image of a narrow range
 * (30000-30200 of 0-65535) reaches the model as a nearly uniform input, and a 32-bit image outside
 * [0, 1] reaches it unscaled. Both are named in the Log and in the outputs' Info; an 8-bit image, a
 * 16-bit one that uses its range and a 32-bit one in [0, 1] are not.
 */
class PixelRangeWarningTest {

	private static ImagePlus ramp(String title, int depth, double lo, double hi) {
		int n = 28;
		FloatProcessor fp = new FloatProcessor(n, n);
		for (int i = 0; i < n * n; i++) fp.setf(i, (float) (lo + (hi - lo) * (i % n) / (n - 1)));
		if (depth == 16) return new ImagePlus(title, fp.convertToShortProcessor(false));
		if (depth == 8) return new ImagePlus(title, fp.convertToByteProcessor(false));
		return new ImagePlus(title, fp);
	}

	private static String predictionsLog(ImagePlus imp) {
		Context ctx = Contexts.get();
		return FashionModelsTest.stdout(() -> {
			Map<String, Object> out = CommandRunner.run(ctx, CommandRunner.create(ctx, ShowPredictions.class),
				Map.of("image", imp, "model", TestPaths.model("fashion-plain").toFile(), "top", 1), false);
			assertEquals(1, ((ResultsTable) out.get("predictions")).size());
		});
	}

	@Test
	void aNarrow16BitImageAndA32BitImageOutsideZeroToOneAreNamedInTheLog() {
		String narrow = predictionsLog(ramp("narrow16", 16, 30000, 30200));
		assertTrue(narrow.contains("WARNING: narrow16: 16-bit pixels span 30000-30200, 0.3 % of the 0-65535"), narrow);
		assertTrue(narrow.contains("normalization=percentile"), narrow);
		// under 4096 (12-bit data), the Info's note of that reaches the Log too
		String dim = predictionsLog(ramp("dim16", 16, 1000, 1200));
		assertTrue(dim.contains("WARNING: dim16: 16-bit pixels reach only 1200 of 65535"), dim);
		String signed = predictionsLog(ramp("signed32", 32, -2, 2));
		assertTrue(signed.contains("WARNING: signed32: 32-bit pixels span -2.000 to 2.000"), signed);
		for (ImagePlus fine : new ImagePlus[] { ramp("full16", 16, 0, 60000), ramp("unit32", 32, 0, 1), ramp("byte8", 8, 0, 255) }) {
			String log = predictionsLog(fine);
			assertFalse(log.contains("pixels span"), fine.getTitle() + ": " + log);
		}
	}

	@Test
	void theOutputsInfoNamesItAndOtherNormalizationsDoNot() {
		ImagePlus narrow = ramp("narrow16", 16, 30000, 30200);
		ImagePlus out = new ImagePlus("out", new ByteProcessor(4, 4));
		org.convlens.model.ModelInfo info = Contexts.get().service(org.convlens.model.ModelService.class).get(TestPaths.model("fashion-plain")).info();
		Provenance.stamp(out, "test", info, Preprocessing.defaults(), narrow, null);
		String fit = Provenance.get(out, "input.fit");
		assertTrue(fit != null && fit.startsWith("16-bit pixels span 30000-30200"), fit);
		// percentile scaling stretches the range: nothing to say
		assertNull(Provenance.rangeNote(narrow, Preprocessing.parse("normalization=percentile")));
		assertNull(Provenance.rangeNote(ramp("signed32", 32, -2, 2), Preprocessing.parse("normalization=mean-std mean=0 std=1")));
	}

	@Test
	void rawPixelsAboveWhatAModelsOwnRescalingExpectsAreNamed() {
		ImagePlus wide = ramp("wide16", 16, 0, 60000);
		ImagePlus out = new ImagePlus("out", new ByteProcessor(4, 4));
		org.convlens.model.ModelInfo info = Contexts.get().service(org.convlens.model.ModelService.class).get(TestPaths.model("fashion-resnet")).info();
		Preprocessing raw = Preprocessing.forModel(info);
		assertEquals(Preprocessing.Normalization.NONE, raw.normalization());
		Provenance.stamp(out, "test", info, raw, wide, null);
		String fit = Provenance.get(out, "input.fit");
		assertTrue(fit != null && fit.startsWith("16-bit pixels reach 60000, but the model scales its raw input itself (") && fit.contains("up to 255.0"), fit);
		// pixels within 0-255 (8-bit, or 16-bit that happen to be) are what it expects
		assertNull(Provenance.rangeNote(ramp("low16", 16, 0, 250), info, raw));
		assertNull(Provenance.rangeNote(ramp("byte8", 8, 0, 255), info, raw));
		assertNull(Provenance.rangeNote(wide, null, raw));
	}

	@Test
	void aFolderRunOnTheBatchedPathCountsThemOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
		java.nio.file.Path in = tmp.resolve("in");
		java.nio.file.Files.createDirectories(in);
		ImagePlus[] images = { ramp("a-dim16", 16, 1000, 1200), ramp("b-byte8", 8, 0, 255), ramp("c-narrow16", 16, 30000, 30200) };
		for (ImagePlus imp : images) new ij.io.FileSaver(imp).saveAsTiff(in.resolve(imp.getTitle() + ".tif").toString());
		java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
		Batch.Report r = Batch.run("predictions", in, tmp.resolve("out"), java.util.Map.of("model", TestPaths.model("fashion-plain").toString()),
			new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		java.util.List<String> range = r.warnings.stream().filter(w -> w.contains("misleading pixel range")).collect(java.util.stream.Collectors.toList());
		assertEquals(1, range.size(), r.warnings.toString());
		String w = range.get(0);
		assertTrue(w.startsWith("2 of 3 images reach the model with a misleading pixel range, e.g. ") &&
			(w.contains("a-dim16.tif: 16-bit pixels reach only 1200 of 65535") || w.contains("c-narrow16.tif: 16-bit pixels span 30000-30200")), w);
		assertTrue(said.toString(java.nio.charset.StandardCharsets.UTF_8).contains("WARNING: " + w));
		// a folder of ordinary 8-bit images: no such line
		java.nio.file.Path ok = tmp.resolve("ok");
		java.nio.file.Files.createDirectories(ok);
		new ij.io.FileSaver(images[1]).saveAsTiff(ok.resolve("b.tif").toString());
		Batch.Report clean = Batch.run("predictions", ok, tmp.resolve("out-ok"), java.util.Map.of("model", TestPaths.model("fashion-plain").toString()), null);
		assertTrue(clean.warnings.stream().noneMatch(x -> x.contains("pixel range")), clean.warnings.toString());
	}
}
