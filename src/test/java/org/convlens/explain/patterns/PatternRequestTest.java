package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.convlens.ShapesModelTest;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelException;
import org.junit.jupiter.api.Test;

/** The filter-pattern request read from option texts: targets, class names, the sharper preset, enum options. */
class PatternRequestTest extends ShapesModelTest {

	@Test
	void defaultLayerIsTheLastConvolutionsActivatedOutput() {
		List<String> convs = KernelImages.convLayers(model);
		String def = PatternRequest.defaultLayer(model);
		LayerInfo l = model.info().layer(def);
		assertEquals(LayerKind.SPATIAL, l.kind());
		// the layer the last convolution feeds: its channels are that kernel's output filters
		assertEquals(model.kernel(convs.get(convs.size() - 1)).dim(3), l.channels());
		assertTrue(model.info().layerNames().indexOf(def) >= model.info().layerNames().indexOf(convs.get(convs.size() - 1)), def);
	}

	@Test
	void filtersNeuronsAndClassesAreTheOnesAskedFor() {
		String def = PatternRequest.defaultLayer(model);
		List<PatternTarget> fs = PatternRequest.targets(model, null, " ", "1-2,0", "all", -1, -1);
		assertEquals(List.of(PatternTarget.filter(def, 1), PatternTarget.filter(def, 2), PatternTarget.filter(def, 0)), fs);
		List<PatternTarget> ns = PatternRequest.targets(model, " Neuron ", def, "3", "all", 2, 5);
		assertEquals(List.of(PatternTarget.neuron(def, 3, 2, 5)), ns);
		List<PatternTarget> cs = PatternRequest.targets(model, "class", def, "0", "all", -1, -1);
		List<PatternTarget> all = new ArrayList<>();
		for (int k = 0; k < model.info().numClasses(); k++) all.add(PatternTarget.classLogit(k));
		assertEquals(all, cs);
	}

	@Test
	void classesByNameInAnyCaseAndIndexMixed() {
		List<String> names = model.info().classNames();
		assertTrue(names.size() >= 3, "shapes-keras names its classes: " + names);
		String spec = names.get(2).toUpperCase(Locale.ROOT) + ", " + names.get(0) + ";1;" + names.get(2);
		assertArrayEquals(new int[] { 2, 0, 1 }, PatternRequest.classIndices(model.info(), spec, names.size()));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> PatternRequest.classIndices(model.info(), names.get(0) + ",nosuch", names.size()));
		assertEquals("Unknown class 'nosuch': the model has classes 0-" + (names.size() - 1) + " " + names + ".", e.getMessage());
	}

	@Test
	void wrongObjectiveOrLayerIsNamed() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PatternRequest.targets(model, "pixel", "", "all", "all", -1, -1));
		assertEquals("Objective must be filter, neuron or class, not 'pixel'.", e.getMessage());
		String vector = model.info().layers().stream().filter(l -> l.kind() == LayerKind.VECTOR).findFirst().orElseThrow().name();
		ModelException m = assertThrows(ModelException.class, () -> PatternRequest.targets(model, "neuron", vector, "0", "all", -1, -1));
		assertTrue(m.getMessage().startsWith("Layer '" + vector + "'") && m.getMessage().endsWith("has no feature map to show."), m.getMessage());
	}

	@Test
	void sharperPresetScalesTheJitterWithTheImageAndKeepsGivenValues() {
		PatternOptions base = PatternOptions.defaults();
		PatternOptions s = PatternRequest.sharper(base, 0, new int[] { 1, 48, 32, 3 }, 0, 0, 0);
		assertEquals(2, s.jitter()); // 32 / 16: the shorter side of the model input
		assertEquals(0.05, s.scaleJitter());
		assertEquals(5, s.rotation());
		assertEquals(PatternOptions.Optimizer.ADAM, s.optimizer());
		assertEquals(PatternOptions.Parametrization.FOURIER, s.parametrization());
		assertTrue(s.decorrelate());
		assertEquals(4, PatternRequest.sharper(base, 64, new int[] { 1, 48, 32, 3 }, 0, 0, 0).jitter());
		assertEquals(8, PatternRequest.sharper(base, 0, new int[] { 1, -1, -1, 3 }, 0, 0, 0).jitter()); // free size: 128
		PatternOptions given = PatternRequest.sharper(base, 0, new int[] { 1, 32, 32, 3 }, 7, 0.2, 30);
		assertEquals(7, given.jitter());
		assertEquals(0.2, given.scaleJitter());
		assertEquals(30, given.rotation());
	}

	@Test
	void enumOptionsByNameOrAMessage() {
		assertEquals(PatternOptions.Optimizer.ADAM, PatternRequest.choice(PatternOptions.Optimizer.class, " Adam ", "optimizer"));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> PatternRequest.choice(PatternOptions.Parametrization.class, "wavelet", "parametrization"));
		assertEquals("Option 'parametrization' must be one of [pixels, fourier], not 'wavelet'.", e.getMessage());
	}

	@Test
	void optionsApplyToTheirObjectiveAndOptimiser() {
		assertTrue(PatternRequest.applies("y", "neuron", "ascent"));
		assertFalse(PatternRequest.applies("x", "filter", "ascent"));
		assertFalse(PatternRequest.applies("filters", "class", null));
		assertTrue(PatternRequest.applies("filters", "neuron", null));
		assertFalse(PatternRequest.applies("classes", "filter", null));
		assertTrue(PatternRequest.applies("classes", null, null)); // not known yet: shown
		assertFalse(PatternRequest.applies("step", "filter", "adam"));
		assertFalse(PatternRequest.applies("rate", "filter", "ascent"));
		assertTrue(PatternRequest.applies("rate", "filter", "adam"));
		assertTrue(PatternRequest.applies("iterations", "class", "adam"));
	}
}
