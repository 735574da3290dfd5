package org.convlens.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.convlens.explain.CnnCodes;
import org.convlens.explain.CodeCsvWriter;
import org.convlens.explain.DatasetRunner;
import org.convlens.explain.ImageSource;
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
 * file. Best of three runs each, one JVM. Not a test: {@code mvn -q test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.bench.DatasetThroughputBenchmark
 * [-Dexec.args="N BATCH MODEL READERS"]} (default 2000 images, batch 32, test-data/models/shapes-keras;
 * images are 32x32 synthetic shapes, resized to other models' inputs).
 */
public final class DatasetThroughputBenchmark {

	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
		int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
		Path modelDir = Paths.get(args.length > 2 ? args[2] : "test-data/models/shapes-keras");
		int readers = args.length > 3 ? Integer.parseInt(args[3]) : new DatasetRunner(null, Preprocessing.defaults()).readers();
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

			double raw = 0, fromMemory = 0, fromFiles = 0, toCsv = 0;
			for (int rep = 0; rep < 3; rep++) {
				long t0 = System.nanoTime();
				for (NdArray b : batches) m.run(b, fetches);
				raw = Math.max(raw, total / ((System.nanoTime() - t0) / 1e9));

				t0 = System.nanoTime();
				codes.extract(inMemory, new DatasetRunner(m, pp).batchSize(batch).readers(readers), null, r -> {});
				fromMemory = Math.max(fromMemory, total / ((System.nanoTime() - t0) / 1e9));

				t0 = System.nanoTime();
				codes.extract(files, new DatasetRunner(m, pp).batchSize(batch).readers(readers), null, r -> {});
				fromFiles = Math.max(fromFiles, total / ((System.nanoTime() - t0) / 1e9));

				t0 = System.nanoTime();
				try (CodeCsvWriter w = new CodeCsvWriter(tmp.resolve("codes.csv"))) {
					codes.extract(files, new DatasetRunner(m, pp).batchSize(batch).readers(readers), null, w);
				}
				toCsv = Math.max(toCsv, total / ((System.nanoTime() - t0) / 1e9));
			}
			System.out.printf("model %s, %d images, batch %d, codes of %s (%d values), %d processors, %d reader threads%n", modelDir, total,
				batch, codes.layer(), codes.dimension(), Runtime.getRuntime().availableProcessors(), readers);
			System.out.printf("raw batched TensorFlow inference : %8.0f images/s%n", raw);
			System.out.printf("codes, images in memory          : %8.0f images/s  ratio %.2f%n", fromMemory, fromMemory / raw);
			System.out.printf("codes, TIFF files                : %8.0f images/s  ratio %.2f%n", fromFiles, fromFiles / raw);
			System.out.printf("codes, TIFF files to CSV         : %8.0f images/s  ratio %.2f%n", toCsv, toCsv / raw);
			System.out.println("goal: ratio >= 0.90");
		}
		finally {
			try (Stream<Path> s = Files.walk(tmp)) {
				s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}
}
