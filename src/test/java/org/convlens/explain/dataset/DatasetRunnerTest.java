package org.convlens.explain.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.convlens.ShapesModelTest;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.testdata.SyntheticShapes;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Progress;

/** Streaming images through a model: same outputs as one at a time, skipping, errors, cancel. */
class DatasetRunnerTest extends ShapesModelTest {

	/** Synthetic images as in-memory entries; every {@code badEvery}-th entry cannot be read. */
	static List<ImageSource.Entry> shapes(int n, int size, long seed, int badEvery) {
		SyntheticShapes gen = new SyntheticShapes(seed, size);
		List<ImageSource.Entry> l = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			SyntheticShapes.Sample s = gen.next();
			String name = String.format("img%03d.tif", i);
			if (badEvery > 0 && i % badEvery == badEvery - 1) {
				l.add(failing(name, "not an image file (text)"));
				continue;
			}
			l.add(ImageSource.entry(name, s.className(), new Preprocessing.Planes(new float[][] { s.pixels }, size, size, 1, false)));
		}
		return l;
	}

	static ImageSource.Entry failing(String name, String why) {
		return new ImageEntry(name, null, () -> {
			throw new IOException(why);
		});
	}

	@Test
	void batchedOutputsEqualSingleImageRunsAndKeepOrder() {
		List<ImageSource.Entry> entries = shapes(70, 32, 1, 9);
		ImageSource src = ImageSource.of("test", entries);
		List<Integer> batchSizes = new ArrayList<>();
		List<DatasetRunner.Item> seen = new ArrayList<>();
		List<float[]> logits = new ArrayList<>();
		DatasetReport rep = new DatasetRunner(model, null).batchSize(16).readers(3).run(src, List.of(ConvModel.LOGITS), null,
			(items, out) -> {
				batchSizes.add(items.size());
				seen.addAll(items);
				NdArray l = out.get(ConvModel.LOGITS);
				for (int b = 0; b < items.size(); b++) logits.add(l.item(b).data());
			});
		int bad = 70 / 9;
		assertEquals(70 - bad, rep.processed());
		assertEquals(bad, rep.skipped().size());
		assertEquals("img008.tif", rep.skipped().get(0).name());
		assertEquals("not an image file (text)", rep.skipped().get(0).reason());
		assertEquals(List.of(16, 16, 16, 15), batchSizes);
		Preprocessing pp = Preprocessing.forModel(model.info());
		for (int i = 0; i < seen.size(); i++) {
			DatasetRunner.Item it = seen.get(i);
			assertEquals(i, it.index());
			assertEquals(String.format("img%03d.tif", it.sourceIndex()), it.name());
			assertTrue(it.sourceIndex() % 9 != 8);
			NdArray single;
			try {
				single = model.run(pp.apply(it.entry().read(), model.info().imageInput().shape()), List.of(ConvModel.LOGITS)).get(
					ConvModel.LOGITS);
			}
			catch (IOException e) {
				throw new AssertionError(e);
			}
			assertArrayEquals(single.data(), logits.get(i), 1e-4f, "logits of " + it.name());
		}
		assertTrue(rep.details().contains("skipped img008.tif: not an image file (text)"), rep.details());
	}

	@Test
	void imagesTheModelCannotTakeAreSkippedWithTheReason() {
		List<ImageSource.Entry> entries = new ArrayList<>(shapes(5, 32, 2, 0));
		// two non-RGB channels cannot feed a one-channel model
		entries.add(2, ImageSource.entry("two-channels.tif", null, new Preprocessing.Planes(new float[][] { new float[16], new float[16] }, 4,
			4, 255, false)));
		DatasetReport rep = new DatasetRunner(model, null).run(ImageSource.of("test", entries), List.of(ConvModel.OUTPUT), null,
			(items, out) -> {});
		assertEquals(5, rep.processed());
		assertEquals(1, rep.skipped().size());
		assertTrue(rep.skipped().get(0).reason().contains("2 channels"), rep.skipped().get(0).reason());
	}

	@Test
	void emptyAndUnusableSourcesFailWithClearMessages() {
		DatasetRunner r = new DatasetRunner(model, null);
		DatasetException e = assertThrows(DatasetException.class, () -> r.run(ImageSource.of("folder /data/empty", List.of()), List.of(
			ConvModel.OUTPUT), null, (items, out) -> {}));
		assertEquals("There are no images in folder /data/empty.", e.getMessage());
		List<ImageSource.Entry> bad = List.of(failing("a.txt", "not an image file (text)"), failing("b.tif", "cannot be read as TIFF"));
		e = assertThrows(DatasetException.class, () -> r.run(ImageSource.of("folder /data/bad", bad), List.of(ConvModel.OUTPUT), null,
			(items, out) -> {}));
		assertTrue(e.getMessage().startsWith("None of the 2 files in folder /data/bad could be used:"), e.getMessage());
		assertTrue(e.getMessage().contains("b.tif: cannot be read as TIFF"), e.getMessage());
	}

	@Test
	void cancelStopsTheRunAndItsThreads() throws InterruptedException {
		AtomicInteger batches = new AtomicInteger();
		Progress cancelAfterTwo = new Progress() {
			@Override
			public void update(double fraction, String message) {}

			@Override
			public boolean isCancelled() {
				return batches.get() >= 2;
			}
		};
		ImageSource src = ImageSource.of("test", shapes(400, 32, 3, 0));
		assertThrows(CancelledException.class, () -> new DatasetRunner(model, null).batchSize(8).run(src, List.of(ConvModel.OUTPUT),
			cancelAfterTwo, (items, out) -> batches.incrementAndGet()));
		assertEquals(2, batches.get());
		for (int i = 0; i < 50 && producerAlive(); i++) Thread.sleep(20);
		assertTrue(!producerAlive(), "the producer thread ends after a cancel");
	}

	@Test
	void progressReachesOneAndReaderErrorsPropagate() {
		List<Double> fractions = new ArrayList<>();
		Progress p = new Progress() {
			@Override
			public void update(double fraction, String message) {
				fractions.add(fraction);
			}

			@Override
			public boolean isCancelled() {
				return false;
			}
		};
		new DatasetRunner(model, null).batchSize(10).run(ImageSource.of("t", shapes(25, 32, 4, 0)), List.of(ConvModel.OUTPUT), p,
			(items, out) -> {});
		assertEquals(1.0, fractions.get(fractions.size() - 1), 1e-9);
		// a source whose iterator breaks (e.g. a folder vanished) fails the run with that error
		ImageSource broken = new ImageSource() {
			@Override
			public int size() {
				return 3;
			}

			@Override
			public String description() {
				return "broken";
			}

			@Override
			public java.util.Iterator<Entry> iterator() {
				throw new java.io.UncheckedIOException(new IOException("Cannot list /gone"));
			}
		};
		RuntimeException e = assertThrows(RuntimeException.class, () -> new DatasetRunner(model, null).run(broken, List.of(
			ConvModel.OUTPUT), null, (items, out) -> {}));
		assertTrue(e.getMessage().contains("Cannot list /gone"), e.getMessage());
	}

	/**
	 * Readers write each image's input into buffers handed back after each batch: a long run makes
	 * only about as many as are in flight, and the outputs are still each image's own (a buffer
	 * reused too early would show another image's logits).
	 */
	@Test
	void inputBuffersAreReusedAndBounded() {
		List<ImageSource.Entry> entries = shapes(300, 32, 5, 0);
		List<float[]> logits = new ArrayList<>();
		DatasetRunner runner = new DatasetRunner(model, null).batchSize(10).readers(2);
		runner.run(ImageSource.of("t", entries), List.of(ConvModel.LOGITS), null, (items, out) -> {
			NdArray l = out.get(ConvModel.LOGITS);
			for (int b = 0; b < items.size(); b++) logits.add(l.item(b).data());
		});
		BufferPool pool = runner.buffers;
		// in flight at most: the read-ahead window, the batch being filled (or waiting to be queued),
		// two queued batches and the one the model is running
		int bound = Math.max(10, 2 * 2) + 4 * 10;
		assertTrue(pool.made.get() <= bound, "buffers made: " + pool.made.get());
		assertEquals(300, pool.made.get() + pool.reused.get());
		NdArray all = model.run(NdArray.concat(entries.stream().map(e -> {
			try {
				return runner.preprocessing().apply(e.read(), model.info().imageInput().shape());
			}
			catch (IOException ex) {
				throw new AssertionError(ex);
			}
		}).collect(java.util.stream.Collectors.toList())), List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
		for (int i = 0; i < 300; i++) assertArrayEquals(all.item(i).data(), logits.get(i), 1e-4f, "image " + i);
	}

	/**
	 * Outputs written into the previous batch's arrays are the values of a plain run, in the same
	 * arrays where the length fits; a handler that keeps nothing gets them, one that keeps its
	 * outputs gets new arrays every batch.
	 */
	@Test
	void outputsWrittenIntoThePreviousArraysEqualNewOnes() {
		List<ImageSource.Entry> entries = shapes(20, 32, 6, 0);
		int[] shape = model.info().imageInput().shape();
		Preprocessing pp = Preprocessing.forModel(model.info());
		List<NdArray> inputs = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			try {
				inputs.add(pp.apply(entries.get(i).read(), shape));
			}
			catch (IOException e) {
				throw new AssertionError(e);
			}
		}
		NdArray a = NdArray.concat(inputs.subList(0, 8)), b = NdArray.concat(inputs.subList(8, 16)), c = NdArray.concat(inputs.subList(16, 20));
		List<String> fetches = List.of("conv2d_2", ConvModel.LOGITS);
		java.util.Map<String, NdArray> first = model.run(a, fetches, java.util.Map.of());
		float[] conv = first.get("conv2d_2").data();
		java.util.Map<String, NdArray> second = model.run(b, fetches, first);
		assertTrue(second.get("conv2d_2").data() == conv, "written into the previous array");
		for (String f : fetches) assertArrayEquals(model.run(b, fetches).get(f).data(), second.get(f).data(), 0f, f);
		java.util.Map<String, NdArray> third = model.run(c, fetches, second); // a smaller batch: new arrays
		assertTrue(third.get("conv2d_2").data() != conv);
		for (String f : fetches) assertArrayEquals(model.run(c, fetches).get(f).data(), third.get(f).data(), 0f, f);

		for (boolean keeps : new boolean[] { true, false }) {
			java.util.Set<float[]> arrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
			List<float[]> logits = new ArrayList<>();
			new DatasetRunner(model, null).batchSize(5).run(ImageSource.of("t", entries), List.of(ConvModel.LOGITS), null,
				new DatasetRunner.BatchHandler() {
					@Override
					public void accept(List<DatasetRunner.Item> items, java.util.Map<String, NdArray> out) {
						NdArray l = out.get(ConvModel.LOGITS);
						arrays.add(l.data());
						for (int k = 0; k < items.size(); k++) logits.add(l.item(k).data());
					}

					@Override
					public boolean keepsOutputs() {
						return keeps;
					}
				});
			assertEquals(keeps ? 4 : 1, arrays.size(), "output arrays of 4 batches");
			for (int i = 0; i < 20; i++) assertArrayEquals(model.run(inputs.get(i), List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS).data(),
				logits.get(i), 1e-4f, "image " + i);
		}
	}

	private static boolean producerAlive() {
		return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && (t.getName().equals("ConvLens batch producer") ||
			t.getName().equals("ConvLens image reader")));
	}

	@Test
	void aHandlerThatNeedsPlanesGetsThePixelsAsReadInSmallBatchesOnlyDuringTheBatch() throws IOException {
		List<ImageSource.Entry> entries = shapes(30, 32, 4, 7);
		List<DatasetRunner.Item> seen = new ArrayList<>();
		int[] largest = { 0 };
		new DatasetRunner(model, null).batchSize(32).run(ImageSource.of("t", entries), List.of("conv2d"), null, new DatasetRunner.BatchHandler() {
			@Override
			public boolean needsPlanes() {
				return true;
			}

			@Override
			public void accept(List<DatasetRunner.Item> items, java.util.Map<String, NdArray> out) {
				largest[0] = Math.max(largest[0], items.size());
				for (DatasetRunner.Item it : items) {
					Preprocessing.Planes p = it.planes();
					try {
						assertArrayEquals(it.entry().read().channels()[0], p.channels()[0], 0f, it.name());
					}
					catch (IOException e) {
						throw new AssertionError(e);
					}
					seen.add(it);
				}
			}
		});
		assertEquals(26, seen.size(), "30 images, every 7th unreadable");
		assertEquals(DatasetRunner.KEEP_PLANES_BATCH, largest[0]);
		for (DatasetRunner.Item it : seen) assertEquals(null, it.planes(), "not held after the batch");
		// a handler that does not ask gets none, in full batches
		int[] full = { 0 };
		new DatasetRunner(model, null).batchSize(32).run(ImageSource.of("t", entries), List.of("conv2d"), null, (items, out) -> {
			full[0] = Math.max(full[0], items.size());
			for (DatasetRunner.Item it : items) assertEquals(null, it.planes());
		});
		assertEquals(26, full[0]);
	}
}
