package org.convlens.commands;

import org.scijava.Context;

import ij.IJ;

/**
 * The SciJava context commands run in: Fiji's own (through imagej-legacy) when there is one, else
 * one created on first use and kept for the JVM's life (models stay cached in its ModelService).
 */
public final class Contexts {

	private static Context own;

	private Contexts() {}

	public static synchronized Context get() {
		if (own != null) return own;
		if (hasLegacy()) {
			// imagej-legacy answers this with Fiji's running context
			Object o = IJ.runPlugIn("org.scijava.Context", "");
			if (o instanceof Context) return (Context) o;
		}
		Thread th = Thread.currentThread();
		ClassLoader before = th.getContextClassLoader();
		// plugin discovery reads the index from the context class loader: in plain ImageJ 1.x our jar
		// is only visible to ImageJ's plugin class loader
		th.setContextClassLoader(Contexts.class.getClassLoader());
		try {
			own = new Context();
		}
		finally {
			th.setContextClassLoader(before);
		}
		return own;
	}

	/** Whether imagej-legacy is present (then IJ.runPlugIn("org.scijava.Context") returns Fiji's context). */
	static boolean hasLegacy() {
		try {
			Class.forName("net.imagej.legacy.LegacyService", false, Contexts.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError e) {
			return false;
		}
	}

	/** Disposes the context created here (tests, the end of a batch run); Fiji's is left alone. */
	public static synchronized void disposeOwn() {
		if (own != null) own.dispose();
		own = null;
	}
}
