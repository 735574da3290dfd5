package org.convlens.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.convlens.explain.patterns.FilterPatterns;
import org.convlens.explain.patterns.FilterSelection;
import org.convlens.explain.patterns.InputRange;
import org.convlens.explain.patterns.Pattern;
import org.convlens.explain.patterns.PatternOptions;
import org.convlens.explain.patterns.PatternTarget;
import org.convlens.explain.core.Progress;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;

/**
 * Times filter patterns for all filters of a layer, one filter at a time (batch size 1) against
 * all filters in one batch, and prints the ratio (goal: at least 5x). Runs on the generated test
 * model and on the real models in {@code ../shared/models} when they are there.
 *
 * <p>Run: {@code mvn -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.convlens.bench.FilterPatternBenchmark}
 */
public final class FilterPatternBenchmark {

	private FilterPatternBenchmark() {}

	public static void main(String[] args) {
		List<Object[]> cases = new ArrayList<>();
		Path gen = Paths.get("test-data/models/shapes-tf1");
		if (Files.isRegularFile(gen.resolve("saved_model.pb"))) cases.add(new Object[] { gen, "conv2d_2", null });
		Path shared = shared();
		if (shared != null) {
			cases.add(new Object[] { shared.resolve("models/fashion-mnist-cnn"), "conv2d_2", InputRange.UNIT });
			cases.add(new Object[] { shared.resolve("models/brain-mri-tumor64"), "conv2d_8", new InputRange(0, 255) });
		}
		if (cases.isEmpty()) {
			System.out.println("No models found (test-data/models/shapes-tf1 or ../shared/models).");
			return;
		}
		for (Object[] c : cases) run((Path) c[0], (String) c[1], (InputRange) c[2]);
	}

	private static void run(Path dir, String layer, InputRange range) {
		try (ConvModel m = Models.open(dir)) {
			InputRange r = range != null ? range : InputRange.forModel(m.info());
			int n = m.info().layer(layer).channels();
			List<PatternTarget> ts = PatternTarget.filters(layer, FilterSelection.parse("all", n));
			PatternOptions opt = PatternOptions.defaults().withInputRange(r);
			// warm-up: builds the gradient ops and lets the JIT settle
			new FilterPatterns(m, opt.withIterations(3).withBatchSize(n)).compute(ts.subList(0, Math.min(4, n)), Progress.NONE);
			new FilterPatterns(m, opt.withIterations(3).withBatchSize(1)).compute(ts.subList(0, Math.min(4, n)), Progress.NONE);
			long t0 = System.nanoTime();
			List<Pattern> loop = new FilterPatterns(m, opt.withBatchSize(1)).compute(ts, Progress.NONE);
			long t1 = System.nanoTime();
			List<Pattern> batched = new FilterPatterns(m, opt.withBatchSize(n)).compute(ts, Progress.NONE);
			long t2 = System.nanoTime();
			double diff = 0;
			for (int i = 0; i < n; i++) {
				float[] a = loop.get(i).image().data(), b = batched.get(i).image().data();
				for (int k = 0; k < a.length; k++) diff = Math.max(diff, Math.abs(a[k] - b[k]) / r.width());
			}
			double loopS = (t1 - t0) / 1e9, batchS = (t2 - t1) / 1e9;
			System.out.printf(Locale.ROOT, "%s %s, %d filters, %d steps: one at a time %.2f s, batched %.2f s, ratio %.1fx (max image difference %.2g)%n",
				dir.getFileName(), layer, n, opt.iterations(), loopS, batchS, loopS / batchS, diff);
		}
	}

	private static Path shared() {
		String prop = System.getProperty("convlens.shared");
		if (prop != null && Files.isDirectory(Paths.get(prop, "models"))) return Paths.get(prop);
		for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
			if (Files.isDirectory(d.resolve("shared/models"))) return d.resolve("shared");
		}
		return null;
	}
}
