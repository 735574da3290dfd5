package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convlens.explain.patterns.FilterPatterns;
import org.convlens.explain.patterns.FilterSelection;
import org.convlens.explain.patterns.InputRange;
import org.convlens.explain.patterns.Pattern;
import org.convlens.explain.patterns.PatternOptions;
import org.convlens.explain.patterns.PatternTarget;
import org.convlens.explain.core.Progress;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.ResultsTable;
import ij.process.ImageProcessor;

/**
 * Filter Patterns and First-Layer Weights through the SciJava context, the macro path and Batch,
 * against patterns computed directly with {@link FilterPatterns} and kernels read from the engine.
 */
class PatternCommandsTest extends CommandTestBase {

	static final String PATTERNS = ShowFilterPatterns.class.getName();
	static final String WEIGHTS = FirstLayerWeights.class.getName();

	static PatternOptions baseline(int iterations) {
		return PatternOptions.defaults().withIterations(iterations)
			.withInputRange(InputRange.of(Preprocessing.forModel(engine.info()), engine.info().imageInput().shape(), 255));
	}

	static List<Pattern> expected(PatternOptions opt, List<PatternTarget> ts) {
		return new FilterPatterns(engine, opt).compute(ts, Progress.NONE);
	}

	/** Stack slices hold the patterns' display images (rounded to 8 bits), labelled as the patterns. */
	static void assertPatterns(List<Pattern> exp, ImagePlus stack, ResultsTable table) {
		assertEquals(exp.size(), stack.getStackSize());
		assertEquals(8, stack.getBitDepth());
		assertEquals(exp.size(), table.size());
		for (int i = 0; i < exp.size(); i++) {
			Pattern p = exp.get(i);
			assertEquals(p.label(), stack.getStack().getSliceLabel(i + 1));
			ImageProcessor ip = stack.getStack().getProcessor(i + 1);
			float[] d = p.display().channels()[0];
			assertEquals(p.display().width, ip.getWidth());
			for (int k = 0; k < d.length; k++) assertEquals(d[k], ip.get(k), 1.0, "pattern " + i + " pixel " + k);
			assertEquals(p.target().index(), (int) table.getValue("filter", i));
			assertEquals(p.startActivation(), table.getValue("start", i), 1e-4 * (1 + Math.abs(p.startActivation())));
			assertEquals(p.finalActivation(), table.getValue("final", i), 1e-4 * (1 + Math.abs(p.finalActivation())));
			assertEquals(p.dead() ? "yes" : "no", table.getStringValue("dead", i));
			assertEquals(p.rescues(), (int) table.getValue("rescues", i));
		}
	}

	@Test
	void patternsWithoutAnImageEqualTheEngineAndFlagDeadFilters() {
		WindowManager.setTempCurrentImage(null);
		Map<String, Object> out = run(ShowFilterPatterns.class, "layer", "conv2d", "iterations", 8);
		int n = engine.info().layer("conv2d").channels();
		List<Pattern> exp = expected(baseline(8), PatternTarget.filters("conv2d", FilterSelection.parse("all", n)));
		ImagePlus stack = (ImagePlus) out.get("patterns");
		ResultsTable table = (ResultsTable) out.get("results");
		assertPatterns(exp, stack, table);
		// dead = ReLU output never positive for the starting noise, found with a plain forward pass
		List<Pattern> start = expected(baseline(0), PatternTarget.filters("conv2d", FilterSelection.parse("all", n)));
		int dead = 0;
		ImagePlus grid = (ImagePlus) out.get("montage");
		Overlay ov = grid.getOverlay();
		assertEquals(n, ov.size());
		for (int f = 0; f < n; f++) {
			NdArray a = engine.run(start.get(f).image(), List.of("conv2d")).get("conv2d");
			// over the map less its 2-pixel border, the region the objective averages
			int mh = a.dim(1), mw = a.dim(2);
			float max = Float.NEGATIVE_INFINITY;
			for (int y = 2; y < mh - 2; y++) for (int x = 2; x < mw - 2; x++) max = Math.max(max, a.get(0, y, x, f));
			boolean d = max <= 0;
			if (d) dead++;
			assertEquals(d ? "yes" : "no", table.getStringValue("dead", f), "filter " + f);
			assertEquals(d, stack.getStack().getSliceLabel(f + 1).contains("DEAD"));
			Roi r = ov.get(f);
			assertEquals(f + (d ? " DEAD" : ""), ((TextRoi) r).getText().trim());
			assertEquals(d ? Color.red : Color.yellow, r.getStrokeColor());
		}
		assertTrue(dead >= 1, "the generated model's conv2d has a filter that is dead on grey noise");
		assertTrue(grid.getWidth() >= 4 * stack.getWidth(), "montage of enlarged tiles");
		assertEquals("[" + String.join(", ", deadIndices(table)) + "]", Provenance.get(stack, "dead"));
		assertEquals(baseline(8).toString(), Provenance.get(stack, "options"));
	}

