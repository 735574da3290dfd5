package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;

import org.convlens.TestPaths;
import org.convlens.commands.Contexts;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelService;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;

/** An output's Info says when the image had to be squashed or turned grey to fit the model. */
class ProvenanceTest {

	@Test
	void infoNamesASquashedOrGreyedInputAndOnlyThen() {
		Path mp = TestPaths.model("shapes-keras"); // 32x32x1
		ModelInfo info = Contexts.get().service(ModelService.class).get(mp).info();
		Preprocessing prep = Preprocessing.defaults();
		ImagePlus rgbWide = new ImagePlus("wide", new ColorProcessor(451, 300));
		ImagePlus out = new ImagePlus("out", new ByteProcessor(4, 4));
		Provenance.stamp(out, "test", info, prep, rgbWide, null);
		assertEquals("resized from 451x300 to 32x32, aspect ratio 1.50 to 1.00 (squashed); RGB averaged to one grey channel",
			Provenance.get(out, "input.fit"));
		// a square image resized to a square input changes no proportions; grey stays grey
		assertNull(Provenance.inputFit(new ImagePlus("sq", new ByteProcessor(64, 64)), info, prep));
		assertNull(Provenance.inputFit(new ImagePlus("same", new ByteProcessor(32, 32)), info, prep));
		// without resizing nothing is squashed
		assertNull(Provenance.inputFit(new ImagePlus("wide", new ByteProcessor(451, 300)), info, Preprocessing.parse("resize=false")));
		assertEquals("RGB averaged to one grey channel", Provenance.inputFit(new ImagePlus("rgb", new ColorProcessor(32, 32)), info, prep));
	}

	/** 12-bit camera data in a 16-bit file, divided by 65535, reaches the model nearly black: the Info says so. */
	@Test
	void infoNamesA16BitImageThatUsesLittleOfItsRange() {
		ModelInfo info = Contexts.get().service(ModelService.class).get(TestPaths.model("shapes-keras")).info();
		ShortProcessor twelveBit = new ShortProcessor(32, 32);
		for (int i = 0; i < twelveBit.getPixelCount(); i++) twelveBit.set(i, (i * 37) % 4096);
		twelveBit.set(0, 4095); // the 12-bit maximum
		assertEquals("16-bit pixels reach only 4095 of 65535 (12-bit data, or a dim image?): type-range divides by 65535, so the model " +
			"sees at most 0.062; normalization=percentile (or a preprocessing.txt) scales such images", Provenance.inputFit(new ImagePlus("12", twelveBit), info,
				Preprocessing.defaults()));
		// not with another normalization, nor when the pixels use the range
		assertNull(Provenance.inputFit(new ImagePlus("12", twelveBit), info, Preprocessing.parse("normalization=percentile")));
		ShortProcessor full = (ShortProcessor) twelveBit.duplicate();
		full.set(5, 40000);
		assertNull(Provenance.inputFit(new ImagePlus("full", full), info, Preprocessing.defaults()));
	}
}
