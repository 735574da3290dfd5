package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.convlens.TestPaths;
import org.convlens.imagej.ExactTables;
import org.convlens.imagej.batch.Shard;
import org.convlens.imagej.batch.ShardMerge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

/**
 * {@code --shard I/N} and {@code merge}: three shards run as separate JVMs (as array-job tasks
 * would), merged, equal one run over the whole input: bit-equal codes, the same top-k hits and
 * montages, the same tables, and the same embedding from the merged codes.
 */
class ShardMergeTest {

	@TempDir
	static Path tmp;
	static Path data;
	static final Path MODEL = TestPaths.model("shapes-keras");

	/**
	 * A dataset with sub-folders and names whose order differs by case and locale ("B" before "a"
	 * in code-unit order), a file that is no image, and 23 images: 3 shards of 8 entries.
	 */
	@BeforeAll
	static void dataset() throws Exception {
		data = Files.createDirectories(tmp.resolve("data"));
		Path src = TestPaths.testData().resolve("images").resolve("localization");
		String[] names = { "Zeta.tif", "alpha.tif", "beta.tif", "_under.tif", "B/one.tif", "B/two.tif", "B/Three.tif", "a/x1.tif", "a/x10.tif",
			"a/x2.tif", "a/sub/deep.tif", "c/p.tif", "c/q.tif", "c/r.tif", "c/s.tif", "c/t.tif", "c/u.tif", "d/1.tif", "d/2.tif", "d/3.tif",
			"d/4.tif", "d/5.tif", "d/6.tif" };
		for (int i = 0; i < names.length; i++) {
			Path t = data.resolve(names[i]);
			Files.createDirectories(t.getParent());
			Files.copy(src.resolve(String.format("shape_%03d.tif", 7 * i % 60)), t);
		}
		Files.writeString(data.resolve("B").resolve("notes.txt"), "not an image");
	}

	static int batch(PrintStream err, String... args) {
		return Batch.run(args, new PrintStream(new ByteArrayOutputStream()), err);
	}

