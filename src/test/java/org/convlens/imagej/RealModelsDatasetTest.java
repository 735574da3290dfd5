package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCollector;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.Embedding;
import org.convlens.explain.dataset.EmbeddingGrid;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Keras models of ../shared/models on real pictures (the brain model's samples and
 * ../shared/images: RGB and grey, JPEG and PNG, all sizes): both dataset algorithms run and give
 * finite results. Skipped when ../shared is absent.
 */
class RealModelsDatasetTest {

	@ParameterizedTest
	@ValueSource(strings = { "brain-mri-tumor64", "fashion-mnist-cnn" })
	void maxActivatingAndCodesRunOnRealModels(String name, @TempDir Path tmp) throws Exception {
		Path modelDir = TestPaths.sharedOrSkip("models/" + name);
		Path samples = TestPaths.sharedOrSkip("models/brain-mri-tumor64/samples");
		Path images = TestPaths.sharedOrSkip("images");
		// a list file naming the shared pictures where they are (nothing is copied)
		List<String> lines = new ArrayList<>();
		for (Path dir : List.of(samples, images)) {
			try (Stream<Path> s = Files.list(dir)) {
				lines.addAll(s.filter(p -> p.toString().matches(".*\\.(jpg|png)")).sorted().map(p -> p + "," + dir.getFileName())
					.collect(Collectors.toList()));
			}
		}
		Path list = tmp.resolve("images.txt");
		Files.write(list, lines);
		ImageSource src = DatasetSources.listFile(list);
		try (ConvModel m = Models.open(modelDir)) {
			String layer = MaxActivating.defaultLayer(m);
			MaxActivating.Result r = new MaxActivating(m).layer(layer).topK(3).run(src, new DatasetRunner(m, null).batchSize(5), null);
			assertEquals(lines.size(), r.report().processed(), r.report().details());
			assertEquals(m.info().layer(layer).channels(), r.filters().size());
			int live = r.filters(MaxActivating.Status.LIVE).size();
			assertTrue(live > 0, "some filter fires");
			// dead filters: zero everywhere on every image, no ranking, after the live ones
			for (int f : r.filters(MaxActivating.Status.DEAD)) {
				assertArrayEquals(new float[] { 0, 0 }, r.range(f), 0f);
				assertTrue(r.hits(f).isEmpty());
				assertTrue(r.filters().indexOf(f) >= live);
			}
			System.out.println(name + ": " + layer + ": " + live + " live of " + r.filters().size() + " filters, dead: " +
				r.filters(MaxActivating.Status.DEAD) + ", constant: " + r.filters(MaxActivating.Status.CONSTANT));
			for (int f : r.filters(MaxActivating.Status.LIVE)) {
				assertEquals(3, r.hits(f).size());
				for (MaxActivating.Hit h : r.hits(f)) {
					assertTrue(Float.isFinite(h.score()), "finite score");
					double[] rect = h.imageRect();
					assertTrue(rect[0] >= 0 && rect[1] >= 0 && rect[0] + rect[2] <= h.imageWidth() + 1e-9 && rect[1] + rect[3] <= h.imageHeight() +
						1e-9, "patch inside the image");
				}
			}
			CodeCollector rows = new CodeCollector();
			DatasetReport rep = new CnnCodes(m).extract(src, new DatasetRunner(m, null), null, rows);
			assertEquals(lines.size(), rep.processed());
			for (CnnCodes.Row row : rows.rows()) {
				for (float v : row.code()) assertTrue(Float.isFinite(v), "finite code of " + row.name());
				assertTrue(row.confidence() >= 0 && row.confidence() <= 1, "confidence of " + row.name());
			}
			double[][] map = Embedding.tsne(rows.codes(), new Embedding.TsneOptions().iterations(300), null);
			for (double[] p : map) assertTrue(Double.isFinite(p[0]) && Double.isFinite(p[1]));
			int[] grid = EmbeddingGrid.assign(map, 4, 3, Double.POSITIVE_INFINITY);
			for (int g : grid) assertTrue(g >= 0 && g < map.length);
			System.out.println(name + ": " + rep.summary() + "; layer " + layer + " field " + r.field() + "; codes from " +
				new CnnCodes(m).layer() + " (" + rows.codes()[0].length + " values)");
		}
	}
}
