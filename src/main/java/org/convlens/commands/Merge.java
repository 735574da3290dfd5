package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.DatasetViews;
import org.convlens.imagej.ExactTables;
import org.convlens.imagej.batch.ShardScope;
import org.convlens.imagej.Outputs;
import org.convlens.imagej.Titles;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.module.Module;

import ij.IJ;
import ij.ImagePlus;

/**
 * {@code Batch merge --input OUT [--output DIR]}: puts the shard folders {@code OUT/shard-I-of-N}
 * of a {@code --shard} run ({@link Shards}) together as one run would have written them, into
 * {@code DIR} (default {@code OUT/merged}):
 * <ul>
 * <li>tables (codes, predictions, skipped files, ...): the shards' rows one after the other, in
 * shard order, which is the input order; the full-precision copy ({@code .exact.csv}) too, e.g.
 * for {@code embedding --codes};</li>
 * <li>max-activating hits: each filter's best {@code top} over all shards (ties keep the earlier
 * image, as in one run), ranked again, and the montages drawn again from the merged hits (the
 * images are read again from the input the shards read);</li>
 * <li>per-image files: linked (or copied) from their shard.</li>
 * </ul>
 * Every shard 1..N must have finished (its manifest written) with the same command, input and
 * options. Nothing is overwritten.
 */
public final class Merge {

	static final String USAGE = "Usage: Batch merge --input FOLDER_WITH_SHARDS [--output FOLDER]   (default output: FOLDER_WITH_SHARDS/merged)";
	private static final Pattern SHARD = Pattern.compile("shard-([0-9]+)-of-([0-9]+)");

	private Merge() {}

