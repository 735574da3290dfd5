package org.convlens.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.imagej.DatasetViews;
import org.convlens.imagej.ExactTables;
import org.convlens.imagej.batch.ShardMerge;
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
 * Every shard 1..N must have finished (its manifest written) with the same command, input,
 * options and model; models are compared by fingerprint, so shards that read copies of one model
 * from different paths merge. Nothing is overwritten.
 */
public final class Merge {

	static final String USAGE = "Usage: Batch merge --input FOLDER_WITH_SHARDS [--output FOLDER]   (default output: FOLDER_WITH_SHARDS/merged)";

	private Merge() {}

	/** The {@code merge} command line: 0 = merged, 1 = the shards cannot be merged, 2 = usage. */
	static int run(String[] args, PrintStream out, PrintStream err) {
		Path input = null, output = null;
		for (int i = 0; i < args.length; i++) {
			String a = args[i], flag = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
			if (a.equals("--debug")) continue;
			if (flag.equals("--input") || flag.equals("--output")) {
				// the same forms as the other verbs: --input DIR and --input=DIR
				String v;
				try {
					v = Batch.flagValue(args, i, flag);
				}
				catch (UsageException e) {
					err.println("merge: " + e.getMessage() + "\n" + USAGE);
					return 2;
				}
				if (flag.equals(a)) i++;
				if ((flag.equals("--input") ? input : output) != null) {
					err.println("merge: " + flag + " is given twice.\n" + USAGE);
					return 2;
				}
				if (flag.equals("--input")) input = Paths.get(v);
				else output = Paths.get(v);
			}
			else {
				// a script that passes every task's flags to merge too: say why they do not apply
				boolean taskFlag = java.util.Arrays.asList("--threads", "--model", "--shard", "--overwrite", "--codes").contains(flag);
				err.println("merge: " + (taskFlag ? flag + " does not apply: merge runs no model and never overwrites; it takes --input and --output only."
					: "cannot read argument '" + a + "'.") + "\n" + USAGE);
				return 2;
			}
		}
		if (input == null) {
			err.println("merge: --input is required.\n" + USAGE);
			return 2;
		}
		if (!Files.isDirectory(input)) {
			err.println("merge: --input " + input + (Files.exists(input) ? " is a file; give the folder that holds the shard-I-of-N folders." : " does not exist.") +
				"\n" + USAGE);
			return 2;
		}
		try {
			merge(input, output == null ? input.resolve("merged") : output, out);
			// as one run over the same images: done, but not all of it
			int failed = failures(ShardMerge.shardFolders(input));
			if (failed == 0) return 0;
			err.println("merge: the shards reported " + failed + (failed == 1 ? " image" : " images") +
				" that could not be explained (each shard's log names them); the merged outputs leave " + (failed == 1 ? "it" : "them") + " out.");
			return 1;
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
		List<Path> shards = ShardMerge.shardFolders(input);
		Properties first = ShardScope.manifest(shards.get(0));
		String command = first.getProperty("command");
		for (Path s : shards) ShardMerge.checkSameRun(shards.get(0), first, s, ShardScope.manifest(s));
		int failures = failures(shards);
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
				if (exact.size() == parts.size() && ShardMerge.isHits(ExactTables.read(exact.get(0)))) {
					ExactTables.Table t = ShardMerge.mergeHits(exact, top(command, first));
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
					ShardMerge.concat(exact, output.resolve(stem + ExactTables.SUFFIX));
				}
				else ShardMerge.concat(parts, output.resolve(n));
				written.add(output.resolve(n));
				if (Files.exists(output.resolve(stem + ExactTables.SUFFIX))) written.add(output.resolve(stem + ExactTables.SUFFIX));
				continue;
			}
			// montages (a TIFF stack, one PNG per filter whose name may carry a shard's status): drawn again below
			if (ShardMerge.isMontage(n)) continue;
			if (parts.size() == 1) {
				ShardMerge.link(parts.get(0), output.resolve(n));
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
			log.println("merged " + shards.size() + " shards of '" + command + "' into " + output + " (" + written.size() + (written.size() == 1 ? " file" : " files") +
				(failures > 0 ? "; the shards reported " + failures + " failed images" : "") + ")");
		}
		return written;
	}

	/** The images the shards' runs could not explain, from their manifests. */
	private static int failures(List<Path> shards) throws IOException {
		int n = 0;
		for (Path s : shards) n += Integer.parseInt(ShardScope.manifest(s).getProperty("failures", "0"));
		return n;
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
		for (ImageSource.Entry e : ShardMerge.source(manifest)) entries.put(e.name(), e);
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
		for (String i : infos) images += i == null ? 0 : ShardMerge.count(i, "images");
		String model = manifest.getProperty("option.model", "");
		String title = Titles.of(model.isEmpty() ? "model" : new java.io.File(model).getName(), patches ? "maxPatches" : "maxImages", layer);
		ImagePlus imp = DatasetViews.montages(title, layer, tiles, degenerate, (int) images, patches, tile);
		imp.setProperty("Info", ShardMerge.mergedInfo(infos, tiles.size() - dead.size() - constant.size(),
			MaxActivatingImages.degenerateNote(layer, tiles.size(), (int) images, dead, constant)));
		return Outputs.save(imp, output, base, "montages");
	}

}