	static List<String> deadIndices(ResultsTable t) {
		List<String> l = new java.util.ArrayList<>();
		for (int i = 0; i < t.size(); i++) if (t.getStringValue("dead", i).equals("yes")) l.add(Integer.toString((int) t.getValue("filter", i)));
		return l;
	}

	@Test
	void defaultLayerNeuronClassAndOptionsFollowTheInputs() {
		// default layer: the activated output of the last convolution
		ResultsTable t = (ResultsTable) run(ShowFilterPatterns.class, "filters", "0-1", "iterations", 0).get("results");
		assertEquals(FilterPatterns.activatedLayer(engine.info(), "conv2d_2") + " filter 1", t.getStringValue("target", 1));

		Map<String, Object> out = run(ShowFilterPatterns.class, "layer", "conv2d_1", "objective", "neuron", "filters", "8,11",
			"y", 1, "x", 2, "iterations", 4);
		assertPatterns(expected(baseline(4), List.of(PatternTarget.neuron("conv2d_1", 8, 1, 2), PatternTarget.neuron("conv2d_1", 11, 1, 2))),
			(ImagePlus) out.get("patterns"), (ResultsTable) out.get("results"));

		out = run(ShowFilterPatterns.class, "objective", "class", "classes", "ring,cross", "iterations", 4);
		List<Pattern> exp = expected(baseline(4), List.of(PatternTarget.classLogit(1), PatternTarget.classLogit(2)));
		assertPatterns(exp, (ImagePlus) out.get("patterns"), (ResultsTable) out.get("results"));
		assertEquals("class 1 (ring)", ((ResultsTable) out.get("results")).getStringValue("target", 0));
		assertEquals("ring", ((TextRoi) ((ImagePlus) out.get("montage")).getOverlay().get(0)).getText().trim());

		// every optimisation input reaches the options; sharper fills only what was left at 0
		out = run(ShowFilterPatterns.class, "layer", "conv2d_1", "filters", "4-5", "iterations", 3, "sharper", true, "rotate", 10.0,
			"tv", 0.5, "l2", 0.25, "blur", 1.0, "seed", 7L, "batch", 1, "rate", 0.1);
		PatternOptions opt = baseline(3).withSeed(7).withBatchSize(1).withAdamRate(0.1).withRegularizers(0.5, 0.25).withBlur(1, 4)
			.sharper(size).withRotation(10);
		assertEquals(opt.toString(), Provenance.get((ImagePlus) out.get("patterns"), "options"));
		assertPatterns(expected(opt, PatternTarget.filters("conv2d_1", new int[] { 4, 5 })), (ImagePlus) out.get("patterns"),
			(ResultsTable) out.get("results"));
	}

