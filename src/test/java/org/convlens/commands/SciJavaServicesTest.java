package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.scijava.app.event.StatusEvent;
import org.scijava.convert.ConvertService;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.log.LogLevel;
import org.scijava.log.LogListener;
import org.scijava.log.LogMessage;
import org.scijava.log.LogService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.ImagePlus;

/**
 * The SciJava services a command uses where Fiji expects them: status and progress reach the
 * context's StatusService, Log lines its LogService (and still ImageJ's Log, standard output when
 * headless), a SciJava cancel stops the explain loop mid-run, and option text is converted by the
 * ConvertService after ConvLens's strict checks.
 */
class SciJavaServicesTest extends CommandTestBase {

	/** Records the StatusEvents the context publishes. */
	public static final class StatusRecorder {
		// SciJava's own status events (e.g. "Command finished") may come from another thread
		final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
		final List<Integer> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
		volatile Runnable onProgress;
		List<org.scijava.event.EventSubscriber<?>> subscribers;

		@EventHandler
		public void onEvent(StatusEvent e) {
			if (e.getStatusMessage() != null && !e.getStatusMessage().isEmpty()) lines.add(e.getStatusMessage());
			if (e.getProgressMaximum() == SciJavaChannel.STEPS) {
				progress.add(e.getProgressValue());
				Runnable r = onProgress;
				if (r != null) r.run();
			}
		}
	}

