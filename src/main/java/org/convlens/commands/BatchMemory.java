package org.convlens.commands;

/**
 * Batch sizes that fit the free Java heap: each item needs its values as floats a few times over
 * (the batch, its copy into TensorFlow, masked or fetched copies), and a batch may use half the
 * free heap.
 */
final class BatchMemory {

	private BatchMemory() {}

	/** {@code requested}, or fewer items when half the free heap cannot hold that many. */
	static int fittingBatch(int requested, long valuesPerItem) {
		long fit = Math.max(1, freeHeap() / 2 / bytesPerItem(valuesPerItem));
		return (int) Math.min(requested, fit);
	}

	/** The Log line stating a cap from {@code requested} to {@code n} items. */
	static String capLine(String title, String what, int requested, int n, long valuesPerItem) {
		return title + ": " + what + " batch capped from " + requested + " to " + n + " items to fit the free memory (about " +
			(freeHeap() >> 20) + " MB free; " + (bytesPerItem(valuesPerItem) >> 10) + " KB per item).";
	}

	static long bytesPerItem(long values) {
		return Math.max(1, values) * Float.BYTES * 4;
	}

	/** Heap that can still be allocated. */
	static long freeHeap() {
		Runtime rt = Runtime.getRuntime();
		return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
	}
}
