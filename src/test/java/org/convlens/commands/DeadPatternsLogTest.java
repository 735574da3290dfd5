package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.convlens.TestPaths;
import org.convlens.imagej.Provenance;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import ij.ImagePlus;

/**
 * Filter patterns flag a filter DEAD when its gradient is zero on the starting noise (13 of the 16
 * filters of shapes-keras' conv2d_2). The montage showed it; the Log said nothing, and "dead" reads
 * as a fact about the filter on real images. The Log now counts them and says what they mean.
 */
class DeadPatternsLogTest {

	@Test
	void theLogCountsThePatternsThatStayBlackAndSaysWhatThatMeans() {
		Context ctx = Contexts.get();
		PrintStream old = System.out;
		ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
		Map<String, Object> out;
		try {
			out = CommandRunner.run(ctx, CommandRunner.create(ctx, ShowFilterPatterns.class),
				Map.of("model", TestPaths.model("shapes-keras").toFile(), "iterations", 2), false);
		}
		finally {
			System.setOut(old);
		}
		String log = buf.toString(StandardCharsets.UTF_8);
		String dead = Provenance.get((ImagePlus) out.get("montage"), "dead");
		int n = dead.replaceAll("[\\[\\] ]", "").isEmpty() ? 0 : dead.split(",").length;
		assertTrue(n > 0, "the test model has patterns with a zero gradient: " + dead);
		assertTrue(log.contains("Filter Patterns: " + n + " of 16 patterns are black (DEAD): a zero gradient on the starting noise"), log);
		assertTrue(log.contains("does not prove them dead on real images"), log);
	}
}
