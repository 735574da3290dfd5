package org.convlens.imagej;

import java.awt.Color;
import java.io.IOException;
import java.util.List;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

/**
 * Pictures and tables of the dataset commands: montages of max-activating images or patches,
 * the t-SNE scatter plot and the CS231n-style grid of nearest images, and their tables. The
 * montages are drawn by {@link MaxActivatingMontages}, the embedding pictures by {@link EmbeddingViews}.
 */
public final class DatasetViews {

	/** Height of the caption strip under each montage tile. */
	public static final int CAPTION = 24;
	static final int GAP = 2;
	static final int BACKGROUND = 0x303030;

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
		return MaxActivatingMontages.montages(title, layer, tiles, degenerate, images, patch, tile);
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
		return EmbeddingViews.scatter(title, xy, group, groupNames, legendTitle, axis);
	}

	/**
	 * The CS231n t-SNE grid: {@code cells[row * cols + col]} is the index into {@code entries} of
	 * the image drawn in that cell ({@code -1} = empty), each image scaled into a {@code cell}
	 * square. Images are read again one at a time.
	 */
	public static ImagePlus grid(String title, List<ImageSource.Entry> entries, int[] cells, int cols, int rows, int cell) throws IOException {
		return EmbeddingViews.grid(title, entries, cells, cols, rows, cell);
	}
}
