package org.convlens.explain.dataset;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Progress;

/**
 * Streams the images of an {@link ImageSource} through a model in batches, with the same
 * {@link Preprocessing} as the single-image commands. Reading and preprocessing run on
 * background threads, a bounded number of images ahead of the model, so the model rarely waits
 * and memory stays flat however long the source is. Unreadable images are skipped and listed in
 * the {@link DatasetReport}; the run fails only when no image at all can be used.
 */
public final class DatasetRunner {

	/** Receives each batch's outputs; the handler keeps what it needs (top-k, rows of a table). */
	public interface BatchHandler {
		/**
		 * @param items the images of the batch, in source order
		 * @param outputs the fetched tensors, batch axis first, one row per item
		 */
		void accept(List<Item> items, Map<String, NdArray> outputs);

		/**
		 * Whether the handler keeps the output arrays after {@link #accept} returns; false lets
		 * the runner have the next batch's outputs written into the same arrays.
		 */
		default boolean keepsOutputs() {
			return true;
		}

		/**
		 * Whether the handler needs each image's pixels as read ({@link Item#planes()}) to keep
		 * parts of them (max-activating patches): then no image has to be read twice. Such a
		 * handler gets batches of at most {@link #KEEP_PLANES_BATCH} images.
		 */
		default boolean needsPlanes() {
			return false;
		}
	}

	/** One image of a batch. */
	public static final class Item {
		private final int index;
		private final int sourceIndex;
		private final ImageSource.Entry entry;
		private final int width, height;
		/** The pixels as read, only while the handler has the batch and only when it asked ({@link BatchHandler#needsPlanes()}). */
		private Preprocessing.Planes planes;

		Item(int index, int sourceIndex, ImageSource.Entry entry, int width, int height) {
			this.index = index;
			this.sourceIndex = sourceIndex;
			this.entry = entry;
			this.width = width;
			this.height = height;
		}

		/**
		 * The image as read (not a copy: do not change it), during {@link BatchHandler#accept}
		 * of a handler that {@link BatchHandler#needsPlanes() needs planes}; null otherwise.
		 */
		public Preprocessing.Planes planes() { return planes; }

		/** Position among the images used (0, 1, 2, ... without gaps). */
		public int index() { return index; }
		/** Position in the source, counting skipped entries. */
		public int sourceIndex() { return sourceIndex; }
		/** The entry, to read the image again (for montages). */
		public ImageSource.Entry entry() { return entry; }
		public String name() { return entry.name(); }
		public String label() { return entry.label(); }
		/** Width of the image as read, before resizing to the model input. */
		public int width() { return width; }
		public int height() { return height; }
	}

