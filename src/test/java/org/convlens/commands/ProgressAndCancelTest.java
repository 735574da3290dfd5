package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.event.KeyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.convlens.explain.core.BatchRunner;
import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Progress;
import org.convlens.imagej.IJProgress;
import org.convlens.imagej.ImageInput;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;

/** Progress reaches ImageJ's bar, Esc cancels: in the adapter, the batch loop and a whole command. */
class ProgressAndCancelTest extends CommandTestBase {

	@Test
	void escapeCancelsTheAdapter() {
		IJProgress p = new IJProgress("test");
		assertFalse(p.isCancelled());
		IJ.setKeyDown(KeyEvent.VK_ESCAPE);
		assertTrue(p.isCancelled());
		assertThrows(CancelledException.class, p::checkCancelled);
		new IJProgress("again"); // a new run starts uncancelled
		assertFalse(IJ.escapePressed());
	}

	@Test
	void batchesReportProgressAndStopBetweenChunks() {
		ImagePlus imp = random("stack", size, size, 8, 1, 40, 1, 41);
		var x = ImageInput.batch(imp, ImageInput.positions(imp), Preprocessing.forModel(engine.info()), engine.info().imageInput().shape());
		List<Double> seen = new ArrayList<>();
		Progress record = new Progress() {
			public void update(double f, String m) { seen.add(f); }
			public boolean isCancelled() { return false; }
		};
		var r = BatchRunner.run(engine, x, List.of("conv2d"), 16, record);
		assertEquals(40, r.get("conv2d").dim(0));
		assertEquals(List.of(0.0, 16 / 40.0, 32 / 40.0, 1.0), seen);
		Progress cancelAfterFirst = new Progress() {
			public void update(double f, String m) { seen.add(f); }
			public boolean isCancelled() { return seen.size() > 4; }
		};
		assertThrows(CancelledException.class, () -> BatchRunner.run(engine, x, List.of("conv2d"), 16, cancelAfterFirst));
	}

	@Test
	void escapeDuringACommandCancelsIt() throws Exception {
		// long enough (1 000 slices, many batches) that the key-pressing thread gets the CPU during the
		// run even when a busy machine keeps it waiting for milliseconds
		ImagePlus imp = random("long", size, size, 8, 1, 1000, 1, 42);
		String before = fingerprint(imp);
		AtomicBoolean stop = new AtomicBoolean();
		Thread esc = new Thread(() -> {
			while (!stop.get()) {
				IJ.setKeyDown(KeyEvent.VK_ESCAPE);
				Thread.onSpinWait();
			}
		});
		esc.setPriority(Thread.MAX_PRIORITY);
		esc.start();
		try {
			CommandCancelledException e = assertThrows(CommandCancelledException.class, () -> run(ShowActivations.class, "image", imp, "layer", "conv2d"));
			assertEquals("Cancelled by the user.", e.getMessage());
		}
		finally {
			stop.set(true);
			esc.join();
			IJ.resetEscape();
		}
		assertEquals(before, fingerprint(imp));
	}
}
