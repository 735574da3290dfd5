package org.convlens.imagej;

import java.awt.image.ColorModel;
import java.awt.image.DirectColorModel;

import ij.gui.ImageRoi;
import ij.process.ColorProcessor;

/**
 * An {@link ImageRoi} made from ARGB pixels whose alpha already says what is transparent, so that
 * it needs no {@link ImageRoi#setZeroTransparent} pass (which grabs the image back into a new
 * processor and tests every pixel: most of the cost of a heatmap overlay). It reports itself as
 * zero-transparent, so that ImageJ saves it as such in ROI and TIFF files, and a plain
 * {@code ImageRoi} read back from them looks the same: the transparent pixels are black
 * ({@code 0x00000000}), and the colour models used here have no other black entry.
 */
final class HeatmapRoi extends ImageRoi {

	// Java's own ARGB model, not an equal copy: AWT copies pixels of this very instance in one go
	// (ImageRoi.clone, flatten), but converts those of any other model one pixel at a time
	private static final DirectColorModel ARGB = (DirectColorModel) ColorModel.getRGBdefault();

	/**
	 * @param argb {@code width * height} pixels, kept (not copied); alpha 0 or 255
	 */
	HeatmapRoi(int width, int height, int[] argb) {
		super(0, 0, processor(width, height, argb));
	}

	private static ColorProcessor processor(int width, int height, int[] argb) {
		ColorProcessor cp = new ColorProcessor(width, height, argb);
		cp.setColorModel(ARGB);
		return cp;
	}

	@Override
	public boolean getZeroTransparent() {
		return true;
	}

	/** A copy with its own pixels and the same transparency (ImageRoi's own clone would make the copy opaque). */
	@Override
	public synchronized Object clone() {
		HeatmapRoi copy = (HeatmapRoi) super.clone();
		ColorProcessor mine = (ColorProcessor) getProcessor();
		copy.setProcessor(processor(mine.getWidth(), mine.getHeight(), ((int[]) mine.getPixels()).clone()));
		return copy;
	}
}
