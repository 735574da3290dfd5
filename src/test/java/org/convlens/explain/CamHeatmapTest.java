package org.convlens.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.convlens.explain.cam.CamMethod;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

	@Test
	void everyCamMethodGivesAMapAtTheInputSize() {
		NdArray ring = Fixtures.demoRing();
		for (CamMethod m : CamMethod.values()) {
			NdArray map = new CamHeatmap(m, List.of(), 64).heatmap(model, ring, 1, Progress.NONE);
			assertArrayEquals(new int[] { 32, 32 }, map.shape(), m.label());
		}
		assertThrows(org.convlens.model.ModelException.class, () -> new CamHeatmap().heatmap(model, ring, 7, Progress.NONE));
	}
}
