package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.convlens.TestPaths;
import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.CodeCollector;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.Embedding;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.Preprocessing;
import org.convlens.testdata.SyntheticShapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on a generated labelled dataset: 300 synthetic images in class folders, CNN
 * codes of the classifier input, t-SNE: the classes separate in the map.
 */
class ShapesEmbeddingTest {

	@Test
	void tsneOfPenultimateCodesSeparatesTheClasses(@TempDir Path dir) throws Exception {
		ShapeFiles.write(dir, 100, 32, 2024);
		ImageSource src = DatasetSources.folder(dir, true, true);
		assertEquals(300, src.size());
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			CnnCodes codes = new CnnCodes(m);
			assertEquals("flatten", codes.layer());
			CodeCollector rows = new CodeCollector();
			DatasetReport rep = codes.extract(src, new DatasetRunner(m, null).batchSize(32), null, rows);
			assertEquals(300, rep.processed());
			assertTrue(rep.skipped().isEmpty(), rep.details());
			assertEquals(List.of("cross", "disc", "ring"), rows.labelNames(), "labels from the sub-folders, in folder order");

			long t0 = System.nanoTime();
			double[][] map = Embedding.tsne(rows.codes(), new Embedding.TsneOptions().perplexity(30).iterations(1000).seed(42), null);
			double seconds = (System.nanoTime() - t0) / 1e9;
			double acc = Embedding.knnAccuracy(map, rows.labels(), 5);
			int right = 0;
			for (CnnCodes.Row r : rows.rows()) if (r.predictedName().equals(r.label())) right++;
			System.out.printf("t-SNE of %d codes (%d-d) in %.1f s: 5-NN accuracy %.3f; classifier accuracy %.3f%n", map.length,
				rows.codes()[0].length, seconds, acc, right / 300.0);
			assertTrue(acc >= 0.90, "5-NN accuracy in the t-SNE map: " + acc);
			// the Barnes-Hut t-SNE (which the map takes for thousands of images) separates them too
			double[][] bh = Embedding.tsne(rows.codes(),
				new Embedding.TsneOptions().perplexity(30).iterations(1000).seed(42).method(Embedding.Method.BARNES_HUT), null);
			double accBh = Embedding.knnAccuracy(bh, rows.labels(), 5);
			System.out.printf("Barnes-Hut: 5-NN accuracy %.3f%n", accBh);
			assertTrue(accBh >= 0.90, "5-NN accuracy in the Barnes-Hut t-SNE map: " + accBh);

			// the max-activating patches can be cropped from the files again
			MaxActivating.Result r = new MaxActivating(m).layer("conv2d_1").filters(0, 1).topK(4).run(src, new DatasetRunner(m, null), null);
			for (MaxActivating.Hit h : r.hits(0)) {
				Preprocessing.Planes p = h.readPatch();
				assertEquals(h.inputRect()[2], p.width);
				assertTrue(h.name().matches("(cross|disc|ring)/\\w+_\\d{3}\\.tif"), h.name());
				assertTrue(List.of(SyntheticShapes.CLASS_NAMES).contains(h.label()));
			}
		}
	}
}
