package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.ByteProcessor;

/** Overlay PNGs of small images: upscaled to at least 256 pixels, the caption below the image, not over it. */
class FigureTest {

	@Test
	void smallImageIsUpscaledAndItsCaptionGoesBelow(@TempDir Path tmp) throws Exception {
		ByteProcessor bp = new ByteProcessor(28, 28);
		for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) bp.set(x, y, x < 14 ? 40 : 200);
		ImagePlus imp = new ImagePlus("digit", bp);
		Overlay ov = new Overlay();
		Roi box = new Roi(2, 2, 4, 4);
		box.setStrokeColor(Color.RED);
		ov.add(box);
		TextRoi caption = new TextRoi(0, 0, "Grad-CAM: class 7 (0.93) at conv2d_1, a long caption that has to wrap", new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		ov.add(caption);
		imp.setOverlay(ov);
		Path png = Outputs.saveFlattened(imp, tmp, "digit", "cam-overlay");
		ImagePlus out = IJ.openImage(png.toString());
		int k = 10; // ceil(256 / 28)
		assertEquals(28 * k, out.getWidth());
		assertTrue(out.getWidth() >= 256);
		int h = 28 * k;
		assertTrue(out.getHeight() > h + 20, "a caption band of at least one line: " + out.getHeight());
		// the image part: every source pixel is a k x k block of its grey value (no text over it)
		for (int y = 8 * k; y < 28 * k; y += 3) {
			for (int x = 7 * k; x < 28 * k; x += 5) {
				int c = out.getProcessor().get(x, y) & 0xff;
				assertEquals(bp.get(x / k, y / k), c, "at " + x + "," + y);
			}
		}
		// the box drawn in red at the upscaled size
		int red = out.getProcessor().get(2 * k, 3 * k);
		assertTrue(((red >> 16) & 0xff) > 200 && ((red >> 8) & 0xff) < 80, Integer.toHexString(red));
		// the band below: white with dark text
		int dark = 0, white = 0;
		for (int y = h; y < out.getHeight(); y++) {
			for (int x = 0; x < out.getWidth(); x++) {
				int c = out.getProcessor().get(x, y) & 0xff;
				if (c < 100) dark++;
				else if (c == 255) white++;
			}
		}
		assertTrue(dark > 50 && white > dark, "text in the band: dark " + dark + ", white " + white);
		// the source is unchanged
		assertEquals(28, imp.getWidth());
		assertEquals(2, imp.getOverlay().size());
	}

	@Test
	void imagesFrom128PixelsKeepTheirSizeSmallerOnesAreEnlarged() {
		int[][] cases = { { 224, 224, 224, 224 }, { 128, 40, 128, 40 }, { 127, 40, 381, 120 }, { 100, 60, 300, 180 }, { 64, 64, 256, 256 } };
		for (int[] c : cases) {
			ByteProcessor bp = new ByteProcessor(c[0], c[1]);
			bp.set(10, 12, 200);
			ImagePlus imp = new ImagePlus("n", bp);
			imp.setOverlay(new Overlay(new Roi(1, 1, 2, 2)));
			ImagePlus f = Outputs.figure(imp);
			assertEquals(c[2], f.getWidth(), c[0] + "x" + c[1]);
			assertEquals(c[3], f.getHeight(), c[0] + "x" + c[1]);
			// nearest neighbour: the bright pixel becomes a k x k block
			int k = c[2] / c[0];
			assertEquals(200, f.getProcessor().get(10 * k + k - 1, 12 * k + k - 1) & 0xff, c[0] + "x" + c[1]);
			assertTrue((f.getProcessor().get(11 * k, 12 * k) & 0xff) != 200, c[0] + "x" + c[1]);
		}
	}

