package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;

import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.Progress;

/**
 * The options do what they claim, measured on the patterns of a real layer (fashion model,
 * conv2d_1): every option still raises every live filter's activation; the Fourier
 * parametrisation and blur give smoother images, total variation less variation, L2 smaller
 * values; and dead filters are exactly those the checkpoint's biases predict for a black start.
 */
class PatternOptionsEffectTest {

	private static ConvModel model;
	private static final String LAYER = "conv2d_1";

	@BeforeAll
	static void open() {
		model = Models.open(PatternTestModels.sharedModel(PatternTestModels.FASHION));
	}

	@AfterAll
	static void close() {
		if (model != null) model.close();
	}

	private static List<Pattern> run(PatternOptions o) {
		int n = model.info().layer(LAYER).channels();
		List<Pattern> ps = new FilterPatterns(model, o).compute(PatternTarget.filters(LAYER, FilterSelection.parse("all", n)), Progress.NONE);
		for (Pattern p : ps) {
			assertTrue(p.isFinite(), p.label());
			if (!p.dead()) assertTrue(p.finalActivation() > p.startActivation(), o + ": " + p.label());
		}
		return ps;
	}

	/** Mean squared difference of horizontal neighbours over the variance, averaged over live patterns. */
	static double roughness(List<Pattern> ps) {
		double sum = 0;
		int n = 0;
		for (Pattern p : ps) {
			if (p.dead()) continue;
			NdArray img = p.image();
			int h = img.dim(1), w = img.dim(2), c = img.dim(3);
			float[] v = img.data();
			double mean = 0, var = 0, d = 0;
			for (float x : v) mean += x;
			mean /= v.length;
			for (float x : v) var += (x - mean) * (x - mean);
			var /= v.length;
			int k = 0;
			for (int y = 0; y < h; y++) {
				for (int x = 0; x + 1 < w; x++) {
					for (int ch = 0; ch < c; ch++) {
						double e = v[(y * w + x + 1) * c + ch] - v[(y * w + x) * c + ch];
						d += e * e;
						k++;
					}
				}
			}
			sum += d / k / var;
			n++;
		}
		return sum / n;
	}

	/** Root mean square distance of the live patterns from mid-grey (0.5). */
	static double spread(List<Pattern> ps) {
		double s = 0;
		long n = 0;
		for (Pattern p : ps) {
			if (p.dead()) continue;
			for (float v : p.image().data()) {
				s += (v - 0.5) * (v - 0.5);
				n++;
			}
		}
		return Math.sqrt(s / n);
	}

	@Test
	void smoothingOptionsSmoothAndEveryOptionStillClimbs() {
		PatternOptions d = PatternOptions.defaults();
		double base = roughness(run(d));
		double fourier = roughness(run(d.withParametrization(PatternOptions.Parametrization.FOURIER)));
		double blur = roughness(run(d.withBlur(1, 4)));
		double tv = roughness(run(d.withRegularizers(1, 0)));
		List<Pattern> adam = run(d.withOptimizer(PatternOptions.Optimizer.ADAM));
		List<Pattern> jitter = run(d.withJitter(2).withScaleJitter(0.05).withRotation(5));
		List<Pattern> sharper = run(d.sharper(28));
		System.out.printf(Locale.ROOT, "roughness: baseline %.3f, fourier %.3f, blur %.3f, tv %.3f, adam %.3f, jitter %.3f, sharper %.3f%n",
			base, fourier, blur, tv, roughness(adam), roughness(jitter), roughness(sharper));
		assertTrue(fourier < 0.5 * base, "Fourier " + fourier + " vs " + base);
		assertTrue(blur < 0.5 * base, "blur " + blur + " vs " + base);
		assertTrue(tv < 0.95 * base, "total variation " + tv + " vs " + base);
		assertTrue(roughness(sharper) < 0.5 * base, "sharper " + roughness(sharper) + " vs " + base);
		double s0 = spread(run(d)), s1 = spread(run(d.withRegularizers(0, 2)));
		System.out.printf(Locale.ROOT, "spread from grey: baseline %.3f, l2 %.3f%n", s0, s1);
		assertTrue(s1 < 0.9 * s0, "L2 " + s1 + " vs " + s0);
	}

	@Test
	void deadFiltersAreThoseTheBiasesPredict() throws Exception {
		// from a black image (noise 0..0) the first layer outputs relu(bias): filters with bias <= 0 have no gradient
		TensorBundle b = new TensorBundle(PatternTestModels.sharedModel(PatternTestModels.FASHION));
		float[] bias = b.floats("layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE");
		List<Pattern> ps = new FilterPatterns(model, PatternOptions.defaults().withNoise(0, 0))
			.compute(PatternTarget.filters("conv2d", FilterSelection.parse("all", bias.length)), Progress.NONE);
		int dead = 0;
		for (int f = 0; f < bias.length; f++) {
			Pattern p = ps.get(f);
			assertEquals(bias[f] <= 0, p.dead(), "filter " + f + " bias " + bias[f]);
			assertEquals(Math.max(0, bias[f]), p.startActivation(), 1e-6, "filter " + f);
			if (p.dead()) dead++;
			else assertTrue(p.gain() >= 10, p.label());
		}
		System.out.printf(Locale.ROOT, "black start: %d of %d filters dead, as the biases predict%n", dead, bias.length);
		assertTrue(dead > 0 && dead < bias.length, "the check needs both kinds: " + dead);
	}
}
