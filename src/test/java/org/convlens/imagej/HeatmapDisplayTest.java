package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.convlens.imagej.HeatmapDisplay.OverlayStyle;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ImageProcessor;

class HeatmapDisplayTest {

	static ImagePlus image(int w, int h, int z, int t) {
		ImagePlus imp = IJ.createHyperStack("src", w, h, 1, z, t, 8);
		Random r = new Random(3);
		for (int i = 1; i <= imp.getStackSize(); i++) {
			ImageProcessor ip = imp.getStack().getProcessor(i);
			for (int k = 0; k < w * h; k++) ip.set(k, r.nextInt(256));
		}
		imp.getCalibration().pixelWidth = 0.25;
		imp.getCalibration().pixelHeight = 0.5;
		imp.getCalibration().setUnit("um");
		return imp;
	}

	/** A map peaking at (cx, cy), zero far from it. */
	static float[] bump(int w, int h, int cx, int cy, float peak) {
		float[] m = new float[w * h];
		for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) m[y * w + x] = (float) Math.max(0, peak * (1 - Math.hypot(x - cx, y - cy) / 8));
		return m;
	}

	@Test
	void heatmapImageKeepsSizeCalibrationAndPositions() {
		ImagePlus src = image(20, 12, 2, 3);
		List<float[]> maps = new ArrayList<>();
		for (int i = 0; i < 6; i++) maps.add(bump(20, 12, i, i, i + 1));
		ImagePlus hm = HeatmapDisplay.heatmapImage(src, maps, "hm", "ring 3.2");
		assertEquals(32, hm.getBitDepth());
		assertEquals(20, hm.getWidth());
		assertEquals(12, hm.getHeight());
		assertEquals(2, hm.getNSlices());
		assertEquals(3, hm.getNFrames());
		assertEquals(0.25, hm.getCalibration().pixelWidth);
		assertEquals(0.5, hm.getCalibration().pixelHeight);
		assertEquals(src.getCalibration().getUnit(), hm.getCalibration().getUnit());
		for (int i = 0; i < 6; i++) {
			int z = i % 2 + 1, t = i / 2 + 1;
			assertArrayEquals(maps.get(i), (float[]) hm.getStack().getProcessor(hm.getStackIndex(1, z, t)).getPixels());
		}
		assertEquals("ring 3.2", hm.getStack().getSliceLabel(1));
		assertTrue(hm.getProperty("Info").toString().contains("ring 3.2"));
		assertThrows(IllegalArgumentException.class, () -> HeatmapDisplay.heatmapImage(src, maps.subList(0, 5), "x", null));
		assertThrows(IllegalArgumentException.class, () -> HeatmapDisplay.heatmapImage(src, List.of(new float[3], new float[3], new float[3],
			new float[3], new float[3], new float[3]), "x", null));
	}

	@Test
	void overlayReplacesTheHeatmapKeepsOtherElementsAndNeverTouchesPixels() {
		ImagePlus src = image(16, 16, 3, 1);
		byte[][] before = new byte[3][];
		for (int i = 0; i < 3; i++) before[i] = ((byte[]) src.getStack().getPixels(i + 1)).clone();
		Overlay user = new Overlay(new OvalRoi(2, 2, 5, 5));
		src.setOverlay(user);
		List<float[]> maps = List.of(bump(16, 16, 3, 3, 1), bump(16, 16, 8, 8, 2), bump(16, 16, 12, 12, 3));
		OverlayStyle style = OverlayStyle.defaults().withLut("magma").withOpacity(0.7).withThreshold(0.2);
		HeatmapDisplay.overlay(src, maps, style, "first");
		HeatmapDisplay.overlay(src, maps, style, "second");
		List<ImageRoi> rois = HeatmapDisplay.heatmapRois(src);
		assertEquals(3, rois.size(), "one heatmap per slice, not piled up");
		int ovals = 0, legends = 0;
		for (Roi r : src.getOverlay().toArray()) {
			if (r instanceof OvalRoi) ovals++;
			if (HeatmapDisplay.LEGEND_NAME.equals(r.getName())) {
				legends++;
				assertEquals("second", ((ij.gui.TextRoi) r).getText().trim());
			}
		}
		assertEquals(1, ovals, "the user's overlay element is kept");
		assertEquals(3, legends);
		for (int i = 0; i < 3; i++) {
			ImageRoi r = rois.get(i);
			assertEquals(i + 1, r.getPosition(), "bound to its slice");
			assertEquals(0.7, r.getOpacity(), 1e-9);
			assertTrue(r.getZeroTransparent());
			assertEquals("second", r.getProperty("label"));
			// index proportional to value / max, 0 below the threshold
			int[] rgb = drawn(r, 16, 16);
			IndexColorModel magma = HeatmapDisplay.lut("magma");
			float[] m = maps.get(i);
			float max = 0;
			for (float v : m) max = Math.max(max, v);
			for (int k = 0; k < m.length; k++) {
				int expected = m[k] / max < 0.2 ? 0 : Math.max(1, Math.round(m[k] / max * 255));
				int c = expected == 0 ? 0xffffff : magma.getRGB(expected);
				for (int shift : new int[] { 16, 8, 0 }) {
					// drawn over white at opacity 0.7; nothing where transparent
					int want = expected == 0 ? 255 : (int) Math.round(255 * 0.3 + ((c >> shift) & 0xff) * 0.7);
					assertEquals(want, (rgb[k] >> shift) & 0xff, 1.5, "k=" + k);
				}
			}
			assertArrayEquals(before[i], (byte[]) src.getStack().getPixels(i + 1));
		}
		assertEquals(0.25, src.getCalibration().pixelWidth);
		assertEquals("src", src.getTitle());
		HeatmapDisplay.remove(src);
		assertEquals(1, src.getOverlay().size());
	}

	/** A background no LUT colour blends into unchanged (near-black entries are at least (2, 2, 2)). */
	private static final java.awt.Color BG = new java.awt.Color(1, 0, 3);

	@Test
	void overlayLooksTheSameWhenClonedDuplicatedOrSavedAndReadBack() throws Exception {
		for (String lut : HeatmapDisplay.LUTS) {
			ImagePlus src = image(16, 16, 1, 1);
			// values from 0 to the maximum, so every LUT index is drawn, the darkest included
			float[] m = new float[256];
			for (int k = 0; k < m.length; k++) m[k] = k;
			HeatmapDisplay.overlay(src, List.of(m), OverlayStyle.defaults().withLut(lut).withThreshold(0.01), null);
			ImageRoi roi = HeatmapDisplay.heatmapRois(src).get(0);
			int[] want = drawn(BG, roi, 16, 16);
			assertTrue((want[128] & 0xffffff) != (BG.getRGB() & 0xffffff) && (want[0] & 0xffffff) == (BG.getRGB() & 0xffffff), lut + ": drawn at mid-range, transparent at 0");
			assertArrayEquals(want, drawn(BG, (ImageRoi) roi.clone(), 16, 16), lut + ": clone");
			Roi dup = null;
			for (Roi r : src.getOverlay().duplicate().toArray()) if (r instanceof ImageRoi) dup = r;
			assertArrayEquals(want, drawn(BG, (ImageRoi) dup, 16, 16), lut + ": duplicated overlay");
			// ImageJ's ROI file format: a plain ImageRoi made zero-transparent when read back
			Roi back = ij.io.RoiDecoder.openFromByteArray(ij.io.RoiEncoder.saveAsByteArray(roi));
			assertTrue(back instanceof ImageRoi && ((ImageRoi) back).getZeroTransparent(), lut);
			assertEquals(roi.getOpacity(), ((ImageRoi) back).getOpacity(), 1e-2);
			// the file keeps the opacity as a byte (0.5 -> 127/255): colours may differ by one level, transparency not at all
			int[] got = drawn(BG, (ImageRoi) back, 16, 16);
			for (int k = 0; k < want.length; k++) {
				for (int shift : new int[] { 16, 8, 0 }) assertEquals((want[k] >> shift) & 0xff, (got[k] >> shift) & 0xff, 1, lut + ": read back, pixel " + k);
				assertEquals((want[k] & 0xffffff) == (BG.getRGB() & 0xffffff), (got[k] & 0xffffff) == (BG.getRGB() & 0xffffff), lut + ": transparent exactly where it was, pixel " + k);
			}
			assertArrayEquals(want, drawn(BG, roi, 16, 16), lut + ": the original is unchanged");
		}
	}

	/** The ROI as drawn on a white image. */
	static int[] drawn(ImageRoi r, int w, int h) {
		return drawn(java.awt.Color.WHITE, r, w, h);
	}

	static int[] drawn(java.awt.Color background, ImageRoi r, int w, int h) {
		java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
		java.awt.Graphics2D g = bi.createGraphics();
		g.setColor(background);
		g.fillRect(0, 0, w, h);
		r.drawOverlay(g);
		g.dispose();
		return bi.getRGB(0, 0, w, h, null, 0, w);
	}

	@Test
	void sharedScaleComparesPositions() {
		ImagePlus src = image(16, 16, 2, 1);
		List<float[]> maps = List.of(bump(16, 16, 3, 3, 1), bump(16, 16, 8, 8, 4));
		HeatmapDisplay.overlay(src, maps, OverlayStyle.defaults().withShared(true).withThreshold(0), null);
		List<ImageRoi> rois = HeatmapDisplay.heatmapRois(src);
		IndexColorModel jet = HeatmapDisplay.lut("jet");
		int peak0 = ((int[]) rois.get(0).getProcessor().getPixels())[3 * 16 + 3] & 0xffffff;
		int peak1 = ((int[]) rois.get(1).getProcessor().getPixels())[8 * 16 + 8] & 0xffffff;
		assertEquals(jet.getRGB(255) & 0xffffff, peak1);
		assertEquals(jet.getRGB(Math.round(255 / 4.0f)) & 0xffffff, peak0);
	}

	@Test
	void blendedMixesTheLutColourWithTheDisplayedImage() {
		ImagePlus src = image(16, 16, 1, 1);
		src.setDisplayRange(0, 255);
		byte[] before = ((byte[]) src.getProcessor().getPixels()).clone();
		float[] m = bump(16, 16, 8, 8, 5);
		OverlayStyle style = OverlayStyle.defaults().withOpacity(0.4).withThreshold(0.3);
		ImagePlus b = HeatmapDisplay.blended(src, m, style);
		assertEquals(24, b.getBitDepth());
		IndexColorModel jet = HeatmapDisplay.lut("jet");
		int[] px = (int[]) b.getProcessor().getPixels();
		for (int k = 0; k < m.length; k++) {
			int g = before[k] & 0xff;
			double f = m[k] / 5.0;
			int[] exp;
			if (f < 0.3 || f <= 0) exp = new int[] { g, g, g };
			else {
				int c = jet.getRGB(Math.round((float) f * 255));
				exp = new int[] { (int) Math.round(g * 0.6 + ((c >> 16) & 0xff) * 0.4), (int) Math.round(g * 0.6 + ((c >> 8) & 0xff) * 0.4),
					(int) Math.round(g * 0.6 + (c & 0xff) * 0.4) };
			}
			assertEquals(exp[0], (px[k] >> 16) & 0xff, "k=" + k);
			assertEquals(exp[1], (px[k] >> 8) & 0xff, "k=" + k);
			assertEquals(exp[2], px[k] & 0xff, "k=" + k);
		}
		assertArrayEquals(before, (byte[]) src.getProcessor().getPixels());
	}

	@Test
	void lutsAndStyleChecks() {
		for (String n : HeatmapDisplay.LUTS) assertNotNull(HeatmapDisplay.lut(n));
		IndexColorModel jet = HeatmapDisplay.lut("jet");
		assertEquals(0x000080, jet.getRGB(0) & 0xffffff); // dark blue
		assertEquals(0x800000, jet.getRGB(255) & 0xffffff); // to dark red
		int mid = jet.getRGB(128);
		assertEquals(255, (mid >> 8) & 0xff, "green in the middle");
		assertEquals(128, (mid >> 16) & 0xff, 3);
		assertEquals(128, mid & 0xff, 3);
		assertThrows(IllegalArgumentException.class, () -> HeatmapDisplay.lut("no-such-lut-xyz"));
		assertThrows(IllegalArgumentException.class, () -> OverlayStyle.defaults().withOpacity(1.5));
		assertThrows(IllegalArgumentException.class, () -> OverlayStyle.defaults().withThreshold(-0.1));
	}

	/** The plain per-pixel rule that {@code indices} must reproduce exactly. */
	private static byte[] referenceIndices(float[] m, float lo, float hi, double threshold) {
		byte[] b = new byte[m.length];
		double d = hi - lo;
		if (!(d > 0)) return b;
		for (int i = 0; i < m.length; i++) {
			double f = (m[i] - lo) / d;
			if (!(f >= threshold) || f <= 0) continue;
			b[i] = (byte) Math.max(1, Math.min(255, Math.round(f * 255)));
		}
		return b;
	}

	@Test
	void indicesMatchThePerPixelRuleExactly() {
		Random r = new Random(3);
		double[] thresholds = { 0, 1e-7, 0.15, 0.5, 0.999, 1 };
		for (int trial = 0; trial < 40; trial++) {
			float[] m = new float[trial % 2 == 0 ? 2000 : 6000];
			float scale = (float) Math.pow(10, r.nextInt(9) - 4);
			for (int i = 0; i < m.length; i++) m[i] = (float) (r.nextGaussian() * scale);
			// values on and next to the threshold boundaries, and non-finite ones
			m[0] = Float.NaN;
			m[1] = Float.POSITIVE_INFINITY;
			m[2] = -0f;
			m[3] = Float.MIN_VALUE;
			float[] range = HeatmapColours.range(List.of(m));
			float wantLo = 0, wantHi = Float.NEGATIVE_INFINITY;
			for (float v : m) {
				if (Float.isFinite(v)) {
					wantLo = Math.min(wantLo, v);
					wantHi = Math.max(wantHi, v);
				}
			}
			assertEquals(wantLo, range[0], 0f, "finite minimum or 0");
			assertEquals(wantHi, range[1], 0f, "finite maximum");
			for (double t : thresholds) {
				float lo = range[0], hi = range[1];
				float edge = (float) (lo + t * (hi - lo));
				m[4] = edge;
				m[5] = Math.nextUp(edge);
				m[6] = Math.nextDown(edge);
				// on and next to the rounding boundary of every index
				for (int k = 0; k < 255 && m.length > 7 + 3 * 255; k++) {
					float at = (float) (lo + (k + 0.5) / 255 * (hi - lo));
					m[7 + 3 * k] = at;
					m[8 + 3 * k] = Math.nextUp(at);
					m[9 + 3 * k] = Math.nextDown(at);
				}
				byte[] want = referenceIndices(m, lo, hi, t);
				assertArrayEquals(want, HeatmapColours.indices(m, lo, hi, t), "trial " + trial + " threshold " + t);
				// the overlay's colours are the same rule looked up in a table
				int[] table = new int[256];
				for (int k = 1; k < 256; k++) table[k] = 0xff000000 | k * 0x010203;
				int[] got = HeatmapColours.colours(m, lo, hi, t, table);
				for (int i = 0; i < m.length; i++) assertEquals(table[want[i] & 0xff], got[i], "trial " + trial + " pixel " + i);
			}
		}
		float[] huge = { -3e38f, 3e38f, 1, 0 };
		assertArrayEquals(referenceIndices(huge, -3e38f, 3e38f, 0), HeatmapColours.indices(huge, -3e38f, 3e38f, 0));
		assertArrayEquals(referenceIndices(huge, -3e38f, 3e38f, 0.5), HeatmapColours.indices(huge, -3e38f, 3e38f, 0.5));
	}
}
