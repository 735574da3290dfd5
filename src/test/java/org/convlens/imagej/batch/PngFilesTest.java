package org.convlens.imagej.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.LUT;

/**
 * The fast PNG files decode to ImageJ's (ImageIO's) pixels, with its colour type and palette, and
 * are about as small, for every kind of image batch runs write.
 */
class PngFilesTest {

	@TempDir
	Path tmp;

	private static LUT fire() {
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 0; i < 256; i++) {
			r[i] = (byte) Math.min(255, 3 * i);
			g[i] = (byte) Math.max(0, 2 * i - 255);
			b[i] = (byte) (i < 128 ? 2 * i : 510 - 2 * i);
		}
		return new LUT(r, g, b);
	}

	private void same(ImagePlus imp, String name, boolean fast) throws Exception {
		Path ours = tmp.resolve(name + "-ours.png"), theirs = tmp.resolve(name + "-ij.png");
		assertTrue(new FileSaver(imp.duplicate()).saveAsPng(theirs.toString()));
		if (fast) assertNotNull(PngFiles.encode(imp.getBufferedImage()), name + " takes the fast path");
		PngFiles.save(imp, ours);
		byte[] a = Files.readAllBytes(theirs), b = Files.readAllBytes(ours);
		if (!fast) {
			assertArrayEquals(a, b, name + ": written by ImageJ");
			return;
		}
		// IHDR: width, height, bit depth, colour type, compression, filter method, interlace
		assertArrayEquals(java.util.Arrays.copyOfRange(a, 8, 33), java.util.Arrays.copyOfRange(b, 8, 33), name + ": header");
		assertArrayEquals(chunk(a, "PLTE"), chunk(b, "PLTE"), name + ": palette");
		java.awt.image.BufferedImage x = javax.imageio.ImageIO.read(theirs.toFile()), y = javax.imageio.ImageIO.read(ours.toFile());
		int w = x.getWidth(), h = x.getHeight();
		assertArrayEquals(x.getRGB(0, 0, w, h, null, 0, w), y.getRGB(0, 0, w, h, null, 0, w), name + ": pixels");
		// noisy palette images come out up to about 16 % larger (ImageIO tries five filters per row)
		if (w * h >= 4096) assertTrue(b.length <= 1.2 * a.length, name + ": " + b.length + " bytes against ImageJ's " + a.length);
	}

	/** The data of the file's first chunk of that type (empty when there is none). */
	private static byte[] chunk(byte[] png, String type) {
		for (int o = 8; o + 8 <= png.length;) {
			int len = java.nio.ByteBuffer.wrap(png, o, 4).getInt();
			if (new String(png, o + 4, 4, java.nio.charset.StandardCharsets.US_ASCII).equals(type)) return java.util.Arrays.copyOfRange(png, o + 8, o + 8 + len);
			o += 12 + len;
		}
		return new byte[0];
	}

	@Test
	void rgbAsImageJWritesIt() throws Exception {
		Random rnd = new Random(3);
		for (int[] wh : new int[][] { { 1, 1 }, { 7, 3 }, { 64, 64 }, { 300, 260 } }) {
			ColorProcessor noise = new ColorProcessor(wh[0], wh[1]), smooth = new ColorProcessor(wh[0], wh[1]);
			int[] n = (int[]) noise.getPixels(), s = (int[]) smooth.getPixels();
			for (int i = 0; i < n.length; i++) {
				n[i] = rnd.nextInt(0x1000000); // incompressible: several IDAT chunks at 300x260
				int x = i % wh[0], y = i / wh[0];
				s[i] = (x * 255 / wh[0]) << 16 | (y * 255 / wh[1]) << 8 | ((x + y) & 0xff);
			}
			same(new ImagePlus("noise", noise), "noise" + wh[0], true);
			same(new ImagePlus("smooth", smooth), "smooth" + wh[0], true);
		}
	}

	@Test
	void lutImagesAsImageJWritesThem() throws Exception {
		Random rnd = new Random(5);
		FloatProcessor map = new FloatProcessor(224, 224);
		float[] m = (float[]) map.getPixels();
		for (int i = 0; i < m.length; i++) m[i] = (float) (Math.sin(i * 0.001) + 0.1 * rnd.nextGaussian());
		ImagePlus heat = new ImagePlus("heat", map);
		heat.getProcessor().setLut(fire());
		heat.setLut(fire());
		heat.setDisplayRange(-0.5, 1.2);
		same(heat, "float-fire", true);
		ImagePlus plain = new ImagePlus("plain", map.duplicate()); // gray LUT: written as gray values
		plain.resetDisplayRange();
		same(plain, "float-gray", true);
		ByteProcessor b = new ByteProcessor(33, 17);
		for (int i = 0; i < 33 * 17; i++) b.set(i, rnd.nextInt(256));
		same(new ImagePlus("bytes", b), "byte-gray", true);
		ByteProcessor bf = (ByteProcessor) b.duplicate();
		bf.setLut(fire());
		same(new ImagePlus("bytes-fire", bf), "byte-fire", true);
		ByteProcessor inverted = (ByteProcessor) b.duplicate();
		inverted.invertLut();
		same(new ImagePlus("inverted", inverted), "byte-inverted", true);
	}

	@Test
	void imagesItDoesNotCoverGoToImageJ() throws Exception {
		ImagePlus withOverlay = new ImagePlus("o", new ColorProcessor(20, 20));
		withOverlay.setOverlay(new ij.gui.Overlay(new ij.gui.Roi(2, 2, 5, 5)));
		same(withOverlay, "overlay", false);
		same(new ImagePlus("16", new ij.process.ShortProcessor(9, 9)), "short", false);
	}
}
