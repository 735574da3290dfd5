package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.convlens.TestPaths;
import org.convlens.commands.Contexts;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelService;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.process.ByteProcessor;

/** A tiny image blown up to the model's input (10x10 to 32x32) is named in the outputs' Info; up to twice its size is not. */
class InputEnlargedTest {

	@Test
	void anImageEnlargedMoreThanTwiceIsNamed() {
		ModelInfo info = Contexts.get().service(ModelService.class).get(TestPaths.model("shapes-keras")).info(); // 32x32x1
		Preprocessing prep = Preprocessing.defaults();
		assertEquals("enlarged from 10x10 to 32x32 (x3.2): the model sees interpolated pixels",
			Provenance.inputFit(new ImagePlus("tiny", new ByteProcessor(10, 10)), info, prep));
		assertEquals("resized from 200x10 to 32x32, aspect ratio 20.00 to 1.00 (squashed); enlarged from 200x10 to 32x32 (x3.2): the model sees interpolated pixels",
			Provenance.inputFit(new ImagePlus("thin", new ByteProcessor(200, 10)), info, prep));
		assertNull(Provenance.inputFit(new ImagePlus("half", new ByteProcessor(16, 16)), info, prep));
		assertNull(Provenance.inputFit(new ImagePlus("tiny", new ByteProcessor(10, 10)), info, Preprocessing.parse("resize=false")));
	}
}
