package org.convlens.explain.core;

/** The user cancelled a long computation; commands catch it and stop quietly. */
public class CancelledException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	public CancelledException() {
		super("Cancelled by the user.");
	}
}
