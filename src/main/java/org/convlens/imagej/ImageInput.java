package org.convlens.imagej;

import java.util.ArrayList;
import java.util.List;

import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ImageProcessor;

/**
 * Turns an {@link ImagePlus} into model input, without touching the image.
 *
 * <p>Axis order: one {@link Position} is one (slice, frame) of the image, 1-based as ImageJ counts
 * them. Its {@link Preprocessing.Planes} hold every channel at that position: the C channels of a
 * (composite) hyperstack in order, or R, G, B for an RGB image. A batch from
 * {@link #batch(ImagePlus, List, Preprocessing, int[])} is {@code [N, H, W, C]} with item {@code i}
 * = {@code positions.get(i)}; {@link #positions(ImagePlus)} orders them slice-fastest
 * ({@code i = (t-1)*Z + (z-1)}).
 */
public final class ImageInput {

	private ImageInput() {}

	/** One slice/frame position, 1-based. */
	public static final class Position {
		public final int z;
		public final int t;

		public Position(int z, int t) {
			this.z = z;
			this.t = t;
		}

		/** e.g. {@code z=3 t=1}, for tables. */
		@Override
		public String toString() {
			return "z=" + z + " t=" + t;
		}
	}

	/**
	 * Checks that an image is usable: not null and not the blank {@code ImagePlus} SciJava injects
	 * when no image service fills the parameter.
	 *
	 * @throws IllegalArgumentException "No image is open." otherwise
	 */
	public static ImagePlus require(ImagePlus imp) {
		if (isBlank(imp)) throw new IllegalArgumentException("No image is open.");
		return imp;
	}

	/** Null, or an ImagePlus without pixels (SciJava's default instance). */
	public static boolean isBlank(ImagePlus imp) {
		return imp == null || imp.getWidth() == 0 || imp.getHeight() == 0 || imp.getStackSize() == 0 ||
			imp.getStack() == null || imp.getStack().getSize() == 0;
	}

	/** Every (z, t) of the image, slice-fastest. */
	public static List<Position> positions(ImagePlus imp) {
		List<Position> ps = new ArrayList<>();
		for (int t = 1; t <= imp.getNFrames(); t++) {
			for (int z = 1; z <= imp.getNSlices(); z++) ps.add(new Position(z, t));
		}
		return ps;
	}

	/** The position currently shown. */
	public static Position current(ImagePlus imp) {
		// from the stack index: without a window (a macro in batch mode, a script), setSlice moves
		// the index but leaves getSlice() at the old position, so slice 1 was explained instead
		int[] czt = imp.convertIndexToPosition(imp.getCurrentSlice());
		return new Position(czt[1], czt[2]);
	}

	/** Maximum of the pixel type: 255 (8-bit and RGB), 65535 (16-bit) or 1 (32-bit). */
	public static double typeMax(ImagePlus imp) {
		switch (imp.getBitDepth()) {
			case 16: return 65535;
			case 32: return 1;
			default: return 255;
		}
	}

	/** The channels at one position as float copies; the image is not modified. */
	public static Preprocessing.Planes planes(ImagePlus imp, Position p) {
		int w = imp.getWidth();
		int h = imp.getHeight();
		ImageStack stack = imp.getStack();
		if (imp.getBitDepth() == 24) {
			int[] px = (int[]) stack.getPixels(imp.getStackIndex(1, p.z, p.t));
			int n = w * h;
			float[] r = new float[n], g = new float[n], b = new float[n];
			for (int i = 0; i < n; i++) {
				int c = px[i];
				r[i] = (c >> 16) & 0xff;
				g[i] = (c >> 8) & 0xff;
				b[i] = c & 0xff;
			}
			return new Preprocessing.Planes(new float[][] { r, g, b }, w, h, 255, true);
		}
		int nc = imp.getNChannels();
		float[][] ch = new float[nc][];
		for (int c = 1; c <= nc; c++) {
			ImageProcessor ip = stack.getProcessor(imp.getStackIndex(c, p.z, p.t));
			float[] f = new float[w * h];
			for (int i = 0; i < f.length; i++) f[i] = ip.getf(i);
			ch[c - 1] = f;
		}
		return new Preprocessing.Planes(ch, w, h, typeMax(imp), false);
	}

	/**
	 * The channels at one position backed by the image's own pixel arrays (no copies; see
	 * {@link Preprocessing.Planes#ofPixels}), for turning straight into model input.
	 */
	static Preprocessing.Planes pixels(ImagePlus imp, Position p) {
		ImageStack stack = imp.getStack();
		int w = imp.getWidth(), h = imp.getHeight();
		if (imp.getBitDepth() == 24) return Preprocessing.Planes.ofPixels(new Object[] { stack.getPixels(imp.getStackIndex(1, p.z, p.t)) }, w, h);
		int nc = imp.getNChannels();
		Object[] px = new Object[nc];
		for (int c = 1; c <= nc; c++) px[c - 1] = stack.getPixels(imp.getStackIndex(c, p.z, p.t));
		return Preprocessing.Planes.ofPixels(px, w, h);
	}

	/**
	 * The model input for several positions: {@code [positions.size(), H, W, C]}.
	 *
	 * @param inputShape the model's image input shape, {@code [-1, H, W, C]}
	 */
	public static NdArray batch(ImagePlus imp, List<Position> positions, Preprocessing prep, int[] inputShape) {
		require(imp);
		try {
			return batchOf(imp, positions, prep, inputShape);
		}
		catch (org.convlens.model.NonFiniteException e) {
			// name the image: in a session with several open, "the image" is not enough
			String m = e.getMessage();
			throw new org.convlens.model.NonFiniteException("Image '" + imp.getTitle() + "'" + (m.startsWith("The image") ? m.substring("The image".length()) : ": " + m));
		}
	}

	private static NdArray batchOf(ImagePlus imp, List<Position> positions, Preprocessing prep, int[] inputShape) {
		if (positions.isEmpty()) throw new IllegalArgumentException("No positions of '" + imp.getTitle() + "' to run.");
		// the first item gives the size of every item (all positions share the image's size)
		NdArray first = prep.apply(pixels(imp, positions.get(0)), inputShape);
		if (positions.size() == 1) return first;
		int per = first.size();
		float[] data = new float[per * positions.size()];
		System.arraycopy(first.data(), 0, data, 0, per);
		for (int i = 1; i < positions.size(); i++) prep.applyInto(pixels(imp, positions.get(i)), inputShape, data, i * per);
		int[] shape = first.shape();
		shape[0] = positions.size();
		return new NdArray(shape, data);
	}

	/** Whether the image is a multichannel composite; used for messages only. */
	static boolean isComposite(ImagePlus imp) {
		return imp instanceof CompositeImage;
	}
}
