package org.convlens.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCsvWriter;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.ShapeFiles;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

/**
 * Images per second of CNN-code extraction, as a ratio to raw batched TensorFlow inference on the
 * same model, batch size and fetches (the code layer and the class output) with the inputs
 * already in memory (goal: at least 0.9). Extraction is timed from images in memory (pipeline
 * overhead only), from TIFF files in a folder (with ImageJ reading them), and from files to a CSV
 * file. Each extraction's ratio is to raw inference timed just before and after it; the median
 * over R runs is printed, with the best rates. One JVM. Not a test: {@code mvn -q test-compile
 * exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.bench.DatasetThroughputBenchmark
 * [-Dexec.args="N BATCH MODEL READERS R"]} (default 2000 images, batch 32, test-data/models/shapes-keras, 5 runs;
 * images are 32x32 synthetic shapes, resized to other models' inputs).
 */
public final class DatasetThroughputBenchmark {

	/** Images per second of raw batched inference over the prepared batches. */
	private static double rawRate(ConvModel m, List<NdArray> batches, List<String> fetches, int total) {
		long t0 = System.nanoTime();
		for (NdArray b : batches) m.run(b, fetches);
		return total / ((System.nanoTime() - t0) / 1e9);
	}

	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
		int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
		Path modelDir = Paths.get(args.length > 2 ? args[2] : "test-data/models/shapes-keras");
		int readers = args.length > 3 ? Integer.parseInt(args[3]) : new DatasetRunner(null, Preprocessing.defaults()).readers();
		int reps = args.length > 4 ? Integer.parseInt(args[4]) : 5;
		Path tmp = Files.createTempDirectory("convlens-speedbench");
		try (ConvModel m = Models.open(modelDir)) {
			ShapeFiles.write(tmp.resolve("img"), (n + 2) / 3, 32, 8);
			ImageSource files = DatasetSources.folder(tmp.resolve("img"), true, true);
			// the same images in memory, read once
			List<ImageSource.Entry> mem = new ArrayList<>();
			for (ImageSource.Entry e : files) mem.add(ImageSource.entry(e.name(), e.label(), e.read()));
			ImageSource inMemory = ImageSource.of("memory", mem);
			int total = mem.size();

			CnnCodes codes = new CnnCodes(m);
			List<String> fetches = List.of(codes.layer(), ConvModel.OUTPUT);
			Preprocessing pp = Preprocessing.forModel(m.info());
			int[] shape = m.info().imageInput().shape();
			List<NdArray> batches = new ArrayList<>();
			for (int i = 0; i < total; i += batch) {
				List<NdArray> parts = new ArrayList<>();
				for (int j = i; j < Math.min(total, i + batch); j++) parts.add(pp.apply(mem.get(j).read(), shape));
				batches.add(NdArray.concat(parts));
			}

			// raw inference is timed before and after each extraction, and each extraction's ratio is to
			// the mean of those two: on a shared machine the load changes between runs, and a ratio
			// of two runs far apart (or of two best-ofs) measures the load as much as the pipeline
			String[] what = { "codes, images in memory", "codes, TIFF files", "codes, TIFF files to CSV" };
			ImageSource[] sources = { inMemory, files, files };
			double[][] ratios = new double[3][reps];
			double[] best = new double[3];
			double bestRaw = 0;
			// one untimed pass of each, so that the first timed runs do not pay for compiling the code
			codes.extract(inMemory, new DatasetRunner(m, pp).batchSize(batch).readers(readers), null, r -> {});
			codes.extract(files, new DatasetRunner(m, pp).batchSize(batch).readers(readers), null, r -> {});
			double before = rawRate(m, batches, fetches, total);
			for (int rep = 0; rep < reps; rep++) {
				for (int k = 0; k < 3; k++) {
					long t0 = System.nanoTime();
					if (k < 2) codes.extract(sources[k], new DatasetRunner(m, pp).batchSize(batch).readers(readers), null, r -> {});
					else {
						try (CodeCsvWriter w = new CodeCsvWriter(tmp.resolve("codes.csv"))) {
							codes.extract(sources[k], new DatasetRunner(m, pp).batchSize(batch).readers(readers), null, w);
						}
					}
					double rate = total / ((System.nanoTime() - t0) / 1e9);
					double after = rawRate(m, batches, fetches, total);
					ratios[k][rep] = rate / ((before + after) / 2);
					best[k] = Math.max(best[k], rate);
					bestRaw = Math.max(bestRaw, Math.max(before, after));
					before = after;
				}
			}
			System.out.printf("model %s, %d images, batch %d, codes of %s (%d values), %d processors, %d reader threads, %d runs%n", modelDir,
				total, batch, codes.layer(), codes.dimension(), Runtime.getRuntime().availableProcessors(), readers, reps);
			System.out.printf("%-34s %8s %12s %14s%n", "", "best/s", "best ratio", "median ratio");
			System.out.printf("%-34s %8.0f%n", "raw batched TensorFlow inference", bestRaw);
			for (int k = 0; k < 3; k++) {
				double[] r = ratios[k].clone();
				java.util.Arrays.sort(r);
				double median = reps % 2 == 1 ? r[reps / 2] : (r[reps / 2 - 1] + r[reps / 2]) / 2;
				System.out.printf("%-34s %8.0f %12.2f %14.2f   (runs:%s)%n", what[k], best[k], best[k] / bestRaw, median,
					java.util.Arrays.stream(ratios[k]).mapToObj(x -> String.format(" %.2f", x)).collect(java.util.stream.Collectors.joining()));
			}
			System.out.println("median ratio: each run against raw inference timed just before and after it");
			System.out.println("goal: ratio >= 0.90");
		}
		finally {
			try (Stream<Path> s = Files.walk(tmp)) {
				s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}
}
