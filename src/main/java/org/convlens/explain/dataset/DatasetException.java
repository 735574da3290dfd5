package org.convlens.explain.dataset;

import org.convlens.model.ModelException;

/**
 * A dataset cannot be used as a whole (no images, none readable); the message says why. A
 * {@link ModelException} so that commands show it like any other user-facing error.
 */
public class DatasetException extends ModelException {
	private static final long serialVersionUID = 1L;

	public DatasetException(String message) {
		super(message);
	}

	public DatasetException(String message, Throwable cause) {
		super(message, cause);
	}
}
