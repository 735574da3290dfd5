package org.convlens.model;

/**
 * An image holds NaN or infinite values, which a model cannot be explained on; the message says
 * how many, where the first is, and how to replace them ({@code nonfinite=zero}).
 */
public class NonFiniteException extends ModelException {

	private static final long serialVersionUID = 1L;

	public NonFiniteException(String message) {
		super(message);
	}
}
