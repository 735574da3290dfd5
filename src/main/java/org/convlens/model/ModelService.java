package org.convlens.model;

import java.nio.file.Path;

import org.scijava.service.SciJavaService;

/**
 * Loads models and keeps them: one instance per canonical path, modification time and options,
 * reloaded when the files change, and closed when the context is disposed. Callers must not close
 * models they get from here.
 */
public interface ModelService extends SciJavaService {

	/** The model at {@code path} (a SavedModel folder or zip), loading it on first use. */
	default ConvModel get(Path path) {
		return get(path, LoadOptions.DEFAULT);
	}

	ConvModel get(Path path, LoadOptions options);

	/** Closes and forgets every cached model. */
	void clear();

	/** Number of models held. */
	int size();
}
