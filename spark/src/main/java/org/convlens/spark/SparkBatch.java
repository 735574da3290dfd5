package org.convlens.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.convlens.commands.Batch;
import org.convlens.commands.Merge;
import org.convlens.commands.Shards;
import org.convlens.imagej.ExactTables;
import org.convlens.imagej.batch.Shard;
import org.convlens.imagej.batch.ShardMerge;
import org.convlens.imagej.batch.ShardScope;

/**
 * Runs a ConvLens batch verb over a dataset with Apache Spark:
 *
 * <pre>
 * spark-submit --class org.convlens.spark.SparkBatch --jars ConvLens_.jar,jars/... ConvLens-spark.jar \
 *     VERB --model /shared/model --input /shared/images --output /shared/out [--partitions P] [key=value ...]
 * </pre>
 *
 * The input (a folder or a list file) is cut into {@code P} partitions by the shard rule of
 * {@link Shards} (contiguous blocks of the input in order; default: Spark's default parallelism).
 * Each partition runs as one task the very code of {@code Batch VERB --shard I/P} (the batched
 * path for cam, saliency, occlusion and predictions), in the executor's JVM, where the model is
 * loaded once, when the first task needs it, from the path given (it must be readable by every
 * executor: a shared file system) and kept for the following tasks. Image outputs go to
 * {@code OUTPUT/parts/shard-I-of-P/} and are linked into {@code OUTPUT}; each task returns its
 * tables' rows (full precision) to the driver, which joins codes, predictions and other tables in
 * input order, merges the max-activating hits with a Spark {@code reduce} (each filter's best
 * {@code top}, ties to the earlier image) and draws their montages again. The result is what one
 * {@code Batch VERB} run over the whole input writes (tables also as {@code .exact.csv}).
 */
public final class SparkBatch {

	static final String USAGE = "Usage: spark-submit --class org.convlens.spark.SparkBatch ConvLens-spark.jar VERB --model MODEL --input FOLDER_OR_LIST " +
		"--output FOLDER [--partitions P] [key=value ...]";

	private SparkBatch() {}

	public static void main(String[] args) throws Exception {
		SparkConf conf = new SparkConf().setAppName("ConvLens " + (args.length > 0 ? args[0] : ""));
		if (!conf.contains("spark.master")) conf.setMaster("local[*]");
		try (JavaSparkContext sc = new JavaSparkContext(conf)) {
			int rc = run(sc, args, System.out, System.err);
			if (rc != 0) System.exit(rc);
		}
	}

	/** What one task did: its shard, its failures and its tables (file stem to rows). */
	static final class Part implements Serializable {
		private static final long serialVersionUID = 1L;
		final int shard;
		final List<String> failures;
		final LinkedHashMap<String, ExactTables.Table> tables;
		/** Tables without a full-precision copy (the batched path's one table per run): their lines. */
		final LinkedHashMap<String, List<String>> plain;

		Part(int shard, List<String> failures, LinkedHashMap<String, ExactTables.Table> tables, LinkedHashMap<String, List<String>> plain) {
			this.shard = shard;
			this.failures = failures;
			this.tables = tables;
			this.plain = plain;
		}
	}

