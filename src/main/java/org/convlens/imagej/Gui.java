package org.convlens.imagej;

import java.awt.GraphicsEnvironment;

import ij.IJ;

/** Whether a person is watching: decides between an error dialog and an exception. */
public final class Gui {

	private Gui() {}

	/**
	 * True when dialogs may be shown: a display exists, and neither {@code -Dconvlens.dialogs=false}
	 * nor {@link Outputs#setDisplay(boolean) setDisplay(false)} (batch, tests) turned them off.
	 */
	public static boolean interactive() {
		return !GraphicsEnvironment.isHeadless() && !"false".equals(System.getProperty("convlens.dialogs")) &&
			Outputs.display();
	}

	/** Shows {@code message} in an ImageJ error dialog. */
	public static void error(String message) {
		IJ.error("ConvLens", message);
	}
}
