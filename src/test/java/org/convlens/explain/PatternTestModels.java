package org.convlens.explain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Assumptions;

/** Where the filter-pattern tests find models; tests skip when a model is absent. */
final class PatternTestModels {

	static final String BRAIN = "brain-mri-tumor64";
	static final String FASHION = "fashion-mnist-cnn";

	private PatternTestModels() {}

	/** {@code -Dconvlens.shared}, else the nearest {@code shared/models} above the working directory. */
	static Path shared() {
		String prop = System.getProperty("convlens.shared");
		if (prop != null && Files.isDirectory(Paths.get(prop, "models"))) return Paths.get(prop).toAbsolutePath();
		for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
			Path c = d.resolve("shared");
			if (Files.isDirectory(c.resolve("models"))) return c;
		}
		return null;
	}

	/** A real model under {@code ../shared/models}, or skips the test. */
	static Path sharedModel(String name) {
		Path s = shared();
		Path m = s == null ? null : s.resolve("models").resolve(name);
		Assumptions.assumeTrue(m != null && Files.isRegularFile(m.resolve("saved_model.pb")), "../shared/models/" + name + " is not available");
		return m;
	}

	/** A generated model under {@code test-data/models}, or skips the test until it is there. */
	static Path generated(String name) {
		Path m = Paths.get("test-data", "models", name).toAbsolutePath();
		Assumptions.assumeTrue(Files.isRegularFile(m.resolve("saved_model.pb")), "test-data/models/" + name + " is not there yet");
		return m;
	}
}
