package org.convlens.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.List;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.TensorInfo;
import org.junit.jupiter.api.Test;

/** Targets and method names, on hand-made model descriptions (no TensorFlow). */
class TargetTest {

	static ModelInfo info(int[] outputShape, List<String> names, String activation, String logits) {
		return new ModelInfo(Paths.get("m"), "serving_default", List.of(new TensorInfo("x", "x:0", "DT_FLOAT", new int[] { -1, 8, 8, 1 })),
			List.of(new TensorInfo("y", "y:0", "DT_FLOAT", outputShape)),
			List.of(new LayerInfo(0, "conv", "conv/Relu", "Relu", new int[] { -1, 8, 8, 4 })), names, logits, activation, "NHWC", false);
	}

	static final ModelInfo THREE = info(new int[] { -1, 3 }, List.of("disc", "ring", "cross"), "softmax", "logits:0");

	@Test
	void classTargets() {
		Target.Choice top = Target.topClass().choose(THREE, new float[] { 0.1f, 2, -1 }, 3);
		assertArrayEquals(new float[] { 0, 1, 0 }, top.weights(), 0);
		assertEquals(1, top.classIndex());
		assertEquals("ring", top.label());
		assertEquals(2, top.score(new float[] { 0.1f, 2, -1 }), 0);
		Target.Choice two = Target.classIndex(2).choose(THREE, null, 3);
		assertEquals("cross", two.label());
		assertEquals(2, Target.className("Cross").choose(THREE, null, 3).classIndex());
		Target.Choice out = Target.output(0).choose(THREE, null, 3);
		assertEquals("output 0", out.label());
		assertTrue(Target.topClass().needsValues());
		assertFalse(Target.classIndex(0).needsValues());
		assertEquals(ConvModel.LOGITS, Target.classIndex(0).tensor());
	}

	@Test
	void regionTargets() {
		Target r = Target.region(ConvModel.OUTPUT, new float[] { 0, 1, 1, 0 }, "ROI 1");
		assertEquals(ConvModel.OUTPUT, r.tensor());
		Target.Choice c = r.choose(THREE, new float[4], 4);
		assertEquals(-1, c.classIndex());
		assertEquals("ROI 1", c.label());
		assertEquals(5, c.score(new float[] { 1, 2, 3, 4 }), 0);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.choose(THREE, new float[5], 5));
		assertTrue(e.getMessage().contains("4 weights") && e.getMessage().contains("5 values"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> Target.region(ConvModel.OUTPUT, new float[0], null));
	}

	@Test
	void singleSigmoidOutputExplainsThePredictedSide() {
		ModelInfo bin = info(new int[] { -1, 1 }, List.of("tumour"), "sigmoid", "logit:0");
		Target.Choice yes = Target.topClass().choose(bin, new float[] { 2.5f }, 1);
		assertArrayEquals(new float[] { 1 }, yes.weights(), 0);
		assertEquals("tumour", yes.label());
		Target.Choice no = Target.topClass().choose(bin, new float[] { -3 }, 1);
		assertArrayEquals(new float[] { -1 }, no.weights(), 0);
		assertEquals("not tumour", no.label());
		assertEquals(-1, no.classIndex());
		assertEquals(3, no.score(new float[] { -3 }), 0);
		// without logits the output is a probability: the threshold is 0.5
		ModelInfo prob = info(new int[] { -1, 1 }, List.of(), "sigmoid", null);
		assertEquals("not positive", Target.topClass().choose(prob, new float[] { 0.4f }, 1).label());
		assertEquals("positive", Target.topClass().choose(prob, new float[] { 0.6f }, 1).label());
		// an explicit class is the output itself
		assertArrayEquals(new float[] { 1 }, Target.classIndex(0).choose(bin, new float[] { -3 }, 1).weights(), 0);
	}

	@Test
	void badTargets() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.classIndex(3).validate(THREE));
		assertEquals("Class 3 is out of range: the model has 3 classes, 0 to 2 (0: disc, 1: ring, 2: cross).", e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> Target.output(7).validate(THREE));
		assertTrue(e.getMessage().startsWith("Output 7 is out of range"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> Target.className("square").validate(THREE));
		assertTrue(e.getMessage().contains("no class 'square'"), e.getMessage());
		ModelInfo seg = info(new int[] { -1, 8, 8, 2 }, List.of(), "none", null);
		ModelException m = assertThrows(ModelException.class, () -> Target.topClass().validate(seg));
		assertTrue(m.getMessage().contains("no class output"), m.getMessage());
		assertThrows(ModelException.class, () -> Target.output(0).validate(seg));
		Target.region(ConvModel.OUTPUT, new float[128], null).validate(seg);
	}

	@Test
	void parse() {
		assertEquals(Target.Kind.TOP_CLASS, Target.parse("top").kind());
		assertEquals(Target.Kind.TOP_CLASS, Target.parse("").kind());
		assertEquals("class=2", Target.parse("2").toString());
		assertEquals("class=1", Target.parse("class=1").toString());
		assertEquals("output=4", Target.parse("output=4").toString());
		assertEquals("name=ring", Target.parse("ring").toString());
		assertEquals("name=ankle boot", Target.parse("name=ankle boot").toString());
		assertThrows(IllegalArgumentException.class, () -> Target.parse("class=x"));
		// toString reads back
		for (String s : new String[] { "top", "class=2", "output=1", "name=ring" }) assertEquals(s, Target.parse(s).toString());
	}

	@Test
	void methodNames() {
		assertEquals(CamMethod.GRAD_CAM_PLUS_PLUS, CamMethod.parse("Grad-CAM++"));
		assertEquals(CamMethod.GRAD_CAM_PLUS_PLUS, CamMethod.parse("gradcam++"));
		assertEquals(CamMethod.GRAD_CAM_PLUS_PLUS, CamMethod.parse("GRAD_CAM_PLUS_PLUS"));
		assertEquals(CamMethod.GRAD_CAM, CamMethod.parse("grad cam"));
		assertEquals(CamMethod.EIGEN_CAM, CamMethod.parse("EigenCAM"));
		assertEquals(CamMethod.HIRES_CAM, CamMethod.parse("hires-cam"));
		for (CamMethod m : CamMethod.values()) assertEquals(m, CamMethod.parse(m.label()));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CamMethod.parse("occlusion"));
		assertTrue(e.getMessage().contains("Score-CAM"), e.getMessage());
		assertEquals(8, CamMethod.labels().length);
	}
}
