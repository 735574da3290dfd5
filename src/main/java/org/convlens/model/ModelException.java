package org.convlens.model;

/** A model could not be loaded or run; the message says why in words a user can act on. */
public class ModelException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	public ModelException(String message) {
		super(message);
	}

	public ModelException(String message, Throwable cause) {
		super(message, cause);
	}
}