	@Test
	void badInputsGiveMessages() {
		RuntimeException e = assertThrows(RuntimeException.class, () -> run(ShowFilterPatterns.class, "layer", "conv9"));
		assertTrue(ConvLensCommand.message(e).contains("no layer 'conv9'"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(ShowFilterPatterns.class, "layer", "conv2d", "filters", "3,8"));
		assertTrue(ConvLensCommand.message(e).contains("filters 0-7"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(ShowFilterPatterns.class, "objective", "class", "classes", "square"));
		assertTrue(ConvLensCommand.message(e).contains("Unknown class 'square'"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(ShowFilterPatterns.class, "optimizer", "sgd"));
		assertTrue(ConvLensCommand.message(e).contains("optimizer"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(ShowFilterPatterns.class, "layer", "flatten", "objective", "neuron"));
		assertTrue(ConvLensCommand.message(e).contains("no feature map"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(FirstLayerWeights.class, "layer", "max_pooling2d"));
		assertTrue(ConvLensCommand.message(e).contains("no convolution kernel") && ConvLensCommand.message(e).contains("conv2d_1"),
			ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> run(FirstLayerWeights.class, "layer", "conv9"));
		assertTrue(ConvLensCommand.message(e).contains("no layer 'conv9'"), ConvLensCommand.message(e));
		// commands that need an image still say so (other tests under a display may have left windows open)
		if (WindowManager.getIDList() != null) {
			for (int id : WindowManager.getIDList()) {
				ImagePlus i = WindowManager.getImage(id);
				if (i != null) {
					i.changes = false;
					i.close();
				}
			}
		}
		WindowManager.setTempCurrentImage(null);
		e = assertThrows(RuntimeException.class, () -> run(ShowActivations.class));
		assertTrue(ConvLensCommand.message(e).toLowerCase().contains("image"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> IJ1Bridge.runCommand(ShowActivations.class.getName(), "model=[" + modelPath + "]"));
		assertTrue(ConvLensCommand.message(e).contains("No image"), ConvLensCommand.message(e));
	}

	/** The value KernelImages should give a weight, computed here from the engine's kernel. */
	static int shade(float w, double max) {
		return (int) Math.max(1, Math.min(255, Math.round(128 + 127 * w / max)));
	}

	@Test
	void weightsAreTheEngineKernelsSharedAndPerKernel() {
		WindowManager.setTempCurrentImage(null);
		NdArray k = engine.kernel("conv2d");
		int kh = k.dim(0), kw = k.dim(1), out = k.dim(3);
		double shared = 0;
		double[] own = new double[out];
		for (int i = 0; i < k.size(); i++) {
			shared = Math.max(shared, Math.abs(k.data()[i]));
			own[i % out] = Math.max(own[i % out], Math.abs(k.data()[i]));
		}
		for (String contrast : new String[] { "shared", "per-kernel" }) {
			Map<String, Object> o = run(FirstLayerWeights.class, "zoom", 3, "contrast", contrast);
			ImagePlus st = (ImagePlus) o.get("weights");
			assertEquals(out, st.getStackSize());
			assertEquals(kw * 3, st.getWidth());
			assertEquals("conv2d kernel 5", st.getStack().getSliceLabel(6));
			for (int f = 0; f < out; f++) {
				ImageProcessor ip = st.getStack().getProcessor(f + 1);
				for (int y = 0; y < kh * 3; y++) for (int x = 0; x < kw * 3; x++) {
					float w = k.get(y / 3, x / 3, 0, f);
					assertEquals(shade(w, contrast.equals("shared") ? shared : own[f]), ip.get(x, y), 1, contrast + " f=" + f);
				}
			}
			assertEquals(out, ((ImagePlus) o.get("kernels")).getOverlay().size());
		}
		// eight input channels: a hyperstack, one channel per input
		ImagePlus h = (ImagePlus) run(FirstLayerWeights.class, "layer", "conv2d_1", "zoom", 1).get("weights");
		NdArray k1 = engine.kernel("conv2d_1");
		assertEquals(k1.dim(2), h.getNChannels());
		assertEquals(k1.dim(3), h.getNSlices());
		double m1 = 0;
		for (float v : k1.data()) m1 = Math.max(m1, Math.abs(v));
		ImageProcessor ip = h.getStack().getProcessor(h.getStackIndex(6, 10, 1));
		assertEquals(shade(k1.get(2, 1, 5, 9), m1), ip.get(1, 2), 1);
	}

	@Test
	void macroPathWithoutAnOpenImageGivesTheSameValues(@TempDir Path tmp) {
		WindowManager.setTempCurrentImage(null);
		Map<String, Object> viaMacro = IJ1Bridge.runCommand(PATTERNS, "model=[" + modelPath + "] layer=conv2d_1 filters=0-3 iterations=6");
		List<Pattern> exp = expected(baseline(6), PatternTarget.filters("conv2d_1", new int[] { 0, 1, 2, 3 }));
		assertPatterns(exp, (ImagePlus) viaMacro.get("patterns"), (ResultsTable) viaMacro.get("results"));
		ImagePlus w = (ImagePlus) IJ1Bridge.runCommand(WEIGHTS, "model=[" + modelPath + "] zoom=2 contrast=per-kernel").get("weights");
		assertEquals(engine.kernel("conv2d").dim(3), w.getStackSize());
		// save=[dir] names the files after the model
		IJ1Bridge.runCommand(WEIGHTS, "model=[" + modelPath + "] save=[" + tmp + "]");
		assertTrue(Files.exists(tmp.resolve("shapes-keras_weights.tif")));
		assertTrue(Files.exists(tmp.resolve("shapes-keras_kernels.png")));
		RuntimeException e = assertThrows(RuntimeException.class, () -> IJ1Bridge.runCommand(PATTERNS, "model=[" + modelPath + "] filter=3"));
		assertTrue(ConvLensCommand.message(e).contains("Unknown option 'filter'"), ConvLensCommand.message(e));
	}

	@Test
	void batchWritesOutputsWithoutAnInput(@TempDir Path tmp) throws Exception {
		Batch.Report r = Batch.run("patterns", null, tmp, Map.of("model", modelPath.toString(), "layer", "conv2d", "iterations", "2"), null);
		assertTrue(r.failures.isEmpty(), r.failures.toString());
		for (String f : new String[] { "shapes-keras_patterns.tif", "shapes-keras_montage.png", "shapes-keras_montage.tif", "shapes-keras_results.csv" }) {
			assertTrue(Files.exists(tmp.resolve(f)), f + " in " + r.files);
		}
		List<String> csv = Files.readAllLines(tmp.resolve("shapes-keras_results.csv"));
		assertEquals(1 + engine.info().layer("conv2d").channels(), csv.size());
		assertTrue(csv.get(0).contains("dead") && csv.get(0).contains("rescues"), csv.get(0));
		ImagePlus saved = ij.IJ.openImage(tmp.resolve("shapes-keras_patterns.tif").toString());
		assertEquals("conv2d", Provenance.get(saved, "targets").split(" ")[0]);

		ByteArrayOutputStream o = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		assertEquals(0, Batch.run(new String[] { "weights", "--model", modelPath.toString(), "--output", tmp.toString(), "layer=conv2d_2" },
			new PrintStream(o), new PrintStream(err)), err.toString());
		assertTrue(Files.exists(tmp.resolve("shapes-keras_weights.tif")));
		assertEquals(2, Batch.run(new String[] { "activations", "--model", modelPath.toString(), "--output", tmp.toString() },
			new PrintStream(o), new PrintStream(err)));
		assertFalse(Batch.needsInput("weights"));
		assertTrue(Batch.needsInput("maxact"), "dataset commands read --input as their folder");
		assertTrue(Batch.needsInput("activations"));
	}

	/** A colour model: patterns and first-layer kernels come out RGB. */
	@Test
	void colourModelGivesRgb() {
		Path brain = org.convlens.TestPaths.sharedOrSkip("models/brain-mri-tumor64");
		Map<String, Object> in = new java.util.HashMap<>();
		in.put("model", brain.toFile());
		Map<String, Object> o = CommandRunner.run(ctx, CommandRunner.create(ctx, FirstLayerWeights.class), in, false);
		ImagePlus w = (ImagePlus) o.get("weights");
		assertEquals(24, w.getBitDepth());
		in.put("filters", "0-1");
		in.put("iterations", 2);
		o = CommandRunner.run(ctx, CommandRunner.create(ctx, ShowFilterPatterns.class), in, false);
		ImagePlus p = (ImagePlus) o.get("patterns");
		assertEquals(24, p.getBitDepth());
		assertEquals(2, p.getStackSize());
		try (ConvModel m = Models.open(brain)) {
			Preprocessing prep = Preprocessing.forModel(m.info());
			PatternOptions opt = PatternOptions.defaults().withIterations(2).withBgr(prep.bgr())
				.withInputRange(InputRange.of(prep, m.info().imageInput().shape(), 255));
			String layer = ShowFilterPatterns.defaultLayer(m);
			Pattern e = new FilterPatterns(m, opt).compute(List.of(PatternTarget.filter(layer, 1)), Progress.NONE).get(0);
			int[] rgb = ((int[]) p.getStack().getProcessor(2).getPixels());
			for (int i = 0; i < rgb.length; i += 7) {
				assertEquals(e.display().channels()[0][i], (rgb[i] >> 16) & 255, 1.0);
				assertEquals(e.display().channels()[2][i], rgb[i] & 255, 1.0);
			}
		}
		assertNotNull(o.get("montage"));
	}
}
