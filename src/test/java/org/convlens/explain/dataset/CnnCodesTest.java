package org.convlens.explain.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CNN codes: the default layer, values against single-image runs, pooling, predictions, CSV. */
class CnnCodesTest {

	@Test
	void defaultLayerIsTheClassifierInput() {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			assertEquals("flatten", CnnCodes.defaultLayer(m.info()));
		}
		try (ConvModel m = Models.open(TestPaths.model("shapes-tf1"))) {
			assertEquals("flatten", CnnCodes.defaultLayer(m.info()));
		}
		try (ConvModel m = Models.open(TestPaths.model("shapes-gap"))) {
			assertEquals("global_average_pooling2d", CnnCodes.defaultLayer(m.info()));
		}
	}

	@Test
	void defaultLayerOfTheRealModels() {
		try (ConvModel m = Models.open(TestPaths.sharedOrSkip("models/brain-mri-tumor64"))) {
			// dense_4 -> activation_13 (ReLU) -> dropout_2 -> dense_5 (logits) -> sigmoid
			assertEquals("dropout_2", CnnCodes.defaultLayer(m.info()));
		}
		try (ConvModel m = Models.open(TestPaths.sharedOrSkip("models/fashion-mnist-cnn"))) {
			// flatten -> dense (ReLU) -> dense_1 (logits + softmax)
			assertEquals("dense", CnnCodes.defaultLayer(m.info()));
		}
	}

	@Test
	void codesEqualTheLayerAndPredictionsTheArgmax(@TempDir Path dir) throws Exception {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			List<ImageSource.Entry> entries = DatasetRunnerTest.shapes(40, 32, 21, 0);
			CodeCollector all = new CodeCollector();
			Path csv = dir.resolve("codes.csv");
			try (CodeCsvWriter w = new CodeCsvWriter(csv)) {
				new CnnCodes(m).extract(ImageSource.of("t", entries), new DatasetRunner(m, null).batchSize(16), null, all.andThen(w));
			}
			assertEquals(40, all.size());
			Preprocessing pp = Preprocessing.forModel(m.info());
			List<String> csvLines = Files.readAllLines(csv);
			assertEquals(41, csvLines.size());
			assertTrue(csvLines.get(0).startsWith("index,name,label,predicted,predicted_name,confidence,c0,c1,"));
			assertEquals(6 + 8 * 8 * 16, csvLines.get(0).split(",").length);
			int correct = 0;
			for (int i = 0; i < 40; i++) {
				CnnCodes.Row r = all.rows().get(i);
				NdArray x = pp.apply(entries.get(i).read(), new int[] { -1, 32, 32, 1 });
				var out = m.run(x, List.of("flatten", "conv2d_2", ConvModel.OUTPUT));
				assertArrayEquals(out.get("flatten").data(), r.code(), 1e-5f);
				float[] p = out.get(ConvModel.OUTPUT).data();
				int arg = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[1] >= p[2] ? 1 : 2;
				assertEquals(arg, r.predicted());
				assertEquals(m.info().className(arg), r.predictedName());
				assertEquals(p[arg], r.confidence(), 1e-6f);
				if (r.predictedName().equals(r.label())) correct++;
				String[] cells = csvLines.get(i + 1).split(",");
				assertEquals(entries.get(i).name(), cells[1]);
				assertEquals(r.label(), cells[2]);
				assertEquals(r.code()[100], Float.parseFloat(cells[6 + 100]), 0f);
				// pooled codes of the spatial layer
				float[] act = out.get("conv2d_2").data();
				float[] avg = CnnCodes.vector(out.get("conv2d_2"), 0, CnnCodes.Pooling.AVERAGE);
				float[] mx = CnnCodes.vector(out.get("conv2d_2"), 0, CnnCodes.Pooling.MAX);
				for (int c = 0; c < 16; c++) {
					double s = 0;
					float mm = Float.NEGATIVE_INFINITY;
					for (int pos = 0; pos < 64; pos++) {
						s += act[pos * 16 + c];
						mm = Math.max(mm, act[pos * 16 + c]);
					}
					assertEquals(s / 64, avg[c], 1e-5);
					assertEquals(mm, mx[c], 0f);
				}
			}
			assertTrue(correct >= 36, "the trained model classifies the synthetic shapes: " + correct + "/40");
		}
	}

	/**
	 * A CSV writer alone is a streaming sink: it gets one reused code array, and every row written
	 * still holds its own image's code (each value against a single-image run of the model).
	 */
	@Test
	void streamedCsvRowsHoldEachImagesOwnCode(@TempDir Path dir) throws Exception {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			List<ImageSource.Entry> entries = DatasetRunnerTest.shapes(37, 32, 22, 0);
			Preprocessing pp = Preprocessing.forModel(m.info());
			for (CnnCodes.Pooling pooling : CnnCodes.Pooling.values()) {
				String layer = pooling == CnnCodes.Pooling.FLATTEN ? "flatten" : "conv2d_2";
				Path csv = dir.resolve(pooling + ".csv");
				java.util.Set<float[]> arrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
				try (CodeCsvWriter w = new CodeCsvWriter(csv)) {
					CnnCodes.StreamingSink spy = new CnnCodes.StreamingSink() {
						@Override
						public void accept(CnnCodes.Row r) {
							arrays.add(r.code());
							w.accept(r);
						}
					};
					new CnnCodes(m).layer(layer).pooling(pooling).extract(ImageSource.of("t", entries), new DatasetRunner(m, null).batchSize(8),
						null, spy);
				}
				assertEquals(1, arrays.size(), "one code array for the whole run");
				List<String> lines = Files.readAllLines(csv);
				assertEquals(38, lines.size());
				for (int i = 0; i < 37; i++) {
					NdArray act = m.run(pp.apply(entries.get(i).read(), new int[] { -1, 32, 32, 1 }), List.of(layer)).get(layer);
					float[] a = act.data();
					float[] want;
					if (pooling == CnnCodes.Pooling.FLATTEN) want = a;
					else {
						want = new float[16];
						for (int c = 0; c < 16; c++) {
							double sum = 0;
							float mx = Float.NEGATIVE_INFINITY;
							for (int pos = 0; pos < 64; pos++) {
								sum += a[pos * 16 + c];
								mx = Math.max(mx, a[pos * 16 + c]);
							}
							want[c] = pooling == CnnCodes.Pooling.MAX ? mx : (float) (sum / 64);
						}
					}
					String[] cells = lines.get(i + 1).split(",");
					assertEquals(6 + want.length, cells.length);
					assertEquals(entries.get(i).name(), cells[1]);
					for (int k = 0; k < want.length; k++) {
						assertEquals(want[k], Float.parseFloat(cells[6 + k]), 1e-5f, pooling + " " + entries.get(i).name() + " c" + k);
					}
				}
			}
		}
	}

	@Test
	void pooledSpatialCodesAndSigmoidPredictions() throws Exception {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			CnnCodes c = new CnnCodes(m).layer("conv2d_2").pooling(CnnCodes.Pooling.AVERAGE);
			assertEquals(16, c.dimension());
			CodeCollector all = new CodeCollector();
			c.extract(ImageSource.of("t", DatasetRunnerTest.shapes(6, 32, 3, 0)), new DatasetRunner(m, null), null, all);
			assertEquals(16, all.codes()[0].length);
			// labels are numbered in order of first appearance
			List<String> names = all.labelNames();
			int[] idx = all.labels();
			assertEquals(all.rows().get(0).label(), names.get(0));
			assertEquals(0, idx[0]);
			for (int i = 0; i < idx.length; i++) assertEquals(all.rows().get(i).label(), names.get(idx[i]));
		}
		try (ConvModel m = Models.open(TestPaths.sharedOrSkip("models/brain-mri-tumor64"))) {
			CodeCollector all = new CodeCollector();
			List<ImageSource.Entry> e = DatasetRunnerTest.shapes(3, 64, 4, 0);
			new CnnCodes(m).extract(ImageSource.of("t", e), new DatasetRunner(m, null), null, all);
			for (int i = 0; i < 3; i++) {
				CnnCodes.Row r = all.rows().get(i);
				NdArray x = Preprocessing.forModel(m.info()).apply(e.get(i).read(), m.info().imageInput().shape());
				float p = m.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data()[0];
				assertEquals(p >= 0.5f ? 1 : 0, r.predicted());
				assertEquals(p >= 0.5f ? p : 1 - p, r.confidence(), 1e-6f);
				assertEquals(64, r.code().length);
			}
		}
	}

	@Test
	void csvQuotesNamesWithCommas() {
		assertEquals("plain.tif", CodeCsvWriter.quote("plain.tif"));
		assertEquals("\"a,b.tif\"", CodeCsvWriter.quote("a,b.tif"));
		assertEquals("\"say \"\"hi\"\".tif\"", CodeCsvWriter.quote("say \"hi\".tif"));
	}
}
