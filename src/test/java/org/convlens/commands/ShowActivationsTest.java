package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ImageProcessor;

class ShowActivationsTest extends CommandTestBase {

	static String layer(int i) {
		return engine.info().spatialLayers().get(i).name();
	}

	/** Model input built by hand: pixel / typeMax, no resizing (image has the model's size). */
	static NdArray byHand(ImagePlus imp, int n, double typeMax) {
		float[] d = new float[n * size * size];
		for (int i = 0; i < n; i++) {
			ImageProcessor ip = imp.getStack().getProcessor(i + 1);
			for (int k = 0; k < size * size; k++) d[i * size * size + k] = (float) (ip.getf(k) / typeMax);
		}
		return new NdArray(new int[] { n, size, size, 1 }, d);
	}

	@Test
	void eightBitImageGivesTheEngineValuesLabelsAndContrast() {
		ImagePlus imp = random("img8", size, size, 8, 1, 1, 1, 1);
		String before = fingerprint(imp);
		String l = layer(0);
		Map<String, Object> out = run(ShowActivations.class, "image", imp, "layer", l);
		ImagePlus maps = (ImagePlus) out.get("activations");
		NdArray raw = raw(byHand(imp, 1, 255), l);
		assertMapsEqual(raw, maps, 1);
		assertEquals(1, maps.getNSlices());
		assertEquals(1, maps.getNFrames());
		assertEquals(l + " \u00b7 filter 0", maps.getStack().getSliceLabel(1));
		assertEquals(l + " \u00b7 filter 5", maps.getStack().getSliceLabel(6));
		assertTrue(maps instanceof CompositeImage);
		// per-filter display range from its own percentiles
		CompositeImage ci = (CompositeImage) maps;
		for (int c : new int[] { 1, 2 }) {
			float[] v = org.convlens.imagej.FeatureMaps.plane(raw, 0, c - 1);
			double[] r = org.convlens.imagej.FeatureMaps.range(v, org.convlens.imagej.FeatureMaps.signed(raw));
			assertEquals(r[0], ci.getChannelLut(c).min, 1e-6);
			assertEquals(r[1], ci.getChannelLut(c).max, 1e-6);
		}
		assertEquals(modelPath.toAbsolutePath().normalize().toString(), Provenance.get(maps, "model"));
		assertEquals(Preprocessing.forModel(engine.info()).toString(), Provenance.get(maps, "preprocessing"));
		assertEquals(l, Provenance.get(maps, "layer"));
		// statistics default on; montage and predictions off
		ResultsTable st = (ResultsTable) out.get("statistics");
		assertEquals(raw.dim(3), st.size());
		assertNull(out.get("grid"));
		assertNull(out.get("predictions"));
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void statisticsMatchTheRawValues() {
		ImagePlus imp = random("s", size, size, 8, 1, 1, 1, 2);
		String l = layer(1);
		ResultsTable st = (ResultsTable) run(ShowActivations.class, "image", imp, "layer", l).get("statistics");
		NdArray raw = raw(byHand(imp, 1, 255), l);
		int C = raw.dim(3), n = raw.size() / C;
		for (int c = 0; c < C; c++) {
			double sum = 0, max = Double.NEGATIVE_INFINITY;
			int zeros = 0;
			for (int i = 0; i < n; i++) {
				float v = raw.data()[i * C + c];
				sum += v;
				max = Math.max(max, v);
				if (v == 0) zeros++;
			}
			assertEquals(l, st.getStringValue("layer", c));
			assertEquals(c, (int) st.getValue("filter", c));
			assertEquals(sum / n, st.getValue("mean", c), 1e-5);
			assertEquals(max, st.getValue("max", c), 1e-5);
			assertEquals((double) zeros / n, st.getValue("zero fraction", c), 1e-9);
			assertEquals(zeros == n ? "yes" : "no", st.getStringValue("dead", c));
		}
	}

	@Test
	void sixteenAndThirtyTwoBitUseTheirTypeRange() {
		for (int bd : new int[] { 16, 32 }) {
			ImagePlus imp = random("img" + bd, size, size, bd, 1, 1, 1, bd);
			ImagePlus maps = (ImagePlus) run(ShowActivations.class, "image", imp, "layer", layer(0)).get("activations");
			assertMapsEqual(raw(byHand(imp, 1, bd == 16 ? 65535 : 1), layer(0)), maps, 1);
		}
	}

	@Test
	void rgbIsAveragedForAOneChannelModel() {
		ImagePlus imp = random("rgb", size, size, 24, 1, 1, 1, 3);
		String before = fingerprint(imp);
		ImagePlus maps = (ImagePlus) run(ShowActivations.class, "image", imp, "layer", layer(0)).get("activations");
		int[] px = (int[]) imp.getProcessor().getPixels();
		float[] d = new float[px.length];
		for (int i = 0; i < px.length; i++) d[i] = (((px[i] >> 16) & 255) + ((px[i] >> 8) & 255) + (px[i] & 255)) / 3f / 255f;
		assertMapsEqual(raw(new NdArray(new int[] { 1, size, size, 1 }, d), layer(0)), maps, 1);
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void multichannelNeedsAChannelChoiceThenUsesIt() {
		ImagePlus imp = random("two", size, size, 8, 2, 1, 1, 4);
		String before = fingerprint(imp);
		RuntimeException err = assertThrows(RuntimeException.class, () -> run(ShowActivations.class, "image", imp, "layer", layer(0)));
		assertTrue(ConvLensCommand.message(err).contains("2 channels"), ConvLensCommand.message(err));
		ImagePlus maps = (ImagePlus) run(ShowActivations.class, "image", imp, "layer", layer(0), "preprocessing", "channel=2").get("activations");
		float[] d = new float[size * size];
		ImageProcessor ip = imp.getStack().getProcessor(2);
		for (int k = 0; k < d.length; k++) d[k] = ip.getf(k) / 255f;
		assertMapsEqual(raw(new NdArray(new int[] { 1, size, size, 1 }, d), layer(0)), maps, 1);
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void zStackAndTimeSeriesKeepTheirPositions() {
		ImagePlus z = random("z", size, size, 8, 1, 3, 1, 5);
		ImagePlus maps = (ImagePlus) run(ShowActivations.class, "image", z, "layer", layer(0)).get("activations");
		assertEquals(3, maps.getNSlices());
		assertEquals(1, maps.getNFrames());
		assertMapsEqual(raw(byHand(z, 3, 255), layer(0)), maps, 3);
		assertTrue(maps.getStack().getSliceLabel(maps.getStackIndex(2, 3, 1)).endsWith("filter 1 (z=3)"));

		ImagePlus t = random("t", size, size, 8, 1, 1, 2, 6);
		t.setDimensions(1, 1, 2);
		ImagePlus tm = (ImagePlus) run(ShowActivations.class, "image", t, "layer", layer(0)).get("activations");
		assertEquals(1, tm.getNSlices());
		assertEquals(2, tm.getNFrames());
		assertMapsEqual(raw(byHand(t, 2, 255), layer(0)), tm, 1);
	}

	@Test
	void largerAndSmallerImagesAreResizedOrRefusedClearly() {
		for (int[] wh : new int[][] { { 2 * size + 3, size + 5 }, { size / 2, size / 2 + 1 } }) {
			ImagePlus imp = random("r", wh[0], wh[1], 8, 1, 1, 1, wh[0]);
			String before = fingerprint(imp);
			ImagePlus maps = (ImagePlus) run(ShowActivations.class, "image", imp, "layer", layer(0)).get("activations");
			float[] px = new float[wh[0] * wh[1]];
			for (int k = 0; k < px.length; k++) px[k] = imp.getProcessor().getf(k);
			NdArray x = Preprocessing.forModel(engine.info()).apply(new Preprocessing.Planes(new float[][] { px }, wh[0], wh[1], 255, false),
				engine.info().imageInput().shape());
			assertMapsEqual(raw(x, layer(0)), maps, 1);
			// calibration: the map covers the whole image
			assertEquals(0.5 * wh[0] / maps.getWidth(), maps.getCalibration().pixelWidth, 1e-9);
			assertEquals(before, fingerprint(imp));
			RuntimeException e = assertThrows(RuntimeException.class,
				() -> run(ShowActivations.class, "image", imp, "layer", layer(0), "preprocessing", "resize=false"));
			assertTrue(ConvLensCommand.message(e).contains("allow resizing"), ConvLensCommand.message(e));
		}
	}

	@Test
	void scaleToSourceMatchesTheImageSizeAndCalibration() {
		ImagePlus imp = random("big", 3 * size, 2 * size, 8, 1, 1, 1, 7);
		ImagePlus maps = (ImagePlus) run(ShowActivations.class, "image", imp, "layer", layer(1), "scale", true).get("activations");
		assertEquals(imp.getWidth(), maps.getWidth());
		assertEquals(imp.getHeight(), maps.getHeight());
		assertEquals(0.5, maps.getCalibration().pixelWidth, 1e-12);
		assertEquals(imp.getCalibration().getUnit(), maps.getCalibration().getUnit());
		float[] px = (float[]) imp.getProcessor().convertToFloatProcessor().getPixels();
		NdArray x = Preprocessing.forModel(engine.info()).apply(new Preprocessing.Planes(new float[][] { px }, imp.getWidth(), imp.getHeight(), 255, false),
			engine.info().imageInput().shape());
		NdArray raw = raw(x, layer(1));
		float[] expected = Preprocessing.bilinear(org.convlens.imagej.FeatureMaps.plane(raw, 0, 3), raw.dim(2), raw.dim(1), imp.getWidth(), imp.getHeight());
		float[] got = (float[]) maps.getStack().getProcessor(4).getPixels();
		for (int i = 0; i < got.length; i += 7) assertEquals(expected[i], got[i], 1e-5);
	}

	@Test
	void montageAndPredictions() {
		ImagePlus imp = random("m", size, size, 8, 1, 2, 1, 8);
		imp.setSlice(2);
		Map<String, Object> out = run(ShowActivations.class, "image", imp, "layer", layer(0), "montage", true, "predict", true, "top", 2);
		ImagePlus grid = (ImagePlus) out.get("grid");
		NdArray raw = raw(byHand(imp, 2, 255), layer(0));
		int C = raw.dim(3);
		int[] last = org.convlens.imagej.Montage.tileBounds(C, raw.dim(2), raw.dim(1), C - 1);
		assertTrue(grid.getWidth() >= last[0] + last[2] && grid.getHeight() >= last[1] + last[3]);
		assertEquals(24, grid.getBitDepth());
		assertEquals(C, grid.getOverlay().size());
		// the grid shows the current slice (z=2): a tile's brightest pixel is where the map is largest
		int k = 0;
		float[] p = org.convlens.imagej.FeatureMaps.plane(raw, 1, k);
		int arg = 0;
		for (int i = 1; i < p.length; i++) if (p[i] > p[arg]) arg = i;
		int[] b = org.convlens.imagej.Montage.tileBounds(C, raw.dim(2), raw.dim(1), k);
		int s = b[2] / raw.dim(2);
		int rgb = grid.getProcessor().get(b[0] + (arg % raw.dim(2)) * s, b[1] + (arg / raw.dim(2)) * s) & 0xffffff;
		assertTrue(rgb != 0x404040, "tile drawn");
		ResultsTable pr = (ResultsTable) out.get("predictions");
		NdArray probs = engine.run(byHand(imp, 2, 255), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
		assertEquals(4, pr.size());
		for (int n = 0; n < 2; n++) {
			int K = probs.dim(1), best = 0, second = -1;
			for (int c = 1; c < K; c++) if (probs.get(n, c) > probs.get(n, best)) best = c;
			for (int c = 0; c < K; c++) if (c != best && (second < 0 || probs.get(n, c) > probs.get(n, second))) second = c;
			assertEquals(best, (int) pr.getValue("index", 2 * n));
			assertEquals(second, (int) pr.getValue("index", 2 * n + 1));
			assertEquals(probs.get(n, best), pr.getValue("probability", 2 * n), 1e-6);
			assertEquals(engine.info().className(best), pr.getStringValue("class", 2 * n));
			assertEquals("m z=" + (n + 1) + " t=1", pr.getStringValue("image", 2 * n));
		}
	}

	@Test
	void badInputsGiveClearMessages() {
		ImagePlus imp = random("b", size, size, 8, 1, 1, 1, 9);
		RuntimeException e = assertThrows(RuntimeException.class, () -> run(ShowActivations.class, "image", imp, "layer", "no_such_layer"));
		assertTrue(ConvLensCommand.message(e).contains("no layer 'no_such_layer'") && ConvLensCommand.message(e).contains(layer(0)), ConvLensCommand.message(e));
		String vector = engine.info().layers().stream().filter(l -> l.kind() == org.convlens.model.LayerKind.VECTOR).findFirst().map(LayerInfo::name).orElseThrow();
		e = assertThrows(RuntimeException.class, () -> run(ShowActivations.class, "image", imp, "layer", vector));
		assertTrue(ConvLensCommand.message(e).contains("not a feature map"), ConvLensCommand.message(e));
		ij.WindowManager.setTempCurrentImage(null);
		e = assertThrows(RuntimeException.class, () -> run(ShowActivations.class, "image", new ImagePlus(), "layer", layer(0)));
		assertEquals("No image is open.", ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(ShowActivations.class, "image", imp, "model", new java.io.File("/no/such/model")));
		assertTrue(ConvLensCommand.message(e).contains("does not exist"), ConvLensCommand.message(e));
	}

	@Test
	void blankImageParameterFallsBackToTheCurrentImage() {
		ImagePlus imp = random("current", size, size, 8, 1, 1, 1, 10);
		ij.WindowManager.setTempCurrentImage(imp);
		try {
			ImagePlus maps = (ImagePlus) run(ShowActivations.class, "image", new ImagePlus(), "layer", layer(0)).get("activations");
			assertNotNull(maps);
			assertTrue(maps.getTitle().startsWith("current"));
		}
		finally {
			ij.WindowManager.setTempCurrentImage(null);
		}
	}

	@Test
	void layerChoicesFollowTheModelSpatialFirst() throws Exception {
		org.scijava.module.Module m = CommandRunner.create(ctx, ShowActivations.class);
		m.setInput("model", modelPath.toFile());
		m.getInfo().getInput("model").callback(m);
		List<?> choices = m.getInfo().getInput("layer").getChoices();
		assertEquals(engine.info().spatialLayers().size(), choices.size());
		assertEquals(layer(0), choices.get(0));
		assertEquals(layer(0), m.getInput("layer"));
	}
}
