package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;

/**
 * A Batch run uses the model it started with: the model folder is replaced by another model's files
 * after the first image's outputs are written, and every output still carries the first model's
 * fingerprint (and its numbers), while a run started afterwards sees the new model.
 */
class OneModelPerRunTest extends CommandTestBase {

	@Test
	void aModelReplacedDuringARunIsNotPickedUpHalfWay(@TempDir Path tmp) throws Exception {
		Path model = tmp.resolve("model");
		copy(TestPaths.model("shapes-keras"), model);
		Path other = TestPaths.model("shapes-gap");
		String before, after;
		try (ConvModel a = Models.open(model); ConvModel b = Models.open(other)) {
			before = a.fingerprint();
			after = b.fingerprint();
		}
		assertNotEquals(before, after);
		Path in = Files.createDirectories(tmp.resolve("in"));
		for (int i = 0; i < 6; i++) new FileSaver(random("img" + i, size, size, 8, 1, 1, 1, 70 + i)).saveAsTiff(in.resolve("img" + i + ".tif").toString());
		Path out = tmp.resolve("out");
		boolean[] swapped = { false };
		// the log line of the first written output is the moment to swap the folder, inside the run
		PrintStream log = new PrintStream(new OutputStream() {
			StringBuilder line = new StringBuilder();

			@Override
			public void write(int c) throws IOException {
				if (c != '\n') {
					line.append((char) c);
					return;
				}
				if (!swapped[0] && line.toString().startsWith("wrote ")) {
					swapped[0] = true;
					copy(other, model);
				}
				line.setLength(0);
			}
		}, true, StandardCharsets.UTF_8);
		Batch.Report r = Batch.run("activations", in, out, Map.of("model", model.toString(), "layer", "conv2d_1"), log);
		assertTrue(swapped[0], "the folder was replaced during the run");
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		Set<String> prints = new HashSet<>();
		int n = 0;
		try (ConvModel first = Models.open(TestPaths.model("shapes-keras"))) {
			for (int i = 0; i < 6; i++) {
				ImagePlus maps = IJ.openImage(out.resolve("img" + i + "_activations.tif").toString());
				assertNotNull(maps, "img" + i);
				prints.add(Provenance.get(maps, "model.fingerprint"));
				// the numbers are the first model's too (shapes-gap's conv2d_1 differs)
				ImagePlus src = IJ.openImage(in.resolve("img" + i + ".tif").toString());
				float[] px = (float[]) src.getProcessor().convertToFloatProcessor().getPixels();
				for (int k = 0; k < px.length; k++) px[k] /= 255f;
				org.convlens.model.NdArray x = new org.convlens.model.NdArray(new int[] { 1, size, size, 1 }, px);
				org.convlens.model.NdArray expect = first.run(x, java.util.List.of("conv2d_1")).get("conv2d_1");
				assertEquals(expect.get(0, 3, 5, 2), maps.getStack().getProcessor(maps.getStackIndex(3, 1, 1)).getf(5, 3), 1e-4);
				n++;
			}
		}
		assertEquals(6, n);
		assertEquals(Set.of(before), prints, "every output names the run's first model");
		// a later run sees the new files
		Batch.Report r2 = Batch.run("activations", in.resolve("img0.tif"), tmp.resolve("out2"), Map.of("model", model.toString(), "layer", "conv2d"), null);
		assertTrue(r2.failures.isEmpty(), r2.failures.toString());
		ImagePlus maps = IJ.openImage(tmp.resolve("out2").resolve("img0_activations.tif").toString());
		assertNotNull(maps);
		assertEquals(after, Provenance.get(maps, "model.fingerprint"));
	}

	private static void copy(Path from, Path to) throws IOException {
		try (Stream<Path> s = Files.walk(from)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		// the cache notices a change by the files' stamps: make them differ from the last copy's
		try (Stream<Path> s = Files.walk(to)) {
			long now = System.currentTimeMillis();
			for (Path p : (Iterable<Path>) s::iterator) if (Files.isRegularFile(p)) Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(now + 5000));
		}
	}
}
