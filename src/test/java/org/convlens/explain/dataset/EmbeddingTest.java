package org.convlens.explain.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Progress;

/** t-SNE (Smile's exact one and the Barnes-Hut one), the neighbour statistic and the grid layout. */
class EmbeddingTest {

	/** Three Gaussian blobs in 50 dimensions, with a few noise dimensions larger than the blobs' spread. */
	static float[][] blobs(int n, int[] labels, long seed) {
		Random r = new Random(seed);
		float[][] x = new float[n][50];
		for (int i = 0; i < n; i++) {
			labels[i] = i % 3;
			for (int j = 0; j < 50; j++) x[i][j] = (float) (r.nextGaussian() + (j % 3 == labels[i] ? 4 : 0));
		}
		return x;
	}

	/** Counts updates in {@code updates[0]} and says cancelled from the {@code n}th on. */
	static Progress cancelledAfter(int n, int[] updates) {
		return new Progress() {
			@Override
			public void update(double fraction, String message) {
				updates[0]++;
			}

			@Override
			public boolean isCancelled() {
				return updates[0] >= n;
			}
		};
	}

	@Test
	void tsneSeparatesBlobsAndIsReproducible() {
		separatesBlobsAndIsReproducible(Embedding.Method.EXACT);
	}

	/** Three blobs separate (5-NN at least 0.95); the same seed gives the same map, another seed another one. */
	private static void separatesBlobsAndIsReproducible(Embedding.Method method) {
		int n = 240;
		int[] labels = new int[n];
		float[][] x = blobs(n, labels, 1);
		Embedding.TsneOptions o = new Embedding.TsneOptions().perplexity(30).iterations(500).seed(7).method(method);
		double[][] a = Embedding.tsne(x, o, null);
		assertEquals(n, a.length);
		assertEquals(2, a[0].length);
		double acc = Embedding.knnAccuracy(a, labels, 5);
		assertTrue(acc >= 0.95, method + ": 5-NN accuracy " + acc);
		double[][] b = Embedding.tsne(x, o, null);
		for (int i = 0; i < n; i++) assertArrayEquals(a[i], b[i], 1e-9, method + ": same seed, same map");
		double[][] c = Embedding.tsne(x, new Embedding.TsneOptions().perplexity(30).iterations(500).seed(8).method(method), null);
		boolean differs = false;
		for (int i = 0; i < n && !differs; i++) differs = Math.abs(a[i][0] - c[i][0]) > 1e-6;
		assertTrue(differs, method + ": another seed, another map");
	}

	@Test
	void barnesHutSeparatesBlobsIsReproducibleAndRunsWithoutEjml() {
		// its optional PCA needs EJML, which the build leaves out: the run must not touch it
		assertThrows(ClassNotFoundException.class, () -> Class.forName("org.ejml.data.DenseMatrix64F"));
		separatesBlobsAndIsReproducible(Embedding.Method.BARNES_HUT);
		// small sets: the perplexity is clamped for Barnes-Hut too
		double[][] y = Embedding.tsne(blobs(12, new int[12], 2), new Embedding.TsneOptions().perplexity(50).iterations(200).method(Embedding.Method.BARNES_HUT), null);
		for (double[] p : y) assertTrue(Double.isFinite(p[0]) && Double.isFinite(p[1]));
	}

	@Test
	void autoTakesBarnesHutForThousandsOfImagesOrWhenExactDoesNotFit() {
		assertEquals(Embedding.Method.EXACT, Embedding.chosen(Embedding.Method.AUTO, Embedding.EXACT_LIMIT, true));
		assertEquals(Embedding.Method.BARNES_HUT, Embedding.chosen(Embedding.Method.AUTO, Embedding.EXACT_LIMIT + 1, true));
		assertEquals(Embedding.Method.BARNES_HUT, Embedding.chosen(Embedding.Method.AUTO, 100, false));
		assertEquals(Embedding.Method.EXACT, Embedding.chosen(Embedding.Method.EXACT, 50_000, false));
		assertEquals(Embedding.Method.BARNES_HUT, Embedding.chosen(Embedding.Method.BARNES_HUT, 10, true));
		assertEquals(Embedding.Method.BARNES_HUT, Embedding.Method.parse("Barnes-Hut"));
		assertEquals(Embedding.Method.EXACT, Embedding.Method.parse(" exact "));
		assertEquals(Embedding.Method.AUTO, Embedding.Method.parse(""));
		assertThrows(IllegalArgumentException.class, () -> Embedding.Method.parse("umap"));
		assertThrows(IllegalArgumentException.class, () -> new Embedding.TsneOptions().theta(0));
	}

