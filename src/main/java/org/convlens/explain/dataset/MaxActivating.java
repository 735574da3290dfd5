package org.convlens.explain.dataset;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.explain.core.Progress;

/**
 * Max-activating images: for chosen filters of a layer, the k images of a dataset on which the
 * filter responds most, scored by the filter's maximum (or mean) over the feature map. For a
 * spatial layer each hit also gives the patch of the input that the maximal unit sees: its
 * receptive field, computed from the graph's convolutions and poolings.
 *
 * <p>A filter that is zero everywhere on every image (dead) or one value everywhere (constant)
 * has no ranking: it is listed after the live filters with its {@link Status}.
 *
 * <p>Each image is read once: the patch (or the whole image, shrunk) of every top hit is kept
 * when the image goes through the model ({@link Keep}). Memory: k hits per filter with their kept
 * pixels, whatever the number of images.
 */
public final class MaxActivating {

	/** How an image's feature map is reduced to one score per filter. */
	public enum Score {
		/** The largest value over the map (the strongest single unit). */
		MAX,
		/** The mean over the map (how much of the image excites the filter). */
		MEAN
	}

	/** One of a filter's top images. */
	public static final class Hit {
		private final int filter;
		private final float score;
		private final float maxValue;
		private final int unitY, unitX;
		private final DatasetRunner.Item item;
		private final int[] inputRect;
		private final double[] imageRect;
		private Preprocessing.Planes kept;
		private double keptScale = 1;

		Hit(int filter, float score, float maxValue, int unitY, int unitX, DatasetRunner.Item item, int[] inputRect,
			double[] imageRect)
		{
			this.filter = filter;
			this.score = score;
			this.maxValue = maxValue;
			this.unitY = unitY;
			this.unitX = unitX;
			this.item = item;
			this.inputRect = inputRect;
			this.imageRect = imageRect;
		}

		public int filter() { return filter; }
		/** The score the ranking used (maximum or mean). */
		public float score() { return score; }
		/** The filter's largest value on this image. */
		public float maxValue() { return maxValue; }
		/** Row of the maximal unit in the feature map; -1 for a vector layer. */
		public int unitY() { return unitY; }
		public int unitX() { return unitX; }
		/** Position among the images used. */
		public int index() { return item.index(); }
		public String name() { return item.name(); }
		public String label() { return item.label(); }
		public ImageSource.Entry entry() { return item.entry(); }
		/** Size of the image as read. */
		public int imageWidth() { return item.width(); }
		public int imageHeight() { return item.height(); }

		/**
		 * The maximal unit's receptive field in model-input pixels, clipped to the input,
		 * {@code {x, y, width, height}}; null for a vector layer.
		 */
		public int[] inputRect() { return inputRect == null ? null : inputRect.clone(); }

		/**
		 * The same field in the pixels of the image as read (scaled back from the model's input
		 * size), {@code {x, y, width, height}}; the whole image for a vector layer.
		 */
		public double[] imageRect() { return imageRect.clone(); }

		/** Reads the image again and crops {@link #imageRect()} (whole image for a vector layer). */
		public Preprocessing.Planes readPatch() throws IOException {
			return Patches.crop(item.entry().read(), imageRect);
		}

		/**
		 * What the run kept of the image when it was read ({@link Keep}): the patch
		 * {@link #imageRect()} or the whole image, shrunk by whole factors to at most the
		 * {@link MaxActivating#keep keep size}; null with {@link Keep#NONE}.
		 */
		public Preprocessing.Planes kept() { return kept; }

		/** Pixels of {@link #kept()} per image pixel (1 unless it was shrunk). */
		public double keptScale() { return keptScale; }

		@Override
		public String toString() {
			return "filter " + filter + ": " + name() + " score " + score + (unitY >= 0 ? " at " + unitY + "," + unitX : "");
		}
	}