	/** Runs {@code Batch args --shard i/3} for i = 1..3 as three child JVMs at once. */
	static void shardsInChildJvms(Path out, String... args) throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<Process> ps = new ArrayList<>();
		List<Path> logs = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			List<String> cmd = new ArrayList<>(List.of(java, "-Djava.awt.headless=true", "-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"), "-cp",
				System.getProperty("java.class.path"), Batch.class.getName()));
			cmd.addAll(List.of(args));
			cmd.addAll(List.of("--output", out.toString(), "--shard", i + "/3"));
			ProcessBuilder pb = new ProcessBuilder(cmd);
			pb.redirectErrorStream(true);
			Path log = tmp.resolve(out.getFileName() + "-" + i + ".log");
			pb.redirectOutput(log.toFile());
			pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
			ps.add(pb.start());
			logs.add(log);
		}
		for (int i = 0; i < 3; i++) {
			assertTrue(ps.get(i).waitFor(300, TimeUnit.SECONDS), "shard " + (i + 1) + " finished");
			String log = Files.readString(logs.get(i));
			assertEquals(0, ps.get(i).exitValue(), log);
			assertTrue(log.contains("shard " + (i + 1) + "/3 done"), log);
		}
	}

	@Test
	void threeShardsInSeparateJvmsMergeToOneRun() throws Exception {
		String[] common = { "--model", MODEL.toString(), "--input", data.toString(), "recursive=true", "labels=true" };
		// one run over everything, in this JVM; its codes also at full precision through csv=
		Path single = tmp.resolve("single"), singleHits = tmp.resolve("single-hits");
		Path singleCsv = tmp.resolve("single-codes.csv");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(0, batch(new PrintStream(err), cat(new String[] { "codes" }, common, "--output", single.toString(), "csv=" + singleCsv)), err.toString());
		assertEquals(0, batch(new PrintStream(err), cat(new String[] { "maxact" }, common, "--output", singleHits.toString(), "top=4", "filters=0-5",
			"patch=false")), err.toString());

		Path sharded = tmp.resolve("sharded");
		shardsInChildJvms(sharded, cat(new String[] { "codes" }, common));
		Path hitsSharded = tmp.resolve("hits-sharded");
		shardsInChildJvms(hitsSharded, cat(new String[] { "maxact" }, common, "top=4", "filters=0-5", "patch=false"));

		// each entry in exactly one shard, shards in input order
		List<String> shardNames = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			ExactTables.Table t = ExactTables.read(sharded.resolve("shard-" + i + "-of-3").resolve("data_codes" + ExactTables.SUFFIX));
			for (ExactTables.Cell[] r : t.rows) shardNames.add(r[t.column("file")].text);
		}
		assertEquals(shardNames.size(), new HashSet<>(shardNames).size(), "no image twice: " + shardNames);

		assertEquals(0, batch(new PrintStream(err), "merge", "--input", sharded.toString()), err.toString());
		assertEquals(0, batch(new PrintStream(err), "merge", "--input", hitsSharded.toString(), "--output", tmp.resolve("hits-merged").toString()),
			err.toString());
		Path merged = sharded.resolve("merged"), hitsMerged = tmp.resolve("hits-merged");

		// codes: bit-equal to the single run's (csv= writes Float.toString), in the same order
		List<String> single1 = Files.readAllLines(singleCsv, StandardCharsets.UTF_8);
		ExactTables.Table m = ExactTables.read(merged.resolve("data_codes" + ExactTables.SUFFIX));
		assertEquals(single1.size() - 1, m.rows.size());
		assertEquals(23, m.rows.size(), "23 images, all used"); // the text file is skipped
		List<String> order = new ArrayList<>();
		for (int r = 0; r < m.rows.size(); r++) {
			String[] s = single1.get(r + 1).split(",");
			ExactTables.Cell[] row = m.rows.get(r);
			assertEquals(s[1], row[m.column("file")].text);
			order.add(s[1]);
			assertEquals(s[2], row[m.column("label")].text);
			int c0 = m.column("c0");
			assertEquals(s.length - 6, row.length - c0);
			for (int k = 0; k < s.length - 6; k++) {
				assertEquals(Float.floatToIntBits(Float.parseFloat(s[6 + k])), Float.floatToIntBits((float) row[c0 + k].number), s[1] + " c" + k);
			}
		}
		assertEquals(shardNames, order, "shards concatenated in shard order are the input order");
		// the order rule: a folder's files by code units ('Z' < '_' < 'a'), then its sub-folders ('B' < 'a' < 'c')
		assertEquals(List.of("Zeta.tif", "_under.tif", "alpha.tif", "beta.tif", "B/Three.tif", "B/one.tif", "B/two.tif", "a/x1.tif", "a/x10.tif", "a/x2.tif",
			"a/sub/deep.tif"), order.subList(0, 11));
		// ImageJ's tables: the same bytes as the single run's
		assertSameBytes(single.resolve("data_codes.csv"), merged.resolve("data_codes.csv"));
		assertSameBytes(single.resolve("data_skipped.csv"), merged.resolve("data_skipped.csv"));
		assertSameBytes(singleHits.resolve("data_hits.csv"), hitsMerged.resolve("data_hits.csv"));
		// the hits come from more than one shard (else the merge would be trivial)
		Set<Integer> from = new HashSet<>();
		ExactTables.Table hits = ExactTables.read(hitsMerged.resolve("data_hits" + ExactTables.SUFFIX));
		for (ExactTables.Cell[] r : hits.rows) from.add(shardNames.indexOf(r[hits.column("file")].text) * 3 / shardNames.size());
		assertTrue(from.size() >= 2, "hits from shards " + from);
		// montages drawn again from the merged hits: the same pixels and slice labels
		ImagePlus a = IJ.openImage(singleHits.resolve("data_montages.tif").toString()), b = IJ.openImage(hitsMerged.resolve("data_montages.tif").toString());
		assertEquals(6, a.getStackSize());
		assertEquals(a.getStackSize(), b.getStackSize());
		for (int s = 1; s <= a.getStackSize(); s++) {
			assertEquals(a.getStack().getSliceLabel(s), b.getStack().getSliceLabel(s));
			assertArrayEquals((int[]) a.getStack().getPixels(s), (int[]) b.getStack().getPixels(s), "montage " + s);
		}
		assertEquals("23", org.convlens.imagej.Provenance.get(b, "images"));

		// an embedding of the merged codes is the single run's embedding
		Path e1 = tmp.resolve("emb1"), e2 = tmp.resolve("emb2");
		assertEquals(0, batch(new PrintStream(err), cat(new String[] { "embedding" }, common, "--output", e1.toString(), "iterations=250")), err.toString());
		assertEquals(0, batch(new PrintStream(err), cat(new String[] { "embedding" }, common, "--output", e2.toString(), "iterations=250", "--codes",
			merged.resolve("data_codes" + ExactTables.SUFFIX).toString())), err.toString());
		assertSameBytes(e1.resolve("data_coordinates.csv"), e2.resolve("data_coordinates.csv"));

		// merging again never overwrites
		ByteArrayOutputStream again = new ByteArrayOutputStream();
		assertEquals(1, batch(new PrintStream(again), "merge", "--input", sharded.toString()));
		assertTrue(again.toString().contains("exists; merge never overwrites"), again.toString());
	}

	@Test
	void aMergeOfShardsWithFailedImagesExitsAsOneRunDoes() throws Exception {
		Path in = tmp.resolve("with-broken");
		Files.createDirectories(in);
		try (java.util.stream.Stream<Path> s = Files.list(data.resolve("c"))) {
			for (Path f : (Iterable<Path>) s.sorted().limit(3)::iterator) Files.copy(f, in.resolve(f.getFileName()));
		}
		Files.write(in.resolve("zz-broken.tif"), new byte[] { 'I', 'I', 42, 0, 1, 2, 3 });
		Map<String, String> opts = Map.of("model", MODEL.toString());
		Path out = tmp.resolve("broken-shards");
		int failed = 0;
		for (int i = 1; i <= 2; i++) failed += Shards.run(new Shard(i, 2), "predictions", in, out, opts, null).failures.size();
		assertEquals(1, failed);
		assertEquals(1, batch(new PrintStream(new ByteArrayOutputStream()), "predictions", "--model", MODEL.toString(), "--input", in.toString(),
			"--output", tmp.resolve("broken-single").toString()), "one run over the same images");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(1, batch(new PrintStream(err, true), "merge", "--input", out.toString()));
		String e = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
		assertEquals("merge: the shards reported 1 image that could not be explained (each shard's log names them); the merged outputs leave it out.", e);
		// the good images are merged all the same
		List<String> rows = Files.readAllLines(out.resolve("merged/with-broken_predictions.csv"));
		assertEquals(3, rows.stream().skip(1).map(l -> l.split(",")[0]).distinct().filter(f -> !f.startsWith("zz-broken")).count(), rows.toString());
	}

	@Test
	void perImageShardsMergeToOneRun() throws Exception {
		// the batched path of cam, cut in 3 shards in this JVM: the heatmaps linked, the run's predictions joined
		Map<String, String> opts = new LinkedHashMap<>();
		opts.put("model", MODEL.toString());
		opts.put("method", "LayerCAM");
		Path out = tmp.resolve("cam-shards");
		for (int i = 1; i <= 3; i++) Shards.run(new Shard(i, 3), "cam", data.resolve("c"), out, opts, null);
		Path single = tmp.resolve("cam-single");
		assertTrue(Batch.run("cam", data.resolve("c"), single, opts, null).failures.isEmpty());
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(0, batch(new PrintStream(err), "merge", "--input", out.toString()), err.toString());
		Path merged = out.resolve("merged");
		Set<String> a = new java.util.TreeSet<>(), b = new java.util.TreeSet<>();
		try (java.util.stream.Stream<Path> s = Files.list(single)) {
			s.forEach(p -> a.add(p.getFileName().toString()));
		}
		try (java.util.stream.Stream<Path> s = Files.list(merged)) {
			s.forEach(p -> b.add(p.getFileName().toString()));
		}
		assertEquals(a, b);
		assertEquals(6 * 3 + 1, b.size(), b.toString()); // heatmap tif+png and overlay per image, one table
		assertSameBytes(single.resolve("c_predictions.csv"), merged.resolve("c_predictions.csv"));
		float[] x = (float[]) IJ.openImage(single.resolve("t_heatmap.tif").toString()).getProcessor().getPixels();
		float[] y = (float[]) IJ.openImage(merged.resolve("t_heatmap.tif").toString()).getProcessor().getPixels();
		assertArrayEquals(x, y, 1e-5f);
	}

	/**
	 * Dead and constant filters across shards: on black images the first convolution is its bias
	 * everywhere, so every filter of that shard is dead or constant, while it varies over the
	 * shapes of the other shard. The merge ranks those filters as live from both shards' images,
	 * keeps conv2d_2's filters that are dead on every shard dead, and gives one run's table,
	 * montages (slices, labels, PNG files) and Info.
	 */
	@Test
	void deadAndConstantFiltersMergeAsOneRun() throws Exception {
		Path mixed = Files.createDirectories(tmp.resolve("mixed"));
		Path src = TestPaths.testData().resolve("images").resolve("localization");
		for (int i = 0; i < 4; i++) {
			IJ.save(new ImagePlus("black", new ij.process.ByteProcessor(32, 32)), mixed.resolve("a" + i + ".tif").toString());
			Files.copy(src.resolve(String.format("shape_%03d.tif", 11 * i + 3)), mixed.resolve("b" + i + ".tif"));
		}
		for (String layer : new String[] { "conv2d", "conv2d_2" }) {
			Map<String, String> opts = new LinkedHashMap<>();
			opts.put("model", MODEL.toString());
			opts.put("layer", layer);
			opts.put("top", "6"); // more than shard 2's four shapes: shard 1's images must fill the ranking
			opts.put("patch", "false");
			Path out = tmp.resolve("dead-shards-" + layer), single = tmp.resolve("dead-single-" + layer);
			for (int i = 1; i <= 2; i++) assertTrue(Shards.run(new Shard(i, 2), "maxact", mixed, out, opts, null).failures.isEmpty());
			assertTrue(Batch.run("maxact", mixed, single, opts, null).failures.isEmpty());
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			assertEquals(0, batch(new PrintStream(err), "merge", "--input", out.toString()), err.toString());
			Path merged = out.resolve("merged");
			assertSameBytes(single.resolve("mixed_hits.csv"), merged.resolve("mixed_hits.csv"));
			ExactTables.Table shard1 = ExactTables.read(out.resolve("shard-1-of-2").resolve("mixed_hits" + ExactTables.SUFFIX));
			ExactTables.Table all = ExactTables.read(merged.resolve("mixed_hits" + ExactTables.SUFFIX));
			Map<String, String> status1 = statusByFilter(shard1), statusAll = statusByFilter(all);
			if (layer.equals("conv2d")) {
				// black images: the bias everywhere; no filter of shard 1 varies, most vary over all images
				assertFalse(status1.containsValue("live"), status1.toString());
				assertTrue(statusAll.containsValue("live"), statusAll.toString());
				// shard 1's candidates (black images, scored by their one value) are ranked with the shapes
				boolean black = false;
				for (ExactTables.Cell[] r : all.rows) black |= r[all.column("status")].text.equals("live") && r[all.column("file")].text.startsWith("a");
				assertTrue(black, "black images among the live filters' hits");
			}
			else {
				// some filters never fire on shapes nor on black images: dead on both shards, dead merged, listed last
				assertTrue(statusAll.containsValue("dead"), statusAll.toString());
				List<String> order = new ArrayList<>(statusAll.values());
				assertFalse(order.subList(order.indexOf("dead"), order.size()).contains("live"), "live filters first: " + order);
			}
			for (Map.Entry<String, String> e : statusAll.entrySet()) {
				if (!e.getValue().equals("live")) assertEquals(e.getValue(), status1.get(e.getKey()), "dead or constant overall: so in each shard");
			}
			ImagePlus a = IJ.openImage(single.resolve("mixed_montages.tif").toString()), b = IJ.openImage(merged.resolve("mixed_montages.tif").toString());
			assertEquals(a.getStackSize(), b.getStackSize());
			for (int s = 1; s <= a.getStackSize(); s++) {
				assertEquals(a.getStack().getSliceLabel(s), b.getStack().getSliceLabel(s));
				assertArrayEquals((int[]) a.getStack().getPixels(s), (int[]) b.getStack().getPixels(s), layer + " montage " + s);
			}
			for (String key : new String[] { "images", "live_filters", "note", "patch" }) {
				assertEquals(org.convlens.imagej.Provenance.get(a, key), org.convlens.imagej.Provenance.get(b, key), key);
			}
			Set<String> pa = new java.util.TreeSet<>(), pb = new java.util.TreeSet<>();
			try (java.util.stream.Stream<Path> s = Files.list(single)) {
				s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).forEach(pa::add);
			}
			try (java.util.stream.Stream<Path> s = Files.list(merged)) {
				s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).forEach(pb::add);
			}
			assertEquals(pa, pb, "one PNG per filter, named as one run names them");
		}
	}

	/** Each filter's status in a hit table: its status row's, else live. */
	private static Map<String, String> statusByFilter(ExactTables.Table t) {
		Map<String, String> m = new LinkedHashMap<>();
		for (ExactTables.Cell[] r : t.rows) {
			String st = r[t.column("status")].text, f = r[t.column("filter")].toString();
			if (!st.equals("live") && !r[t.column("file")].text.isEmpty()) continue; // a shard's candidate
			m.put(f, st);
		}
		return m;
	}

	/** A hit table row: layer, filter, status, rank, score, file. */
	private static ExactTables.Cell[] row(int filter, String status, double score, String file) {
		return new ExactTables.Cell[] { ExactTables.text("c"), ExactTables.number(filter), ExactTables.text(status),
			file.isEmpty() || !status.equals("live") ? ExactTables.text("") : ExactTables.number(1), ExactTables.number(score), ExactTables.text(file) };
	}

	private static ExactTables.Table table(ExactTables.Cell[]... rows) {
		ExactTables.Table t = new ExactTables.Table(List.of("layer", "filter", "status", "rank", "score", "file"));
		t.rows.addAll(List.of(rows));
		return t;
	}

	/** The merge rule on small tables: when a filter is dead or constant overall, and how it is ranked when not. */
	@Test
	void statusAcrossShards() {
		// filter 0: dead in both -> dead; 1: dead in A, live in B -> live, A's zero-score images before B's equal scores;
		// 2: constant 0.5 in both -> constant; 3: constant 0.5 in A, 0.25 in B -> live from both shards' candidates;
		// 4: constant 2 in A beats B's live hits
		ExactTables.Table a = table(
			row(4, "constant", 2, ""), row(4, "constant", 2, "a1"), row(4, "constant", 2, "a2"),
			row(0, "dead", 0, ""), row(0, "dead", 0, "a1"), row(0, "dead", 0, "a2"),
			row(1, "dead", 0, ""), row(1, "dead", 0, "a1"), row(1, "dead", 0, "a2"),
			row(2, "constant", 0.5, ""), row(2, "constant", 0.5, "a1"), row(2, "constant", 0.5, "a2"),
			row(3, "constant", 0.5, ""), row(3, "constant", 0.5, "a1"), row(3, "constant", 0.5, "a2"));
		ExactTables.Table b = table(
			row(4, "live", 3, "b2"), row(4, "live", 1, "b1"),
			row(0, "dead", 0, ""), row(0, "dead", 0, "b1"), row(0, "dead", 0, "b2"),
			row(1, "live", 0.75, "b2"), row(1, "live", 0, "b1"), row(1, "live", 0, "b3"),
			row(2, "constant", 0.5, ""), row(2, "constant", 0.5, "b1"), row(2, "constant", 0.5, "b2"),
			row(3, "constant", 0.25, ""), row(3, "constant", 0.25, "b1"), row(3, "constant", 0.25, "b2"));
		ExactTables.Table m = ShardMerge.topK(List.of(a, b), 3);
		List<String> got = new ArrayList<>();
		for (ExactTables.Cell[] r : m.rows) {
			got.add((int) r[1].number + ":" + r[2].text + ":" + (r[3].isText() ? "-" : (int) r[3].number) + ":" + r[4].number + ":" + r[5].text);
		}
		assertEquals(List.of(
			"4:live:1:3.0:b2", "4:live:2:2.0:a1", "4:live:3:2.0:a2",
			"1:live:1:0.75:b2", "1:live:2:0.0:a1", "1:live:3:0.0:a2",
			"3:live:1:0.5:a1", "3:live:2:0.5:a2", "3:live:3:0.25:b1",
			"0:dead:-:0.0:", "2:constant:-:0.5:"), got);
		// the reverse shard order: ties go to the earlier shard's images
		ExactTables.Table r = ShardMerge.topK(List.of(b, a), 2);
		assertEquals("b1", r.rows.get(3)[5].text, "filter 1: 0.75 b2, then the earlier shard's b1 at 0");
	}

	@Test
	void wrongShardsAreRefused() throws Exception {
		for (String bad : new String[] { "0/3", "4/3", "2-3", "1/0", "x/2", "3" }) {
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			assertEquals(2, batch(new PrintStream(err), "codes", "--model", MODEL.toString(), "--input", data.toString(), "--output",
				tmp.resolve("bad").toString(), "--shard", bad), bad);
			assertTrue(err.toString().startsWith("Error: --shard"), err.toString());
			assertFalse(err.toString().contains("Exception"), err.toString());
		}
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(2, batch(new PrintStream(err), "embedding", "--model", MODEL.toString(), "--input", data.toString(), "--output",
			tmp.resolve("bad").toString(), "--shard", "1/2"));
		assertTrue(err.toString().contains("embedding cannot be sharded"), err.toString());
		// a missing shard: merge names it and writes nothing
		Path out = tmp.resolve("partial");
		Map<String, String> opts = new LinkedHashMap<>();
		opts.put("model", MODEL.toString());
		opts.put("recursive", "true");
		Shards.run(new Shard(2, 3), "codes", data, out, opts, null);
		err = new ByteArrayOutputStream();
		assertEquals(1, batch(new PrintStream(err), "merge", "--input", out.toString()));
		assertTrue(err.toString().contains("missing 1,3"), err.toString());
		assertFalse(Files.exists(out.resolve("merged")));
		// a finished shard is not run over
		ByteArrayOutputStream err2 = new ByteArrayOutputStream();
		assertEquals(1, batch(new PrintStream(err2), "codes", "--model", MODEL.toString(), "--input", data.toString(), "recursive=true", "--output",
			out.toString(), "--shard", "2/3"));
		assertTrue(err2.toString().contains("already holds a finished shard"), err2.toString());
	}

	@Test
	void blocksCoverEveryPositionOnce() {
		for (int m = 0; m <= 40; m++) {
			for (int n = 1; n <= 12; n++) {
				long next = 0;
				for (int i = 1; i <= n; i++) {
					Shard s = new Shard(i, n);
					assertEquals(next, s.from(m), m + " in " + n);
					assertTrue(s.to(m) >= s.from(m) && s.to(m) - s.from(m) <= (m + n - 1) / n);
					next = s.to(m);
				}
				assertEquals(m, next);
			}
		}
	}

	static void assertSameBytes(Path expected, Path actual) throws Exception {
		assertEquals(Files.readString(expected), Files.readString(actual), actual.toString());
	}

	static String[] cat(String[] a, String[] b, String... c) {
		List<String> l = new ArrayList<>(List.of(a));
		l.addAll(List.of(b));
		l.addAll(List.of(c));
		return l.toArray(new String[0]);
	}
}
