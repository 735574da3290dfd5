package org.convlens.imagej;

import org.convlens.explain.core.Progress;

import ij.IJ;

/**
 * {@link Progress} on ImageJ's progress bar and status line; Esc cancels. Create one per run: it
 * clears an Esc pressed earlier.
 */
public final class IJProgress implements Progress {

	private final String prefix;

	public IJProgress(String prefix) {
		this.prefix = prefix == null ? "" : prefix + ": ";
		IJ.resetEscape();
	}

	@Override
	public void update(double fraction, String message) {
		IJ.showProgress(Math.max(0, Math.min(1, fraction)));
		if (message != null) IJ.showStatus(prefix + message);
	}

	@Override
	public boolean isCancelled() {
		return IJ.escapePressed();
	}

	/** Clears the bar; call in a finally block. */
	public void done() {
		IJ.showProgress(1.0);
	}
}
