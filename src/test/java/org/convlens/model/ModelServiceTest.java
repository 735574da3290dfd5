package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.tensorflow.proto.SavedModel;

class ModelServiceTest {

	@TempDir
	Path tmp;

	private Path copy(String name, String as) throws IOException {
		return HostileModelsTest.copyModel(TestPaths.model(name), tmp.resolve(as));
	}

	private static void touch(Path f) throws IOException {
		Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
	}

	private static boolean usable(ConvModel m) {
		try {
			m.run(NdArray.zeros(1, 32, 32, 1), List.of(ConvModel.OUTPUT));
			return true;
		}
		catch (ModelException e) {
			assertTrue(e.getMessage().contains("has been closed"), e.getMessage());
			return false;
		}
	}

	@Test
	void cachesReloadsOnChangeAndDisposesWithTheContext() throws IOException {
		Path dir = copy("shapes-tf1", "m");
		Context ctx = new Context(ModelService.class);
		ModelService svc = ctx.service(ModelService.class);
		ConvModel a = svc.get(dir);
		assertSame(a, svc.get(dir.resolve(".")), "same canonical path, same model");
		assertEquals(1, svc.size());

		// a changed file means a reload; a model handed out by get() stays open until clear()
		Path labels = dir.resolve("labels.txt");
		Files.write(labels, List.of("a", "b", "c"));
		touch(labels);
		ConvModel b = svc.get(dir);
		assertNotSame(a, b);
		assertEquals(List.of("a", "b", "c"), b.info().classNames());
		assertTrue(usable(a), "get() callers may still be using the old model");
		assertEquals(1, svc.size());

		ctx.dispose();
		assertFalse(usable(a), "disposing the context closes replaced models too");
		assertFalse(usable(b), "disposing the context closes models");
	}

	@Test
	void aReloadWhileLeasedKeepsTheLeasedModelOpenUntilItsLastLease() throws IOException {
		Path dir = copy("shapes-tf1", "m");
		DefaultModelService svc = new DefaultModelService();
		ModelLease first = svc.acquire(dir);
		ModelLease second = svc.acquire(dir);
		assertSame(first.model(), second.model());

		Path labels = dir.resolve("labels.txt");
		Files.write(labels, List.of("a", "b", "c"));
		touch(labels);
		try (ModelLease fresh = svc.acquire(dir)) {
			assertNotSame(first.model(), fresh.model());
			assertTrue(usable(first.model()), "a reload must not close a leased model");
			first.close();
			assertTrue(usable(second.model()), "still leased once");
			second.close();
			assertFalse(usable(second.model()), "closed with its last lease");
			assertTrue(usable(fresh.model()));
			first.close(); // twice is harmless
		}
		// the current model stays cached after its lease ends, and clear() closes it
		try (ModelLease again = svc.acquire(dir)) {
			assertTrue(usable(again.model()));
			svc.clear();
			assertTrue(usable(again.model()), "clear() waits for the lease");
			ConvModel m = again.model();
			again.close();
			assertFalse(usable(m));
		}
	}

	@Test
	void aHeldModelServesTheWholeRunThoughTheFilesChange() throws IOException {
		Path dir = copy("shapes-tf1", "m");
		DefaultModelService svc = new DefaultModelService();
		Path labels = dir.resolve("labels.txt");
		ConvModel held;
		try (ModelLease run = svc.hold(dir)) {
			held = run.model();
			for (int image = 0; image < 3; image++) {
				Files.write(labels, List.of("a" + image, "b", "c"));
				touch(labels);
				try (ModelLease perImage = svc.acquire(dir)) {
					assertSame(held, perImage.model(), "image " + image + " uses the model the run started with");
				}
				assertSame(held, svc.get(dir));
			}
		}
		// after the run, the changed files are loaded; the held model was pinned by get() above,
		// so it stays open until clear()
		try (ModelLease next = svc.acquire(dir)) {
			assertNotSame(held, next.model());
			assertEquals(List.of("a2", "b", "c"), next.model().info().classNames());
		}
		assertTrue(usable(held));
		svc.clear();
		assertFalse(usable(held));
	}

