package org.convlens.model;

/**
 * A model handed out by {@link ModelService#acquire}: the model stays open until the lease is
 * closed, even if the cache reloads the files meanwhile (a reload replaces the cached model for
 * new leases and closes the old one when its last lease is closed). Use it in
 * try-with-resources around a whole run, so the run uses one model from start to end.
 */
public final class ModelLease implements AutoCloseable {

	private final ConvModel model;
	private final Runnable release;
	private boolean closed;

	/** @param release called once, by the first {@link #close()} */
	public ModelLease(ConvModel model, Runnable release) {
		this.model = model;
		this.release = release;
	}

	/** The leased model; do not close it (close the lease). */
	public ConvModel model() {
		return model;
	}

	/** The model's fingerprint, for outputs. */
	public String fingerprint() {
		return model.fingerprint();
	}

	/** Releases the model; later calls do nothing. */
	@Override
	public void close() {
		synchronized (this) {
			if (closed) return;
			closed = true;
		}
		release.run();
	}
}
