package org.convlens.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.convlens.TestPaths;
import org.convlens.commands.ClassActivationMap;
import org.convlens.commands.CommandRunner;
import org.convlens.commands.Contexts;
import org.scijava.Context;

import ij.IJ;
import ij.ImagePlus;

/**
 * Leaks over many runs in one JVM, through the command path a user takes (module, model cache,
 * TensorFlow session, heatmap overlay and outputs): 1,000 Grad-CAMs and 300 Score-CAMs on the demo
 * image with the generated shapes-keras model, resident memory (VmRSS, Linux) and used heap after
 * warm-up and after the runs. Goal: growth under 50 MB. Not a test: run on demand,
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.bench.LeakBenchmark [-Dexec.args="1000 300"]}.
 */
public final class LeakBenchmark {

	public static void main(String[] args) throws Exception {
		int grad = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
		int score = args.length > 1 ? Integer.parseInt(args[1]) : 300;
		Path model = TestPaths.model("shapes-keras");
		ImagePlus img = IJ.openImage(TestPaths.testData().resolve("images").resolve("demo-ring.tif").toString());
		Context ctx = Contexts.get();
		// warm-up: class loading, the model cache, TensorFlow's allocator pools, the JIT
		runs(ctx, model, img, "Grad-CAM", 100);
		runs(ctx, model, img, "Score-CAM", 30);
		long[] before = measure();
		long t0 = System.nanoTime();
		runs(ctx, model, img, "Grad-CAM", grad);
		long t1 = System.nanoTime();
		long[] mid = measure();
		runs(ctx, model, img, "Score-CAM", score);
		long t2 = System.nanoTime();
		long[] after = measure();
		System.out.printf(Locale.ROOT, "after warm-up:              VmRSS %7.1f MB, heap used %6.1f MB%n", mb(before[0]), mb(before[1]));
		System.out.printf(Locale.ROOT, "after %4d Grad-CAMs (%4.1f s): VmRSS %7.1f MB (%+.1f MB), heap used %6.1f MB (%+.1f MB)%n", grad, (t1 - t0) / 1e9,
			mb(mid[0]), mb(mid[0] - before[0]), mb(mid[1]), mb(mid[1] - before[1]));
		System.out.printf(Locale.ROOT, "after %4d Score-CAMs (%4.1f s): VmRSS %7.1f MB (%+.1f MB), heap used %6.1f MB (%+.1f MB)%n", score, (t2 - t1) / 1e9,
			mb(after[0]), mb(after[0] - before[0]), mb(after[1]), mb(after[1] - before[1]));
		System.out.printf(Locale.ROOT, "resident growth after warm-up: %.1f MB (goal < 50 MB)%n", mb(after[0] - before[0]));
		Contexts.disposeOwn();
		System.exit(0);
	}

	static void runs(Context ctx, Path model, ImagePlus img, String method, int n) {
		for (int i = 0; i < n; i++) {
			// a fresh copy each time, as a user opening images one after another; the overlay goes with it
			ImagePlus imp = img.duplicate();
			CommandRunner.run(ctx, CommandRunner.create(ctx, ClassActivationMap.class),
				Map.of("model", model.toFile(), "image", imp, "method", method, "predict", true), false, false);
			imp.close();
		}
	}

	/** Resident set size and used heap, in bytes, after a full collection. */
	static long[] measure() throws Exception {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(200);
		}
		Runtime rt = Runtime.getRuntime();
		return new long[] { vmRss(), rt.totalMemory() - rt.freeMemory() };
	}

	static long vmRss() throws Exception {
		for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
		}
		return -1;
	}

	private static double mb(long b) {
		return b / (1024.0 * 1024.0);
	}
}
