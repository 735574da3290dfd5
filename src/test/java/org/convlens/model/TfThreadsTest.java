package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Dconvlens.tf.threads} (Batch {@code --threads}) sizes TensorFlow's thread pools: checked
 * in fresh JVMs, since TensorFlow makes its pools once per process, by counting its native pool
 * threads (Linux's /proc) at 1 and 4 threads; bad values are refused with a line naming the setting.
 */
class TfThreadsTest {

	@Test
	void parseTakesWholeNumbersFromOneTo1024() {
		assertEquals(3, TfThreads.parse(" 3 ", "--threads"));
		assertEquals(1024, TfThreads.parse("1024", "--threads"));
		for (String bad : new String[] { "0", "-2", "1025", "two", "", "1.5", "\u0662", "\uff13", "99999999999" }) {
			ModelException e = assertThrows(ModelException.class, () -> TfThreads.parse(bad, "--threads"), bad);
			assertEquals("--threads must be a whole number of threads from 1 to 1024, not '" + bad + "'.", e.getMessage());
		}
	}

	private static String probe(Path tmp, String value) throws Exception {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		if (value != null) cmd.add("-D" + TfThreads.PROPERTY + "=" + value);
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(TfThreadsProbe.class.getName());
		cmd.add(TestPaths.model("shapes-keras").toString());
		Path out = tmp.resolve("probe-" + value + ".out");
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
		Process p = pb.start();
		assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe finished");
		String o = Files.readString(out, StandardCharsets.UTF_8);
		assertEquals(0, p.exitValue(), o);
		return o;
	}

	private static int[] counts(String output) {
		Matcher m = Pattern.compile("in effect (-?\\d+), bare threads (\\d+)").matcher(output);
		assertTrue(m.find(), output);
		return new int[] { Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)) };
	}

	@Test
	void theSettingSizesTensorFlowsPools(@TempDir Path tmp) throws Exception {
		assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc");
		int[] one = counts(probe(tmp, "1")), four = counts(probe(tmp, "4"));
		assertEquals(1, one[0]);
		assertEquals(4, four[0]);
		// an intra-op and an inter-op pool, each of N threads: 3 more in each (6 here); at least one pool must
		// have grown by 3, whatever else a TensorFlow build on another machine starts
		int more = four[1] - one[1];
		assertTrue(more >= 3 && more <= 12, "bare threads at 1: " + one[1] + ", at 4: " + four[1]);
	}

	@Test
	void aBadSettingIsOneLineNamingIt(@TempDir Path tmp) throws Exception {
		String o = probe(tmp, "lots");
		assertTrue(o.contains("error: -Dconvlens.tf.threads must be a whole number of threads from 1 to 1024, not 'lots'."), o);
	}
}
