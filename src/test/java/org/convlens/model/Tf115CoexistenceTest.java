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

	/**
	 * The native side: in a child JVM whose class path starts with TF 1.15's Java and JNI jars, a TF
	 * 1.15 graph runs, then a ConvLens model (TensorFlow 2.18's native library in ConvLens's loader),
	 * then the TF 1.15 graph again: both native libraries live in one process and both give the
	 * right numbers.
	 */
	@Test
	void tf115NativeGraphsRunBesideConvLens(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
		Path api = Paths.get("target/tf115/libtensorflow-1.15.0.jar"), jni = Paths.get("target/tf115/libtensorflow_jni-1.15.0.jar");
		assertTrue(Files.isRegularFile(jni), "the build copies libtensorflow_jni 1.15.0 to " + jni);
		String cp = api.toAbsolutePath() + File.pathSeparator + jni.toAbsolutePath() + File.pathSeparator + System.getProperty("java.class.path");
		String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder pb = new ProcessBuilder(javaBin, "-Djava.awt.headless=true", "-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"),
			"-cp", cp, Tf115NativeChild.class.getName(), TestPaths.model("shapes-keras").toString());
		pb.redirectErrorStream(true);
		pb.redirectOutput(tmp.resolve("log.txt").toFile());
		Process p = pb.start();
		assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "child JVM finished");
		String log = Files.readString(tmp.resolve("log.txt"));
		assertEquals(0, p.exitValue(), log);
		assertTrue(log.contains("tf115 version 1.15.0"), log);
		assertTrue(log.contains("tf115 add [11.0, 22.0, 33.0]"), log);
		assertTrue(log.contains("tf115 add again [11.0, 22.0, 33.0]"), log);
		String line = log.lines().filter(l -> l.startsWith("convlens output ")).findFirst().orElseThrow(() -> new AssertionError(log));
		assertTrue(line.endsWith(" mode isolated"), line);
		String[] v = line.substring("convlens output [".length(), line.indexOf(']')).split(",\\s*");
		try (ConvModel ref = Models.open(TestPaths.model("shapes-keras"))) {
			float[] expected = ref.run(new NdArray(new int[] { 1, 32, 32, 1 }, ramp()), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
			assertEquals(expected.length, v.length, line);
			for (int i = 0; i < v.length; i++) assertEquals(expected[i], Float.parseFloat(v[i]), 1e-6f, line);
		}
	}
}
