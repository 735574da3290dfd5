package org.convlens.imagej.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.ImageInput;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.model.TfThreads;

import ij.ImagePlus;

/**
 * The stream behind a batched folder run: images are opened and preprocessed by reader threads a
 * bounded number ahead, explained in model batches by an {@link Explainer} on the calling thread
 * (images of other sizes or types batch with their like only), and each image's files built and
 * written by writer threads. Memory is flat in the number of images: a few batches in flight.
 * One image's failure is listed in the report and the run goes on; a run table that cannot be
 * written, or a {@link VirtualMachineError}, stops it.
 */
public final class BatchStream {

	private BatchStream() {}

	/** An opened, preprocessed image. */
	public static final class Prepared {
		public final Path file;
		public final ImagePlus imp;
		public final List<ImageInput.Position> positions;
		/** The model input of its positions, {@code [P, H, W, C]}. */
		public final NdArray input;
		final String key; // images batch only with images of the same key

		/** {@code kind}: the explainer's batch key for the image, beside its input shape. */
		Prepared(Path file, ImagePlus imp, NdArray input, List<ImageInput.Position> positions, String kind) {
			this.input = input;
			this.key = Arrays.toString(Arrays.copyOfRange(input.shape(), 1, input.shape().length)) + "|" + kind;
			this.file = file;
			this.positions = positions;
			this.imp = imp;
		}
	}

	/** What the writer threads make of one image. */
	public static final class Job {
		final Prepared image;
		final Work work;

		public Job(Prepared image, Work work) {
			this.image = image;
			this.work = work;
		}
	}

	/** Builds and writes one image's outputs. */
	public interface Work {
		void write() throws IOException;
	}

	/** The explanation of a batch verb, set up once per run. */
	public interface Explainer {
		ModelInfo info();

		Preprocessing prep();

		/** Images per model call. */
		int imagesPerBatch();

		/** The batch key beyond the input shape (e.g. the image type, where settings depend on it). */
		default String key(ImagePlus imp) {
			return "";
		}

		/**
		 * Explains a batch of images (their inputs stacked in {@code x}) and returns, per image, what
		 * the writer does with it; per-image tables go to the sink in image order.
		 */
		List<Job> explain(List<Prepared> images, NdArray x, BatchSink sink);
	}

	/** The item range {@code [from, to)} of image {@code i} of the batch in the stacked input. */
	public static int[] range(List<Prepared> images, int i) {
		int from = 0;
		for (int k = 0; k < i; k++) from += images.get(k).positions.size();
		return new int[] { from, from + images.get(i).positions.size() };
	}

