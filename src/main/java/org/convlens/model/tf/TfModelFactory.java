package org.convlens.model.tf;

import java.nio.file.Path;

import org.convlens.model.ConvModel;
import org.convlens.model.LoadOptions;
import org.convlens.model.ModelFactory;

/** The TensorFlow Java 1.x implementation of {@link ModelFactory}; instantiated reflectively. */
public final class TfModelFactory implements ModelFactory {

	@Override
	public ConvModel open(Path savedModelDir, LoadOptions options) {
		return SavedModelLoader.load(savedModelDir, options);
	}

	@Override
	public String runtimeVersion() {
		return "TensorFlow " + org.tensorflow.TensorFlow.version() + " (TensorFlow Java, loader " +
			TfModelFactory.class.getClassLoader().getClass().getSimpleName() + ")";
	}
}
