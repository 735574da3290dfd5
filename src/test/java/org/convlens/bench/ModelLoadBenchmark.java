package org.convlens.bench;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.convlens.model.ConvModel;
import org.convlens.model.ModelService;
import org.scijava.Context;

/**
 * Prints the first load (parse, inline, import, restore) time of a model, the cached lookup time
 * through {@link ModelService}, and their ratio (goal: at least 20). Not a test: run on demand,
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.bench.ModelLoadBenchmark [-Dexec.args=MODEL]}.
 */
public final class ModelLoadBenchmark {

	public static void main(String[] args) {
		Path model = Paths.get(args.length > 0 ? args[0] : "test-data/models/shapes-keras");
		Context ctx = new Context(ModelService.class);
		try {
			ModelService svc = ctx.service(ModelService.class);
			long t0 = System.nanoTime();
			ConvModel m = svc.get(model);
			long first = System.nanoTime() - t0;
			int n = 200;
			t0 = System.nanoTime();
			for (int i = 0; i < n; i++) {
				if (svc.get(model) != m) throw new IllegalStateException("cache miss");
			}
			double cached = (System.nanoTime() - t0) / (double) n;
			System.out.printf("model %s (%d layers, %s)%n", model, m.info().layers().size(), m.diagnostics().get("runtime"));
			System.out.printf("first load+inline: %.1f ms (includes TensorFlow start-up)%n", first / 1e6);
			// a second model's first load, with TensorFlow already up
			svc.clear();
			t0 = System.nanoTime();
			svc.get(model);
			long warm = System.nanoTime() - t0;
			System.out.printf("load+inline with TF already started: %.1f ms%n", warm / 1e6);
			System.out.printf("cached lookup: %.3f ms%n", cached / 1e6);
			System.out.printf("ratio first/cached: %.0fx, warm/cached: %.0fx (goal >= 20x)%n", first / cached, warm / cached);
		}
		finally {
			ctx.dispose();
		}
	}
}
