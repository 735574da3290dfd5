package org.convlens.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.convlens.TestPaths;
import org.convlens.model.TfJars;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

/**
 * Installs into a fake Fiji.app (with Fiji's own protobuf 4.x, JavaCPP 1.5.10, SciJava, SLF4J and
 * a Logback binding) and a fake ImageJ 1.x folder (ij.jar and plugins/), and checks the layout:
 * TensorFlow's runtime only in lib/convlens/tf, no second protobuf, JavaCPP or TensorFlow where
 * Fiji's class path reaches (jars/ and plugins/, recursively), nothing Fiji already has copied
 * again; a failure at any step leaves the folder as it was; and ImageJ 1.x, started from the
 * installed folder in a child JVM, lists the ConvLens commands and runs one through a macro's
 * {@code run(...)} with TensorFlow from the private folder.
 */
class InstallerTest {

	private static Path convlensJar;
	private static List<Path> libs;

	@BeforeAll
	static void buildJar(@TempDir Path tmp) throws Exception {
		// the jar 'mvn package' will make: target/classes zipped (tests run before packaging)
		Path classes = Paths.get("target/classes").toAbsolutePath();
		assertTrue(Files.isRegularFile(classes.resolve("org/convlens/model/TfRuntime.class")), "compiled classes in " + classes);
		convlensJar = tmp.resolve("ConvLens_-test.jar");
		try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(convlensJar)); Stream<Path> s = Files.walk(classes)) {
			for (Path f : s.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
				out.putNextEntry(new ZipEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
				Files.copy(f, out);
				out.closeEntry();
			}
		}
		Path list = Paths.get("target", Installer.CLASSPATH_FILE);
		assertTrue(Files.isRegularFile(list), "the build lists the runtime jars in " + list);
		libs = Installer.buildClasspath(list.resolveSibling("x.jar"));
		assertTrue(libs.size() > 10, "runtime jars: " + libs);
	}

	// ---- fake installations ----

	/** A Fiji.app as the updater leaves it: its own libraries in jars/, plugins in plugins/. */
	private static Path fakeFiji(Path dir) throws IOException {
		Path root = Files.createDirectories(dir.resolve("Fiji.app"));
		Path jars = Files.createDirectories(root.resolve("jars"));
		Files.createDirectories(root.resolve("plugins/Some_Plugin"));
		Files.createDirectories(root.resolve("lib/linux64"));
		Files.write(root.resolve("lib/linux64/libfiji.so"), new byte[] { 1, 2, 3 });
		Files.write(root.resolve("db.xml.gz"), new byte[] { 31, -117 });
		// Fiji's versions of what ConvLens's TensorFlow also uses
		Path proto4 = Paths.get(System.getProperty("user.home"), ".m2/repository/com/google/protobuf/protobuf-java/4.32.1/protobuf-java-4.32.1.jar");
		if (Files.isRegularFile(proto4)) Files.copy(proto4, jars.resolve("protobuf-java-4.32.1.jar"));
		else dummyJar(jars.resolve("protobuf-java-4.32.1.jar"), "com.google.protobuf", "protobuf-java", "4.32.1", "com/google/protobuf/Message.class");
		dummyJar(jars.resolve("javacpp-1.5.10.jar"), "org.bytedeco", "javacpp", "1.5.10", "org/bytedeco/javacpp/Loader.class");
		dummyJar(jars.resolve("imagej-legacy-2.0.0.jar"), "net.imagej", "imagej-legacy", "2.0.0", "net/imagej/legacy/LegacyService.class");
		dummyJar(jars.resolve("logback-classic-1.3.16.jar"), "ch.qos.logback", "logback-classic", "1.3.16",
			"META-INF/services/org.slf4j.spi.SLF4JServiceProvider");
		// the same SciJava, ImgLib2, SLF4J API, JNA and ImageJ 1.x that ConvLens was built with
		for (Path l : libs) {
			String n = l.getFileName().toString();
			if (n.matches("(ij|scijava-common|parsington|imglib2|slf4j-api|jna)-[0-9].*\\.jar")) Files.copy(l, jars.resolve(n));
		}
		dummyJar(root.resolve("plugins/Some_Plugin/Some_Plugin.jar"), "sc.fiji", "Some_Plugin", "1.0", "Some_Plugin.class");
		// an earlier ConvLens under another name: the install replaces it
		Files.copy(convlensJar, root.resolve("plugins/ConvLens_-0.0.9.jar"));
		return root;
	}

	/** Plain ImageJ 1.x: ij.jar and an empty plugins/ folder. */
	private static Path fakeImageJ(Path dir) throws IOException {
		Path root = Files.createDirectories(dir.resolve("ImageJ"));
		Files.createDirectories(root.resolve("plugins"));
		Path ij = libs.stream().filter(l -> l.getFileName().toString().matches("ij-[0-9].*\\.jar")).findFirst().orElseThrow();
		Files.copy(ij, root.resolve("ij.jar"));
		return root;
	}

	private static void dummyJar(Path f, String group, String artifact, String version, String entry) throws IOException {
		try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(f))) {
			out.putNextEntry(new ZipEntry("META-INF/maven/" + group + "/" + artifact + "/pom.properties"));
			out.write(("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n").getBytes(StandardCharsets.UTF_8));
			out.closeEntry();
			out.putNextEntry(new ZipEntry(entry));
			out.write(entry.endsWith("SLF4JServiceProvider") ? "ch.qos.logback.classic.spi.LogbackServiceProvider\n".getBytes(StandardCharsets.UTF_8) : new byte[] { 0 });
			out.closeEntry();
		}
	}

	/** Every file and folder below root with its SHA-256 (folders: "dir"). */
	private static Map<String, String> snapshot(Path root) throws IOException {
		Map<String, String> m = new TreeMap<>();
		try (Stream<Path> s = Files.walk(root)) {
			for (Path p : s.collect(Collectors.toList())) {
				m.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : InstallJars.sha256(p));
			}
		}
		return m;
	}

	/**
	 * artifactId -> relative paths of the jars the class path reaches (jars/ and plugins/,
	 * recursively), from each jar's Maven metadata, else its name (JNA and Smile have none).
	 */
	private static Map<String, List<String>> onClassPath(Path root) {
		Map<String, List<String>> m = new TreeMap<>();
		for (String d : new String[] { "jars", "plugins" }) {
			for (Path j : InstallJars.jarsUnder(root.resolve(d))) {
				for (String[] c : InstallJars.coordinates(j)) m.computeIfAbsent(c[1], k -> new ArrayList<>()).add(root.relativize(j).toString());
			}
		}
		return m;
	}

	private static void assertPrivateRuntimeComplete(Path root) {
		Path tf = root.resolve(TfJars.PRIVATE_FOLDER);
		Map<String, Path> found = TfJars.find(TfJars.jarsIn(tf), org.convlens.model.TfRuntime.platform());
		assertEquals(TfJars.required(), new ArrayList<>(found.keySet()), "every TF runtime jar, by content, in " + tf);
	}

	// ---- tests ----

	@Test
	void fijiGetsTensorFlowOffItsClassPathAndNothingItAlreadyHas(@TempDir Path tmp) throws Exception {
		Path root = fakeFiji(tmp);
		Map<String, String> before = snapshot(root);
		Installer.Plan plan = Installer.plan(root, convlensJar, libs);
		assertTrue(plan.fiji, plan.describe());
		Installer.apply(plan);

		assertEquals(InstallJars.sha256(convlensJar), InstallJars.sha256(root.resolve(Installer.PLUGIN_JAR)));
		assertFalse(Files.exists(root.resolve("plugins/ConvLens_-0.0.9.jar")), "the earlier ConvLens jar is replaced, not kept beside");
		assertPrivateRuntimeComplete(root);

		Map<String, List<String>> cp = onClassPath(root);
		assertEquals(List.of("jars/protobuf-java-4.32.1.jar"), cp.get("protobuf-java"), "one protobuf, Fiji's: " + cp);
		assertEquals(List.of("jars/javacpp-1.5.10.jar"), cp.get("javacpp"), "one JavaCPP, Fiji's: " + cp);
		assertTrue(cp.keySet().stream().noneMatch(k -> k.startsWith("tensorflow") || k.equals("ndarray")), "no TensorFlow on Fiji's class path: " + cp);
		assertEquals(null, cp.get("slf4j-nop"), "Fiji has Logback: no second SLF4J binding");
		for (String k : new String[] { "scijava-common", "imglib2", "slf4j-api", "jna", "ij" }) {
			assertEquals(1, cp.getOrDefault(k, List.of()).size(), "Fiji's own " + k + " is there once, not copied again: " + cp);
		}
		for (String k : new String[] { "smile-core", "smile-math", "bh-tsne" }) {
			assertEquals(1, cp.getOrDefault(k, List.of()).size(), "ConvLens's " + k + " in jars/: " + cp);
			assertTrue(cp.get(k).get(0).startsWith("jars/"), cp.get(k).toString());
		}
		// everything Fiji had is still there, byte for byte (but the replaced ConvLens jar)
		Map<String, String> after = snapshot(root);
		for (Map.Entry<String, String> e : before.entrySet()) {
			if (e.getKey().equals("plugins/ConvLens_-0.0.9.jar")) continue;
			assertEquals(e.getValue(), after.get(e.getKey()), e.getKey());
		}
		assertTrue(after.keySet().stream().noneMatch(k -> k.contains(".convlens-install-")), "no staging folder left");

		// Batch from the installed Fiji: its class path (plugins/ConvLens_.jar and jars/*) holds Fiji's protobuf 4.x
		// and JavaCPP 1.5.10 (here a stub whose Loader.class is not even a class) and no TensorFlow at all, so the
		// model only runs if TfRuntime takes TF Java, JavaCPP 1.5.11 and protobuf 3.21 from lib/convlens/tf
		Path out = tmp.resolve("batch-out");
		ProcessBuilder pb = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
			"-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"), "-cp",
			root.resolve(Installer.PLUGIN_JAR) + File.pathSeparator + root.resolve("jars") + File.separator + "*",
			"org.convlens.commands.Batch", "activations", "--model", TestPaths.model("shapes-keras").toString(), "--input",
			TestPaths.testData().resolve("images/demo-ring.tif").toString(), "--output", out.toString(), "layer=conv2d_1");
		pb.redirectErrorStream(true);
		pb.redirectOutput(tmp.resolve("batch.txt").toFile());
		Process p = pb.start();
		assertTrue(p.waitFor(180, TimeUnit.SECONDS), "Batch finished");
		String log = new String(Files.readAllBytes(tmp.resolve("batch.txt")), StandardCharsets.UTF_8);
		assertEquals(0, p.exitValue(), log);
		assertEquals(16, IJ.openImage(out.resolve("demo-ring_activations.tif").toString()).getNChannels(), log);
		InstallFiles.deleteTree(out);

		// installing again replaces the runtime folder and the plugin, and copies nothing twice
		Map<String, String> once = snapshot(root);
		Installer.apply(Installer.plan(root, convlensJar, libs));
		assertEquals(once, snapshot(root));
	}

	@Test
	void aFailureAtAnyStepChangesNothing(@TempDir Path tmp) throws Exception {
		Path root = fakeFiji(tmp);
		Map<String, String> before = snapshot(root);
		// count the steps of a full install on a copy of the same layout
		List<String> steps = new ArrayList<>();
		Path probe = fakeFiji(tmp.resolve("probe"));
		Installer.apply(Installer.plan(probe, convlensJar, libs), steps::add);
		assertTrue(steps.size() > 20, "steps: " + steps);
		assertTrue(steps.stream().anyMatch(s -> s.startsWith("move jars/")), steps.toString());
		// fail at the first step, while staging, after setting the old plugin aside, after moving the TF folder, half-way through jars/, at the end
		int firstJarMove = indexOf(steps, "move jars/");
		int[] failAt = { 0, 3, indexOf(steps, "set aside"), indexOf(steps, "move " + TfJars.PRIVATE_FOLDER) + 1, firstJarMove + 2, steps.size() - 1 };
		for (int k : failAt) {
			int[] n = { 0 };
			Installer.InstallException e = assertThrows(Installer.InstallException.class,
				() -> Installer.apply(Installer.plan(root, convlensJar, libs), w -> {
					if (n[0]++ == k) throw new IOException("disk full (simulated at '" + w + "')");
				}));
			assertTrue(e.getMessage().contains("nothing was changed") && e.getMessage().contains("disk full"), e.getMessage());
			assertEquals(before, snapshot(root), "after a failure at step " + k + " (" + steps.get(k) + ")");
		}
		// a failing re-install keeps the previous install as it was
		Installer.apply(Installer.plan(root, convlensJar, libs));
		Map<String, String> installed = snapshot(root);
		assertThrows(Installer.InstallException.class, () -> Installer.apply(Installer.plan(root, convlensJar, libs), w -> {
			if (w.startsWith("move jars/") || w.equals("done")) throw new IOException("simulated");
		}));
		assertEquals(installed, snapshot(root));
	}

	private static int indexOf(List<String> steps, String prefix) {
		for (int i = 0; i < steps.size(); i++) if (steps.get(i).startsWith(prefix)) return i;
		throw new AssertionError("no step " + prefix + " in " + steps);
	}

	@Test
	void clearRefusals(@TempDir Path tmp) throws Exception {
		Path empty = Files.createDirectories(tmp.resolve("Documents"));
		Installer.InstallException e = assertThrows(Installer.InstallException.class, () -> Installer.plan(empty, convlensJar, libs));
		assertTrue(e.getMessage().contains("does not look like ImageJ or Fiji"), e.getMessage());
		assertEquals(List.of(), Files.list(empty).collect(Collectors.toList()));

		// Fiji with an ImgLib2 of another major version: refused before anything is copied
		Path root = fakeFiji(tmp);
		Path imglib = libs.stream().filter(l -> l.getFileName().toString().startsWith("imglib2-")).findFirst().orElseThrow();
		Files.delete(root.resolve("jars").resolve(imglib.getFileName()));
		dummyJar(root.resolve("jars/imglib2-7.1.0.jar"), "net.imglib2", "imglib2", "7.1.0", "net/imglib2/Img.class");
		Map<String, String> before = snapshot(root);
		e = assertThrows(Installer.InstallException.class, () -> Installer.plan(root, convlensJar, libs));
		assertTrue(e.getMessage().contains("jars/imglib2-7.1.0.jar is imglib2 7.1.0 but ConvLens needs 8.") &&
			e.getMessage().contains("Help > Update"), e.getMessage());
		assertEquals(before, snapshot(root));

		// the command line: usage and exit codes
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertEquals(2, Installer.run(new String[0], new PrintStream(OutputStream.nullOutputStream()), new PrintStream(err)));
		assertTrue(err.toString().contains("Usage: java -jar ConvLens_.jar"), err.toString());
		assertEquals(2, Installer.run(new String[] { "--force", "x" }, new PrintStream(OutputStream.nullOutputStream()), new PrintStream(err)));
	}

	@Test
	void imageJ1StartsFromTheInstalledFolderAndRunsACommand(@TempDir Path tmp) throws Exception {
		Path root = fakeImageJ(tmp);
		Installer.Plan plan = Installer.plan(root, convlensJar, libs);
		assertFalse(plan.fiji);
		Installer.apply(plan);
		assertPrivateRuntimeComplete(root);
		Map<String, List<String>> cp = onClassPath(root);
		assertTrue(cp.keySet().stream().noneMatch(k -> k.startsWith("tensorflow") || k.equals("ndarray") || k.equals("javacpp") ||
			k.equals("protobuf-java")), "TF runtime off ImageJ's class path: " + cp);
		for (String k : new String[] { "scijava-common", "imglib2", "slf4j-api", "slf4j-nop", "jna", "smile-core" }) {
			assertEquals(1, cp.getOrDefault(k, List.of()).size(), k + " in jars/: " + cp);
		}

		// ImageJ 1.x from the installed folder: only ij.jar on the class path, a display (ImageJ's menus need one)
		List<String> display = displayPrefix();
		Path out = Files.createDirectories(tmp.resolve("out"));
		Path img = TestPaths.testData().resolve("images/demo-ring.tif");
		Path model = TestPaths.model("shapes-keras");
		StringBuilder macro = new StringBuilder();
		macro.append("open(\"").append(img).append("\");\n");
		macro.append("run(\"Show Activations...\", \"model=[").append(model).append("] layer=conv2d_1 save=[").append(out).append("]\");\n");
		macro.append("print(\"MODE \" + call(\"org.convlens.model.TfRuntime.mode\"));\n");
		macro.append("print(\"SOURCE \" + call(\"org.convlens.model.TfRuntime.source\"));\n");
		macro.append("List.setCommands;\n");
		List<String> commands = new ArrayList<>();
		for (String line : Files.readAllLines(Paths.get("plugins.config"), StandardCharsets.UTF_8)) {
			if (line.startsWith("Plugins>ConvLens")) commands.add(line.split("\"")[1]);
		}
		assertEquals(12, commands.size(), commands.toString());
		for (String c : commands) macro.append("print(\"CMD ").append(c).append(" = \" + List.get(\"").append(c).append("\"));\n");
		Path macroFile = tmp.resolve("run.ijm");
		Files.write(macroFile, macro.toString().getBytes(StandardCharsets.UTF_8));

		List<String> cmd = new ArrayList<>(display);
		cmd.addAll(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
			"-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"), "-jar", root.resolve("ij.jar").toString(),
			"-ijpath", root.toString(), "-batch", macroFile.toString()));
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
		pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
		pb.redirectOutput(tmp.resolve("stdout.txt").toFile());
		pb.redirectError(tmp.resolve("stderr.txt").toFile());
		Process p = pb.start();
		boolean done = p.waitFor(180, TimeUnit.SECONDS);
		if (!done) p.destroyForcibly();
		String stdout = new String(Files.readAllBytes(tmp.resolve("stdout.txt")), StandardCharsets.UTF_8);
		String stderr = new String(Files.readAllBytes(tmp.resolve("stderr.txt")), StandardCharsets.UTF_8);
		String log = "stdout:\n" + stdout + "\nstderr:\n" + stderr;
		assertTrue(done, "ImageJ finished: " + log);
		assertEquals(0, p.exitValue(), log);
		assertTrue(stdout.contains("MODE isolated"), log);
		assertTrue(stdout.contains("SOURCE " + root.resolve(TfJars.PRIVATE_FOLDER).toAbsolutePath().normalize()), "TensorFlow from the private folder: " + log);
		for (String c : commands) {
			assertTrue(stdout.contains("CMD " + c + " = org.convlens.commands.IJ1Bridge(\""), "menu command " + c + ": " + log);
		}
		ImagePlus maps = IJ.openImage(out.resolve("demo-ring_activations.tif").toString());
		assertNotNull(maps, log);
		assertEquals(16, maps.getNChannels());
		double[] range = { Double.MAX_VALUE, -Double.MAX_VALUE };
		for (int i = 1; i <= maps.getStackSize(); i++) {
			ij.process.ImageStatistics st = maps.getStack().getProcessor(i).getStatistics();
			range[0] = Math.min(range[0], st.min);
			range[1] = Math.max(range[1], st.max);
		}
		assertTrue(range[1] > range[0], "activation maps vary: " + range[0] + ".." + range[1]);
		assertFalse(stderr.toLowerCase().contains("tensorflow") || stderr.contains("absl") || stderr.contains("SLF4J"), "quiet stderr: " + log);

		// a damaged install (protobuf gone from the private folder): one line that names the jar and the fix
		for (Path j : TfJars.jarsIn(root.resolve(TfJars.PRIVATE_FOLDER))) {
			if (j.getFileName().toString().startsWith("protobuf-java")) Files.delete(j);
		}
		ProcessBuilder broken = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
			"-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"), "-cp", root.resolve("ij.jar") + File.pathSeparator +
				root.resolve(Installer.PLUGIN_JAR) + File.pathSeparator + root.resolve("jars") + File.separator + "*",
			"org.convlens.commands.Batch", "activations", "--model", model.toString(), "--input", img.toString(), "--output",
			tmp.resolve("out2").toString());
		broken.redirectErrorStream(true);
		broken.redirectOutput(tmp.resolve("broken.txt").toFile());
		Process b = broken.start();
		assertTrue(b.waitFor(120, TimeUnit.SECONDS));
		String said = new String(Files.readAllBytes(tmp.resolve("broken.txt")), StandardCharsets.UTF_8).trim();
		assertEquals(1, b.exitValue(), said);
		assertEquals(1, said.lines().count(), "one line: " + said);
		assertTrue(said.contains("missing [com.google.protobuf:protobuf-java:3.21.9]") && said.contains("reinstall ConvLens"), said);
	}

	/** xvfb-run when there is no display; skips (fails when CI=true) when neither is there. */
	private static List<String> displayPrefix() {
		String d = System.getenv("DISPLAY");
		if (d != null && !d.isEmpty()) return List.of();
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (Files.isExecutable(Paths.get(dir, "xvfb-run"))) return List.of(Paths.get(dir, "xvfb-run").toString(), "-a");
		}
		if ("true".equals(System.getenv("CI"))) throw new AssertionError("no DISPLAY and no xvfb-run: ImageJ 1.x menus need a display");
		Assumptions.assumeTrue(false, "no DISPLAY and no xvfb-run");
		return List.of();
	}
}