	@Test
	void thousandsOfImagesWithBarnesHut() {
		// 3 000 points: the exact t-SNE would hold three 3 000 x 3 000 matrices (206 MB) and take minutes here
		int n = 3000;
		int[] labels = new int[n];
		float[][] x = blobs(n, labels, 4);
		long t0 = System.nanoTime();
		double[][] y = Embedding.tsne(x, new Embedding.TsneOptions().perplexity(30).iterations(300).seed(1), null);
		double s = (System.nanoTime() - t0) / 1e9;
		double acc = Embedding.knnAccuracy(y, labels, 5);
		System.out.printf("Barnes-Hut t-SNE of %d points, 300 iterations: %.1f s, 5-NN accuracy %.3f%n", n, s, acc);
		assertTrue(acc >= 0.95, "5-NN accuracy " + acc);
	}

	@Test
	void barnesHutCanBeCancelled() {
		int[] labels = new int[300];
		float[][] x = blobs(300, labels, 3);
		int[] updates = { 0 };
		Progress p = cancelledAfter(3, updates);
		assertThrows(CancelledException.class,
			() -> Embedding.tsne(x, new Embedding.TsneOptions().iterations(1000).method(Embedding.Method.BARNES_HUT), p));
	}

	@Test
	void smallSetsClampPerplexityAndTinyOnesAreRefused() {
		int[] labels = new int[12];
		double[][] y = Embedding.tsne(blobs(12, labels, 2), new Embedding.TsneOptions().perplexity(50).iterations(300), null);
		for (double[] p : y) assertTrue(Double.isFinite(p[0]) && Double.isFinite(p[1]));
		assertEquals(11 / 3.0, Embedding.maxPerplexity(12), 1e-12);
		DatasetException e = assertThrows(DatasetException.class, () -> Embedding.tsne(new float[4][3], new Embedding.TsneOptions(), null));
		assertEquals("t-SNE needs at least 5 images; there are 4.", e.getMessage());
		// as many dimensions as points: Smile would take the matrix for distances
		float[][] square = new float[20][20];
		Random r = new Random(3);
		for (float[] row : square) for (int j = 0; j < 20; j++) row[j] = r.nextFloat();
		double[][] z = Embedding.tsne(square, new Embedding.TsneOptions().iterations(100), null);
		assertEquals(20, z.length);
	}

	@Test
	void tsneCanBeCancelledAndReportsProgress() {
		int[] labels = new int[60];
		float[][] x = blobs(60, labels, 3);
		int[] updates = { 0 };
		Progress p = cancelledAfter(3, updates);
		assertThrows(CancelledException.class, () -> Embedding.tsne(x, new Embedding.TsneOptions().iterations(1000), p));
		assertEquals(3, updates[0]);
	}

