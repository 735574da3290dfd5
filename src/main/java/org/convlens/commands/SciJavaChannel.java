package org.convlens.commands;

import org.convlens.imagej.IJProgress;
import org.scijava.Cancelable;
import org.scijava.app.StatusService;

/**
 * Bridges a command's progress to SciJava: status lines and the bar go to the context's
 * {@link StatusService} (Fiji's status bar, scripts and other listeners), and a SciJava
 * {@link Cancelable#cancel} of the running command stops the explain loops at their next
 * {@code checkCancelled()}, as Esc does. The explain room knows only its {@code Progress}.
 */
final class SciJavaChannel implements IJProgress.Channel {

	/** Steps of SciJava's integer progress bar. */
	static final int STEPS = 1000;

	private final StatusService status;
	private final Cancelable cancelable;

	/** @param status may be null (no context): lines then reach ImageJ's bar only */
	SciJavaChannel(StatusService status, Cancelable cancelable) {
		this.status = status;
		this.cancelable = cancelable;
	}

	@Override
	public void status(String line) {
		if (status != null) status.showStatus(line);
	}

	@Override
	public void progress(double fraction) {
		if (status != null) status.showProgress((int) Math.round(fraction * STEPS), STEPS);
	}

	@Override
	public boolean cancelled() {
		return cancelable != null && cancelable.isCanceled();
	}
}
