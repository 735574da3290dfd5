package org.convlens.commands;

/**
 * A mistake in how a command was called (unknown command or option, a value of the wrong type or
 * out of range): the message says what and what to do; {@link Batch} exits with 2 for it.
 */
public class UsageException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	public UsageException(String message) {
		super(message);
	}
}
