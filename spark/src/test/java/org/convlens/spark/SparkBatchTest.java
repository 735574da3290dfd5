package org.convlens.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.convlens.commands.Batch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

/**
 * The Spark runner on {@code local[2]} with 3 partitions over the demo model and images gives
 * what one {@code Batch} run gives: the same codes and predictions tables, the same max-activating
 * hits and montages, the same per-image heatmaps.
 */
class SparkBatchTest {

	static final Path DATA = Paths.get("..", "test-data").toAbsolutePath().normalize();
	static final String MODEL = DATA.resolve("models").resolve("shapes-keras").toString();
	static final Path IMAGES = DATA.resolve("images").resolve("localization");

	@TempDir
	static Path tmp;
	static JavaSparkContext sc;

	@BeforeAll
	static void spark() {
		System.setProperty("java.awt.headless", "true");
		sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ConvLens test").set("spark.ui.enabled", "false")
			.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
	}

	@AfterAll
	static void stop() {
		if (sc != null) sc.stop();
	}

	static Path spark(String name, String... args) throws Exception {
		Path out = tmp.resolve(name + "-spark");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		String[] a = Stream.concat(Stream.of(args), Stream.of("--model", MODEL, "--input", IMAGES.toString(), "--output", out.toString(), "--partitions", "3"))
			.toArray(String[]::new);
		assertEquals(0, SparkBatch.run(sc, a, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)), err.toString());
		return out;
	}

	static Path single(String name, String... args) {
		Path out = tmp.resolve(name + "-single");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		String[] a = Stream.concat(Stream.of(args), Stream.of("--model", MODEL, "--input", IMAGES.toString(), "--output", out.toString())).toArray(String[]::new);
		assertEquals(0, Batch.run(a, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)), err.toString());
		return out;
	}

	static void sameText(Path a, Path b) throws Exception {
		assertEquals(Files.readString(a), Files.readString(b), b.toString());
	}

	static Set<String> files(Path dir) throws Exception {
		try (Stream<Path> s = Files.list(dir)) {
			return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".exact.csv"))
				.collect(Collectors.toCollection(TreeSet::new));
		}
	}

	@Test
	void codesAndHitsEqualOneRun() throws Exception {
		Path s = single("codes", "codes"), p = spark("codes", "codes");
		sameText(s.resolve("localization_codes.csv"), p.resolve("localization_codes.csv"));
		sameText(s.resolve("localization_skipped.csv"), p.resolve("localization_skipped.csv"));
		assertEquals(60, Files.readAllLines(p.resolve("localization_codes.csv")).size() - 1);

		Path sh = single("maxact", "maxact", "top=4", "filters=0-5"), ph = spark("maxact", "maxact", "top=4", "filters=0-5");
		sameText(sh.resolve("localization_hits.csv"), ph.resolve("localization_hits.csv"));
		ImagePlus a = IJ.openImage(sh.resolve("localization_montages.tif").toString()), b = IJ.openImage(ph.resolve("localization_montages.tif").toString());
		assertEquals(6, b.getStackSize());
		for (int i = 1; i <= a.getStackSize(); i++) assertArrayEquals((int[]) a.getStack().getPixels(i), (int[]) b.getStack().getPixels(i), "montage " + i);
	}

	@Test
	void heatmapsAndPredictionsEqualOneRun() throws Exception {
		Path s = single("cam", "cam"), p = spark("cam", "cam");
		assertEquals(files(s), files(p));
		assertTrue(files(p).size() > 3 * 60, files(p).toString());
		sameText(s.resolve("localization_predictions.csv"), p.resolve("localization_predictions.csv"));
		for (String f : List.of("shape_000_heatmap.tif", "shape_031_heatmap.tif", "shape_059_heatmap.tif")) {
			float[] x = (float[]) IJ.openImage(s.resolve(f).toString()).getProcessor().getPixels();
			float[] y = (float[]) IJ.openImage(p.resolve(f).toString()).getProcessor().getPixels();
			assertArrayEquals(x, y, 1e-5f, f);
		}
	}

	@Test
	void wrongUsageExitsTwo() throws Exception {
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(2, SparkBatch.run(sc, new String[] { "codes", "--model", MODEL, "--input", IMAGES.toString(), "--output", tmp.resolve("x").toString(),
			"--partitions", "0" }, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
		assertTrue(err.toString().contains("--partitions"), err.toString());
		err = new ByteArrayOutputStream();
		assertEquals(2, SparkBatch.run(sc, new String[] { "codes", "--model", MODEL, "--input", IMAGES.toString(), "--output", tmp.resolve("y").toString(),
			"layr=conv2d" }, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
		assertTrue(err.toString().startsWith("Unknown option 'layr'"), err.toString());
		assertTrue(!Files.exists(tmp.resolve("y")), "nothing written");
		err = new ByteArrayOutputStream();
		assertEquals(2, SparkBatch.run(sc, new String[] { "codes", "--model", MODEL, "--input", IMAGES.toString(), "--output", tmp.resolve("z").toString(),
			"--threads", "4" }, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
		assertTrue(err.toString().startsWith("--threads is not read here") && err.toString().contains("spark.executor.extraJavaOptions=-Dconvlens.tf.threads="),
			err.toString());
	}

	private static org.convlens.imagej.ExactTables.Cell[] row(int filter, String status, double score, String file) {
		return new org.convlens.imagej.ExactTables.Cell[] { org.convlens.imagej.ExactTables.text("c"), org.convlens.imagej.ExactTables.number(filter),
			org.convlens.imagej.ExactTables.text(status), status.equals("live") ? org.convlens.imagej.ExactTables.number(1) : org.convlens.imagej.ExactTables.text(""),
			org.convlens.imagej.ExactTables.number(score), org.convlens.imagej.ExactTables.text(file) };
	}

	private static SparkBatch.Part part(int shard, org.convlens.imagej.ExactTables.Cell[]... rows) {
		org.convlens.imagej.ExactTables.Table t = new org.convlens.imagej.ExactTables.Table(List.of("layer", "filter", "status", "rank", "score", "file"));
		t.rows.addAll(List.of(rows));
		java.util.LinkedHashMap<String, org.convlens.imagej.ExactTables.Table> m = new java.util.LinkedHashMap<>();
		m.put("d_hits", t);
		return new SparkBatch.Part(shard, List.of(), m, new java.util.LinkedHashMap<>());
	}

	private static List<String> text(org.convlens.imagej.ExactTables.Table t) {
		return t.rows.stream().map(r -> Stream.of(r).map(Object::toString).collect(Collectors.joining(","))).collect(Collectors.toList());
	}

	/**
	 * The reduce keeps what {@code merge} needs of dead and constant filters, in any order Spark
	 * combines partitions: filter 0 is live in partition 1 with low scores and constant in 2 (its
	 * candidates outrank 1's hits, yet the filter must stay live); 1 is dead everywhere; 2 is dead
	 * in 1 and live in 3 (1's zero-score images come before 3's equal ones).
	 */
	@Test
	void reduceKeepsDeadAndConstantFiltersAsMerge() {
		SparkBatch.Part p1 = part(1, row(0, "live", 0.3, "a1"), row(0, "live", 0.2, "a2"), row(1, "dead", 0, ""), row(1, "dead", 0, "a1"),
			row(1, "dead", 0, "a2"), row(2, "dead", 0, ""), row(2, "dead", 0, "a1"), row(2, "dead", 0, "a2"));
		SparkBatch.Part p2 = part(2, row(0, "constant", 1, ""), row(0, "constant", 1, "b1"), row(0, "constant", 1, "b2"), row(1, "dead", 0, ""),
			row(1, "dead", 0, "b1"), row(1, "dead", 0, "b2"), row(2, "dead", 0, ""), row(2, "dead", 0, "b1"), row(2, "dead", 0, "b2"));
		SparkBatch.Part p3 = part(3, row(0, "live", 0.5, "c1"), row(1, "dead", 0, ""), row(1, "dead", 0, "c1"), row(2, "live", 0.5, "c1"),
			row(2, "live", 0, "c2"));
		List<SparkBatch.Part> all = List.of(p1, p2, p3);
		int top = 2;
		List<String> expected = text(org.convlens.imagej.batch.ShardMerge.topK(List.of(p1.tables.get("d_hits"), p2.tables.get("d_hits"), p3.tables.get("d_hits")), top));
		assertEquals(List.of("c,0.0,live,1.0,1.0,b1", "c,0.0,live,2.0,1.0,b2", "c,2.0,live,1.0,0.5,c1", "c,2.0,live,2.0,0.0,a1", "c,1.0,dead,,0.0,"), expected);
		SparkBatch.Hits h1 = SparkBatch.Hits.of(p1, "d_hits"), h2 = SparkBatch.Hits.of(p2, "d_hits"), h3 = SparkBatch.Hits.of(p3, "d_hits");
		List<String> order = SparkBatch.Hits.groupOrder(all, "d_hits");
		for (SparkBatch.Hits r : List.of(SparkBatch.Hits.merge(SparkBatch.Hits.merge(h1, h2, top), h3, top),
			SparkBatch.Hits.merge(h1, SparkBatch.Hits.merge(h2, h3, top), top), SparkBatch.Hits.merge(SparkBatch.Hits.merge(h3, h2, top), h1, top),
			SparkBatch.Hits.merge(h2, SparkBatch.Hits.merge(h3, h1, top), top)))
		{
			assertEquals(expected, text(r.table(top, order)));
		}
	}
}