	/** The {@code merge} command line: 0 = merged, 1 = the shards cannot be merged, 2 = usage. */
	static int run(String[] args, PrintStream out, PrintStream err) {
		Path input = null, output = null;
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("--input") && i + 1 < args.length) input = Paths.get(args[++i]);
			else if (args[i].equals("--output") && i + 1 < args.length) output = Paths.get(args[++i]);
			else {
				err.println("merge: cannot read argument '" + args[i] + "'.\n" + USAGE);
				return 2;
			}
		}
		if (input == null) {
			err.println("merge: --input is required.\n" + USAGE);
			return 2;
		}
		try {
			merge(input, output == null ? input.resolve("merged") : output, out);
			return 0;
		}
		catch (IllegalArgumentException | IOException e) {
			err.println("merge: " + ConvLensCommand.message(e));
			return 1;
		}
	}

	/**
	 * Merges the shards under {@code input} into {@code output}.
	 *
	 * @return the files written
	 * @throws IllegalArgumentException when shards are missing, unfinished or disagree, or an output exists
	 */
	public static List<Path> merge(Path input, Path output, PrintStream log) throws IOException {
		if (!Files.isDirectory(input)) throw new IllegalArgumentException("Not a folder: " + input);
		List<Path> shards = shardFolders(input);
		Properties first = ShardScope.manifest(shards.get(0));
		String command = first.getProperty("command");
		int failures = 0;
		for (Path s : shards) {
			Properties p = ShardScope.manifest(s);
			for (String k : keys(first, p)) {
				if (k.equals("shard") || k.equals("failures")) continue;
				if (!first.getProperty(k, "").equals(p.getProperty(k, ""))) {
					throw new IllegalArgumentException(s.getFileName() + " differs from " + shards.get(0).getFileName() + " in " + k + " ('" +
						p.getProperty(k, "") + "' vs '" + first.getProperty(k, "") + "'): these shards are not of one run.");
				}
			}
			failures += Integer.parseInt(p.getProperty("failures", "0"));
		}
		// every file name, with the shards that have it, in shard order
		Map<String, List<Path>> byName = new TreeMap<>(ShardScope.NAME_ORDER);
		for (Path s : shards) {
			try (Stream<Path> files = Files.list(s)) {
				files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).filter(n -> !n.equals(ShardScope.MANIFEST))
					.forEach(n -> byName.computeIfAbsent(n, k -> new ArrayList<>()).add(s.resolve(n)));
			}
		}
		for (String n : byName.keySet()) {
			if (Files.exists(output.resolve(n))) throw new IllegalArgumentException(output.resolve(n) + " exists; merge never overwrites: choose another --output.");
		}
		Files.createDirectories(output);
		List<Path> written = new ArrayList<>();
		Map<String, ExactTables.Table> mergedHits = new LinkedHashMap<>();
		for (Map.Entry<String, List<Path>> e : byName.entrySet()) {
			String n = e.getKey();
			List<Path> parts = e.getValue();
			if (n.endsWith(ExactTables.SUFFIX)) continue; // with its table
			if (n.endsWith(".csv")) {
				String stem = n.substring(0, n.length() - 4);
				List<Path> exact = new ArrayList<>();
				for (Path p : parts) {
					Path x = p.resolveSibling(stem + ExactTables.SUFFIX);
					if (Files.exists(x)) exact.add(x);
				}
				if (exact.size() == parts.size() && isHits(ExactTables.read(exact.get(0)))) {
					ExactTables.Table t = mergeHits(exact, top(command, first));
					t.toResultsTable(t.rows).save(output.resolve(n).toString());
					ExactTables.write(t.toResultsTable(t.rows), output.resolve(stem + ExactTables.SUFFIX));
					mergedHits.put(stem, t);
				}
				else if (exact.size() == parts.size()) {
					// ImageJ's CSV again from the exact rows: it gives a column decimals when any of its
					// values has some, so the shards' files cannot simply be put one after the other
					ExactTables.Table all = null;
					for (Path x : exact) {
						ExactTables.Table t = ExactTables.read(x);
						if (all == null) all = t;
						else if (!t.headings.equals(all.headings)) throw new IllegalArgumentException(x + " has other columns than " + exact.get(0) + "; cannot join them.");
						else all.rows.addAll(t.rows);
					}
					all.toResultsTable(all.rows).save(output.resolve(n).toString());
					concat(exact, output.resolve(stem + ExactTables.SUFFIX));
				}
				else concat(parts, output.resolve(n));
				written.add(output.resolve(n));
				continue;
			}
			// montages (a TIFF stack, one PNG per filter whose name may carry a shard's status): drawn again below
			if (isMontage(n)) continue;
			if (parts.size() == 1) {
				link(parts.get(0), output.resolve(n));
				written.add(output.resolve(n));
			}
			else {
				throw new IllegalArgumentException(n + " is a picture of each shard's images and cannot be merged; run '" + command + "' on the whole input instead.");
			}
		}
		// montages drawn again from the merged hits
		java.util.Set<String> drawn = new java.util.HashSet<>();
		for (Map.Entry<String, ExactTables.Table> e : mergedHits.entrySet()) {
			String base = e.getKey().endsWith("_hits") ? e.getKey().substring(0, e.getKey().length() - 5) : null;
			if (base == null || !byName.containsKey(base + "_montages.tif")) continue;
			written.addAll(montages(e.getValue(), base, output, first, byName.get(base + "_montages.tif")));
			drawn.add(base + "_montages.tif");
		}
		for (String n : byName.keySet()) {
			if (n.endsWith("_montages.tif") && !drawn.contains(n)) {
				throw new IllegalArgumentException(n + " has no full-precision hit table beside it in the shards; cannot draw it again from merged hits.");
			}
		}
		if (log != null) {
			log.println("merged " + shards.size() + " shards of '" + command + "' into " + output + " (" + written.size() + " files" +
				(failures > 0 ? "; the shards reported " + failures + " failed images" : "") + ")");
		}
		return written;
	}

	/** The shard folders 1..N in order; all must be there and finished. */
	static List<Path> shardFolders(Path input) throws IOException {
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

	private static List<String> keys(Properties a, Properties b) {
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
	static ExactTables.Table mergeHits(List<Path> exact, int top) throws IOException {
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

	/** The {@code top} option of the shards' command (its default when not given). */
	public static int top(String command, Properties manifest) {
		Context ctx = Contexts.get();
		Class<? extends Command> cls = Batch.find(ctx, command);
		Module m = CommandRunner.create(ctx, cls);
		Object v = value(m, manifest, "top");
		if (v == null) throw new IllegalArgumentException("The command '" + command + "' keeps no top-k; its hit tables cannot be merged.");
		return ((Number) v).intValue();
	}

	/** An input's value from the manifest's options, else the command's default. */
	private static Object value(Module m, Properties manifest, String key) {
		Map<String, String> opts = new HashMap<>();
		String given = manifest.getProperty("option." + key);
		if (given != null) opts.put(key, given);
		Map<String, Object> in = Batch.inputs(m, opts);
		if (!in.isEmpty()) return in.values().iterator().next();
		if (m.getInfo().getInput(key) == null) return null;
		return m.getInput(key);
	}

	/** Montages drawn again from merged hits, with the first shard's Info (counts summed over the shards). */
	public static List<Path> montages(ExactTables.Table hits, String base, Path output, Properties manifest, List<Path> shardMontages) throws IOException {
		Context ctx = Contexts.get();
		String command = manifest.getProperty("command");
		Module m = CommandRunner.create(ctx, Batch.find(ctx, command));
		boolean patch = Boolean.TRUE.equals(value(m, manifest, "patch"));
		int tile = ((Number) value(m, manifest, "tile")).intValue();
		Map<String, ImageSource.Entry> entries = new HashMap<>();
		for (ImageSource.Entry e : source(manifest)) entries.put(e.name(), e);
		int cFilter = hits.column("filter"), cLayer = hits.column("layer"), cScore = hits.column("score"), cFile = hits.column("file"),
			cY = hits.column("y"), cx = hits.column("patch x"), cy = hits.column("patch y"), cw = hits.column("patch width"), ch = hits.column("patch height");
		int cStatus = hits.column("status");
		Map<Integer, List<DatasetViews.MontageTile>> tiles = new LinkedHashMap<>();
		Map<Integer, DatasetViews.Degenerate> degenerate = new HashMap<>();
		List<Integer> dead = new ArrayList<>(), constant = new ArrayList<>();
		String layer = null;
		boolean spatial = false;
		for (ExactTables.Cell[] r : hits.rows) {
			layer = r[cLayer].text;
			int f = (int) r[cFilter].number;
			List<DatasetViews.MontageTile> l = tiles.computeIfAbsent(f, k -> new ArrayList<>());
			String st = cStatus < 0 ? "live" : r[cStatus].toString();
			if (!st.equals("live")) { // a status row (merged hits hold no candidates)
				MaxActivating.Status s = MaxActivating.Status.valueOf(st.toUpperCase(Locale.ROOT));
				degenerate.put(f, new DatasetViews.Degenerate(s, (float) r[cScore].number));
				(s == MaxActivating.Status.DEAD ? dead : constant).add(f);
				continue;
			}
			String name = r[cFile].text;
			ImageSource.Entry e = entries.get(name);
			if (e == null) throw new IllegalArgumentException("The hit image " + name + " is not in " + manifest.getProperty("input") + " any more; cannot draw the montage.");
			int unitY = (int) r[cY].number;
			spatial |= unitY >= 0;
			l.add(new DatasetViews.MontageTile(name, (float) r[cScore].number, e, new double[] { r[cx].number, r[cy].number, r[cw].number, r[ch].number },
				unitY));
		}
		List<String> infos = new ArrayList<>();
		for (Path p : shardMontages) {
			ImagePlus imp = IJ.openImage(p.toString());
			Object i = imp == null ? null : imp.getProperty("Info");
			infos.add(i == null ? null : i.toString());
		}
		// patches or whole images as the shards drew them (a layer whose filters are all dead has no unit to tell)
		String first = infos.isEmpty() ? null : infos.get(0);
		boolean patches = first != null && first.contains("\nConvLens.patch = ") ? first.contains("\nConvLens.patch = true\n") : patch && spatial;
		long images = 0;
		for (String i : infos) images += i == null ? 0 : count(i, "images");
		String model = manifest.getProperty("option.model", "");
		String title = Titles.of(model.isEmpty() ? "model" : new java.io.File(model).getName(), patches ? "maxPatches" : "maxImages", layer);
		ImagePlus imp = DatasetViews.montages(title, layer, tiles, degenerate, (int) images, patches, tile);
		imp.setProperty("Info", mergedInfo(infos, tiles.size() - dead.size() - constant.size(),
			MaxActivatingImages.degenerateNote(layer, tiles.size(), (int) images, dead, constant)));
		return Outputs.save(imp, output, base, "montages");
	}

	/**
	 * The first shard's montage Info with the image counts of all shards and the whole input, and
	 * the live filters and the note on dead and constant ones of the merged hits.
	 */
	private static String mergedInfo(List<String> infos, int live, String note) {
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

	private static long count(String info, String key) {
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
	static ImageSource source(Properties manifest) {
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
	static void concat(List<Path> parts, Path out) throws IOException {
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