	@Test
	void fingerprintFollowsTheModelFilesNotTheLabels() throws IOException {
		Path dir = copy("shapes-keras", "m");
		DefaultModelService svc = new DefaultModelService();
		String f1;
		try (ModelLease l = svc.acquire(dir)) {
			f1 = l.fingerprint();
			assertNotNull(f1);
			assertTrue(f1.matches("[0-9a-f]{16}"), f1);
			assertEquals(f1, l.model().info().fingerprint());
			assertTrue(l.model().info().describe().contains(f1));
		}
		Path labels = dir.resolve("labels.txt");
		Files.write(labels, List.of("x", "y", "z"));
		touch(labels);
		try (ModelLease l = svc.acquire(dir)) {
			assertEquals(List.of("x", "y", "z"), l.model().info().classNames(), "reloaded");
			assertEquals(f1, l.fingerprint(), "the same graph and weights");
		}
		// the same network, re-exported: a different saved_model.pb
		Path pb = dir.resolve("saved_model.pb");
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(pb));
		SavedModel.Builder b = sm.toBuilder();
		b.getMetaGraphsBuilder(0).getMetaInfoDefBuilder().setTensorflowGitVersion("re-exported");
		Files.write(pb, b.build().toByteArray());
		touch(pb);
		try (ModelLease l = svc.acquire(dir)) {
			assertNotEquals(f1, l.fingerprint());
		}
		// and the other generated model, of the same weights but another graph, differs too
		try (ModelLease l = svc.acquire(copy("shapes-tf1", "t"))) {
			assertNotEquals(f1, l.fingerprint());
		}
		svc.clear();
	}

	/** Opens models through TensorFlow, but the model named {@code slow} waits for a latch first. */
	private static final class GatedService extends DefaultModelService {
		final CountDownLatch gate = new CountDownLatch(1);
		final CountDownLatch slowStarted = new CountDownLatch(1);
		final AtomicInteger opens = new AtomicInteger();

		@Override
		ModelFactory factory() {
			ModelFactory real = super.factory();
			return new ModelFactory() {
				@Override
				public ConvModel open(Path dir, LoadOptions options) {
					opens.incrementAndGet();
					if (dir.getFileName().toString().equals("slow")) {
						slowStarted.countDown();
						try {
							if (!gate.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("gate never opened");
						}
						catch (InterruptedException e) {
							throw new IllegalStateException(e);
						}
					}
					return real.open(dir, options);
				}

				@Override
				public String runtimeVersion() {
					return real.runtimeVersion();
				}
			};
		}
	}

	@Test
	void aSlowLoadDoesNotBlockOtherModelsAndOneModelLoadsOnce() throws Exception {
		Path slow = copy("shapes-tf1", "slow");
		Path fast = copy("shapes-keras", "fast");
		GatedService svc = new GatedService();
		ExecutorService pool = Executors.newFixedThreadPool(3);
		try {
			Future<ModelLease> s1 = pool.submit(() -> svc.acquire(slow));
			assertTrue(svc.slowStarted.await(60, TimeUnit.SECONDS));
			Future<ModelLease> s2 = pool.submit(() -> svc.acquire(slow));
			// the fast model loads (and its cache hits answer) while the slow load is stuck
			Future<ModelLease> f = pool.submit(() -> svc.acquire(fast));
			try (ModelLease l = f.get(60, TimeUnit.SECONDS); ModelLease again = svc.acquire(fast)) {
				assertSame(l.model(), again.model());
				assertTrue(usable(l.model()));
			}
			assertFalse(s1.isDone() || s2.isDone(), "the slow load is still waiting");
			svc.gate.countDown();
			try (ModelLease a = s1.get(60, TimeUnit.SECONDS); ModelLease b = s2.get(60, TimeUnit.SECONDS)) {
				assertSame(a.model(), b.model(), "two requests for one model share one load");
			}
			assertEquals(2, svc.opens.get(), "one load per model");
		}
		finally {
			svc.gate.countDown();
			pool.shutdownNow();
			svc.clear();
		}
	}

	@Test
	void aFailedLoadIsRememberedUntilTheFilesChange() throws IOException {
		Path dir = copy("shapes-tf1", "broken");
		Path index = dir.resolve("variables").resolve("variables.index");
		byte[] good = Files.readAllBytes(index);
		Files.write(index, java.util.Arrays.copyOf(good, good.length / 2));
		GatedService svc = new GatedService();
		svc.gate.countDown();
		ModelException e1 = assertThrows(ModelException.class, () -> svc.acquire(dir));
		ModelException e2 = assertThrows(ModelException.class, () -> svc.acquire(dir));
		assertEquals(e1.getMessage(), e2.getMessage());
		assertEquals(1, svc.opens.get(), "the broken model is read once");
		Files.write(index, good);
		touch(index);
		try (ModelLease l = svc.acquire(dir)) {
			assertTrue(usable(l.model()));
		}
		assertEquals(2, svc.opens.get());
		svc.clear();
	}
}
