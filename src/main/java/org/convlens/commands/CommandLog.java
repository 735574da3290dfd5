package org.convlens.commands;

import org.scijava.log.LogService;

import ij.IJ;

/**
 * A command's Log lines (model warnings, notes on preprocessing and memory): to ImageJ 1.x's Log
 * window as users see them today (standard output when headless), and to SciJava's
 * {@link LogService} at info level, so Fiji's console, scripts and log listeners get them too.
 * Batch turns the LogService off unless {@code --debug}, so its output is unchanged.
 */
final class CommandLog {

	private final LogService logService;

	/** @param logService may be null (no context): the Log window only */
	CommandLog(LogService logService) {
		this.logService = logService;
	}

	void log(String line) {
		IJ.log(line);
		if (logService != null) logService.info(line);
	}

	/** The stack trace of an error, for whoever turns the log to debug level. */
	void debug(String what, Throwable e) {
		try {
			if (logService != null) logService.debug(what + ": " + e, e);
		}
		catch (RuntimeException ignored) {
			// no log: the message is still shown
		}
	}
}