	@Test
	void montageTileLabelsStayOnTheirTilesInTheirColour() {
		float[][] tiles = new float[6][16 * 16];
		for (int k = 0; k < tiles.length; k++) for (int i = 0; i < tiles[k].length; i++) tiles[k][i] = (i * (k + 1)) % 17;
		String[] labels = { "0", "1", "2", "3", "4", "5" };
		ImagePlus m = Montage.image("m", tiles, 16, 16, false, labels);
		ImagePlus f = Outputs.figure(m);
		int k = f.getWidth() / m.getWidth();
		// no caption band: the labels are drawn over the tiles, not listed below the image
		assertEquals(m.getHeight() * k, f.getHeight());
		int yellow = 0;
		for (int y = 0; y < f.getHeight(); y++) for (int x = 0; x < f.getWidth(); x++) {
			int c = f.getProcessor().get(x, y);
			if (((c >> 16) & 0xff) > 200 && ((c >> 8) & 0xff) > 200 && (c & 0xff) < 60) yellow++;
		}
		assertTrue(yellow > 6 * k * k, "yellow label pixels: " + yellow);
		assertEquals(labels.length, m.getOverlay().size(), "the source keeps its overlay");
	}

	/** The first band row whose ends have these colours (the scale bar), or -1. */
	private static int barRow(ImagePlus f, int from, int left, int right) {
		int w = f.getWidth();
		for (int y = from; y < f.getHeight(); y++) {
			if ((f.getProcessor().get(4, y) & 0xffffff) == (left & 0xffffff) && (f.getProcessor().get(w - 5, y) & 0xffffff) == (right & 0xffffff)) return y;
		}
		return -1;
	}

	@Test
	void aHeatmapOverlaysFigureShowsItsColourScale() {
		int n = 160;
		float[] ramp = new float[n * n];
		for (int i = 0; i < ramp.length; i++) ramp[i] = (i % n) / (float) n; // 0 at the left to almost 1 at the right
		ImagePlus imp = new ImagePlus("img", new ByteProcessor(n, n));
		HeatmapDisplay.overlayLabelled(imp, java.util.List.of(ramp), new HeatmapDisplay.OverlayStyle("fire", 0.5, 0, false, true), java.util.List.of("Grad-CAM x"));
		ImagePlus f = Outputs.figure(imp);
		int[] fire = HeatmapLuts.overlayColours("fire");
		int y = barRow(f, n, fire[1], fire[255]);
		assertTrue(y > n, "a bar from the LUT's first to its last colour under the caption");
		// with a threshold (20 % of the range) nothing under it is drawn on the image, and the bar is white there too
		ImagePlus t = new ImagePlus("img", new ByteProcessor(n, n));
		HeatmapDisplay.overlayLabelled(t, java.util.List.of(ramp), new HeatmapDisplay.OverlayStyle("fire", 0.5, 0.2, false, true), java.util.List.of("Grad-CAM x"));
		ImagePlus ft = Outputs.figure(t);
		int yt = y; // the same caption: the same layout (fire's top colour is white, so no search by colour here)
		assertEquals(fire[255] & 0xffffff, ft.getProcessor().get(ft.getWidth() - 5, yt) & 0xffffff);
		assertEquals(0xffffff, ft.getProcessor().get(4, yt) & 0xffffff, "the bar's low end is white under the threshold");
		assertEquals(fire[1 + 254 * 6 / 10] & 0xffffff, ft.getProcessor().get(4 + (ft.getWidth() - 9) * 6 / 10, yt) & 0xffffff, "60 % of the range");
		// signed: blue at -a, red at +a, white around 0
		ImagePlus s = new ImagePlus("img", new ByteProcessor(n, n));
		float[] signed = new float[n * n];
		for (int i = 0; i < signed.length; i++) signed[i] = (i % n) / (float) n - 0.5f;
		HeatmapDisplay.overlayLabelled(s, java.util.List.of(signed), HeatmapDisplay.OverlayStyle.defaults().withSigned(true), java.util.List.of("IG"));
		ImagePlus fs = Outputs.figure(s);
		int[] div = HeatmapLuts.overlayColours(HeatmapDisplay.DIVERGING);
		int ys = barRow(fs, n, div[1], div[255]);
		assertTrue(ys > n, "a diverging bar from -a to +a");
		assertEquals(0xffffff, fs.getProcessor().get(fs.getWidth() / 2, ys) & 0xffffff, "around 0: not drawn");
		// without a heatmap overlay there is no bar: a plain figure with a caption is as before
		ImagePlus plain = new ImagePlus("p", new ByteProcessor(n, n));
		plain.setOverlay(new Overlay(new TextRoi(0, 0, "caption", new Font(Font.SANS_SERIF, Font.PLAIN, 12))));
		assertTrue(Outputs.figure(plain).getHeight() < f.getHeight());
	}

