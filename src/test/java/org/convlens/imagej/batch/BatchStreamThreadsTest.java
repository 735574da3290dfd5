package org.convlens.imagej.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Writer threads: half the cores (1 to 4) beside TensorFlow on all cores, the cores it was kept off (up to 16) otherwise. */
class BatchStreamThreadsTest {

	@Test
	void writersGetTheCoresTensorFlowWasKeptOff() {
		// TensorFlow's own choice (0) or not started (-1): half the cores, 1 to 4
		int[][] shared = { { 1, 0, 1 }, { 2, 0, 1 }, { 4, -1, 2 }, { 8, 0, 4 }, { 64, 0, 4 } };
		for (int[] c : shared) assertEquals(c[2], BatchStream.writerThreads(c[0], c[1]), c[0] + " cores, TF " + c[1]);
		// --threads N: the other cores, at least 1, at most 16
		int[][] kept = { { 2, 1, 1 }, { 2, 2, 1 }, { 2, 8, 1 }, { 16, 2, 14 }, { 16, 12, 4 }, { 64, 4, 16 } };
		for (int[] c : kept) assertEquals(c[2], BatchStream.writerThreads(c[0], c[1]), c[0] + " cores, TF " + c[1]);
	}
}
