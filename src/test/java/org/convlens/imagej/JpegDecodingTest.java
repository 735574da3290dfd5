package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

/**
 * JPEGs are decoded with ImageIO (a damaged one is one line, not AWT's stack trace): the image is
 * what ImageJ's own opener makes of the file, pixel for pixel, type, size, title and file info,
 * for a colour JPEG, a grey one, and a colour JPEG whose channels are equal (ImageJ makes it 8-bit).
 */
class JpegDecodingTest {

	@TempDir
	Path tmp;

	@Test
	void jpegsOpenAsImageJOpensThem() throws Exception {
		Random rnd = new Random(7);
		ColorProcessor colour = new ColorProcessor(301, 203);
		for (int i = 0; i < colour.getPixelCount(); i++) colour.set(i, ((i % 301) * 0x010203 + (i / 301) * 0x030201) & 0xffffff ^ rnd.nextInt(0x202020));
		ByteProcessor grey = new ByteProcessor(199, 150);
		for (int i = 0; i < grey.getPixelCount(); i++) grey.set(i, (i * 13 + rnd.nextInt(20)) % 256);
		ColorProcessor greyInRgb = (ColorProcessor) grey.convertToRGB();
		Object[][] cases = { { "colour.jpg", colour, 24 }, { "grey.jpg", grey, 8 }, { "grey-rgb.jpg", greyInRgb, 8 } };
		for (Object[] c : cases) {
			Path f = tmp.resolve((String) c[0]);
			new FileSaver(new ImagePlus("x", (ij.process.ImageProcessor) c[1])).saveAsJpeg(f.toString());
			Opener o = new Opener();
			o.setSilentMode(true);
			ImagePlus want = o.openImage(f.toString());
			ImagePlus got = ImageFiles.open(f);
			assertEquals(c[2], want.getBitDepth(), "control: ImageJ's own bit depth for " + c[0]);
			assertEquals(want.getBitDepth(), got.getBitDepth(), c[0].toString());
			assertEquals(want.getWidth(), got.getWidth());
			assertEquals(want.getHeight(), got.getHeight());
			assertEquals(want.getTitle(), got.getTitle());
			for (int i = 0; i < want.getProcessor().getPixelCount(); i++) {
				if (want.getProcessor().get(i) != got.getProcessor().get(i)) {
					throw new AssertionError(c[0] + ": pixel " + i + " is " + got.getProcessor().get(i) + ", ImageJ reads " + want.getProcessor().get(i));
				}
			}
			FileInfo a = want.getOriginalFileInfo(), b = got.getOriginalFileInfo();
			assertArrayEquals(new Object[] { a.fileFormat, a.fileName, a.directory }, new Object[] { b.fileFormat, b.fileName, b.directory });
		}
	}
}
