package org.convlens.explain.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.convlens.TestPaths;
import org.convlens.explain.core.Progress;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.Test;

/**
 * A CAM caption's number is named for what it is: the class's logit (before the softmax), not the
 * probability the predictions table shows beside it; a region's weighted sum stays a "score".
 */
class CamCaptionTest {

	@Test
	void aClassCaptionGivesTheLogitAndSaysSo() throws Exception {
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			assertNotNull(m.info().logitsTensor(), "shapes-keras has a softmax after its logits");
			int[] shape = m.info().imageInput().shape();
			NdArray x = NdArray.zeros(new int[] { 3, shape[1], shape[2], shape[3] });
			Random r = new Random(5);
			for (int i = 0; i < x.data().length; i++) x.data()[i] = r.nextFloat();
			Map<String, NdArray> fetched = new HashMap<>();
			List<Heatmap> maps = new ClassActivationMaps(m).compute(x, null, List.of(ConvModel.LOGITS, ConvModel.OUTPUT), fetched, Progress.NONE);
			NdArray logits = fetched.get(ConvModel.LOGITS), probs = fetched.get(ConvModel.OUTPUT);
			int k = logits.size() / 3;
			for (int i = 0; i < 3; i++) {
				Heatmap h = maps.get(i);
				int c = h.classIndex();
				float logit = logits.data()[i * k + c], p = probs.data()[i * k + c];
				assertEquals(logit, h.score(), 1e-5f * Math.max(1, Math.abs(logit)));
				String caption = h.caption();
				assertTrue(caption.contains(String.format(Locale.US, ", logit %.4g", h.score())), caption);
				assertTrue(!caption.contains("score"), caption);
				// not the probability: the softmax of these logits is what the table shows
				double sum = 0;
				for (int j = 0; j < k; j++) sum += Math.exp(logits.data()[i * k + j] - logit);
				assertEquals(p, 1 / sum, 1e-5);
			}
			Target region = Target.region(ConvModel.OUTPUT, ones(k), "first classes");
			Heatmap h = new ClassActivationMaps(m).withTarget(region).compute(x, Progress.NONE).get(0);
			assertTrue(h.caption().contains(", score "), h.caption());
		}
	}

	private static float[] ones(int k) {
		float[] w = new float[k];
		w[0] = 1;
		if (k > 1) w[1] = 1;
		return w;
	}
}
