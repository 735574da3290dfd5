package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What {@link NativeLogs} keeps off stderr: TensorFlow's own lines (as TF 2.18 prints them,
 * copied from a real run), and nothing else, which it hands back to stderr.
 */
class NativeLogsTest {

	private static final String[] TF_LINES = {
		"2026-12-03 08:33:10.814767: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.",
		"2026-12-03 08:33:11.573713: I tensorflow/core/platform/cpu_feature_guard.cc:210] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.",
		"To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX512_FP16 AVX_VNNI AMX_TILE AMX_INT8 AMX_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.",
		"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
		"I0000 00:00:1796286791.609443    9802 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled",
		"W1203 08:40:01.123456   12345 op_kernel.cc:1840] OP_REQUIRES failed at save_restore_v2_ops.cc:123" };

	private static final String[] OTHER_LINES = {
		"Embedding Map: folder /data/cells: 60 of 61 images used; 1 skipped",
		"WARNING: An illegal reflective access operation has occurred",
		"Exception in thread \"main\" java.lang.IllegalStateException: I0000",
		"2026-12-03 08:33:10 model loaded" };

	@Test
	void recognisesTensorFlowLinesOnly() {
		for (String l : TF_LINES) assertTrue(NativeLogs.isTensorFlowLine(l), l);
		for (String l : OTHER_LINES) assertFalse(NativeLogs.isTensorFlowLine(l), l);
	}

	@Test
	void nativeStderrDuringLoadingKeepsOtherLines() throws Exception {
		Assumptions.assumeFalse(System.getProperty("os.name").toLowerCase().startsWith("windows"), "POSIX file descriptors");
		assertTrue(NativeLogs.quiet(), "quiet by default (TF_CPP_MIN_LOG_LEVEL=" + System.getenv("TF_CPP_MIN_LOG_LEVEL") + ")");
		PrintStream old = System.err;
		ByteArrayOutputStream seen = new ByteArrayOutputStream();
		try {
			System.setErr(new PrintStream(seen, true, StandardCharsets.UTF_8));
			String r = NativeLogs.whileLoading(() -> {
				// as native code writes: straight to file descriptor 2, past System.err
				FileOutputStream fd2 = new FileOutputStream(FileDescriptor.err);
				for (String l : TF_LINES) fd2.write((l + "\n").getBytes(StandardCharsets.UTF_8));
				fd2.write((OTHER_LINES[0] + "\n").getBytes(StandardCharsets.UTF_8));
				fd2.flush();
				return "loaded";
			});
			assertEquals("loaded", r);
		}
		finally {
			System.setErr(old);
		}
		assertEquals(OTHER_LINES[0] + System.lineSeparator(), seen.toString(StandardCharsets.UTF_8));
	}
}
