package org.convlens.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

import org.convlens.explain.attribution.Occlusion;
import org.convlens.explain.core.Progress;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;

/**
 * Prints the time of an occlusion map computed one occluded image per forward pass against the
 * same map with the occluded images batched, and their ratio (goal: at least 4). Not a test:
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.bench.OcclusionBenchmark [-Dexec.args="MODEL [BATCH]"]}.
 * The input is random (its values do not change the cost); patch and stride are the defaults.
 */
public final class OcclusionBenchmark {

	public static void main(String[] args) {
		Path dir = Paths.get(args.length > 0 ? args[0] : "test-data/models/shapes-keras");
		int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
		try (ConvModel m = Models.open(dir)) {
			int[] s = m.info().imageInput().shape();
			s[0] = 1;
			NdArray x = NdArray.zeros(s);
			Random r = new Random(1);
			for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat();
			Occlusion one = new Occlusion().withBatchSize(1);
			Occlusion many = new Occlusion().withBatchSize(batch);
			int passes = one.count(s[1], s[2]);
			// warm up both paths (graph optimisation, allocation)
			one.heatmap(m, x, 0, Progress.NONE);
			many.heatmap(m, x, 0, Progress.NONE);
			double tOne = Double.MAX_VALUE, tMany = Double.MAX_VALUE;
			for (int rep = 0; rep < 5; rep++) {
				long t0 = System.nanoTime();
				one.heatmap(m, x, 0, Progress.NONE);
				tOne = Math.min(tOne, (System.nanoTime() - t0) / 1e6);
				t0 = System.nanoTime();
				many.heatmap(m, x, 0, Progress.NONE);
				tMany = Math.min(tMany, (System.nanoTime() - t0) / 1e6);
			}
			System.out.printf("model %s, input %dx%dx%d, patch %d stride %d: %d occluded images%n", dir, s[1], s[2], s[3],
				one.patchFor(s[1], s[2]), one.strideFor(s[1], s[2]), passes);
			System.out.printf("one per forward pass: %.1f ms (%.3f ms per image)%n", tOne, tOne / passes);
			System.out.printf("batches of %d:        %.1f ms (%.3f ms per image)%n", batch, tMany, tMany / passes);
			System.out.printf("ratio: %.1fx (goal >= 4x)%n", tOne / tMany);
		}
	}
}
