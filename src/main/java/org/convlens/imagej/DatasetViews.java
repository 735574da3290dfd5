package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.util.List;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.explain.dataset.Patches;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Plot;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

/**
 * Pictures and tables of the dataset commands: montages of max-activating images or patches,
 * the t-SNE scatter plot and the CS231n-style grid of nearest images, and their tables.
 */
public final class DatasetViews {

	/** Height of the caption strip under each montage tile. */
	public static final int CAPTION = 24;
	private static final int GAP = 2;
	private static final int BACKGROUND = 0x303030;

	/** Class colours for plots (colour-blind friendly first, Okabe-Ito), repeated when there are more classes. */
	static final Color[] COLORS = { new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
		new Color(0xE69F00), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000), new Color(0x999999), new Color(0x882255) };

	private DatasetViews() {}

	/** The images left out, with the reason. */
	public static ResultsTable skippedTable(DatasetReport r) {
		ResultsTable t = new ResultsTable();
		for (DatasetReport.Skipped s : r.skipped()) {
			t.incrementCounter();
			t.addValue("file", s.name());
			t.addValue("reason", s.reason());
		}
		return t;
	}

	/**
	 * One row per hit: filter, status, rank, score, file, label, unit (y, x) and the patch in image
	 * pixels; a dead or constant filter gets one row with its status and value, and no rank.
	 */
	public static ResultsTable hitsTable(MaxActivating.Result r) {
		return hitsTable(r, false);
	}

	/**
	 * As {@link #hitsTable(MaxActivating.Result)}; with {@code candidates} (a shard's table, for
	 * {@code merge}) the filters come in the order asked for, and a dead or constant filter's row
	 * is followed by its {@link MaxActivating.Result#candidates candidates}: rows with its status,
	 * no rank and a file. A filter dead on one shard's images may be live over the whole input, and
	 * then the merge ranks these images with the other shards' hits, as one run would.
	 */
	public static ResultsTable hitsTable(MaxActivating.Result r, boolean candidates) {
		ResultsTable t = new ResultsTable();
		t.showRowNumbers(false);
		for (int f : candidates ? r.asked() : r.filters()) {
			MaxActivating.Status st = r.status(f);
			if (st != MaxActivating.Status.LIVE) {
				String status = st.name().toLowerCase(java.util.Locale.ROOT);
				t.incrementCounter();
				t.addValue("layer", r.layer());
				t.addValue("filter", f);
				t.addValue("status", status);
				t.addValue("rank", "");
				t.addValue("score", r.range(f)[1]);
				t.addValue("max", r.range(f)[1]);
				t.addValue("file", "");
				if (candidates) for (MaxActivating.Hit h : r.candidates(f)) hitRow(t, r.layer(), f, status, "", h);
				continue;
			}
			List<MaxActivating.Hit> hs = r.hits(f);
			for (int k = 0; k < hs.size(); k++) hitRow(t, r.layer(), f, "live", k + 1, hs.get(k));
		}
		return t;
	}

	private static void hitRow(ResultsTable t, String layer, int f, String status, Object rank, MaxActivating.Hit h) {
		double[] rect = h.imageRect();
		t.incrementCounter();
		t.addValue("layer", layer);
		t.addValue("filter", f);
		t.addValue("status", status);
		if (rank instanceof Integer) t.addValue("rank", (Integer) rank);
		else t.addValue("rank", rank.toString());
		t.addValue("score", h.score());
		t.addValue("max", h.maxValue());
		t.addValue("file", h.name());
		t.addValue("label", h.label() == null ? "" : h.label());
		t.addValue("y", h.unitY());
		t.addValue("x", h.unitX());
		t.addValue("patch x", rect[0]);
		t.addValue("patch y", rect[1]);
		t.addValue("patch width", rect[2]);
		t.addValue("patch height", rect[3]);
	}

	/**
	 * Longest side of what a run keeps of a top image for montages of {@code tile}-pixel tiles
	 * ({@link MaxActivating#keep}); a montage of images read again shrinks them alike.
	 */
	public static int keepSize(int tile) {
		return Math.max(64, 2 * tile);
	}

	/**
	 * One montage per filter, as the slices of one RGB stack: the top images (whole, with the
	 * maximal unit's receptive field outlined) or their receptive-field patches, each {@code tile}
	 * pixels wide, captioned with rank, score and file name. The pixels come from what the run
	 * kept ({@link MaxActivating.Hit#kept()}); only hits without them are read again. Dead and
	 * constant filters come last, as a slice that says so instead of a ranking.
	 */
	public static ImagePlus montages(String title, MaxActivating.Result r, boolean patch, int tile) throws IOException {
		java.util.Map<Integer, List<MontageTile>> tiles = new java.util.LinkedHashMap<>();
		java.util.Map<Integer, Degenerate> degenerate = new java.util.HashMap<>();
		for (int f : r.filters()) {
			List<MontageTile> l = new java.util.ArrayList<>();
			for (MaxActivating.Hit h : r.hits(f)) l.add(MontageTile.of(h));
			tiles.put(f, l);
			if (r.status(f) != MaxActivating.Status.LIVE) degenerate.put(f, new Degenerate(r.status(f), r.range(f)[1]));
		}
		return montages(title, r.layer(), tiles, degenerate, r.report().processed(), patch, tile);
	}

	/**
	 * One tile of a max-activating montage: what a hit table row holds, the pixels a run kept (if
	 * any) and the image to read again when it kept none (e.g. the hits of merged shards).
	 */
	public static final class MontageTile {
		final String name;
		final float score;
		final ImageSource.Entry entry;
		final double[] imageRect;
		final int unitY;
		final Preprocessing.Planes kept;
		final double keptScale;
		final int imageWidth;

		/**
		 * A tile drawn from its image, read again.
		 *
		 * @param imageRect the maximal unit's field in image pixels {@code {x, y, width, height}}
		 * @param unitY the unit's row, -1 for a vector layer (no field outlined)
		 */
		public MontageTile(String name, float score, ImageSource.Entry entry, double[] imageRect, int unitY) {
			this(name, score, entry, imageRect, unitY, null, 1, -1);
		}

		/**
		 * A tile drawn from the pixels a run kept.
		 *
		 * @param kept the patch or whole image as kept ({@link MaxActivating.Hit#kept()}), null to read it again
		 * @param keptScale pixels of {@code kept} per image pixel
		 * @param imageWidth the image's width, to tell a kept whole image from a kept patch
		 */
		public MontageTile(String name, float score, ImageSource.Entry entry, double[] imageRect, int unitY, Preprocessing.Planes kept,
			double keptScale, int imageWidth)
		{
			this.name = name;
			this.score = score;
			this.entry = entry;
			this.imageRect = imageRect.clone();
			this.unitY = unitY;
			this.kept = kept;
			this.keptScale = keptScale;
			this.imageWidth = imageWidth;
		}

		/** The tile of a hit of this run, with what the run kept. */
		public static MontageTile of(MaxActivating.Hit h) {
			return new MontageTile(h.name(), h.score(), h.entry(), h.imageRect(), h.unitY(), h.kept(), h.keptScale(), h.imageWidth());
		}
	}

	/** A filter with no ranking: dead (zero everywhere) or constant, with its one value. */
	public static final class Degenerate {
		final MaxActivating.Status status;
		final float value;

		public Degenerate(MaxActivating.Status status, float value) {
			if (status == MaxActivating.Status.LIVE) throw new IllegalArgumentException("A live filter has a ranking.");
			this.status = status;
			this.value = value;
		}
	}

	/**
	 * The montages of {@link #montages(String, MaxActivating.Result, boolean, int)} from tiles,
	 * one run's or the hits of several shards merged: filter to its tiles, best first, in slice
	 * order; a filter in {@code degenerate} gets the slice that says it is dead or constant.
	 *
	 * @param images the images of the run, for the degenerate filters' "on all N images"
	 */
	public static ImagePlus montages(String title, String layer, java.util.Map<Integer, List<MontageTile>> tiles,
		java.util.Map<Integer, Degenerate> degenerate, int images, boolean patch, int tile) throws IOException
	{
		int k = 1;
		for (List<MontageTile> l : tiles.values()) k = Math.max(k, l.size());
		int cols = Math.max(1, (int) Math.ceil(Math.sqrt(k)));
		int rows = Math.max(1, (k + cols - 1) / cols);
		int w = cols * tile + (cols + 1) * GAP, h = rows * (tile + CAPTION) + (rows + 1) * GAP;
		int keepSize = keepSize(tile);
		ImageStack st = new ImageStack(w, h);
		for (java.util.Map.Entry<Integer, List<MontageTile>> e : tiles.entrySet()) {
			int f = e.getKey();
			ColorProcessor cp = new ColorProcessor(w, h);
			cp.setColor(new Color(BACKGROUND));
			cp.fill();
			Degenerate dg = degenerate.get(f);
			if (dg != null) {
				String what = dg.status == MaxActivating.Status.DEAD ? "DEAD: never fires" :
					String.format(java.util.Locale.ROOT, "CONSTANT: %.4g everywhere", dg.value);
				cp.setColor(new Color(0xff6060));
				cp.setFont(new Font("SansSerif", Font.BOLD, 12));
				cp.setAntialiasedText(true);
				cp.drawString(fitText(cp, "filter " + f, w - 2 * GAP), GAP + 2, GAP + 16);
				cp.drawString(fitText(cp, what, w - 2 * GAP), GAP + 2, GAP + 32);
				cp.setColor(new Color(0xbbbbbb));
				cp.setFont(new Font("SansSerif", Font.PLAIN, 10));
				cp.drawString(fitText(cp, "on all " + images + " images: no ranking", w - 2 * GAP), GAP + 2, GAP + 48);
				st.addSlice(layer + " \u00b7 filter " + f + " (" + dg.status.name().toLowerCase(java.util.Locale.ROOT) + ")", cp);
				continue;
			}
			List<MontageTile> hs = e.getValue();
			for (int i = 0; i < hs.size(); i++) {
				MontageTile hit = hs.get(i);
				int ox = GAP + (i % cols) * (tile + GAP), oy = GAP + (i / cols) * (tile + CAPTION + GAP);
				double[] rect = hit.imageRect;
				Preprocessing.Planes p = hit.kept;
				double ks = hit.keptScale;
				// a kept patch cannot show the whole image: read it again then
				if (p != null && !patch && p.width < (int) Math.floor(hit.imageWidth * ks)) p = null;
				if (p == null) {
					// read again and kept as a run keeps it (same crop, same shrinking): the same pixels either way
					Preprocessing.Planes read = hit.entry.read();
					Preprocessing.Planes q = patch ? Patches.crop(read, rect) : read;
					int factor = Patches.shrinkFactor(q.width, q.height, keepSize);
					p = factor == 1 ? q : Patches.shrink(q, factor);
					ks = 1.0 / factor;
				}
				ColorProcessor t = fit(render(p), tile);
				if (!patch && hit.unitY >= 0) {
					// the rectangle in image pixels, shrunk with the image
					double s = Math.min((double) tile / p.width, (double) tile / p.height) * ks;
					t.setColor(Color.yellow);
					int dx = (tile - (int) Math.round(p.width * s / ks)) / 2, dy = (tile - (int) Math.round(p.height * s / ks)) / 2;
					t.drawRect(dx + (int) Math.round(rect[0] * s), dy + (int) Math.round(rect[1] * s), Math.max(2, (int) Math.round(rect[2] * s)),
						Math.max(2, (int) Math.round(rect[3] * s)));
				}
				cp.insert(t, ox, oy);
				caption(cp, ox, oy + tile, tile, "#" + (i + 1) + "  " + String.format(java.util.Locale.ROOT, "%.3g", hit.score), hit.name);
			}
			st.addSlice(layer + " \u00b7 filter " + f, cp);
		}
		return new ImagePlus(title, st);
	}

	private static void caption(ImageProcessor ip, int x, int y, int width, String line1, String line2) {
		ip.setColor(Color.white);
		ip.setFont(new Font("SansSerif", Font.PLAIN, 10));
		ip.setAntialiasedText(true);
		ip.drawString(fitText(ip, line1, width), x + 1, y + 11);
		ip.setColor(new Color(0xbbbbbb));
		ip.drawString(fitText(ip, line2, width), x + 1, y + 22);
	}

	/** The text, shortened from the left with an ellipsis so it fits {@code width} pixels. */
	static String fitText(ImageProcessor ip, String s, int width) {
		if (s == null) return "";
		if (ip.getStringWidth(s) <= width - 2) return s;
		String t = s;
		while (t.length() > 1 && ip.getStringWidth("\u2026" + t) > width - 2) t = t.substring(1);
		return "\u2026" + t;
	}

	/**
	 * An image as RGB for display: RGB as is; otherwise the mean of the channels, scaled from
	 * {@code 0..typeMax} (8 and 16 bit, so images compare) or from its own min..max (float).
	 */
	public static ColorProcessor render(Preprocessing.Planes p) {
		int n = p.width * p.height;
		if (p.rgb && p.channels().length == 3) {
			int[] px = new int[n];
			for (int i = 0; i < n; i++) {
				px[i] = (clamp(p.channels()[0][i]) << 16) | (clamp(p.channels()[1][i]) << 8) | clamp(p.channels()[2][i]);
			}
			return new ColorProcessor(p.width, p.height, px);
		}
		float[] g = new float[n];
		for (float[] c : p.channels()) for (int i = 0; i < n; i++) g[i] += c[i] / p.channels().length;
		FloatProcessor fp = new FloatProcessor(p.width, p.height, g);
		if (p.typeMax > 1) fp.setMinAndMax(0, p.typeMax);
		else fp.resetMinAndMax();
		return fp.convertToColorProcessor();
	}

	private static int clamp(float v) {
		return Math.max(0, Math.min(255, Math.round(v)));
	}

	/** Scaled to fit a {@code size x size} square (kept aspect, centred on the background colour). */
	public static ColorProcessor fit(ColorProcessor ip, int size) {
		double s = Math.min((double) size / ip.getWidth(), (double) size / ip.getHeight());
		int w = Math.max(1, (int) Math.round(ip.getWidth() * s)), h = Math.max(1, (int) Math.round(ip.getHeight() * s));
		// enlarge small patches crisply (each input pixel a block), shrink large images smoothly
		ip.setInterpolationMethod(s >= 1 ? ImageProcessor.NONE : ImageProcessor.BILINEAR);
		ColorProcessor r = (ColorProcessor) ip.resize(w, h, s < 1);
		if (w == size && h == size) return r;
		ColorProcessor out = new ColorProcessor(size, size);
		out.setColor(new Color(BACKGROUND));
		out.fill();
		out.insert(r, (size - w) / 2, (size - h) / 2);
		return out;
	}

	/** Adds one image's code as a table row: file, label, predicted class, confidence, c0, c1, ... */
	public static void addCodeRow(ResultsTable t, CnnCodes.Row r) {
		t.incrementCounter();
		t.addValue("file", r.name());
		t.addValue("label", r.label() == null ? "" : r.label());
		t.addValue("predicted", r.predictedName());
		t.addValue("confidence", r.confidence());
		float[] c = r.code();
		for (int i = 0; i < c.length; i++) t.addValue("c" + i, c[i]);
	}

	/** The 2-D map as a table: file, label, predicted class, x, y. */
	public static ResultsTable coordinatesTable(List<CnnCodes.Row> rows, double[][] xy) {
		ResultsTable t = new ResultsTable();
		for (int i = 0; i < rows.size(); i++) {
			CnnCodes.Row r = rows.get(i);
			t.incrementCounter();
			t.addValue("file", r.name());
			t.addValue("label", r.label() == null ? "" : r.label());
			t.addValue("predicted", r.predictedName());
			t.addValue("confidence", r.confidence());
			t.addValue("x", xy[i][0]);
			t.addValue("y", xy[i][1]);
		}
		return t;
	}

	/** A scatter plot of the map, one colour per group, with a legend. */
	public static ImagePlus scatter(String title, double[][] xy, int[] group, List<String> groupNames, String legendTitle) {
		return scatter(title, xy, group, groupNames, legendTitle, "t-SNE");
	}

	/** As {@link #scatter(String, double[][], int[], List, String)} with axes named {@code axis 1} and {@code axis 2}. */
	public static ImagePlus scatter(String title, double[][] xy, int[] group, List<String> groupNames, String legendTitle, String axis) {
		Plot plot = new Plot(title, axis + " 1", axis + " 2");
		plot.setSize(560, 480);
		StringBuilder legend = new StringBuilder();
		for (int g = 0; g < groupNames.size(); g++) {
			int n = 0;
			for (int v : group) if (v == g) n++;
			if (n == 0) continue;
			double[] x = new double[n], y = new double[n];
			int j = 0;
			for (int i = 0; i < group.length; i++) {
				if (group[i] != g) continue;
				x[j] = xy[i][0];
				y[j++] = xy[i][1];
			}
			plot.setColor(COLORS[g % COLORS.length], COLORS[g % COLORS.length]);
			plot.addPoints(x, y, Plot.CIRCLE);
			String name = groupNames.get(g).isEmpty() ? "(none)" : groupNames.get(g);
			legend.append(legend.length() == 0 ? "" : "\t").append(legendTitle == null ? name : legendTitle + " " + name);
		}
		// Plot's automatic limits follow the first data set only: fit all points, with a margin
		double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = x0, y1 = x1;
		for (double[] p : xy) {
			x0 = Math.min(x0, p[0]);
			x1 = Math.max(x1, p[0]);
			y0 = Math.min(y0, p[1]);
			y1 = Math.max(y1, p[1]);
		}
		double mx = Math.max(1e-9, (x1 - x0) * 0.05), my = Math.max(1e-9, (y1 - y0) * 0.05);
		if (xy.length > 0) plot.setLimits(x0 - mx, x1 + mx, y0 - my, y1 + my);
		plot.setLegend(legend.toString(), Plot.AUTO_POSITION);
		ImagePlus imp = plot.getImagePlus();
		imp.setTitle(title);
		return imp;
	}

	/**
	 * The CS231n t-SNE grid: {@code cells[row * cols + col]} is the index into {@code entries} of
	 * the image drawn in that cell ({@code -1} = empty), each image scaled into a {@code cell}
	 * square. Images are read again one at a time.
	 */
	public static ImagePlus grid(String title, List<ImageSource.Entry> entries, int[] cells, int cols, int rows, int cell) throws IOException {
		ColorProcessor cp = new ColorProcessor(cols * cell, rows * cell);
		cp.setColor(Color.white);
		cp.fill();
		java.util.Map<Integer, ColorProcessor> cache = new java.util.HashMap<>();
		for (int i = 0; i < cells.length; i++) {
			if (cells[i] < 0) continue;
			ColorProcessor t = cache.get(cells[i]);
			if (t == null) {
				t = fit(render(entries.get(cells[i]).read()), cell);
				if (cache.size() < 256) cache.put(cells[i], t);
			}
			cp.insert(t, (i % cols) * cell, (i / cols) * cell);
		}
		return new ImagePlus(title, cp);
	}
}