	/** Streams {@code images} through {@code v}; files and failures go to the sink's report. */
	public static void run(Explainer v, List<Path> images, BatchSink sink) throws IOException {
		BatchReport report = sink.report;
		report.items = images.size();
		int cores = Runtime.getRuntime().availableProcessors();
		int threads = Math.max(1, Math.min(4, cores / 2)), writers = writerThreads(cores, TfThreads.inEffect());
		int perBatch = Math.max(1, v.imagesPerBatch());
		int window = Math.max(perBatch, 2 * threads);
		ExecutorService pool = pool(threads, "ConvLens batch reader");
		// writers: each image's files are its own, so several threads may write; tables are appended in order by explain()
		ExecutorService writePool = pool(writers, "ConvLens batch writer");
		Writing writing = new Writing(writePool, Math.max(2 * perBatch, 4 * writers));
		int[] shape = v.info().imageInput().shape();
		Deque<Future<Object>> inFlight = new ArrayDeque<>();
		List<Prepared> batch = new ArrayList<>();
		int next = 0, items = 0;
		try {
			while (next < images.size() || !inFlight.isEmpty()) {
				while (next < images.size() && inFlight.size() < window) {
					Path f = images.get(next++);
					inFlight.add(pool.submit(() -> prepare(v, f, shape, report)));
				}
				Object o = inFlight.poll().get();
				if (o instanceof String) {
					synchronized (report) {
						report.failures.add(o.toString());
					}
					continue;
				}
				Prepared p = (Prepared) o;
				if (!batch.isEmpty() && !batch.get(0).key.equals(p.key)) {
					explain(v, batch, sink, writing);
					batch = new ArrayList<>();
					items = 0;
				}
				batch.add(p);
				items += p.positions.size();
				if (items >= perBatch) {
					explain(v, batch, sink, writing);
					batch = new ArrayList<>();
					items = 0;
				}
			}
			if (!batch.isEmpty()) explain(v, batch, sink, writing);
			writePool.shutdown();
			while (!writePool.awaitTermination(1, TimeUnit.SECONDS)) {
				// the last images are being written
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", e);
		}
		catch (ExecutionException e) {
			throw new IllegalStateException("Cannot read an image: " + e.getCause(), e.getCause());
		}
		finally {
			pool.shutdownNow();
			writePool.shutdownNow();
			sink.close();
		}
		Throwable e = writing.error.get();
		if (e instanceof IOException) throw (IOException) e;
		if (e instanceof UncheckedIOException) throw ((UncheckedIOException) e).getCause();
		if (e instanceof Error) throw (Error) e;
		if (e != null) throw (RuntimeException) e;
		// every image in one class with high confidence: named in the run's summary, as the per-image path does
		report.warnAbout(sink.same, v.info(), v.prep(), sink.log);
	}

	/**
	 * Writer threads: half the cores, 1 to 4, while TensorFlow may use them all; the cores it was
	 * kept off ({@link TfThreads}, e.g. {@code --threads 2} on 16 cores, or a GPU run) up to 16,
	 * since writing is most of a batch run's CPU work.
	 *
	 * @param tfThreads TensorFlow's thread setting: 0 its own choice, -1 not started
	 */
	static int writerThreads(int cores, int tfThreads) {
		if (tfThreads <= 0) return Math.max(1, Math.min(4, cores / 2));
		return Math.max(1, Math.min(16, cores - tfThreads));
	}

	private static ExecutorService pool(int threads, String name) {
		return Executors.newFixedThreadPool(threads, r -> {
			Thread t = new Thread(r, name);
			t.setDaemon(true);
			return t;
		});
	}

	/** The writer threads, a bounded number of images ahead, and the first error. */
	private static final class Writing {
		final ExecutorService pool;
		final Semaphore room;
		final AtomicReference<Throwable> error = new AtomicReference<>();

		Writing(ExecutorService pool, int inFlight) {
			this.pool = pool;
			this.room = new Semaphore(inFlight);
		}

		void submit(Job j, BatchSink sink) throws InterruptedException {
			room.acquire();
			pool.submit(() -> {
				try {
					if (error.get() == null) j.work.write();
				}
				catch (Throwable e) {
					// one image's failure, as in the per-image path: listed, and the run goes on
					if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) error.compareAndSet(null, e);
					else sink.fail(j.image.file, e, j.image.imp);
				}
				finally {
					room.release();
				}
			});
		}
	}

	private static void explain(Explainer v, List<Prepared> batch, BatchSink sink, Writing writing) throws InterruptedException {
		if (writing.error.get() != null) return;
		List<NdArray> parts = new ArrayList<>();
		for (Prepared p : batch) parts.add(p.input);
		NdArray x = parts.size() == 1 ? parts.get(0) : NdArray.concat(parts);
		List<Job> jobs;
		try {
			jobs = v.explain(batch, x, sink);
		}
		catch (UncheckedIOException e) {
			writing.error.compareAndSet(null, e); // a run table cannot be written: the run stops
			return;
		}
		catch (RuntimeException e) {
			// a batch that fails (e.g. a target the model does not have) fails for each of its images
			for (Prepared p : batch) sink.fail(p.file, e, p.imp);
			return;
		}
		for (Job j : jobs) writing.submit(j, sink);
	}

	/** The image opened and preprocessed, or the failure line ({@code file: problem}). */
	private static Object prepare(Explainer v, Path f, int[] shape, BatchReport report) {
		ImagePlus imp;
		try {
			imp = DatasetSources.open(f);
		}
		catch (IOException e) {
			return f + ": cannot open: " + BatchReport.oneLine(e.getMessage()) + ".";
		}
		try {
			List<ImageInput.Position> ps = ImageInput.positions(imp);
			NdArray in = ImageInput.batch(imp, ps, v.prep(), shape);
			// said in each output's Info; the run's Log counts them once (the per-image path logs each)
			String range = org.convlens.imagej.Provenance.rangeNote(imp, v.info(), v.prep());
			if (range != null) report.rangeNote(f.getFileName(), range);
			return new Prepared(f, imp, in, ps, v.key(imp));
		}
		catch (RuntimeException e) {
			return f + ": " + report.message(e);
		}
	}
}
