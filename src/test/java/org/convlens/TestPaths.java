package org.convlens;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Assumptions;

/** Where tests find the project's test data and the optional read-only {@code ../shared} folder. */
public final class TestPaths {

	private TestPaths() {}

	/** The project's {@code test-data} folder. */
	public static Path testData() {
		return Paths.get("test-data").toAbsolutePath();
	}

	/** A generated model, e.g. {@code shapes-keras}. */
	public static Path model(String name) {
		Path p = testData().resolve("models").resolve(name);
		if (!Files.isDirectory(p)) throw new IllegalStateException("Missing generated test model " + p + "; run the generator (see README).");
		return p;
	}

	/**
	 * The shared folder ({@code -Dconvlens.shared=...}, else the nearest {@code shared} or
	 * {@code ../shared} above the working directory), or null.
	 */
	public static Path shared() {
		String prop = System.getProperty("convlens.shared");
		if (prop != null && Files.isDirectory(Paths.get(prop))) return Paths.get(prop).toAbsolutePath();
		for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
			for (Path c : new Path[] { d.resolve("shared"), d.resolveSibling("shared") }) {
				if (c != null && Files.isDirectory(c.resolve("models"))) return c;
			}
		}
		return null;
	}

	/**
	 * A folder under shared/, or skips the calling test when it is absent; under CI
	 * ({@code CI=true}) a missing folder fails the test instead.
	 */
	public static Path sharedOrSkip(String sub) {
		Path s = shared();
		if ("true".equalsIgnoreCase(System.getenv("CI")) && (s == null || !Files.exists(s.resolve(sub)))) {
			throw new AssertionError("../shared/" + sub + " is missing, and CI=true requires it");
		}
		Assumptions.assumeTrue(s != null && Files.exists(s.resolve(sub)), "../shared/" + sub + " is not available");
		return s.resolve(sub);
	}
}
