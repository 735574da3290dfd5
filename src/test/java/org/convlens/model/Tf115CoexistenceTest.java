package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;

/**
 * Fiji users often have the TF 1.15 jars of the CSBDeep/DeepImageJ update sites, with the same
 * {@code org.tensorflow} class names. Here libtensorflow-1.15.0.jar comes FIRST on a fresh class
 * path that also holds ConvLens and TF Java 1.1.0; ConvLens must still load and run models.
 */
class Tf115CoexistenceTest {

	@Test
	void modelsLoadWithTf115AheadOnTheClassPath() throws Exception {
		Path tf115 = Paths.get("target/tf115/libtensorflow-1.15.0.jar");
		assertTrue(Files.isRegularFile(tf115), "the build copies libtensorflow 1.15.0 to " + tf115);
		List<URL> urls = new ArrayList<>();
		urls.add(tf115.toUri().toURL());
		for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
			if (!e.isEmpty()) urls.add(Paths.get(e).toUri().toURL());
		}
		// parent = platform loader: nothing from the test's own class path leaks in
		try (URLClassLoader cl = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
			Class<?> tfClass = cl.loadClass("org.tensorflow.TensorFlow");
			String where = tfClass.getProtectionDomain().getCodeSource().getLocation().toString();
			assertTrue(where.contains("libtensorflow-1.15.0"), "the plain class path now resolves TF to 1.15: " + where);

			Class<?> models = cl.loadClass("org.convlens.model.Models");
			Class<?> ndArray = cl.loadClass("org.convlens.model.NdArray");
			Object model = models.getMethod("open", Path.class).invoke(null, TestPaths.model("shapes-keras"));
			try {
				Object x = ndArray.getConstructor(int[].class, float[].class).newInstance(new int[] { 1, 32, 32, 1 }, ramp());
				Method run = model.getClass().getMethod("run", ndArray, List.class);
				run.setAccessible(true);
				Map<?, ?> out = (Map<?, ?>) run.invoke(model, x, List.of("output"));
				float[] isolated = (float[]) ndArray.getMethod("data").invoke(out.get("output"));
				Object mode = cl.loadClass("org.convlens.model.TfRuntime").getMethod("mode").invoke(null);
				assertEquals("isolated", mode);

				// the same numbers as this JVM's ordinary engine
				try (ConvModel ref = Models.open(TestPaths.model("shapes-keras"))) {
					float[] expected = ref.run(new NdArray(new int[] { 1, 32, 32, 1 }, ramp()), List.of("output")).get("output").data();
					assertArrayEquals(expected, isolated, 1e-6f);
				}
			}
			finally {
				((AutoCloseable) model).close();
			}
		}
	}

	private static float[] ramp() {
		float[] f = new float[32 * 32];
		for (int i = 0; i < f.length; i++) f[i] = (i % 32) / 31f;
		return f;
	}
}
