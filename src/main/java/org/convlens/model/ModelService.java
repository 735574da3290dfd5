package org.convlens.model;

import java.nio.file.Path;

import org.scijava.service.SciJavaService;

/**
 * Loads models and keeps them: one instance per canonical path, file stamp and options,
 * reloaded when the files change, and closed when the context is disposed.
 *
 * <p>A run holds a {@link ModelLease} ({@link #acquire}) for as long as it uses the model: a
 * reload after a file change then never closes a model in use. Loads of different models run in
 * parallel (no global lock is held while loading); two requests for the same model wait for one
 * load. A failed load is remembered until the files change, so a broken model (or zip) is not
 * read again and again.
 */
public interface ModelService extends SciJavaService {

	/** {@link #acquire(Path, LoadOptions)} with the default options. */
	default ModelLease acquire(Path path) {
		return acquire(path, LoadOptions.DEFAULT);
	}

	/**
	 * The model at {@code path} (a SavedModel folder or zip), loading it on first use or after its
	 * files changed, leased until the lease is closed. The default, for services without leases,
	 * wraps {@link #get(Path, LoadOptions)} in a lease that releases nothing.
	 */
	default ModelLease acquire(Path path, LoadOptions options) {
		return new ModelLease(get(path, options), () -> {});
	}

	/** {@link #hold(Path, LoadOptions)} with the default options. */
	default ModelLease hold(Path path) {
		return hold(path, LoadOptions.DEFAULT);
	}

	/**
	 * As {@link #acquire}, and until this lease is closed every {@code acquire} or {@code get} of
	 * the same path and options returns this same model, even if the files change meanwhile: wrap
	 * a batch run in it, and every image of the run uses the model the run started with (record
	 * {@link ModelLease#fingerprint()}). The default, for services without leases, is
	 * {@link #acquire}.
	 */
	default ModelLease hold(Path path, LoadOptions options) {
		return acquire(path, options);
	}

	/** {@link #get(Path, LoadOptions)} with the default options. */
	default ConvModel get(Path path) {
		return get(path, LoadOptions.DEFAULT);
	}

	/**
	 * The model at {@code path} without a lease, for callers that only look (e.g. at its
	 * {@link ModelInfo}). Such a model is never closed by a reload: it stays open until
	 * {@link #clear()} (or the context's disposal), so prefer {@link #acquire} for runs, which
	 * frees replaced models as soon as their last run ends. Callers must not close it.
	 */
	ConvModel get(Path path, LoadOptions options);

	/**
	 * Forgets every cached model and closes it, except models still leased, which are closed when
	 * their last lease is closed.
	 */
	void clear();

	/** Number of models held for new requests. */
	int size();
}
