package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.process.ByteProcessor;

/** Signed maps (Integrated Gradients): a diverging overlay, transparent around zero, and a 32-bit map that keeps its sign. */
class SignedOverlayTest {

	private static final int[] IDX = java.util.stream.IntStream.range(0, 256).toArray();

	@Test
	void indicesAreCentredOnZeroAndTransparentAroundIt() {
		float[] m = { -2, -1, -0.2f, 0, 0.2f, 1, 2, Float.NaN };
		int[] k = HeatmapColours.signedColours(m, 2, 0.15, IDX);
		// f = m / 2: -1 -> 1, -0.5 -> 128 + round(-63.5) = 128 - 63 = 65, |0.1| < 0.15 -> 0, 0 -> 0, 0.5 -> 128 + 64 = 192, 1 -> 255, NaN -> 0
		assertEquals(List.of(1, 65, 0, 0, 0, 192, 255, 0), java.util.Arrays.stream(k).boxed().collect(java.util.stream.Collectors.toList()));
		// all-zero map: nothing painted
		for (int v : HeatmapColours.signedColours(new float[5], 0, 0.15, IDX)) assertEquals(0, v);
	}

	@Test
	void divergingLutIsBlueWhiteRed() {
		java.awt.image.IndexColorModel cm = HeatmapDisplay.lut(HeatmapDisplay.DIVERGING);
		int neg = cm.getRGB(1), mid = cm.getRGB(128), pos = cm.getRGB(255);
		assertTrue((neg & 0xff) > ((neg >> 16) & 0xff), "negative end is blue: " + Integer.toHexString(neg));
		assertTrue(((pos >> 16) & 0xff) > (pos & 0xff), "positive end is red: " + Integer.toHexString(pos));
		assertTrue(((mid >> 16) & 0xff) > 230 && ((mid >> 8) & 0xff) > 230 && (mid & 0xff) > 230, "zero is white");
	}

	@Test
	void overlayOfASignedMapLeavesZeroTransparentAndTheMapKeepsItsSign() {
		int w = 8, h = 4;
		ImagePlus src = new ImagePlus("src", new ByteProcessor(w, h));
		float[] map = new float[w * h];
		for (int i = 0; i < map.length; i++) map[i] = (i % w) < 2 ? -3 : (i % w) < 6 ? 0 : 3;
		HeatmapDisplay.overlay(src, List.of(map), HeatmapDisplay.OverlayStyle.defaults().withSigned(true), "ig");
		ImageRoi roi = HeatmapDisplay.heatmapRois(src).get(0);
		int[] px = (int[]) roi.getProcessor().getPixels();
		for (int i = 0; i < px.length; i++) {
			int a = px[i] >>> 24, r = (px[i] >> 16) & 0xff, b = px[i] & 0xff;
			if (map[i] == 0) assertEquals(0, a, "zero is transparent at " + i);
			else {
				assertEquals(255, a, "painted at " + i);
				if (map[i] < 0) assertTrue(b > r, "negative is blue at " + i);
				else assertTrue(r > b, "positive is red at " + i);
			}
		}
		// the unsigned style of the same map would paint the zeros (jet, range [-3, 3])
		HeatmapDisplay.overlay(src, List.of(map), HeatmapDisplay.OverlayStyle.defaults(), "ig");
		int[] jet = (int[]) HeatmapDisplay.heatmapRois(src).get(0).getProcessor().getPixels();
		assertTrue(jet[3] >>> 24 == 255, "jet paints zero mid-scale");
		// the 32-bit image keeps the sign, with a symmetric display range
		ImagePlus img = HeatmapDisplay.heatmapImage(src, List.of(map), "ig", "ig");
		SaliencyMaps.signedDisplay(img);
		assertEquals(-3, img.getProcessor().getf(0, 0), 0);
		assertEquals(3, img.getProcessor().getf(7, 0), 0);
		assertEquals(-3, img.getDisplayRangeMin(), 0);
		assertEquals(3, img.getDisplayRangeMax(), 0);
	}
}