	/**
	 * Waits until the condition holds: DefaultStatusService hands its events to
	 * EventService.publishLater, so they may reach the recorder after the run has returned and,
	 * headless, out of order (the thread service's pool delivers them, not one event thread).
	 */
	private static void await(java.util.function.BooleanSupplier condition) {
		long end = System.nanoTime() + 20_000_000_000L;
		while (!condition.getAsBoolean() && System.nanoTime() < end) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private static boolean reachedFull(List<Integer> progress) {
		return progress.contains(SciJavaChannel.STEPS);
	}

	private static StatusRecorder record() {
		StatusRecorder r = new StatusRecorder();
		r.subscribers = ctx.service(EventService.class).subscribe(r);
		return r;
	}

	@Test
	void statusAndProgressReachTheStatusService() {
		StatusRecorder r = record();
		try {
			ImagePlus imp = random("status", size, size, 8, 1, 3, 1, 7);
			run(ShowActivations.class, "image", imp, "layer", "conv2d");
			await(() -> r.lines.contains("Show Activations: running the model on items 1-3 of 3") &&
				r.lines.stream().anyMatch(l -> l.matches("Show Activations: done in [0-9.]+ s")) && reachedFull(r.progress) &&
				r.progress.stream().anyMatch(v -> v > 0 && v < SciJavaChannel.STEPS));
			// the run's lines, the last saying how long it took, as ImageJ's status bar shows them
			assertTrue(r.lines.contains("Show Activations: running the model on items 1-3 of 3"), r.lines.toString());
			assertTrue(r.lines.stream().anyMatch(l -> l.matches("Show Activations: done in [0-9.]+ s")), r.lines.toString());
			assertFalse(r.progress.isEmpty(), "no progress reached the StatusService");
			// the bar reaches its end, and no step is beyond it (arrival order is SciJava's, not ours)
			assertEquals(SciJavaChannel.STEPS, (int) Collections.max(r.progress), r.progress.toString());
			assertTrue(r.progress.stream().anyMatch(v -> v > 0 && v < SciJavaChannel.STEPS), "no step between start and end: " + r.progress);
		}
		finally {
			ctx.service(EventService.class).unsubscribe(r.subscribers);
		}
	}

	@Test
	void aSciJavaCancelStopsTheLoopMidRunAndKeepsItsReason() {
		StatusRecorder r = record();
		// many slices: many chunks, so the loop has steps left when the cancel comes
		ImagePlus imp = random("cancel", size, size, 8, 1, 400, 1, 8);
		String before = fingerprint(imp);
		Module module = CommandRunner.create(ctx, ShowActivations.class);
		r.onProgress = () -> ((ConvLensCommand) module.getDelegateObject()).cancel("Stopped by the script.");
		try {
			java.util.Map<String, Object> in = new java.util.HashMap<>();
			in.put("model", modelPath.toFile());
			in.put("image", imp);
			in.put("layer", "conv2d");
			CommandCancelledException e = assertThrows(CommandCancelledException.class, () -> CommandRunner.run(ctx, module, in, false));
			assertEquals("Stopped by the script.", e.getMessage());
			await(() -> r.lines.contains("Show Activations: cancelled") && reachedFull(r.progress) && r.progress.size() >= 2);
			assertTrue(r.lines.contains("Show Activations: cancelled"), r.lines.toString());
			assertFalse(r.lines.stream().anyMatch(l -> l.matches(".* in [0-9.]+ s")), "the run finished: " + r.lines);
			// stopped at the first check after the cancel: the bar never got near the end before done()
			// (sorted: headless, SciJava may deliver the events out of order)
			List<Integer> p = new ArrayList<>(r.progress);
			Collections.sort(p);
			assertTrue(p.size() >= 2 && p.get(p.size() - 1) == SciJavaChannel.STEPS && p.get(p.size() - 2) < SciJavaChannel.STEPS / 2, p.toString());
			assertEquals(before, fingerprint(imp));
		}
		finally {
			r.onProgress = null;
			ctx.service(EventService.class).unsubscribe(r.subscribers);
		}
	}

	@Test
	void logLinesReachTheLogServiceAndStillImageJsLog() {
		LogService log = ctx.service(LogService.class);
		int level = log.getLevel();
		List<String> seen = Collections.synchronizedList(new ArrayList<>());
		LogListener listener = new LogListener() {
			@Override
			public void messageLogged(LogMessage m) {
				if (m.level() == LogLevel.INFO) seen.add(String.valueOf(m.text()));
			}
		};
		log.setLevel(LogLevel.INFO);
		log.addLogListener(listener);
		PrintStream old = System.out;
		ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try {
			ImagePlus imp = random("log", size, size, 8, 1, 1, 1, 9);
			// a batch no heap holds is capped, and the cap is stated in the Log
			run(OcclusionMap.class, "image", imp, "batch", 100000000);
		}
		finally {
			System.setOut(old);
			log.removeLogListener(listener);
			log.setLevel(level);
		}
		String out = buf.toString(StandardCharsets.UTF_8);
		String line = seen.stream().filter(l -> l.contains("batch capped from 100000000 to ")).findFirst().orElse(null);
		assertTrue(line != null && line.startsWith("Occlusion"), "LogService saw: " + seen);
		// IJ.log, headless: the same line on standard output, as users of the Log window see it
		assertTrue(out.contains(line), out);
	}

	@Test
	void optionTextGoesThroughTheConvertServiceAfterTheStrictChecks() {
		List<String> calls = new ArrayList<>();
		ConvertService real = ctx.service(ConvertService.class);
		ConvertService recording = (ConvertService) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ConvertService.class },
			(proxy, method, args) -> {
				if (method.getName().equals("convert")) calls.add(args[0] + " -> " + args[1]);
				return method.invoke(real, args);
			});
		Module m = CommandRunner.create(ctx, OcclusionMap.class);
		ModuleItem<?> patch = m.getInfo().getInput("patch"), model = m.getInfo().getInput("model"), overlay = m.getInfo().getInput("overlay");
		assertEquals(12, Inputs.convert(recording, patch, " 12 "));
		assertEquals(new File("a/b"), Inputs.convert(recording, model, "a/b"));
		assertEquals(false, Inputs.convert(recording, overlay, "no"));
		assertEquals(3, calls.size(), calls.toString());
		// the service alone reads 2.5 as 0 and "maybe" as false: the checks before it refuse both
		assertEquals(0, real.convert("2.5", int.class));
		UsageException e = assertThrows(UsageException.class, () -> Inputs.convert(recording, patch, "2.5"));
		assertEquals("Option 'patch' needs a whole number, not '2.5'; use 0 or more.", e.getMessage());
		e = assertThrows(UsageException.class, () -> Inputs.convert(recording, overlay, "maybe"));
		assertEquals("Option 'overlay' needs true or false, not 'maybe'.", e.getMessage());
		e = assertThrows(UsageException.class, () -> Inputs.convert(recording, patch, "-3"));
		assertEquals("Option 'patch' is -3, out of range; use 0 or more.", e.getMessage());
		assertEquals(4, calls.size(), "refused text never reaches the service except to be range-checked: " + calls);
	}
}