	/** The command line with a context: 0 done, 1 some image or the run failed, 2 usage. */
	public static int run(JavaSparkContext sc, String[] args, PrintStream out, PrintStream err) throws IOException {
		if (args.length == 0) {
			err.println(USAGE);
			return 2;
		}
		String verb = args[0];
		Map<String, String> options = new LinkedHashMap<>();
		Path input = null, output = null;
		int partitions = sc.defaultParallelism();
		for (int i = 1; i < args.length; i++) {
			String a = args[i];
			if ((a.equals("--model") || a.equals("--input") || a.equals("--output") || a.equals("--partitions")) && i + 1 < args.length) {
				String v = args[++i];
				if (a.equals("--model")) options.put("model", Paths.get(v).toAbsolutePath().toString());
				else if (a.equals("--input")) input = Paths.get(v).toAbsolutePath().normalize();
				else if (a.equals("--output")) output = Paths.get(v).toAbsolutePath().normalize();
				else {
					try {
						partitions = Integer.parseInt(v);
					}
					catch (NumberFormatException e) {
						partitions = 0;
					}
					if (partitions < 1) {
						err.println("--partitions wants a whole number of at least 1, not '" + v + "'.");
						return 2;
					}
				}
			}
			else if (a.contains("=") && !a.startsWith("-")) options.put(a.substring(0, a.indexOf('=')).toLowerCase(Locale.ROOT), a.substring(a.indexOf('=') + 1));
			else if (a.equals("--threads") || a.startsWith("--threads=")) {
				// each executor's JVM has its own TensorFlow: the setting belongs to the executors' JVM options
				err.println("--threads is not read here: give the executors -Dconvlens.tf.threads=N, e.g. --conf " +
					"spark.executor.extraJavaOptions=-Dconvlens.tf.threads=4 (beside spark.executor.cores=4).");
				return 2;
			}
			else {
				err.println("Cannot read argument '" + a + "'.\n" + USAGE);
				return 2;
			}
		}
		if (input == null || output == null) {
			err.println((input == null ? "--input" : "--output") + " is required.\n" + USAGE);
			return 2;
		}
		if (!Files.exists(input)) {
			err.println("Input does not exist: " + input);
			return 2;
		}
		try {
			Shards.check(verb, options); // here, once, rather than as a failure of every task
		}
		catch (IllegalArgumentException e) {
			err.println(e.getMessage());
			return 2;
		}
		Path parts = output.resolve("parts");
		if (Files.exists(parts)) {
			err.println(parts + " exists; choose another --output (a run never writes over another).");
			return 2;
		}
		int p = partitions;
		Path in = input;
		String partsDir = parts.toString();
		String inDir = in.toString();
		LinkedHashMap<String, String> opts = new LinkedHashMap<>(options);
		JavaRDD<Part> results = sc.parallelize(IntStream.rangeClosed(1, p).boxed().collect(Collectors.toList()), p)
			.map(i -> runPart(i, p, verb, inDir, partsDir, opts)).cache();
		List<Part> all;
		try {
			all = new ArrayList<>(results.collect());
		}
		catch (Exception e) { // Spark's SparkException, thrown through Scala unchecked
			if (!(e instanceof org.apache.spark.SparkException)) throw e;
			// a task failed for good (e.g. the model cannot be read on an executor): its reason, not Spark's trace
			Throwable t = e;
			while (t.getCause() != null) t = t.getCause();
			String m = e.getMessage() == null ? "" : e.getMessage();
			int at = m.indexOf("): ");
			err.println("A partition failed: " + (t != e && t.getMessage() != null ? t.getMessage() : at >= 0 ? m.substring(at + 3).split("\n")[0] : m));
			return 1;
		}
		all.sort(Comparator.comparingInt(x -> x.shard));
		int failures = 0;
		for (Part x : all) {
			for (String f : x.failures) err.println(f);
			failures += x.failures.size();
		}
		Path first = parts.resolve(new Shard(1, p).folder());
		Properties manifest = ShardScope.manifest(first);
		// tables: hits merged by a reduce, the others joined in input order
		LinkedHashMap<String, Boolean> stems = new LinkedHashMap<>();
		for (Part x : all) for (Map.Entry<String, ExactTables.Table> e : x.tables.entrySet()) stems.putIfAbsent(e.getKey(), ShardMerge.isHits(e.getValue()));
		List<Path> written = new ArrayList<>();
		for (Map.Entry<String, Boolean> e : stems.entrySet()) {
			String stem = e.getKey();
			if (e.getValue()) {
				int top = Merge.top(verb, manifest);
				Hits merged = results.map(x -> Hits.of(x, stem)).reduce((a, b) -> Hits.merge(a, b, top));
				ExactTables.Table t = merged.table(top, Hits.groupOrder(all, stem));
				written.addAll(ShardMerge.writeTable(t, output, stem));
				String base = stem.endsWith("_hits") ? stem.substring(0, stem.length() - 5) : null;
				List<Path> montages = new ArrayList<>();
				for (Part x : all) {
					Path m = parts.resolve(new Shard(x.shard, p).folder()).resolve(base + "_montages.tif");
					if (Files.exists(m)) montages.add(m);
				}
				if (base != null && !montages.isEmpty()) written.addAll(Merge.montages(t, base, output, manifest, montages));
			}
			else {
				ExactTables.Table t = null;
				for (Part x : all) {
					ExactTables.Table s = x.tables.get(stem);
					if (s == null) continue;
					if (t == null) {
						t = new ExactTables.Table(s.headings);
						t.precision = s.precision;
					}
					t.rows.addAll(s.rows);
				}
				written.addAll(ShardMerge.writeTable(t, output, stem));
			}
		}
		LinkedHashMap<String, List<String>> plain = new LinkedHashMap<>();
		for (Part x : all) {
			for (Map.Entry<String, List<String>> e : x.plain.entrySet()) {
				List<String> lines = plain.get(e.getKey());
				if (lines == null) plain.put(e.getKey(), new ArrayList<>(e.getValue()));
				else if (!e.getValue().isEmpty()) {
					if (!lines.get(0).equals(e.getValue().get(0))) throw new IllegalArgumentException(e.getKey() + ": the partitions' tables have other columns.");
					lines.addAll(e.getValue().subList(1, e.getValue().size()));
				}
			}
		}
		for (Map.Entry<String, List<String>> e : plain.entrySet()) {
			Path to = output.resolve(e.getKey() + ".csv");
			if (Files.exists(to)) throw new IllegalArgumentException(to + " exists; a run never writes over another.");
			Files.write(to, e.getValue(), java.nio.charset.StandardCharsets.UTF_8);
			written.add(to);
		}
		// per-image files, linked from their part; a run's pictures of all images are made above or refused by the shard run
		Map<String, Path> files = new TreeMap<>();
		for (Part x : all) {
			Path dir = parts.resolve(new Shard(x.shard, p).folder());
			try (Stream<Path> s = Files.list(dir)) {
				for (Path f : (Iterable<Path>) s::iterator) {
					String n = f.getFileName().toString();
					if (n.equals(ShardScope.MANIFEST) || n.endsWith(".csv") || ShardMerge.isMontage(n)) continue;
					if (files.put(n, f) != null) throw new IllegalArgumentException(n + " was written by two partitions; '" + verb + "' makes one picture of all images and cannot be split.");
				}
			}
		}
		for (Map.Entry<String, Path> e : files.entrySet()) {
			Path to = output.resolve(e.getKey());
			if (Files.exists(to)) throw new IllegalArgumentException(to + " exists; a run never writes over another.");
			ShardMerge.link(e.getValue(), to);
			written.add(to);
		}
		out.println("ConvLens on Spark: '" + verb + "' over " + in + " in " + p + " partitions: " + written.size() + " files in " + output +
			(failures > 0 ? "; " + failures + " images failed" : ""));
		return failures > 0 ? 1 : 0;
	}

