package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;

/**
 * The current position is the one the image shows: without a window (a macro in batch mode, a
 * script), {@code setSlice(2)} leaves {@code getSlice()} at 1, and the commands that explain the
 * current slice explained slice 1.
 */
class CurrentPositionTest {

	private static ImagePlus stack(int n) {
		ImageStack st = new ImageStack(8, 8);
		for (int i = 0; i < n; i++) st.addSlice(new ByteProcessor(8, 8));
		return new ImagePlus("s", st);
	}

	@Test
	void setSliceWithoutAWindowMovesTheCurrentPosition() {
		ImagePlus imp = stack(3);
		imp.setSlice(2);
		assertEquals("z=2 t=1", ImageInput.current(imp).toString());
		// a time series: the slice index is a frame
		ImagePlus frames = stack(4);
		frames.setDimensions(1, 1, 4);
		frames.setSlice(3);
		assertEquals("z=1 t=3", ImageInput.current(frames).toString());
		// a hyperstack moved with setPosition
		ImagePlus hyper = stack(12);
		hyper.setDimensions(2, 3, 2);
		hyper.setOpenAsHyperStack(true);
		hyper.setPosition(2, 3, 2);
		assertEquals("z=3 t=2", ImageInput.current(hyper).toString());
	}
}