	/** Whether a filter responds to the dataset at all. */
	public enum Status {
		/** Its values vary over the dataset: its top images are a ranking. */
		LIVE,
		/** All zero on every image (a ReLU that never fires): no ranking. */
		DEAD,
		/** One value, not zero, everywhere on every image: no ranking either. */
		CONSTANT
	}

	/** Top images per filter, best first. */
	public static final class Result {
		private final String layer;
		private final Score score;
		private final ReceptiveField field;
		private final Map<Integer, List<Hit>> hits;
		private final Map<Integer, Status> status;
		private final Map<Integer, float[]> range;
		private final Map<Integer, List<Hit>> candidates;
		private final List<Integer> asked;
		private final DatasetReport report;

		Result(String layer, Score score, ReceptiveField field, Map<Integer, List<Hit>> hits, Map<Integer, Status> status,
			Map<Integer, float[]> range, Map<Integer, List<Hit>> candidates, List<Integer> asked, DatasetReport report)
		{
			this.candidates = candidates;
			this.asked = List.copyOf(asked);
			this.layer = layer;
			this.score = score;
			this.field = field;
			this.hits = hits;
			this.status = status;
			this.range = range;
			this.report = report;
		}

		public String layer() { return layer; }
		public Score score() { return score; }
		/** The layer's receptive field; null for a vector layer. */
		public ReceptiveField field() { return field; }
		/** The filters: live ones in the order asked for, then dead and constant ones. */
		public List<Integer> filters() { return new ArrayList<>(hits.keySet()); }
		/** The filters of one status, in {@link #filters()} order. */
		public List<Integer> filters(Status s) {
			List<Integer> l = new ArrayList<>();
			for (int f : hits.keySet()) if (status.get(f) == s) l.add(f);
			return l;
		}
		/**
		 * A filter's top images, best first (fewer than k when the dataset is small); empty for a
		 * dead or constant filter, whose "top" images would only be the first files.
		 */
		public List<Hit> hits(int filter) {
			List<Hit> h = hits.get(filter);
			if (h == null) throw new IllegalArgumentException("Filter " + filter + " was not computed; have " + hits.keySet());
			return h;
		}
		public Status status(int filter) {
			hits(filter);
			return status.get(filter);
		}
		/** The filter's smallest and largest value over every position of every image, {@code {min, max}}. */
		public float[] range(int filter) {
			hits(filter);
			return range.get(filter).clone();
		}
		public DatasetReport report() { return report; }
		/**
		 * The filters in the order asked for, whatever their status (a shard writes its table in
		 * this order, so that a merge can put the filters live overall first, in this order).
		 */
		public List<Integer> asked() { return asked; }
		/**
		 * A filter's top images by score as they were ranked, whatever its status: for a dead or
		 * constant filter, the first images (ties keep the earlier image). Only for merging shards:
		 * a filter dead or constant on one shard's images may vary over the whole input, and then
		 * these images take part in its ranking as in one run.
		 */
		public List<Hit> candidates(int filter) {
			hits(filter);
			return candidates.get(filter);
		}
	}

	/** What a run keeps of each top image, so that montages need not read it again. */
	public enum Keep {
		/** Nothing: {@link Hit#readPatch()} reads the file again. */
		NONE,
		/** The receptive-field patch ({@link Hit#imageRect()}). */
		PATCH,
		/** The whole image. */
		IMAGE
	}

	private final ConvModel model;
	private String layer;
	private int[] filters;
	private int topK = 9;
	private Score score = Score.MAX;
	private Keep keep = Keep.PATCH;
	private int keepSize = 256;

	public MaxActivating(ConvModel model) {
		this.model = model;
	}

	/** The layer (required). */
	public MaxActivating layer(String name) {
		this.layer = name;
		return this;
	}

	/** Filters (channels, 0-based) to rank images for; null or empty = every filter. */
	public MaxActivating filters(int... f) {
		this.filters = f == null || f.length == 0 ? null : f.clone();
		return this;
	}