	/**
	 * The memory estimate against the real thing: a JVM whose heap holds the estimate (with the 20 %
	 * margin auto keeps) and 16 MB for the JVM itself runs exact t-SNE on 1,500 points to
	 * the end; an estimate below what Smile's exact t-SNE allocates would run out of memory here.
	 */
	@Test
	void memoryEstimateLetsAutoRunExactWhereItFits(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
		int n = 1500;
		long heapMb = (long) (Embedding.tsneBytes(n) / 0.8) / (1 << 20) + 16; // measured: 60 MB runs it, 50 MB does not
		String javaBin = java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder pb = new ProcessBuilder(javaBin, "-Xmx" + heapMb + "m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
			"-cp", System.getProperty("java.class.path"), TsneMemoryChild.class.getName(), String.valueOf(n));
		pb.redirectErrorStream(true);
		pb.redirectOutput(tmp.resolve("log.txt").toFile());
		Process p = pb.start();
		assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "child JVM finished");
		String log = java.nio.file.Files.readString(tmp.resolve("log.txt"));
		assertTrue(log.contains("method EXACT"), "-Xmx" + heapMb + "m: " + log);
		assertTrue(log.contains("done " + n), "-Xmx" + heapMb + "m: " + log);
	}

	@Test
	void knnAccuracyByHand() {
		// 1-D points: 0,1,2 labelled A; 10,11 labelled B; 12 labelled A (its neighbours are B)
		double[][] p = { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 10, 0 }, { 11, 0 }, { 12, 0 } };
		int[] l = { 0, 0, 0, 1, 1, 0 };
		// k=1: only 12 is wrong (its nearest, 11, is B); 11's tie between 10 and 12 goes to the first, 10
		assertEquals(5.0 / 6, Embedding.knnAccuracy(p, l, 1), 1e-12);
		// k=2: 10 sees {11 B, 12 A}: a tie, won by the nearest (B); 12 sees {11, 10}: both B, wrong
		assertEquals(5.0 / 6, Embedding.knnAccuracy(p, l, 2), 1e-12);
		int[] l2 = { 0, 0, 0, 1, 1, 1 };
		assertEquals(1.0, Embedding.knnAccuracy(p, l2, 2), 1e-12);
	}

	@Test
	void gridCellsShowTheNearestImage() {
		// points at the corners and the centre of the unit square
		double[][] xy = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 }, { 0.5, 0.5 } };
		int[] g = EmbeddingGrid.assign(xy, 3, 3, Double.POSITIVE_INFINITY);
		// row 0 is the top (largest y)
		assertArrayEquals(new int[] { 2, 4, 3, 4, 4, 4, 0, 4, 1 }, g);
		int[] sparse = EmbeddingGrid.assign(new double[][] { { 0, 0 }, { 1, 1 } }, 4, 4, 0.8);
		// (1,1) is the top-right corner, (0,0) the bottom-left; other cells are farther than 0.8 cells
		assertEquals(1, sparse[3]);
		assertEquals(0, sparse[12]);
		assertEquals(2, java.util.Arrays.stream(sparse).filter(i -> i >= 0).count());
		assertFalse(java.util.Arrays.stream(EmbeddingGrid.assign(xy, 10, 10, Double.POSITIVE_INFINITY)).anyMatch(i -> i < 0));
	}

	/** Nine codes of 4 096 values in the thousands (raw-pixel-scale activations): three groups of three. */
	static float[][] rawScaleCodes(int[] labels) {
		Random r = new Random(11);
		float[][] centre = new float[3][4096];
		for (float[] c : centre) for (int j = 0; j < 4096; j++) c[j] = (float) (r.nextDouble() * 30000);
		float[][] x = new float[9][4096];
		for (int i = 0; i < 9; i++) {
			labels[i] = i % 3;
			for (int j = 0; j < 4096; j++) x[i][j] = centre[labels[i]][j] + (float) (r.nextGaussian() * 2000);
		}
		return x;
	}

	@Test
	void nineRawScaleCodesConvergeWithPcaAndTheAutoLearningRate() {
		int[] labels = new int[9];
		float[][] x = rawScaleCodes(labels);
		Embedding.Map m = Embedding.map(x, new Embedding.TsneOptions(), null);
		assertEquals("t-SNE", m.kind());
		assertEquals(Embedding.Method.EXACT, m.method());
		// auto: max(9 / 12 / 4, 50) = 50, capped at n * perplexity / 12 = 9 * (8 / 3) / 12 = 2 (at 50 the nine points oscillate)
		assertEquals(2, m.learningRate(), 1e-12);
		assertEquals(8, m.pca().dims(), "9 codes span 8 dimensions");
		assertEquals(4096, m.pca().inputDims());
		assertTrue(m.converged(), "movement " + m.movement());
		assertEquals(null, m.note());
		for (double[] p : m.xy()) assertTrue(Double.isFinite(p[0]) && Double.isFinite(p[1]));
		// each point's two nearest neighbours are its group
		assertEquals(1.0, Embedding.knnAccuracy(m.xy(), labels, 2), 1e-12);
		assertTrue(m.pcaText().startsWith("4096 -> 8 dimensions (100.0% of the variance)"), m.pcaText());
	}

	@Test
	void blobsInManyDimensionsStaySeparatedThroughThePca() {
		// 600 dimensions: PCA to 50 first; neighbourhoods survive it
		Random r = new Random(21);
		int n = 150;
		int[] labels = new int[n];
		float[][] x = new float[n][600];
		for (int i = 0; i < n; i++) {
			labels[i] = i % 3;
			for (int j = 0; j < 600; j++) x[i][j] = (float) (r.nextGaussian() + (j % 3 == labels[i] ? 3 : 0));
		}
		Embedding.Map m = Embedding.map(x, new Embedding.TsneOptions().perplexity(20).iterations(500), null);
		assertEquals(50, m.pca().dims());
		double acc = Embedding.knnAccuracy(m.xy(), labels, 5);
		assertTrue(acc >= 0.95, "5-NN accuracy " + acc);
	}

	@Test
	void tooFewIterationsAreNamedUnconverged() {
		int[] labels = new int[60];
		Embedding.Map m = Embedding.map(blobs(60, labels, 5), new Embedding.TsneOptions().iterations(120), null);
		assertFalse(m.converged(), "movement " + m.movement());
		assertTrue(m.note().startsWith("t-SNE did not converge"), m.note());
		Embedding.Map done = Embedding.map(blobs(60, labels, 5), new Embedding.TsneOptions().iterations(1000), null);
		assertTrue(done.converged(), "movement " + done.movement());
	}

	@Test
	void twoToFourImagesGetAPcaMapAndOneIsRefused() {
		int[] labels = new int[3];
		float[][] x = java.util.Arrays.copyOf(rawScaleCodes(new int[9]), 3);
		Embedding.Map m = Embedding.map(x, new Embedding.TsneOptions(), null);
		assertEquals("PCA", m.kind());
		assertEquals("3 images are too few for t-SNE (it needs at least 5): the map shows the first two principal components of the codes instead.",
			m.note());
		double[][] d = new double[3][];
		for (int i = 0; i < 3; i++) {
			d[i] = new double[x[i].length];
			for (int j = 0; j < x[i].length; j++) d[i][j] = x[i][j];
		}
		Pca.Result p = Pca.reduce(d, 2);
		for (int i = 0; i < 3; i++) {
			assertEquals(p.scores()[i][0], m.xy()[i][0], 1e-9);
			assertEquals(p.scores()[i][1], m.xy()[i][1], 1e-9);
		}
		Embedding.Map two = Embedding.map(java.util.Arrays.copyOf(x, 2), new Embedding.TsneOptions(), null);
		assertEquals(0, two.xy()[0][1], 0);
		assertEquals(two.xy()[0][0], -two.xy()[1][0], 1e-6 * Math.abs(two.xy()[0][0]), "two points: symmetric on the first axis");
		DatasetException e = assertThrows(DatasetException.class, () -> Embedding.map(new float[1][3], new Embedding.TsneOptions(), null));
		assertEquals("An embedding map needs at least 2 images; there is 1.", e.getMessage());
	}

	@Test
	void learningRateAutoFollowsTheNumberOfImagesAndNumbersAreValidated() {
		assertEquals(50, Embedding.autoLearningRate(9), 0);
		assertEquals(50, Embedding.autoLearningRate(2400), 0);
		assertEquals(100, Embedding.autoLearningRate(4800), 1e-12);
		assertEquals(2, Embedding.autoLearningRate(9, 8 / 3.0), 1e-12);
		assertEquals(50, Embedding.autoLearningRate(100, 30), 0, "the cap does not bite for 100 images");
		Embedding.TsneOptions o = new Embedding.TsneOptions();
		assertTrue(o.learningRateAuto());
		assertEquals(120, o.learningRate(" 120 ").learningRate(), 0);
		assertTrue(o.learningRate("Auto").learningRateAuto());
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Embedding.TsneOptions().learningRate("fast"));
		assertEquals("Learning rate 'fast' is neither 'auto' nor a number; use auto or a positive number such as 200.", e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> new Embedding.TsneOptions().learningRate("-5"));
		assertThrows(IllegalArgumentException.class, () -> new Embedding.TsneOptions().learningRate("Infinity"));
		assertThrows(IllegalArgumentException.class, () -> new Embedding.TsneOptions().learningRate("NaN"));
	}
}
