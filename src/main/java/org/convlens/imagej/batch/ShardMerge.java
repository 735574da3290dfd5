package org.convlens.imagej.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.DatasetViews;
import org.convlens.imagej.ExactTables;

/**
 * The headless parts of merging shard folders ({@code Batch merge}): finding the finished
 * shards, joining their tables in shard order (= input order), merging max-activating hits
 * (each filter's best {@code top}, ties to the earlier image, as one run ranks them), the merged
 * montage Info, and linking per-image files.
 */
public final class ShardMerge {

	private static final Pattern SHARD = Pattern.compile("shard-([0-9]+)-of-([0-9]+)");

	private ShardMerge() {}

	/** The shard folders 1..N in order; all must be there and finished. */
	public static List<Path> shardFolders(Path input) throws IOException {
		Map<Integer, Path> found = new TreeMap<>();
		int n = -1;
		try (Stream<Path> s = Files.list(input)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Matcher m = SHARD.matcher(p.getFileName().toString());
				if (!m.matches() || !Files.isDirectory(p)) continue;
				int i = Integer.parseInt(m.group(1)), count = Integer.parseInt(m.group(2));
				if (n >= 0 && count != n) throw new IllegalArgumentException(input + " holds shards of runs cut in " + n + " and in " + count + " parts; keep one run per folder.");
				n = count;
				found.put(i, p);
			}
		}
		if (n < 0) throw new IllegalArgumentException("No shard folders (shard-I-of-N) in " + input + "; run Batch with --shard I/N --output " + input + " first.");
		List<String> missing = new ArrayList<>(), unfinished = new ArrayList<>();
		List<Path> out = new ArrayList<>();
		for (int i = 1; i <= n; i++) {
			Path p = found.get(i);
			if (p == null) missing.add(Integer.toString(i));
			else if (!Files.exists(p.resolve(ShardScope.MANIFEST))) unfinished.add(Integer.toString(i));
			else out.add(p);
		}
		if (!missing.isEmpty() || !unfinished.isEmpty()) {
			throw new IllegalArgumentException("Cannot merge " + n + " shards in " + input + ":" + (missing.isEmpty() ? "" : " missing " + String.join(",", missing) + ";") +
				(unfinished.isEmpty() ? "" : " not finished (no " + ShardScope.MANIFEST + ") " + String.join(",", unfinished) + ";") + " run those shards (again) first.");
		}
		return out;
	}

	/**
	 * Refuses a shard that is not of the first shard's run: another model (by fingerprint, so a
	 * copy of the same model elsewhere is the same model; by path for manifests without one),
	 * command, input or option.
	 *
	 * @throws IllegalArgumentException one line naming both shards and what differs
	 */
	public static void checkSameRun(Path firstDir, Properties first, Path dir, Properties p) {
		String a = first.getProperty(ShardScope.FINGERPRINT), b = p.getProperty(ShardScope.FINGERPRINT);
		boolean byFingerprint = a != null && b != null;
		if (byFingerprint && !a.equals(b)) {
			throw new IllegalArgumentException(dir.getFileName() + " differs from " + firstDir.getFileName() + " in its model (fingerprint " + b + " of " +
				p.getProperty("option.model", "?") + " vs " + a + " of " + first.getProperty("option.model", "?") + "): these shards are not of one run.");
		}
		for (String k : keys(first, p)) {
			if (k.equals("shard") || k.equals("failures") || byFingerprint && k.equals("option.model")) continue;
			if (!first.getProperty(k, "").equals(p.getProperty(k, ""))) {
				throw new IllegalArgumentException(dir.getFileName() + " differs from " + firstDir.getFileName() + " in " + k + " ('" +
					p.getProperty(k, "") + "' vs '" + first.getProperty(k, "") + "'): these shards are not of one run.");
			}
		}
	}

	/** The keys of two manifests, those of {@code a} first. */
	public static List<String> keys(Properties a, Properties b) {
		List<String> k = new ArrayList<>(a.stringPropertyNames());
		for (String s : b.stringPropertyNames()) if (!k.contains(s)) k.add(s);
		return k;
	}

	/** Whether a shard's file is part of a max-activating montage: {@code B_montages.tif}, {@code B_montages.png} or {@code B_montages_<slice>.png}. */
	public static boolean isMontage(String name) {
		return name.matches(".*_montages(_.+)?\\.(tif|png)$");
	}

	/** A max-activating hit table ({@link DatasetViews#hitsTable}). */
	public static boolean isHits(ExactTables.Table t) {
		return t.headings.containsAll(List.of("layer", "filter", "rank", "score", "file", "y", "patch x", "patch height"));
	}

	/**
	 * Each (layer, filter)'s best {@code top} rows over the shards: by score, highest first; equal
	 * scores keep shard order and, within a shard, rank order, which is the input order one run uses.
	 */
	public static ExactTables.Table mergeHits(List<Path> exact, int top) throws IOException {
		List<ExactTables.Table> tables = new ArrayList<>();
		for (Path p : exact) tables.add(ExactTables.read(p));
		return topK(tables, top);
	}

	/**
	 * {@link #mergeHits} of tables in memory, in shard order. A shard's table ({@link
	 * DatasetViews#hitsTable(org.convlens.explain.dataset.MaxActivating.Result, boolean)}) lists its filters
	 * in the order asked for, and for a filter dead or constant on its images a status row (no
	 * file) and that filter's first images (its candidates). A filter is dead (constant) overall
	 * only when every shard that read images found it dead (constant at the same value): then one
	 * status row. Otherwise it varies over the input and is live: its hits and the other shards'
	 * candidates (whose score is their one value) are ranked together, exactly as one run ranks
	 * them. Live filters come first, then dead and constant ones, each in the order asked for, as
	 * one run lists them. Tables without a status column (older shards) hold live hits only.
	 */
	public static ExactTables.Table topK(List<ExactTables.Table> inShardOrder, int top) {
		return topK(inShardOrder, top, null);
	}

	/**
	 * As {@link #topK(List, int)}, the (layer, filter) groups ({@link #groupKey}) in {@code order}
	 * (null: as the tables first list them), for tables some rows of which were left out already
	 * (a Spark reduce).
	 */
	public static ExactTables.Table topK(List<ExactTables.Table> inShardOrder, int top, List<String> order) {
		ExactTables.Table result = null;
		Map<String, HitGroup> groups = new LinkedHashMap<>();
		if (order != null) for (String k : order) groups.put(k, new HitGroup());
		for (ExactTables.Table t : inShardOrder) {
			if (result == null) result = new ExactTables.Table(t.headings);
			else if (!t.headings.equals(result.headings)) throw new IllegalArgumentException("A shard's hit table has other columns than the first shard's.");
			int layer = t.column("layer"), filter = t.column("filter"), status = t.column("status"), file = t.column("file");
			for (ExactTables.Cell[] r : t.rows) {
				HitGroup g = groups.computeIfAbsent(groupKey(r[layer], r[filter]), k -> new HitGroup());
				boolean live = status < 0 || "live".equals(r[status].toString());
				if (live) g.live = true;
				if (!live && r[file].toString().isEmpty()) g.statusRows.add(r);
				else g.ranked.add(r);
			}
		}
		int score = result.column("score"), rank = result.column("rank"), status = result.column("status");
		List<ExactTables.Cell[]> degenerate = new ArrayList<>();
		for (HitGroup g : groups.values()) {
			if (g.ranked.isEmpty() && g.statusRows.isEmpty()) continue;
			if (!g.live && !g.statusRows.isEmpty()) {
				double v = g.statusRows.get(0)[score].number;
				boolean same = true;
				for (ExactTables.Cell[] r : g.statusRows) same &= Double.compare(r[score].number, v) == 0;
				if (same) { // the one value on every image of every shard: no ranking
					degenerate.add(g.statusRows.get(0));
					continue;
				}
			}
			// shard order, then rank (or candidate) order within a shard: the input order for equal scores
			g.ranked.sort(Comparator.comparingDouble((ExactTables.Cell[] r) -> r[score].number).reversed()); // stable
			for (int i = 0; i < Math.min(top, g.ranked.size()); i++) {
				ExactTables.Cell[] r = g.ranked.get(i).clone();
				r[rank] = ExactTables.number(i + 1);
				if (status >= 0) r[status] = ExactTables.text("live");
				result.rows.add(r);
			}
		}
		result.rows.addAll(degenerate);
		return result;
	}

	/** The key of a hit table row's (layer, filter). */
	public static String groupKey(ExactTables.Cell layer, ExactTables.Cell filter) {
		return layer + "\u0000" + filter;
	}

	/** One (layer, filter)'s rows of the shards' hit tables. */
	private static final class HitGroup {
		final List<ExactTables.Cell[]> ranked = new ArrayList<>(), statusRows = new ArrayList<>();
		boolean live;
	}

	/**
	 * The first shard's montage Info with the image counts of all shards and the whole input, and
	 * the live filters and the note on dead and constant ones of the merged hits.
	 */
	public static String mergedInfo(List<String> infos, int live, String note) {
		long images = 0, skipped = 0;
		for (String i : infos) {
			if (i == null) return "";
			images += count(i, "images");
			skipped += count(i, "skipped");
		}
		StringBuilder sb = new StringBuilder();
		boolean noted = false;
		for (String line : infos.get(0).split("\n")) {
			if (line.startsWith("ConvLens.images = ")) line = "ConvLens.images = " + images;
			else if (line.startsWith("ConvLens.skipped = ")) line = "ConvLens.skipped = " + skipped;
			else if (line.startsWith("ConvLens.dataset = ")) line = line.replaceFirst(", shard [0-9]+/[0-9]+ \\(entries [^)]*\\)$", "");
			else if (line.startsWith("ConvLens.live_filters = ")) {
				sb.append("ConvLens.live_filters = ").append(live).append('\n');
				if (note != null) sb.append("ConvLens.note = ").append(note).append('\n');
				noted = true;
				continue;
			}
			else if (line.startsWith("ConvLens.note = ")) continue;
			sb.append(line).append('\n');
		}
		if (!noted && note != null) sb.append("ConvLens.note = ").append(note).append('\n');
		sb.append("ConvLens.merged = ").append(infos.size()).append(" shards\n");
		return sb.toString();
	}

	public static long count(String info, String key) {
		for (String line : info.split("\n")) {
			if (line.startsWith("ConvLens." + key + " = ")) {
				try {
					return Long.parseLong(line.substring(("ConvLens." + key + " = ").length()).trim());
				}
				catch (NumberFormatException e) {
					return 0;
				}
			}
		}
		return 0;
	}

	/** The input the shards read, as the dataset commands read it. */
	public static ImageSource source(Properties manifest) {
		Path in = Paths.get(manifest.getProperty("input", ""));
		String src = manifest.getProperty("option.source", "");
		if (src.equalsIgnoreCase("list") || (!Files.isDirectory(in) && in.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(txt|csv|lst)$"))) {
			return DatasetSources.listFile(Paths.get(manifest.getProperty("option.list", in.toString())));
		}
		Path dir = Paths.get(manifest.getProperty("option.folder", in.toString()));
		return DatasetSources.folder(dir, Boolean.parseBoolean(manifest.getProperty("option.recursive", "false")),
			Boolean.parseBoolean(manifest.getProperty("option.labels", "false")));
	}

	/** Writes a merged table as ImageJ's CSV {@code stem.csv} and at full precision beside it. */
	public static List<Path> writeTable(ExactTables.Table t, Path dir, String stem) throws IOException {
		Path csv = dir.resolve(stem + ".csv"), exact = dir.resolve(stem + ExactTables.SUFFIX);
		for (Path p : List.of(csv, exact)) if (Files.exists(p)) throw new IllegalArgumentException(p + " exists; merge never overwrites: choose another --output.");
		Files.createDirectories(dir);
		ij.measure.ResultsTable rt = t.toResultsTable(t.rows);
		if (!rt.save(csv.toString())) throw new IOException("Could not write " + csv);
		ExactTables.write(rt, exact);
		return List.of(csv, exact);
	}

	/** The tables one after the other, the heading line (and any {@code #} lines before it) once. */
	public static void concat(List<Path> parts, Path out) throws IOException {
		List<String> heading = null;
		try (java.io.BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
			for (Path p : parts) {
				List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
				int h = 0;
				while (h < lines.size() && lines.get(h).startsWith("#")) h++;
				if (h >= lines.size()) continue;
				List<String> head = lines.subList(0, h + 1);
				if (heading == null) {
					heading = new ArrayList<>(head);
					for (String l : heading) {
						w.write(l);
						w.newLine();
					}
				}
				else if (!heading.equals(head)) {
					throw new IllegalArgumentException(p + " has other columns than " + parts.get(0) + "; cannot join them.");
				}
				for (int i = h + 1; i < lines.size(); i++) {
					w.write(lines.get(i));
					w.newLine();
				}
			}
		}
	}

	/** A hard link where the file system allows, else a copy. */
	public static void link(Path from, Path to) throws IOException {
		try {
			Files.createLink(to, from);
		}
		catch (IOException | UnsupportedOperationException e) {
			Files.copy(from, to);
		}
	}
}
