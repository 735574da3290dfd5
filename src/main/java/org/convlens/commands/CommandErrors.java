package org.convlens.commands;

import org.convlens.explain.core.CancelledException;
import org.convlens.imagej.Gui;
import org.convlens.model.ModelException;

/**
 * Which exceptions are a user's to fix and what to tell them: ours ({@link ModelException},
 * {@link IllegalArgumentException}, {@link CancelledException}) carry a message a person can act
 * on; anything else is unexpected and named by its type. {@link ConvLensCommand#run()} decides
 * from this between a dialog, a message handed to the caller and a rethrow.
 */
final class CommandErrors {

	private CommandErrors() {}

	/**
	 * Reports a run's error: an ImageJ error dialog when a person is watching; without one, a user
	 * error under {@link CommandRunner} is returned (the caller throws it after the module finishes,
	 * so SciJava's runner does not log it as "Command errored" with a stack trace first) and
	 * anything else is rethrown. The trace stays available at the log's debug level.
	 *
	 * @return the user error to hand to the caller, or null
	 */
	static RuntimeException report(ConvLensCommand command, RuntimeException e) {
		String title = command.getInfo().getTitle();
		command.log().debug(title, e);
		if (!Gui.interactive()) {
			if (CommandRunner.active() && isUserError(e)) {
				command.cancel(message(e));
				return e;
			}
			throw e;
		}
		shown(command, message(e));
		return null;
	}

	/** An error shown to the person watching; the run ends cancelled with it. */
	static void shown(ConvLensCommand command, String message) {
		Gui.error(message);
		command.cancel(message);
	}

	private static boolean ours(Throwable t) {
		return t instanceof ModelException || t instanceof IllegalArgumentException || t instanceof CancelledException;
	}

	/** Ours somewhere in the cause chain: a message a person can act on, no trace needed. */
	static boolean isUserError(Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			if (ours(t)) return true;
		}
		return false;
	}

	/** The message to show a user for an exception: ours carry one; others get their type. */
	static String message(Throwable e) {
		Throwable t = e;
		while (t.getCause() != null && !ours(t)) t = t.getCause();
		if (ours(t)) return t.getMessage();
		return "Unexpected error: " + e;
	}
}
