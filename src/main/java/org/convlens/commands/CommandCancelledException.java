package org.convlens.commands;

/**
 * A command stopped without a result: the user pressed Esc or cancelled a dialog, or (when a
 * person is watching) an error was already shown to them. The message says which.
 */
public class CommandCancelledException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	public CommandCancelledException(String reason) {
		super(reason);
	}
}