	public MaxActivating topK(int k) {
		if (k < 1) throw new IllegalArgumentException("k must be at least 1: " + k);
		this.topK = k;
		return this;
	}

	public MaxActivating score(Score s) {
		this.score = s;
		return this;
	}

	/**
	 * What to keep of each top image when it is read (default: the patch), shrunk by whole
	 * factors (box mean) until its longer side is at most {@code maxSide} pixels: each image is
	 * then read once per run, however many filters it tops.
	 */
	public MaxActivating keep(Keep k, int maxSide) {
		if (maxSide < 1) throw new IllegalArgumentException("Keep size must be at least 1: " + maxSide);
		this.keep = k == null ? Keep.NONE : k;
		this.keepSize = maxSide;
		return this;
	}

	/**
	 * The default layer: a deep convolution's activated output (the last layer that still has
	 * the convolution as its last spatial op: after bias, batch norm and activation, before
	 * pooling), of the deepest convolution whose receptive field is at most half the input, so
	 * that a patch shows a part of the image; the last convolution when the input size is free;
	 * the first one when even its field is larger. Null when no spatial layer ends in a
	 * convolution (then the last spatial layer serves).
	 */
	public static String defaultLayer(ConvModel model) {
		return PatchLayers.defaultLayer(model);
	}

	/** Streams the source through the model and keeps each filter's top k images. */
	public Result run(ImageSource source, DatasetRunner runner, Progress progress) {
		if (layer == null) throw new ModelException("No layer chosen for max-activating images.");
		LayerInfo info = model.info().layer(layer);
		boolean spatial = info.kind() == LayerKind.SPATIAL;
		if (!spatial && info.kind() != LayerKind.VECTOR) {
			throw new ModelException("Layer " + layer + " has shape " + java.util.Arrays.toString(info.shape()) +
				"; choose a feature-map or vector layer.");
		}
		int channels = info.channels();
		int[] fs = filters != null ? filters.clone() : range(channels);
		for (int f : fs) {
			if (f < 0 || (channels > 0 && f >= channels)) {
				throw new ModelException("Layer " + layer + " has " + channels + " filters (0 to " + (channels - 1) + "); there is no filter " + f + ".");
			}
		}
		ReceptiveField field = spatial ? ReceptiveField.of(model, layer) : null;
		int[] modelIn = model.info().imageInput().shape();
		boolean resize = runner.preprocessing().resize();

		float[] gmax = new float[fs.length], gmin = new float[fs.length];
		java.util.Arrays.fill(gmax, Float.NEGATIVE_INFINITY);
		java.util.Arrays.fill(gmin, Float.POSITIVE_INFINITY);
		Keep kept = keep;
		int keptSize = keepSize;
		Comparator<Hit> worstFirst = Comparator.comparingDouble(Hit::score).thenComparing(Comparator.comparingInt(Hit::index).reversed());
		List<PriorityQueue<Hit>> heaps = new ArrayList<>();
		for (int i = 0; i < fs.length; i++) heaps.add(new PriorityQueue<>(topK + 1, worstFirst));
		String key = layer;
		DatasetReport report = runner.run(source, List.of(key), progress, new DatasetRunner.BatchHandler() {
			@Override
			public boolean needsPlanes() {
				return kept != Keep.NONE;
			}

			@Override
			public void accept(List<DatasetRunner.Item> items, Map<String, NdArray> out) {
				NdArray a = out.get(key);
				int per = a.stride0();
				int h = spatial ? a.dim(1) : 1;
				int w = spatial ? a.dim(2) : 1;
				int c = a.dim(-1);
				float[] d = a.data();
				float[] max = new float[c];
				float[] min = new float[c];
				int[] arg = new int[c];
				double[] sum = new double[c];
				for (int b = 0; b < items.size(); b++) {
					java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
					java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
					java.util.Arrays.fill(arg, 0);
					java.util.Arrays.fill(sum, 0);
					int base = b * per;
					for (int pos = 0; pos < h * w; pos++) {
						int o = base + pos * c;
						for (int ch = 0; ch < c; ch++) {
							float v = d[o + ch];
							sum[ch] += v;
							if (v < min[ch]) min[ch] = v;
							if (v > max[ch]) {
								max[ch] = v;
								arg[ch] = pos;
							}
						}
					}
					DatasetRunner.Item item = items.get(b);
					for (int i = 0; i < fs.length; i++) {
						int f = fs[i];
						gmax[i] = Math.max(gmax[i], max[f]);
						gmin[i] = Math.min(gmin[i], min[f]);
						float s = score == Score.MAX ? max[f] : (float) (sum[f] / (h * w));
						PriorityQueue<Hit> heap = heaps.get(i);
						if (heap.size() >= topK && s <= heap.peek().score()) continue; // ties keep the earlier image
						Hit hit = hit(f, s, max[f], spatial ? arg[f] / w : -1, spatial ? arg[f] % w : -1, item, field, modelIn, resize);
						if (kept != Keep.NONE && item.planes() != null) {
							Preprocessing.Planes p = kept == Keep.PATCH ? Patches.crop(item.planes(), hit.imageRect) : item.planes();
							int factor = Patches.shrinkFactor(p.width, p.height, keptSize);
							hit.kept = factor == 1 ? p : Patches.shrink(p, factor); // a crop is a copy; a whole image as read is not changed by anyone
							hit.keptScale = 1.0 / factor;
						}
						heap.add(hit);
						if (heap.size() > topK) heap.poll();
					}
				}
			}
		});
		Map<Integer, List<Hit>> hits = new LinkedHashMap<>();
		Map<Integer, Status> status = new LinkedHashMap<>();
		Map<Integer, float[]> range = new LinkedHashMap<>();
		Map<Integer, List<Hit>> candidates = new LinkedHashMap<>();
		List<Integer> degenerate = new ArrayList<>(), asked = new ArrayList<>();
		for (int i = 0; i < fs.length; i++) {
			Status st = gmax[i] != gmin[i] ? Status.LIVE : gmax[i] == 0 ? Status.DEAD : Status.CONSTANT;
			status.put(fs[i], st);
			range.put(fs[i], new float[] { gmin[i], gmax[i] });
			asked.add(fs[i]);
			List<Hit> l = new ArrayList<>(heaps.get(i));
			l.sort(worstFirst.reversed());
			candidates.put(fs[i], List.copyOf(l));
			if (st != Status.LIVE) {
				for (Hit h : l) h.kept = null; // never drawn; a merge reads them again
				degenerate.add(i);
				continue;
			}
			hits.put(fs[i], candidates.get(fs[i]));
		}
		for (int i : degenerate) hits.put(fs[i], List.of()); // after the live filters
		return new Result(layer, score, field, hits, status, range, candidates, asked, report);
	}

	private static Hit hit(int f, float s, float max, int uy, int ux, DatasetRunner.Item item, ReceptiveField field, int[] modelIn,
		boolean resize)
	{
		if (field == null) {
			return new Hit(f, s, max, -1, -1, item, null, new double[] { 0, 0, item.width(), item.height() });
		}
		int inH = resize && modelIn[1] > 0 ? modelIn[1] : item.height();
		int inW = resize && modelIn[2] > 0 ? modelIn[2] : item.width();
		int[] r = field.clippedRect(uy, ux, inW, inH);
		double sx = (double) item.width() / inW;
		double sy = (double) item.height() / inH;
		return new Hit(f, s, max, uy, ux, item, r, new double[] { r[0] * sx, r[1] * sy, r[2] * sx, r[3] * sy });
	}

	private static int[] range(int n) {
		if (n <= 0) throw new ModelException("The layer's number of filters is unknown; choose filters explicitly.");
		int[] r = new int[n];
		for (int i = 0; i < n; i++) r[i] = i;
		return r;
	}
}