	@Test
	void largeImagesKeepTheirSize() {
		ImagePlus imp = new ImagePlus("big", new ByteProcessor(300, 120));
		Overlay ov = new Overlay(new Roi(1, 1, 5, 5));
		imp.setOverlay(ov);
		ImagePlus f = Outputs.figure(imp);
		assertEquals(300, f.getWidth());
		assertEquals(120, f.getHeight());
		assertEquals(24, f.getBitDepth());
	}

	@Test
	void aCaptionWordWiderThanTheImageIsBrokenNotCutOff() {
		ij.process.ColorProcessor probe = new ij.process.ColorProcessor(1, 1);
		probe.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		String text = "Grad-CAM++ conv2d+conv2d_1+max_pooling2d_1+conv2d_2: class 3, score 0.1593";
		java.util.List<String> lines = Outputs.wrap(probe, text, 216);
		for (String l : lines) assertTrue(probe.getStringWidth(l) <= 216, "'" + l + "' is " + probe.getStringWidth(l) + " px");
		// nothing lost: the lines are the text, broken at spaces or inside the long word
		assertEquals(text.replace(" ", ""), String.join("", lines).replace(" ", ""));
		assertTrue(lines.size() >= 3, lines.toString());
		assertTrue(lines.stream().anyMatch(l -> l.endsWith("+")), "broken after a '+': " + lines);
	}

	@Test
	void aThinImagesCaptionBandIsWideEnoughToRead() {
		ImagePlus imp = new ImagePlus("strip", new ByteProcessor(24, 300));
		Overlay ov = new Overlay(new Roi(1, 1, 5, 5));
		ov.add(new TextRoi(0, 0, "Grad-CAM conv2d_2: class 3, score 0.1593", new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
		imp.setOverlay(ov);
		ImagePlus f = Outputs.figure(imp);
		assertEquals(Outputs.CAPTION_WIDTH, f.getWidth());
		assertTrue(f.getHeight() > 300 && f.getHeight() < 300 + 60, "one or two caption lines, not a word per line: " + f.getHeight());
		// the image keeps its size: white beside it
		assertEquals(0xffffff, f.getProcessor().get(100, 150) & 0xffffff);
		assertEquals(0, f.getProcessor().get(20, 150) & 0xffffff);
	}
	@Test
	void aStacksFigureSaysWhichSliceItShows() {
		ij.ImageStack st = new ij.ImageStack(160, 160);
		for (int k = 0; k < 5; k++) st.addSlice("s" + k, new ByteProcessor(160, 160));
		ImagePlus stack = new ImagePlus("stack", st);
		stack.setSlice(3);
		ImagePlus single = new ImagePlus("single", new ByteProcessor(160, 160));
		for (ImagePlus imp : new ImagePlus[] { stack, single }) {
			TextRoi caption = new TextRoi(0, 0, "Grad-CAM x: positive", new Font(Font.SANS_SERIF, Font.PLAIN, 12));
			imp.setOverlay(new Overlay(caption));
		}
		// the stack's figure carries that line under the caption: one text line taller
		int one = Outputs.figure(single).getHeight(), st5 = Outputs.figure(stack).getHeight();
		assertTrue(st5 > one + 10, "stack figure " + st5 + " vs single " + one);
		// a stack without any overlay still names its slice
		ImagePlus bare = new ImagePlus("bare", st);
		assertTrue(Outputs.figure(bare).getHeight() > 160, "a caption band under a bare stack's figure");
		assertEquals("slice 3 of 5 (this figure shows one; the TIFF holds all 5)", Outputs.planeOf(stack));
	}
}
