package org.convlens.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convlens.explain.cam.CamMethod;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.convlens.explain.core.Fixtures;
import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.core.Progress;

/** The adapter over the real class activation maps agrees with a Grad-CAM written out by hand. */
class CamHeatmapTest {

	static ConvModel model;

	@BeforeAll
	static void open() {
		model = Models.open(Fixtures.shapesModel());
	}

	@AfterAll
	static void close() {
		model.close();
	}

	@Test
	void gradCamAdapterEqualsTheHandWrittenGradCam() {
		NdArray ring = Fixtures.demoRing();
		for (int k = 0; k < 3; k++) {
			NdArray expected = Fixtures.gradCam("conv2d_2").heatmap(model, ring, k, Progress.NONE);
			NdArray got = new CamHeatmap(CamMethod.GRAD_CAM, List.of("conv2d_2"), 32).heatmap(model, ring, k, Progress.NONE);
			assertArrayEquals(new int[] { 32, 32 }, got.shape());
			float max = Heatmaps.max(expected.data());
			for (int i = 0; i < got.size(); i++) assertEquals(expected.data()[i], got.data()[i], 1e-5f * (1 + max), "class " + k + " pixel " + i);
		}
		// the default layer is the last spatial one (conv2d_2 here)
		assertArrayEquals(new CamHeatmap(CamMethod.GRAD_CAM, List.of("conv2d_2"), 32).heatmap(model, ring, 1, Progress.NONE).data(),
			new CamHeatmap().heatmap(model, ring, 1, Progress.NONE).data(), 0f);
	}

	/**
	 * Each method through the adapter: a finite, non-constant map at the input size whose peak lies
	 * in the peak cell of the method's own layer map, routed to the asked class (class-specific methods
	 * differ between classes, EigenCAM does not), and an out-of-range class refused.
	 */
	@Test
	void everyCamMethodGivesTheClassMapAtTheInputSize() {
		NdArray ring = Fixtures.demoRing();
		for (CamMethod m : CamMethod.values()) {
			CamHeatmap adapter = new CamHeatmap(m, List.of("conv2d_2"), 64);
			float[][] perClass = new float[3][];
			for (int k = 0; k < 3; k++) {
				org.convlens.explain.cam.Heatmap full = adapter.compute(model, ring, k, Progress.NONE);
				NdArray map = adapter.heatmap(model, ring, k, Progress.NONE);
				assertArrayEquals(new int[] { 32, 32 }, map.shape(), m.label());
				float[] v = map.data();
				perClass[k] = v;
				float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
				int arg = 0;
				for (int i = 0; i < v.length; i++) {
					assertTrue(Float.isFinite(v[i]), m.label() + " pixel " + i);
					if (v[i] < min) min = v[i];
					if (v[i] > max) { max = v[i]; arg = i; }
				}
				if (k != 1) continue; // the demo image is a ring: that class's map must have structure
				assertTrue(max > min, m.label() + ": constant map for the ring class");
				org.convlens.explain.cam.Heatmap.LayerMap raw = full.layerMaps().get(0);
				int rawArg = 0;
				for (int i = 1; i < raw.values().length; i++) if (raw.values()[i] > raw.values()[rawArg]) rawArg = i;
				double sx = 32.0 / raw.width(), sy = 32.0 / raw.height();
				int py = arg / 32, px = arg % 32;
				// bilinear upsampling keeps the peak within one cell of the raw peak cell
				assertTrue(Math.abs((px + 0.5) / sx - 0.5 - rawArg % raw.width()) <= 1.0
					&& Math.abs((py + 0.5) / sy - 0.5 - rawArg / raw.width()) <= 1.0,
					m.label() + ": peak at " + px + "," + py + " but the layer map peaks at cell " + rawArg % raw.width() + "," + rawArg / raw.width());
			}
			boolean differ = !java.util.Arrays.equals(perClass[0], perClass[1]) || !java.util.Arrays.equals(perClass[1], perClass[2]);
			assertEquals(m.isClassSpecific(), differ, m.label() + (m.isClassSpecific() ? ": same map for every class" : ": a class-independent map changed with the class"));
		}
		assertThrows(org.convlens.model.ModelException.class, () -> new CamHeatmap().heatmap(model, ring, 7, Progress.NONE));
	}
}
