package org.convlens.explain.dataset;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-image input buffers handed back after stacking, so that the readers of {@link DatasetRunner} write each image's
 * input into a buffer used before instead of a new array per image (per-image garbage made the
 * collector grow the heap on long runs). Only buffers of the latest length are kept (one size
 * for a model with a fixed input size); there are never more than the images in flight.
 */
final class BufferPool {
	private final ConcurrentLinkedDeque<float[]> free = new ConcurrentLinkedDeque<>();
	private volatile int length = -1;
	/** Buffers made and reused, for tests. */
	final AtomicInteger made = new AtomicInteger(), reused =
		new AtomicInteger();

	float[] take(int n) {
		if (n == length) {
			float[] b = free.pollFirst();
			if (b != null && b.length == n) {
				reused.incrementAndGet();
				return b;
			}
		}
		made.incrementAndGet();
		return new float[n];
	}

	void give(float[] b) {
		if (b.length != length) {
			free.clear(); // another image size: the old buffers are of no more use
			length = b.length;
		}
		free.addFirst(b);
	}
}