	private final ConvModel model;
	private final Preprocessing preprocessing;
	private int batchSize = 32;
	/**
	 * Largest batch for a handler that {@link BatchHandler#needsPlanes() needs the images}: each
	 * image in flight is then held whole (a 12-megapixel RGB photo is 48 MB), and about three
	 * batches plus the read-ahead are in flight.
	 */
	public static final int KEEP_PLANES_BATCH = 8;
	private int readers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));

	public DatasetRunner(ConvModel model, Preprocessing preprocessing) {
		this.model = model;
		this.preprocessing = preprocessing != null ? preprocessing : model == null ? Preprocessing.defaults() : Preprocessing.forModel(model.info());
	}

	/** Images per model call (default 32). */
	public DatasetRunner batchSize(int n) {
		if (n < 1) throw new IllegalArgumentException("Batch size must be at least 1: " + n);
		this.batchSize = n;
		return this;
	}

	/** Background threads that read and preprocess images (default: half the processors, 1 to 4). */
	public DatasetRunner readers(int n) {
		if (n < 1) throw new IllegalArgumentException("Need at least one reader thread: " + n);
		this.readers = n;
		return this;
	}

	public int batchSize() { return batchSize; }
	public int readers() { return readers; }
	public Preprocessing preprocessing() { return preprocessing; }

	/** A preprocessed image or why it was skipped. */
	private static final class Prepared {
		final int sourceIndex;
		final ImageSource.Entry entry;
		/** The model input of the image, {@code [1, H, W, C]} values from a pooled buffer. */
		final float[] input;
		final int[] shape;
		final int width, height;
		final String problem;
		/** The image as read, kept for a handler that needs it; else null. */
		Preprocessing.Planes planes;
		/** The image as read, until the reader task decides whether to keep it. */
		Preprocessing.Planes read;

		Prepared(int sourceIndex, ImageSource.Entry entry, float[] input, int[] shape, int width, int height, String problem) {
			this.sourceIndex = sourceIndex;
			this.entry = entry;
			this.input = input;
			this.shape = shape;
			this.width = width;
			this.height = height;
			this.problem = problem;
		}
	}

	/** A batch for the model, or the end of the stream. */
	private static final class Batch {
		final List<Prepared> images;
		final List<DatasetReport.Skipped> skipped;
		final boolean end;
		final Throwable error;

		Batch(List<Prepared> images, List<DatasetReport.Skipped> skipped, boolean end, Throwable error) {
			this.images = images;
			this.skipped = skipped;
			this.end = end;
			this.error = error;
		}
	}

	/**
	 * Runs every image of the source through the model.
	 *
	 * @param fetches tensors to fetch per batch (layer names, {@link ConvModel#OUTPUT}, ...)
	 * @throws DatasetException when the source holds no usable image
	 * @throws CancelledException when the progress says so
	 */
	public DatasetReport run(ImageSource source, List<String> fetches, Progress progress, BatchHandler handler) {
		Progress p = progress == null ? Progress.NONE : progress;
		int[] inputShape = model.info().imageInput().shape();
		BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(2);
		ExecutorService pool = Executors.newFixedThreadPool(readers, daemon("ConvLens image reader"));
		BufferPool buffers = this.buffers = new BufferPool();
		boolean keepPlanes = handler.needsPlanes();
		Thread producer = new Thread(() -> produce(source, inputShape, pool, queue, buffers, keepPlanes), "ConvLens batch producer");
		producer.setDaemon(true);
		List<DatasetReport.Skipped> skipped = new ArrayList<>();
		int processed = 0;
		int total = source.size();
		float[] batchData = null; // the model copies its input into a tensor, so one array serves every batch of a size
		boolean reuse = !handler.keepsOutputs();
		Map<String, NdArray> previous = Map.of(); // outputs of the last batch, written over by the next
		producer.start();
		try {
			while (true) {
				p.checkCancelled();
				Batch b = take(queue, p);
				skipped.addAll(b.skipped);
				if (b.error != null) {
					if (b.error instanceof RuntimeException) throw (RuntimeException) b.error;
					if (b.error instanceof Error) throw (Error) b.error;
					throw new DatasetException("Cannot read " + source.description() + ": " + b.error.getMessage(), b.error);
				}
				if (!b.images.isEmpty()) {
					List<Item> items = new ArrayList<>(b.images.size());
					for (Prepared r : b.images) {
						Item it = new Item(processed + items.size(), r.sourceIndex, r.entry, r.width, r.height);
						it.planes = r.planes;
						r.planes = null;
						items.add(it);
					}
					batchData = batchInput(b.images, batchData, buffers);
					NdArray in = new NdArray(batchShape(b.images), batchData);
					Map<String, NdArray> out = reuse ? model.run(in, fetches, previous) : model.run(in, fetches);
					if (reuse) previous = out;
					for (NdArray o : out.values()) if (o.data() == batchData) batchData = null; // the input itself was fetched: the handler may keep it
					handler.accept(items, out);
					for (Item it : items) it.planes = null; // whole images are not kept past the batch
					processed += items.size();
				}
				int seen = processed + skipped.size();
				p.update(total > 0 ? Math.min(1.0, (double) seen / total) : 0.5,
					"Image " + seen + (total > 0 ? " of " + total : "") + " (" + skipped.size() + " skipped)");
				if (b.end) break;
			}
		}
		finally {
			producer.interrupt();
			pool.shutdownNow();
		}
		if (processed + skipped.size() == 0) throw new DatasetException("There are no images in " + source.description() + ".");
		if (processed == 0) {
			StringBuilder sb = new StringBuilder("None of the " + skipped.size() + " files in " + source.description() +
				" could be used:");
			for (int i = 0; i < Math.min(5, skipped.size()); i++) sb.append("\n  ").append(skipped.get(i));
			if (skipped.size() > 5) sb.append("\n  ...");
			throw new DatasetException(sb.toString());
		}
		return new DatasetReport(source.description(), processed, skipped);
	}

	/**
	 * The images of a batch stacked into {@code reuse} when it has the right length, else into a
	 * new array; their buffers go back to the pool for the readers.
	 */
	private static float[] batchInput(List<Prepared> images, float[] reuse, BufferPool pool) {
		int per = images.get(0).input.length;
		int n = per * images.size();
		float[] data = reuse != null && reuse.length == n ? reuse : new float[n];
		for (int i = 0; i < images.size(); i++) {
			float[] in = images.get(i).input;
			System.arraycopy(in, 0, data, i * per, per);
			pool.give(in);
		}
		return data;
	}

	private static int[] batchShape(List<Prepared> images) {
		int[] s = images.get(0).shape.clone();
		s[0] = images.size();
		return s;
	}

	/** The pool of the current run (for tests). */
	volatile BufferPool buffers;

	private static Batch take(BlockingQueue<Batch> queue, Progress p) {
		try {
			while (true) {
				Batch b = queue.poll(200, TimeUnit.MILLISECONDS);
				if (b != null) return b;
				p.checkCancelled(); // cancel works while a slow file is being read
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new CancelledException();
		}
	}

	/** Reads ahead in order, a bounded window of images in flight, and hands out whole batches. */
	private void produce(ImageSource source, int[] inputShape, ExecutorService pool, BlockingQueue<Batch> queue, BufferPool buffers,
		boolean keepPlanes)
	{
		// whole images kept for the handler: small batches, so that only a few dozen are held at once
		int batchSize = keepPlanes ? Math.min(this.batchSize, KEEP_PLANES_BATCH) : this.batchSize;
		int window = Math.max(batchSize, 2 * readers);
		Deque<Future<Prepared>> inFlight = new ArrayDeque<>();
		List<Prepared> batch = new ArrayList<>();
		List<DatasetReport.Skipped> skipped = new ArrayList<>();
		try {
			Iterator<ImageSource.Entry> it = source.iterator();
			int index = 0;
			while (it.hasNext() || !inFlight.isEmpty()) {
				while (it.hasNext() && inFlight.size() < window) {
					ImageSource.Entry e = it.next();
					int i = index++;
					inFlight.add(pool.submit(() -> {
						Prepared r = prepare(i, e, inputShape, buffers);
						if (keepPlanes && r.problem == null) r.planes = r.read;
						r.read = null;
						return r;
					}));
				}
				Prepared r = inFlight.poll().get();
				if (r.problem != null) {
					skipped.add(new DatasetReport.Skipped(r.entry.name(), r.problem));
					continue;
				}
				// images of a model with free height/width batch only with images of the same size
				if (!batch.isEmpty() && !Arrays.equals(batch.get(0).shape, r.shape)) {
					queue.put(new Batch(batch, skipped, false, null));
					batch = new ArrayList<>();
					skipped = new ArrayList<>();
				}
				batch.add(r);
				if (batch.size() == batchSize) {
					queue.put(new Batch(batch, skipped, false, null));
					batch = new ArrayList<>();
					skipped = new ArrayList<>();
				}
			}
			queue.put(new Batch(batch, skipped, true, null));
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt(); // the consumer stopped: cancelled or failed
		}
		catch (ExecutionException e) {
			offerError(queue, e.getCause());
		}
		catch (RuntimeException | Error e) {
			offerError(queue, e);
		}
	}

	private static void offerError(BlockingQueue<Batch> queue, Throwable t) {
		queue.clear();
		queue.offer(new Batch(List.of(), List.of(), true, t));
	}

	private Prepared prepare(int sourceIndex, ImageSource.Entry e, int[] inputShape, BufferPool pool) {
		Preprocessing.Planes planes;
		try {
			planes = e.read();
			if (planes == null) return new Prepared(sourceIndex, e, null, null, 0, 0, "cannot be opened as an image");
		}
		catch (Exception ex) {
			return new Prepared(sourceIndex, e, null, null, 0, 0, message(ex));
		}
		try {
			// the size apply() gives, from the input shape and the image: written into a pooled buffer
			boolean resize = preprocessing.resize();
			int h = resize && inputShape[1] > 0 ? inputShape[1] : planes.height;
			int w = resize && inputShape[2] > 0 ? inputShape[2] : planes.width;
			int c = inputShape[3] > 0 ? inputShape[3] : planes.channelCount();
			float[] buf = pool.take(h * w * c);
			int[] shape;
			try {
				shape = preprocessing.applyInto(planes, inputShape, buf, 0); // reads the entry's pixels, never changes them
			}
			catch (IllegalArgumentException ex) {
				shape = null; // not the size foreseen: apply() below says why or gives the right one
			}
			if (shape == null || (long) shape[1] * shape[2] * shape[3] != buf.length) {
				NdArray in = preprocessing.apply(planes, inputShape);
				return read(new Prepared(sourceIndex, e, in.data(), in.shape(), planes.width, planes.height, null), planes);
			}
			return read(new Prepared(sourceIndex, e, buf, shape, planes.width, planes.height, null), planes);
		}
		catch (RuntimeException ex) {
			return new Prepared(sourceIndex, e, null, null, planes.width, planes.height, message(ex));
		}
	}

	private static Prepared read(Prepared p, Preprocessing.Planes planes) {
		p.read = planes;
		return p;
	}

	private static String message(Throwable t) {
		String m = t.getMessage();
		return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
	}

	private static java.util.concurrent.ThreadFactory daemon(String name) {
		return r -> {
			Thread t = new Thread(r, name);
			t.setDaemon(true);
			return t;
		};
	}
}
