package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.CancelledException;
import org.convlens.explain.core.Progress;

/**
 * Filter patterns on the two real Keras models (skipped when {@code ../shared} is absent) and on
 * the generated test models (skipped until they are in {@code test-data}): every live filter's
 * mean activation rises at least tenfold from the noise's, patterns are finite, and dead filters
 * are exactly those whose feature map is zero over the cropped region for the starting noise
 * (checked with a plain forward pass, not with gradients).
 */
class FilterPatternsTest {

	static final InputRange RAW_8BIT = InputRange.of(Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE),
		new int[] { -1, 64, 64, 3 }, 255);

	/** All filters of a layer with the baseline recipe; checks gains, finiteness and dead filters. */
	static List<Pattern> checkLayer(ConvModel m, String layer, PatternOptions opt) {
		int filters = m.info().layer(layer).channels();
		List<Pattern> ps = new FilterPatterns(m, opt).compute(PatternTarget.filters(layer, FilterSelection.parse("all", filters)), Progress.NONE);
		List<Pattern> start = new FilterPatterns(m, opt.withIterations(0))
			.compute(PatternTarget.filters(layer, FilterSelection.parse("all", filters)), Progress.NONE);
		NdArray startImages = NdArray.concat(imagesOf(start));
		NdArray act = m.run(startImages, List.of(layer)).get(layer);
		int mh = act.dim(1), mw = act.dim(2), c = act.dim(3);
		int by = Math.min(2, (mh - 1) / 2), bx = Math.min(2, (mw - 1) / 2);
		double minGain = Double.POSITIVE_INFINITY;
		int dead = 0;
		for (int f = 0; f < filters; f++) {
			Pattern p = ps.get(f);
			assertEquals(f, p.target().index());
			assertTrue(p.isFinite(), layer + " " + f + " not finite");
			// the same starting noise in both runs, and the objective is the mean over the crop
			double sum = 0, max = Double.NEGATIVE_INFINITY;
			for (int y = by; y < mh - by; y++) {
				for (int x = bx; x < mw - bx; x++) {
					float v = act.data()[((f * mh + y) * mw + x) * c + f];
					sum += v;
					max = Math.max(max, v);
				}
			}
			double mean = sum / ((mh - 2 * by) * (mw - 2 * bx));
			assertEquals(mean, start.get(f).startActivation(), 1e-4 * (1 + Math.abs(mean)), layer + " " + f + " start objective");
			assertEquals(start.get(f).startActivation(), p.startActivation(), 1e-5 * (1 + Math.abs(mean)), "same start noise");
			boolean reluDead = max <= 0 && m.info().layer(layer).opType().equals("Relu");
			assertEquals(reluDead, p.dead(), layer + " filter " + f + ": dead flag vs forward pass (max " + max + ")");
			if (p.dead()) {
				dead++;
				assertTrue(p.label().contains("DEAD"), p.label());
				float[] black = p.display().channels()[0];
				for (float v : black) assertEquals(0, v, 0);
				continue;
			}
			assertTrue(p.gain() >= 10, layer + " filter " + f + ": gain " + p.gain() + " (" + p.startActivation() + " -> " + p.finalActivation() + ")");
			minGain = Math.min(minGain, p.gain());
		}
		System.out.printf(Locale.ROOT, "%s %s: %d filters, %d dead, min gain of live filters %.1f%n",
			m.info().path().getFileName(), layer, filters, dead, minGain);
		return ps;
	}

	static List<NdArray> imagesOf(List<Pattern> ps) {
		List<NdArray> l = new ArrayList<>();
		for (Pattern p : ps) l.add(p.image());
		return l;
	}

	/** The first and last convolution, each with its activation (ReLU) where that is a separate layer. */
	private static void firstAndLastConv(Path dir, PatternOptions opt, String first, String last) {
		try (ConvModel m = Models.open(dir)) {
			List<String> convs = KernelImages.convLayers(m);
			String f = FilterPatterns.activatedLayer(m.info(), convs.get(0));
			String l = FilterPatterns.activatedLayer(m.info(), convs.get(convs.size() - 1));
			assertEquals(first, f);
			assertEquals(last, l);
			checkLayer(m, f, opt);
			checkLayer(m, l, opt);
		}
	}

	/**
	 * The brain model takes raw 0..255 pixels and 64x64 images. Its first-layer filters respond
	 * mostly to the mean grey of the noise: for such a filter each fixed-length step adds about
	 * {@code step / (0.5 sqrt(pixels of the map))} times the start, some 0.2x here, so 30 steps
	 * give only 5-7x (the DLwP recipe was made for a different size); 60 steps give at least 13x.
	 */
	@Test
	void brainModelFirstAndLastConvOnRawPixels() {
		firstAndLastConv(PatternTestModels.sharedModel(PatternTestModels.BRAIN),
			PatternOptions.defaults().withInputRange(RAW_8BIT).withIterations(60), "activation_10", "activation_12");
	}

	@Test
	void fashionModelFirstAndLastConv() {
		firstAndLastConv(PatternTestModels.sharedModel(PatternTestModels.FASHION), PatternOptions.defaults(), "conv2d", "conv2d_2");
	}

	@Test
	void generatedModelEveryConvLayer() {
		Path dir = PatternTestModels.generated("shapes-tf1");
		try (ConvModel m = Models.open(dir)) {
			InputRange r = InputRange.forModel(m.info());
			for (String layer : KernelImages.convLayers(m)) {
				checkLayer(m, FilterPatterns.activatedLayer(m.info(), layer), PatternOptions.defaults().withInputRange(r));
			}
		}
	}

	@Test
	void startingNoiseIsInTheMiddleOfTheInputRange() {
		try (ConvModel m = Models.open(PatternTestModels.sharedModel(PatternTestModels.BRAIN))) {
			Pattern p = new FilterPatterns(m, PatternOptions.defaults().withInputRange(RAW_8BIT).withIterations(0))
				.compute(List.of(PatternTarget.filter("conv2d_6", 0)), Progress.NONE).get(0);
			float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
			for (float v : p.image().data()) {
				lo = Math.min(lo, v);
				hi = Math.max(hi, v);
			}
			assertTrue(lo >= 0.4f * 255 - 1e-3 && hi <= 0.6f * 255 + 1e-3, lo + ".." + hi);
			assertTrue(hi - lo > 0.15 * 255, "noise spans most of 0.4..0.6: " + lo + ".." + hi);
			assertEquals(p.startActivation(), p.finalActivation(), 0);
		}
	}

	@Test
	void classAndNeuronObjectives() {
		try (ConvModel m = Models.open(PatternTestModels.sharedModel(PatternTestModels.FASHION))) {
			int k = m.info().numClasses();
			List<PatternTarget> ts = new ArrayList<>();
			for (int i = 0; i < k; i++) ts.add(PatternTarget.classLogit(i));
			List<Pattern> ps = new FilterPatterns(m, PatternOptions.defaults()).compute(ts, Progress.NONE);
			NdArray imgs = NdArray.concat(imagesOf(ps));
			NdArray logits = m.run(imgs, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
			for (int i = 0; i < k; i++) {
				Pattern p = ps.get(i);
				assertEquals(logits.get(i, i), p.finalActivation(), 1e-3 * (1 + Math.abs(p.finalActivation())), "class " + i);
				assertTrue(p.finalActivation() > p.startActivation() + 1, "class " + i + " logit rises: " + p.label());
				int arg = 0;
				for (int j = 1; j < k; j++) if (logits.get(i, j) > logits.get(i, arg)) arg = j;
				assertEquals(i, arg, "the class image is classified as its class");
			}
			// one neuron: the centre of conv2d_1 (11x11 map), and a corner position
			LayerInfo l = m.info().layer("conv2d_1");
			List<PatternTarget> ns = List.of(PatternTarget.neuron("conv2d_1", 3, -1, -1), PatternTarget.neuron("conv2d_1", 5, 1, 9));
			List<Pattern> np = new FilterPatterns(m, PatternOptions.defaults()).compute(ns, Progress.NONE);
			NdArray act = m.run(NdArray.concat(imagesOf(np)), List.of("conv2d_1")).get("conv2d_1");
			int mh = l.shape()[1], mw = l.shape()[2];
			assertEquals(act.get(0, mh / 2, mw / 2, 3), np.get(0).finalActivation(), 1e-3 * (1 + Math.abs(np.get(0).finalActivation())));
			assertEquals(act.get(1, 1, 9, 5), np.get(1).finalActivation(), 1e-3 * (1 + Math.abs(np.get(1).finalActivation())));
			for (Pattern p : np) assertTrue(p.dead() || p.gain() >= 10, p.label());
			assertTrue(np.get(0).label().contains("conv2d_1 filter 3 at centre"), np.get(0).label());
		}
	}

	@Test
	void refusesImpossibleRequests() {
		try (ConvModel m = Models.open(PatternTestModels.sharedModel(PatternTestModels.FASHION))) {
			assertThrows(ModelException.class, () -> new FilterPatterns(m, PatternOptions.defaults().withImageSize(64, 64)));
			ModelException e = assertThrows(ModelException.class,
				() -> new FilterPatterns(m, PatternOptions.defaults()).compute(List.of(PatternTarget.filter("conv2d", 32)), Progress.NONE));
			assertTrue(e.getMessage().contains("32 filters"), e.getMessage());
			assertThrows(ModelException.class,
				() -> new FilterPatterns(m, PatternOptions.defaults()).compute(List.of(PatternTarget.neuron("dense", 1, 0, 0)), Progress.NONE));
			// cancelling stops the loop
			Progress cancel = new Progress() {
				int calls;

				@Override
				public void update(double fraction, String message) {
					calls++;
				}

				@Override
				public boolean isCancelled() {
					return calls > 3;
				}
			};
			assertThrows(CancelledException.class,
				() -> new FilterPatterns(m, PatternOptions.defaults()).compute(PatternTarget.filters("conv2d", new int[] { 0, 1 }), cancel));
			assertFalse(FilterPatterns.autoBatchSize(m.info(), 28, 28, 1) < 1);
		}
	}
}
