package org.convlens.explain;

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

/**
 * Max-activating images: for chosen filters of a layer, the k images of a dataset on which the
 * filter responds most, scored by the filter's maximum (or mean) over the feature map. For a
 * spatial layer each hit also gives the patch of the input that the maximal unit sees: its
 * receptive field, computed from the graph's convolutions and poolings.
 *
 * <p>Memory: k hits per filter, whatever the number of images.
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
			return crop(item.entry().read(), imageRect);
		}

		@Override
		public String toString() {
			return "filter " + filter + ": " + name() + " score " + score + (unitY >= 0 ? " at " + unitY + "," + unitX : "");
		}
	}

	/** Top images per filter, best first. */
	public static final class Result {
		private final String layer;
		private final Score score;
		private final ReceptiveField field;
		private final Map<Integer, List<Hit>> hits;
		private final DatasetReport report;

		Result(String layer, Score score, ReceptiveField field, Map<Integer, List<Hit>> hits, DatasetReport report) {
			this.layer = layer;
			this.score = score;
			this.field = field;
			this.hits = hits;
			this.report = report;
		}

		public String layer() { return layer; }
		public Score score() { return score; }
		/** The layer's receptive field; null for a vector layer. */
		public ReceptiveField field() { return field; }
		/** The filters, in the order asked for. */
		public List<Integer> filters() { return new ArrayList<>(hits.keySet()); }
		/** A filter's top images, best first (fewer than k when the dataset is small). */
		public List<Hit> hits(int filter) {
			List<Hit> h = hits.get(filter);
			if (h == null) throw new IllegalArgumentException("Filter " + filter + " was not computed; have " + hits.keySet());
			return h;
		}
		public DatasetReport report() { return report; }
	}

	private final ConvModel model;
	private String layer;
	private int[] filters;
	private int topK = 9;
	private Score score = Score.MAX;

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

		Comparator<Hit> worstFirst = Comparator.comparingDouble(Hit::score).thenComparing(Comparator.comparingInt(Hit::index).reversed());
		List<PriorityQueue<Hit>> heaps = new ArrayList<>();
		for (int i = 0; i < fs.length; i++) heaps.add(new PriorityQueue<>(topK + 1, worstFirst));
		String key = layer;
		DatasetReport report = runner.run(source, List.of(key), progress, (items, out) -> {
			NdArray a = out.get(key);
			int per = a.stride0();
			int h = spatial ? a.dim(1) : 1;
			int w = spatial ? a.dim(2) : 1;
			int c = a.dim(-1);
			float[] d = a.data();
			float[] max = new float[c];
			int[] arg = new int[c];
			double[] sum = new double[c];
			for (int b = 0; b < items.size(); b++) {
				java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
				java.util.Arrays.fill(arg, 0);
				java.util.Arrays.fill(sum, 0);
				int base = b * per;
				for (int pos = 0; pos < h * w; pos++) {
					int o = base + pos * c;
					for (int ch = 0; ch < c; ch++) {
						float v = d[o + ch];
						sum[ch] += v;
						if (v > max[ch]) {
							max[ch] = v;
							arg[ch] = pos;
						}
					}
				}
				DatasetRunner.Item item = items.get(b);
				for (int i = 0; i < fs.length; i++) {
					int f = fs[i];
					float s = score == Score.MAX ? max[f] : (float) (sum[f] / (h * w));
					PriorityQueue<Hit> heap = heaps.get(i);
					if (heap.size() >= topK && s <= heap.peek().score()) continue; // ties keep the earlier image
					heap.add(hit(f, s, max[f], spatial ? arg[f] / w : -1, spatial ? arg[f] % w : -1, item, field, modelIn, resize));
					if (heap.size() > topK) heap.poll();
				}
			}
		});
		Map<Integer, List<Hit>> hits = new LinkedHashMap<>();
		for (int i = 0; i < fs.length; i++) {
			List<Hit> l = new ArrayList<>(heaps.get(i));
			l.sort(worstFirst.reversed());
			hits.put(fs[i], List.copyOf(l));
		}
		return new Result(layer, score, field, hits, report);
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

	/** A crop of the planes covering {@code rect = {x, y, w, h}} (rounded outwards, clipped). */
	public static Preprocessing.Planes crop(Preprocessing.Planes p, double[] rect) {
		int x0 = Math.max(0, (int) Math.floor(rect[0]));
		int y0 = Math.max(0, (int) Math.floor(rect[1]));
		int x1 = Math.min(p.width, (int) Math.ceil(rect[0] + rect[2]));
		int y1 = Math.min(p.height, (int) Math.ceil(rect[1] + rect[3]));
		int w = Math.max(1, x1 - x0);
		int h = Math.max(1, y1 - y0);
		x0 = Math.min(x0, p.width - w);
		y0 = Math.min(y0, p.height - h);
		float[][] out = new float[p.channels().length][w * h];
		for (int c = 0; c < out.length; c++) {
			for (int y = 0; y < h; y++) System.arraycopy(p.channels()[c], (y0 + y) * p.width + x0, out[c], y * w, w);
		}
		return new Preprocessing.Planes(out, w, h, p.typeMax, p.rgb);
	}

	private static int[] range(int n) {
		if (n <= 0) throw new ModelException("The layer's number of filters is unknown; choose filters explicitly.");
		int[] r = new int[n];
		for (int i = 0; i < n; i++) r[i] = i;
		return r;
	}
}
