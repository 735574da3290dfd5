package org.convlens.model.tf;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * Runs TensorFlow sessions on threads with a large stack. A session's first run of a set of
 * feeds and fetches prunes and optimises the graph on the calling thread, recursively along the
 * longest path: a graph a few thousand ops deep (a crafted chain of 7,000 {@code Identity} ops,
 * or a very deep genuine network) overflows a 1 MB Java thread stack in native code, and the JVM
 * dies with a segmentation fault, Fiji and every open image with it. The stack is reserved
 * address space, committed only as far as it is used.
 */
final class DeepStack {

	/** Stack of the session threads: room for a path of about a million ops (1 MB held 4,000). */
	static final long STACK_BYTES = 256L << 20;

	private static final AtomicInteger COUNT = new AtomicInteger();
	private static final ThreadGroup GROUP = new ThreadGroup("convlens-tensorflow");
	/** As many threads as callers at once; idle ones end after a minute. */
	private static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
		Thread t = new Thread(GROUP, r, "convlens-tensorflow-" + COUNT.incrementAndGet(), STACK_BYTES);
		t.setDaemon(true);
		return t;
	});

	private DeepStack() {}

	/** {@code runner.run()} on a session thread. */
	static Result run(Session.Runner runner) {
		return call(runner::run);
	}

	/**
	 * {@code work} on a session thread (directly when already on one), its exceptions rethrown
	 * as they are. An interrupt of the caller waits for TensorFlow to finish (a run cannot be
	 * stopped half-way; its tensors must be closed) and is kept for the caller to see.
	 */
	static <T> T call(Supplier<T> work) {
		if (Thread.currentThread().getThreadGroup() == GROUP) return work.get();
		Future<T> f = POOL.submit(work::get);
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return f.get();
				}
				catch (InterruptedException e) {
					interrupted = true;
				}
				catch (ExecutionException e) {
					Throwable c = e.getCause();
					if (c instanceof RuntimeException) throw (RuntimeException) c;
					if (c instanceof Error) throw (Error) c;
					throw new IllegalStateException(c);
				}
			}
		}
		finally {
			if (interrupted) Thread.currentThread().interrupt();
		}
	}
}