	/** One partition, in an executor: the shard's batch run, its tables read back for the driver. */
	static Part runPart(int shard, int count, String verb, String input, String parts, Map<String, String> options) throws IOException {
		if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
		Shard spec = new Shard(shard, count);
		Batch.Report r = Shards.run(spec, verb, Paths.get(input), Paths.get(parts), options, null);
		Path dir = Paths.get(parts).resolve(spec.folder());
		LinkedHashMap<String, ExactTables.Table> tables = new LinkedHashMap<>();
		try (Stream<Path> s = Files.list(dir)) {
			List<Path> exact = s.filter(f -> f.getFileName().toString().endsWith(ExactTables.SUFFIX)).sorted().collect(Collectors.toList());
			for (Path f : exact) {
				String n = f.getFileName().toString();
				tables.put(n.substring(0, n.length() - ExactTables.SUFFIX.length()), ExactTables.read(f));
			}
		}
		LinkedHashMap<String, List<String>> plain = new LinkedHashMap<>();
		try (Stream<Path> s = Files.list(dir)) {
			for (Path f : s.sorted().collect(Collectors.toList())) {
				String n = f.getFileName().toString();
				if (n.endsWith(".csv") && !n.endsWith(ExactTables.SUFFIX) && !tables.containsKey(n.substring(0, n.length() - 4))) {
					plain.put(n.substring(0, n.length() - 4), Files.readAllLines(f, java.nio.charset.StandardCharsets.UTF_8));
				}
			}
		}
		return new Part(shard, new ArrayList<>(r.failures), tables, plain);
	}

	/**
	 * Max-activating hits of some partitions: rows with the partition they came from. Merging keeps
	 * each (layer, filter)'s best {@code top} by score, equal scores in partition order and rank
	 * order within a partition (the input order): the same whatever order Spark merges in.
	 */
	static final class Hits implements Serializable {
		private static final long serialVersionUID = 1L;
		final List<ExactTables.Cell[]> rows = new ArrayList<>();
		final List<int[]> order = new ArrayList<>(); // {partition, row in its table}
		int score = -1, layer = -1, filter = -1, status = -1, file = -1;
		List<String> headings;

