package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * Memory guards, in child JVMs under {@code -Xmx1g}: a 20000x20000 8-bit image in a folder gives a
 * result or one clear line (never a trace), and the next image is still analysed; occlusion with
 * {@code batch=100000} completes with a batch capped to the free heap, the cap stated in the Log.
 */
class HugeImageTest {

	static final int SIDE = 20000;

	/** A plain uncompressed 8-bit TIFF with a diagonal gradient, written in chunks (no 400 MB array here). */
	static void writeBigTiff(Path file, int w, int h) throws Exception {
		int entries = 9;
		int ifd = 8, data = ifd + 2 + entries * 12 + 4;
		ByteBuffer b = ByteBuffer.allocate(data).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd);
		b.putShort((short) entries);
		entry(b, 256, 4, w);
		entry(b, 257, 4, h);
		entry(b, 258, 3, 8);
		entry(b, 259, 3, 1);
		entry(b, 262, 3, 1);
		entry(b, 273, 4, data);
		entry(b, 277, 3, 1);
		entry(b, 278, 4, h);
		entry(b, 279, 4, w * h);
		b.putInt(0);
		try (OutputStream out = Files.newOutputStream(file)) {
			out.write(b.array());
			byte[] row = new byte[w];
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) row[x] = (byte) ((x + y) * 255L / (w + h));
				out.write(row);
			}
		}
	}

	private static void entry(ByteBuffer b, int tag, int type, int value) {
		b.putShort((short) tag).putShort((short) type).putInt(1);
		if (type == 3) b.putShort((short) value).putShort((short) 0);
		else b.putInt(value);
	}

	/** Runs Batch in a child JVM under -Xmx1g; returns exit code, standard output and standard error. */
	static String[] batch(Path log, String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
			"-Djava.awt.headless=true", "-Djava.util.prefs.userRoot=" + log.getParent().resolve("prefs"), "-cp", System.getProperty("java.class.path"),
			Batch.class.getName()));
		cmd.addAll(List.of(args));
		Path err = log.resolveSibling(log.getFileName() + ".err");
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(log.toFile()).redirectError(err.toFile());
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM finished");
		return new String[] { Integer.toString(p.exitValue()), Files.readString(log, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8) };
	}

	static void noTrace(String text) {
		for (String l : text.split("\n")) {
			assertFalse(l.matches("\\s+at .*") || l.contains("Exception") || l.contains("[ERROR]"), "a trace line: " + l + "\n" + text);
		}
	}

	@Test
	void hugeImageGivesAResultOrOneLineAndTheNextImageIsAnalysed(@TempDir Path tmp) throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in"));
		writeBigTiff(in.resolve("a-huge.tif"), SIDE, SIDE);
		Files.copy(org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif"), in.resolve("b-small.tif"));
		String model = org.convlens.TestPaths.model("shapes-keras").toString();
		for (String command : new String[] { "predictions", "cam" }) {
			Path out = tmp.resolve("out-" + command);
			String[] r = batch(tmp.resolve(command + ".log"), command, "--model", model, "--input", in.toString(), "--output", out.toString());
			System.out.println(command + " -> " + r[0] + "\n" + r[1] + r[2]);
			noTrace(r[1] + r[2]);
			int rc = Integer.parseInt(r[0]);
			assertTrue(rc == 0 || rc == 1, r[2]);
			List<String> failures = r[2].lines().filter(l -> l.contains("a-huge.tif")).collect(Collectors.toList());
			// a folder's predictions go to one table per run, in_predictions.csv, a row per image and class (issue 15)
			if (rc == 0) {
				if (command.equals("cam")) assertTrue(Files.exists(out.resolve("a-huge_heatmap.tif")), r[1]);
				else assertFalse(rows(out, "a-huge.tif").isEmpty(), r[1]);
			}
			else {
				assertEquals(1, failures.size(), r[2]);
				assertTrue(failures.get(0).contains("memory") && failures.get(0).contains("MB"), failures.get(0));
			}
			// the image after the huge one is analysed either way
			assertFalse(rows(out, "b-small.tif").isEmpty(), command + ": " + r[1] + r[2]);
		}
		// predictions read the huge image straight from its 8-bit pixels: no 1.6 GB float copy, so it fits
		assertEquals(3, rows(tmp.resolve("out-predictions"), "a-huge.tif").size());
	}

	/** The rows of one image in the run's predictions table. */
	static List<String> rows(Path out, String file) throws IOException {
		Path t = out.resolve("in_predictions.csv");
		if (!Files.exists(t)) return List.of();
		return Files.readAllLines(t, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(file + ",")).collect(Collectors.toList());
	}

	@Test
	void occlusionAndScoreCamWithAHugeBatchAreCapped(@TempDir Path tmp) throws Exception {
		Path img = org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif");
		String model = org.convlens.TestPaths.model("shapes-keras").toString();
		String[] r = batch(tmp.resolve("occ.log"), "occlusion", "--model", model, "--input", img.toString(), "--output", tmp.resolve("out").toString(),
			"batch=100000");
		noTrace(r[1] + r[2]);
		assertEquals("0", r[0], r[1] + r[2]);
		assertTrue(r[1].contains("batch capped from 100000 to "), r[1]);
		assertTrue(Files.exists(tmp.resolve("out").resolve("demo-ring_occlusion.tif")), r[1]);
		r = batch(tmp.resolve("score.log"), "cam", "--model", model, "--input", img.toString(), "--output", tmp.resolve("out-score").toString(),
			"method=Score-CAM", "batch=100000");
		noTrace(r[1] + r[2]);
		assertEquals("0", r[0], r[1] + r[2]);
		assertTrue(r[1].contains("Score-CAM masked-input batch capped from 100000 to "), r[1]);
		assertTrue(Files.exists(tmp.resolve("out-score").resolve("demo-ring_heatmap.tif")), r[1]);
	}
}
