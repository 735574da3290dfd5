package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch in a child JVM with default settings (no {@code TF_CPP_MIN_LOG_LEVEL} in its environment):
 * stderr holds no TensorFlow, absl, MLIR or SLF4J line, for commands that load a model, run
 * gradients and use Smile (embedding), nor the JDK's line on creating a fresh preferences folder. With {@code -Dconvlens.tf.log=show} the same run does print
 * TensorFlow's lines, so the check can fail.
 */
class QuietStderrTest {

	private static final Pattern NOISE = Pattern.compile("(?i).*(tensorflow|absl|mlir|slf4j|onednn|cpu_feature_guard|java\\.util\\.prefs|preferences directory|^[IWE]\\d{4} ).*");

	private static String[] run(Path tmp, String name, List<String> jvm, String... args) throws Exception {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"));
		cmd.addAll(jvm);
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(Batch.class.getName());
		cmd.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(cmd);
		pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
		pb.environment().remove("CONVLENS_TF_LOG");
		Path out = tmp.resolve(name + ".out"), err = tmp.resolve(name + ".err");
		pb.redirectOutput(out.toFile());
		pb.redirectError(err.toFile());
		Process p = pb.start();
		assertTrue(p.waitFor(180, TimeUnit.SECONDS), name + " finished");
		String o = Files.readString(out, StandardCharsets.UTF_8), e = Files.readString(err, StandardCharsets.UTF_8);
		assertEquals(0, p.exitValue(), name + "\nstdout:\n" + o + "\nstderr:\n" + e);
		return new String[] { o, e };
	}

	private static List<String> noise(String stderr) {
		return stderr.lines().filter(l -> NOISE.matcher(l).matches()).collect(Collectors.toList());
	}

	@Test
	void defaultRunsKeepStderrFreeOfLibraryNoise(@TempDir Path tmp) throws Exception {
		String model = TestPaths.model("shapes-keras").toString();
		String img = TestPaths.testData().resolve("images/demo-ring.tif").toString();
		String shapes = TestPaths.testData().resolve("images/localization").toString();
		String[][] runs = {
			{ "activations", "--model", model, "--input", img, "--output", tmp.resolve("a").toString(), "layer=conv2d_1" },
			{ "cam", "--model", model, "--input", img, "--output", tmp.resolve("c").toString() },
			{ "saliency", "--model", model, "--input", img, "--output", tmp.resolve("s").toString() },
			{ "embedding", "--model", model, "--input", shapes, "--output", tmp.resolve("e").toString() } };
		for (String[] r : runs) {
			String[] oe = run(tmp, r[0], List.of(), r);
			assertTrue(oe[0].contains("wrote "), r[0] + " wrote its outputs:\n" + oe[0] + oe[1]);
			assertEquals(List.of(), noise(oe[1]), r[0] + " stderr:\n" + oe[1]);
		}
		assertTrue(Files.list(tmp.resolve("e")).count() > 0);
	}

	@Test
	void moreThreadsThanCoresIsOneWarning(@TempDir Path tmp) throws Exception {
		String model = TestPaths.model("shapes-keras").toString();
		String img = TestPaths.testData().resolve("images/demo-ring.tif").toString();
		List<String> twoCores = List.of("-XX:ActiveProcessorCount=2");
		String[] over = run(tmp, "over", twoCores, "predictions", "--model", model, "--input", img, "--output", tmp.resolve("o").toString(), "--threads", "3");
		assertEquals(List.of("Warning: --threads 3 is more than the 2 cores this JVM may use; TensorFlow's threads and the image readers and " +
			"writers would take turns on them. Use --threads 2 or fewer."), over[1].lines().filter(l -> !l.isBlank()).collect(Collectors.toList()));
		String[] fits = run(tmp, "fits", twoCores, "predictions", "--model", model, "--input", img, "--output", tmp.resolve("f").toString(), "--threads", "2");
		assertEquals("", fits[1].strip());
		assertTrue(over[0].contains("wrote ") && fits[0].contains("wrote "), over[0] + fits[0]);
	}

	@Test
	void askingForTensorFlowLogsShowsThem(@TempDir Path tmp) throws Exception {
		String model = TestPaths.model("shapes-keras").toString();
		String img = TestPaths.testData().resolve("images/demo-ring.tif").toString();
		String[] oe = run(tmp, "show", List.of("-Dconvlens.tf.log=show"), "activations", "--model", model, "--input", img, "--output",
			tmp.resolve("a").toString(), "layer=conv2d_1");
		assertTrue(noise(oe[1]).size() > 0, "TensorFlow's own lines when asked for:\n" + oe[1]);
	}
}
