package org.convlens.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds test models: the generated ones in test-data/ and the real ones in ../shared/models. */
public final class TestPaths {

	private TestPaths() {}

	/** The shared real models folder, or null: property convlens.shared, else walk up looking for shared/models. */
	public static Path sharedModels() {
		String p = System.getProperty("convlens.shared");
		if (p != null && Files.isDirectory(Paths.get(p, "models"))) return Paths.get(p, "models");
		for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
			Path m = d.resolve("shared").resolve("models");
			if (Files.isDirectory(m)) return m;
		}
		return null;
	}

	/** A shared model by name, or null when absent. */
	public static Path shared(String name) {
		Path s = sharedModels();
		if (s == null) return null;
		Path m = s.resolve(name);
		return Files.isRegularFile(m.resolve("saved_model.pb")) ? m : null;
	}

	/** A generated model in test-data/models, or null when absent. */
	public static Path generated(String name) {
		Path m = Paths.get("test-data", "models", name);
		return Files.isRegularFile(m.resolve("saved_model.pb")) ? m : null;
	}
}
