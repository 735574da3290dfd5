package org.convlens.model;

import java.nio.file.Path;

/**
 * Opens SavedModel directories. The TensorFlow implementation lives in {@code org.convlens.model.tf}
 * and is loaded through {@link Models}, possibly in an isolated class loader.
 */
public interface ModelFactory {

	/** Opens an (already extracted) SavedModel directory. */
	ConvModel open(Path savedModelDir, LoadOptions options);

	/** A one-line description of the TensorFlow runtime behind this factory. */
	String runtimeVersion();
}
