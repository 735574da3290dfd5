package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.convlens.imagej.ExactTables;
import org.convlens.imagej.batch.Shard;
import org.convlens.imagej.batch.ShardScope;
import org.convlens.model.ModelService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which model a shard ran: the manifest records the model's fingerprint and its absolute path,
 * and {@code merge} compares shards' models by fingerprint, so shards of two different models are
 * refused while one model named by a relative and an absolute path, or copied elsewhere, merges.
 */
class ShardModelTest {

	@TempDir
	static Path tmp;
	static Path data;
	static final String RELATIVE = "test-data/models/shapes-keras";

	/** Four images, so that each of up to three shards has at least one. */
	@BeforeAll
	static void dataset() throws Exception {
		data = Files.createDirectories(tmp.resolve("data"));
		Path src = TestPaths.testData().resolve("images").resolve("localization");
		for (int i = 0; i < 4; i++) Files.copy(src.resolve(String.format("shape_%03d.tif", 5 * i)), data.resolve("img" + i + ".tif"));
	}

	static void shard(int i, int n, Path out, String model) throws Exception {
		Map<String, String> opts = new LinkedHashMap<>();
		opts.put("model", model);
		assertTrue(Shards.run(new Shard(i, n), "codes", data, out, opts, null).failures.isEmpty());
	}

	static int merge(ByteArrayOutputStream err, String... args) {
		String[] all = new String[args.length + 1];
		all[0] = "merge";
		System.arraycopy(args, 0, all, 1, args.length);
		return Batch.run(all, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
	}

	static String fingerprint(Path model) {
		return Contexts.get().service(ModelService.class).get(model).fingerprint();
	}

	@Test
	void shardsOfDifferentModelsAreRefused() throws Exception {
		Path keras = TestPaths.model("shapes-keras"), gap = TestPaths.model("shapes-gap");
		String a = fingerprint(keras), b = fingerprint(gap);
		assertNotEquals(a, b);
		Path out = tmp.resolve("two-models");
		shard(1, 2, out, keras.toString());
		shard(2, 2, out, gap.toString());
		assertEquals(a, ShardScope.manifest(out.resolve("shard-1-of-2")).getProperty(ShardScope.FINGERPRINT));
		assertEquals(b, ShardScope.manifest(out.resolve("shard-2-of-2")).getProperty(ShardScope.FINGERPRINT));
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(1, merge(err, "--input", out.toString()), err.toString());
		String msg = err.toString().trim();
		assertEquals(1, msg.lines().count(), msg);
		for (String s : new String[] { "shard-2-of-2", "shard-1-of-2", a, b, "not of one run" }) assertTrue(msg.contains(s), s + " in: " + msg);
		assertFalse(msg.contains("Exception"), msg);
		assertFalse(Files.exists(out.resolve("merged")), "nothing merged");
	}

	@Test
	void oneModelByRelativeAbsoluteOrCopiedPathMerges() throws Exception {
		assertTrue(Files.isDirectory(Paths.get(RELATIVE)), "tests run in the project folder");
		Path copy = tmp.resolve("elsewhere").resolve("shapes-keras");
		copyTree(TestPaths.model("shapes-keras"), copy);
		Path out = tmp.resolve("one-model");
		shard(1, 3, out, RELATIVE);
		shard(2, 3, out, Paths.get(RELATIVE).toAbsolutePath().toString());
		shard(3, 3, out, copy.toString());
		Properties first = ShardScope.manifest(out.resolve("shard-1-of-3"));
		assertEquals(Paths.get(RELATIVE).toAbsolutePath().normalize().toString(), first.getProperty("option.model"), "stored absolute");
		ByteArrayOutputStream err = new ByteArrayOutputStream(), said = new ByteArrayOutputStream();
		assertEquals(0, Batch.run(new String[] { "merge", "--input", out.toString() }, new PrintStream(said, true), new PrintStream(err, true)),
			err.toString());
		// the summary counts what the merged folder holds (.exact.csv companions included)
		long inFolder;
		try (java.util.stream.Stream<Path> s = Files.list(out.resolve("merged"))) {
			inFolder = s.count();
		}
		assertTrue(said.toString().contains("(" + inFolder + " files"), inFolder + " files in the folder; said: " + said);
		// the merged codes: every image once, in input order
		ExactTables.Table t = ExactTables.read(out.resolve("merged").resolve("data_codes" + ExactTables.SUFFIX));
		List<String> files = new ArrayList<>();
		for (ExactTables.Cell[] r : t.rows) files.add(r[t.column("file")].text);
		assertEquals(List.of("img0.tif", "img1.tif", "img2.tif", "img3.tif"), files);
	}

	@Test
	void missingMergeInputIsWrongUsage() throws Exception {
		Path missing = tmp.resolve("no-such-folder");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(2, merge(err, "--input", missing.toString()));
		assertTrue(err.toString().startsWith("merge: --input " + missing + " does not exist."), err.toString());
		Path file = Files.writeString(tmp.resolve("a-file.txt"), "x");
		err = new ByteArrayOutputStream();
		assertEquals(2, merge(err, "--input", file.toString()));
		assertTrue(err.toString().startsWith("merge: --input " + file + " is a file"), err.toString());
		assertFalse(err.toString().contains("Exception"), err.toString());
	}

	static void copyTree(Path from, Path to) throws Exception {
		try (Stream<Path> s = Files.walk(from)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
	}
}
