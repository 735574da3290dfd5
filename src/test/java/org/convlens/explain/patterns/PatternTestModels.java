package org.convlens.explain.patterns;

import java.nio.file.Path;

import org.convlens.TestPaths;

/** Where the filter-pattern tests find models; real-model tests skip when {@code ../shared} is absent (not under CI). */
final class PatternTestModels {

	static final String BRAIN = "brain-mri-tumor64";
	static final String FASHION = "fashion-mnist-cnn";

	private PatternTestModels() {}

	/** A real model under {@code ../shared/models}, or skips the test. */
	static Path sharedModel(String name) {
		return TestPaths.sharedOrSkip("models/" + name);
	}

	/** A generated model under {@code test-data/models} (shipped, so a missing one is an error). */
	static Path generated(String name) {
		return TestPaths.model(name);
	}
}
