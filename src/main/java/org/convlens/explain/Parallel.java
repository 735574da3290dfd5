package org.convlens.explain;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits a loop over {@code [0, n)} into fixed-size chunks run on the common fork-join pool and
 * the calling thread. Chunk bounds depend only on {@code n} and the chunk size, never on the
 * number of cores, so a computation that keeps per-chunk partial results gives the same bits on
 * every machine. Small loops (one chunk) run on the caller without any hand-over; so does
 * everything when {@code -Dconvlens.parallel=false}.
 */
public final class Parallel {

	/** A loop body over {@code [from, to)}. */
	@FunctionalInterface
	public interface Range {
		void run(int from, int to);
	}

	private static final boolean ENABLED = !"false".equals(System.getProperty("convlens.parallel"));

	private Parallel() {}

	/** Number of chunks of {@code chunk} elements that cover {@code n}. */
	public static int chunks(int n, int chunk) {
		return n <= 0 ? 0 : (n + chunk - 1) / chunk;
	}

	/**
	 * Runs {@code body} on every chunk {@code [c * chunk, min(n, (c + 1) * chunk))}, in parallel
	 * where it pays; returns when all are done. Exceptions of the body are rethrown.
	 */
	public static void forChunks(int n, int chunk, Range body) {
		if (chunk < 1) throw new IllegalArgumentException("Chunk size must be at least 1, not " + chunk);
		int k = chunks(n, chunk);
		if (k == 0) return;
		if (k == 1 || !ENABLED || ForkJoinPool.getCommonPoolParallelism() < 1) {
			for (int c = 0; c < k; c++) body.run(c * chunk, Math.min(n, (c + 1) * chunk));
			return;
		}
		// one task per worker share of chunks; the caller takes the first share itself. Failures
		// are kept as thrown (join() would wrap those of other threads in a copy)
		int workers = Math.min(k, ForkJoinPool.getCommonPoolParallelism() + 1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[workers - 1];
		for (int w = 1; w < workers; w++) {
			int c0 = w * k / workers, c1 = (w + 1) * k / workers;
			tasks[w - 1] = ForkJoinPool.commonPool().submit(() -> share(n, chunk, c0, c1, body, failure));
		}
		share(n, chunk, 0, k / workers, body, failure);
		for (ForkJoinTask<?> t : tasks) t.join();
		Throwable f = failure.get();
		if (f instanceof RuntimeException) throw (RuntimeException) f;
		if (f instanceof Error) throw (Error) f;
	}

	private static void share(int n, int chunk, int c0, int c1, Range body, AtomicReference<Throwable> failure) {
		try {
			for (int c = c0; c < c1 && failure.get() == null; c++) body.run(c * chunk, Math.min(n, (c + 1) * chunk));
		}
		catch (RuntimeException | Error e) {
			failure.compareAndSet(null, e);
		}
	}
}