		static Hits of(Part p, String stem) {
			Hits h = new Hits();
			ExactTables.Table t = p.tables.get(stem);
			if (t == null) return h;
			h.score = t.column("score");
			h.layer = t.column("layer");
			h.filter = t.column("filter");
			h.status = t.column("status");
			h.file = t.column("file");
			h.headings = new ArrayList<>(t.headings);
			for (int i = 0; i < t.rows.size(); i++) {
				h.rows.add(t.rows.get(i));
				h.order.add(new int[] { p.shard, i });
			}
			return h;
		}

		/** A dead or constant filter's status row (no file): never dropped, {@link Merge#topK} decides from all of them. */
		private boolean isStatusRow(ExactTables.Cell[] r) {
			return status >= 0 && !"live".equals(r[status].toString()) && r[file].toString().isEmpty();
		}

		private boolean isLive(ExactTables.Cell[] r) {
			return status < 0 || "live".equals(r[status].toString());
		}

		/**
		 * Per (layer, filter): every status row, the best {@code top} other rows (live hits and the
		 * candidates of partitions where the filter was dead or constant) and, when none of those is
		 * live, the best live row, so that the filter stays live: the rows dropped here are never
		 * among the merged top {@code top}.
		 */
		static Hits merge(Hits a, Hits b, int top) {
			Hits m = new Hits();
			Hits any = a.score >= 0 ? a : b;
			m.score = any.score;
			m.layer = any.layer;
			m.filter = any.filter;
			m.status = any.status;
			m.file = any.file;
			m.headings = any.headings;
			if (any.score < 0) return m;
			List<Integer> idx = new ArrayList<>();
			List<ExactTables.Cell[]> rows = new ArrayList<>(a.rows);
			rows.addAll(b.rows);
			List<int[]> order = new ArrayList<>(a.order);
			order.addAll(b.order);
			for (int i = 0; i < rows.size(); i++) idx.add(i);
			idx.sort(Comparator.<Integer> comparingDouble(i -> -rows.get(i)[m.score].number).thenComparingInt(i -> order.get(i)[0])
				.thenComparingInt(i -> order.get(i)[1]));
			Map<String, Integer> kept = new LinkedHashMap<>();
			java.util.Set<String> liveKept = new java.util.HashSet<>();
			List<Integer> keep = new ArrayList<>();
			for (int i : idx) {
				ExactTables.Cell[] r = rows.get(i);
				String g = r[m.layer] + "\u0000" + r[m.filter];
				boolean live = m.isLive(r);
				if (!m.isStatusRow(r)) {
					int k = kept.merge(g, 1, Integer::sum);
					if (k > top && (!live || liveKept.contains(g))) continue;
				}
				if (live) liveKept.add(g);
				keep.add(i);
			}
			java.util.Collections.sort(keep);
			for (int i : keep) {
				m.rows.add(rows.get(i));
				m.order.add(order.get(i));
			}
			return m;
		}

		/**
		 * The merged table: the rows kept, as the partitions' tables in partition order, merged by
		 * {@link Merge#topK} (the rule {@code merge} uses for shards).
		 */
		ExactTables.Table table(int top, List<String> groupOrder) {
			Map<Integer, ExactTables.Table> parts = new TreeMap<>();
			List<Integer> idx = new ArrayList<>();
			for (int i = 0; i < rows.size(); i++) idx.add(i);
			idx.sort(Comparator.<Integer> comparingInt(i -> order.get(i)[0]).thenComparingInt(i -> order.get(i)[1]));
			for (int i : idx) parts.computeIfAbsent(order.get(i)[0], k -> new ExactTables.Table(headings)).rows.add(rows.get(i));
			if (parts.isEmpty()) return new ExactTables.Table(headings);
			return ShardMerge.topK(new ArrayList<>(parts.values()), top, groupOrder);
		}

		/** The (layer, filter) groups in the order the partitions' whole tables list them: the order asked for. */
		static List<String> groupOrder(List<Part> all, String stem) {
			java.util.LinkedHashSet<String> order = new java.util.LinkedHashSet<>();
			for (Part p : all) {
				ExactTables.Table t = p.tables.get(stem);
				if (t == null) continue;
				int layer = t.column("layer"), filter = t.column("filter");
				for (ExactTables.Cell[] r : t.rows) order.add(ShardMerge.groupKey(r[layer], r[filter]));
			}
			return new ArrayList<>(order);
		}
	}
}
