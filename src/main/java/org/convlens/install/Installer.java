package org.convlens.install;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.convlens.model.TfJars;

/**
 * Installs ConvLens into an ImageJ 1.x folder or a Fiji.app, everything or nothing:
 * <ul>
 * <li>{@code plugins/ConvLens_.jar} (replacing any earlier ConvLens jar found in plugins/ or jars/);</li>
 * <li>into {@code jars/}, only the libraries the installation lacks (Fiji ships SciJava, ImgLib2,
 * SLF4J with its Logback binding, JNA; plain ImageJ 1.x ships none of them); a library present in
 * an older release of the same major version is kept, with a warning; a different major version
 * stops the install;</li>
 * <li>TensorFlow's runtime (TensorFlow Java with its native jar, JavaCPP, protobuf) into the private
 * folder {@code lib/convlens/tf/}, which neither Fiji nor ImageJ 1.x puts on the class path (Fiji
 * ships protobuf 4.x and JavaCPP 1.5.10, which must not meet ConvLens's 3.21 and 1.5.11).</li>
 * </ul>
 * Every file is first copied (and its SHA-256 checked) into a staging folder inside the target,
 * then moved into place; if anything fails, moves are undone and the target is as it was.
 *
 * <pre>
 * java -jar ConvLens_-VERSION.jar [--dry-run] [--libs FOLDER] /path/to/Fiji.app
 * </pre>
 * Without {@code --libs}, the libraries are those the build listed in
 * {@code convlens-runtime.classpath} next to the jar (Maven's {@code target/}). Needs Java 11+.
 */
public final class Installer {

	/** Where ConvLens's jar goes. */
	public static final String PLUGIN_JAR = "plugins/ConvLens_.jar";
	/** Written by the build next to the jar: the runtime class path, one path per line or separated by the path separator. */
	public static final String CLASSPATH_FILE = "convlens-runtime.classpath";

	static final String OWN_CLASS = "org/convlens/model/TfRuntime.class";
	static final String STAGING_PREFIX = ".convlens-install-";
	private static final String[] SLF4J_PROVIDER = { "META-INF/services/org.slf4j.spi.SLF4JServiceProvider",
		"org/slf4j/impl/StaticLoggerBinder.class" };
	/** Libraries any release of which serves (Smile needs only SLF4J's 1.7 API). */
	private static final List<String> ANY_VERSION = List.of("org.slf4j:slf4j-api");

	/** Called before each file operation; tests make it fail to check that nothing changes. */
	interface Step {
		void before(String what) throws IOException;
	}

	/** A refusal or failure with one clear line for the user. */
	public static final class InstallException extends Exception {
		private static final long serialVersionUID = 1L;

		InstallException(String message) {
			super(message);
		}

		InstallException(String message, Throwable cause) {
			super(message, cause);
		}
	}

	/** What an install will do. */
	public static final class Plan {
		final Path root;
		final boolean fiji;
		final Map<String, Path> copies = new LinkedHashMap<>(); // relative target -> source
		final List<Path> replaced = new ArrayList<>(); // absolute: earlier ConvLens jars
		final List<String> kept = new ArrayList<>(); // libraries the installation already has
		final List<String> warnings = new ArrayList<>();

		Plan(Path root, boolean fiji) {
			this.root = root;
			this.fiji = fiji;
		}

		/** Relative target paths, e.g. {@code jars/smile-core-2.6.0.jar}. */
		public List<String> targets() {
			return new ArrayList<>(copies.keySet());
		}

		/** Human summary, one item a line. */
		public String describe() {
			StringBuilder sb = new StringBuilder();
			sb.append(fiji ? "Fiji" : "ImageJ 1.x").append(" at ").append(root).append('\n');
			for (String t : copies.keySet()) sb.append("  + ").append(t).append('\n');
			for (Path r : replaced) sb.append("  - ").append(root.relativize(r)).append(" (earlier ConvLens)\n");
			for (String k : kept) sb.append("  = ").append(k).append('\n');
			for (String w : warnings) sb.append("  ! ").append(w).append('\n');
			return sb.toString();
		}
	}

	private Installer() {}

	/** Command line; exits 0 when installed, 1 on failure, 2 on wrong usage. */
	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	/** The command line without exiting. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		String usage = "Usage: java -jar ConvLens_.jar [--dry-run] [--libs FOLDER] /path/to/ImageJ-or-Fiji.app   (Java 11+)";
		boolean dry = false;
		Path libsDir = null, root = null;
		for (int i = 0; i < args.length; i++) {
			String a = args[i];
			if (a.equals("--dry-run")) dry = true;
			else if (a.equals("--libs") && i + 1 < args.length) libsDir = Paths.get(args[++i]);
			else if (a.equals("-h") || a.equals("--help")) {
				out.println(usage);
				return 0;
			}
			else if (!a.startsWith("-") && root == null) root = Paths.get(a);
			else {
				err.println("Cannot read argument '" + a + "'.\n" + usage);
				return 2;
			}
		}
		if (root == null) {
			err.println(usage);
			return 2;
		}
		try {
			Path own = ownJar();
			List<Path> libs = libsDir != null ? listJars(libsDir) : buildClasspath(own);
			Plan plan = plan(root, own, libs);
			out.print((dry ? "Would install into " : "Installing into ") + plan.describe());
			if (!dry) {
				apply(plan, w -> {});
				out.println("ConvLens installed; restart " + (plan.fiji ? "Fiji" : "ImageJ") + " to see Plugins > ConvLens.");
			}
			return 0;
		}
		catch (InstallException e) {
			err.println("ConvLens install: " + e.getMessage());
			return 1;
		}
		catch (RuntimeException e) {
			err.println("ConvLens install: failed (" + e + "); nothing was changed");
			return 1;
		}
	}

	/** The jar this class runs from. */
	static Path ownJar() throws InstallException {
		try {
			Path p = Paths.get(Installer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			if (!Files.isRegularFile(p)) throw new InstallException("run the installer from the built jar (java -jar target/ConvLens_-VERSION.jar FOLDER), not from " + p);
			return p;
		}
		catch (java.net.URISyntaxException e) {
			throw new InstallException("cannot locate the ConvLens jar: " + e.getMessage());
		}
	}

	/** The libraries the build listed next to the jar. */
	static List<Path> buildClasspath(Path own) throws InstallException {
		Path list = own.resolveSibling(CLASSPATH_FILE);
		if (!Files.isRegularFile(list)) {
			throw new InstallException("no " + CLASSPATH_FILE + " next to " + own.getFileName() + "; build with 'mvn package' or give --libs FOLDER");
		}
		try {
			String text = new String(Files.readAllBytes(list), java.nio.charset.StandardCharsets.UTF_8);
			List<Path> out = new ArrayList<>();
			for (String s : text.split("[\\r\\n" + java.io.File.pathSeparator + "]+")) {
				if (s.trim().isEmpty()) continue;
				Path p = Paths.get(s.trim());
				if (!Files.isRegularFile(p)) throw new InstallException(list + " names " + p + ", which is missing; rebuild with 'mvn package'");
				out.add(p);
			}
			return out;
		}
		catch (IOException e) {
			throw new InstallException("cannot read " + list + ": " + e.getMessage());
		}
	}

	/** The jars in a folder (not recursive). */
	static List<Path> listJars(Path dir) throws InstallException {
		if (!Files.isDirectory(dir)) throw new InstallException("--libs " + dir + " is not a folder");
		return TfJars.jarsIn(dir);
	}

	/** Works out what to copy where; changes nothing. */
	public static Plan plan(Path rootIn, Path convlensJar, List<Path> libs) throws InstallException {
		Path root = rootIn.toAbsolutePath().normalize();
		if (!Files.isDirectory(root)) throw new InstallException(root + " is not a folder; give the ImageJ or Fiji.app folder");
		boolean hasIj = Files.isRegularFile(root.resolve("ij.jar")) || !InstallJars.jarsNamed(root.resolve("jars"), "ij-").isEmpty();
		if (!hasIj && !Files.isDirectory(root.resolve("plugins"))) {
			throw new InstallException(root + " does not look like ImageJ or Fiji (no ij.jar, jars/ij-*.jar nor plugins/ folder)");
		}
		if (!InstallJars.isConvLensJar(convlensJar)) throw new InstallException(convlensJar + " is not a ConvLens jar");

		// what the installation has where its class path reaches: jars/ and plugins/, recursively
		List<Path> hostJars = new ArrayList<>();
		for (String d : new String[] { "jars", "plugins" }) hostJars.addAll(InstallJars.jarsUnder(root.resolve(d)));
		Map<String, List<String[]>> host = new HashMap<>(); // artifact -> {group, version, relative path}
		boolean hostHasSlf4jProvider = false;
		boolean fiji = false;
		Plan plan = null;
		List<Path> ownOld = new ArrayList<>();
		for (Path j : hostJars) {
			if (InstallJars.isConvLensJar(j)) {
				ownOld.add(j);
				continue;
			}
			for (String[] c : InstallJars.coordinates(j)) {
				host.computeIfAbsent(c[1], k -> new ArrayList<>()).add(new String[] { c[0], c[2], root.relativize(j).toString() });
				if (c[1].equals("imagej-legacy") || c[1].equals("imagej-updater")) fiji = true;
			}
			if (InstallJars.holdsAny(j, SLF4J_PROVIDER)) hostHasSlf4jProvider = true;
		}
		if (Files.isRegularFile(root.resolve("db.xml.gz"))) fiji = true;
		plan = new Plan(root, fiji);
		plan.replaced.addAll(ownOld);
		plan.copies.put(PLUGIN_JAR, convlensJar);

		boolean nativeSeen = false;
		for (Path lib : libs) {
			String name = lib.getFileName().toString();
			String tfRole = TfJars.role(lib, "");
			boolean isNative = TfJars.isNativeJar(lib);
			if (tfRole != null || isNative) {
				plan.copies.put(TfJars.PRIVATE_FOLDER + "/" + name, lib);
				nativeSeen |= isNative;
				// the same jar on the class path would shadow nothing (isolation) but is what the issue is about
				for (String[] c : InstallJars.coordinates(lib)) {
					for (String[] h : present(host, c)) {
						if (h[1].equals(c[2])) plan.warnings.add(h[2] + " is ConvLens's " + c[1] + " " + c[2] +
							" on the class path (an earlier install?); remove it unless another plugin needs it");
					}
				}
				continue;
			}
			List<String[]> cs = InstallJars.coordinates(lib);
			if (cs.size() == 1 && cs.get(0)[0].equals("net.imagej") && cs.get(0)[1].equals("ij")) continue; // ImageJ itself
			if (InstallJars.holdsAny(lib, SLF4J_PROVIDER)) {
				if (hostHasSlf4jProvider) plan.kept.add(name + ": the installation has its own SLF4J binding");
				else plan.copies.put("jars/" + name, lib);
				continue;
			}
			if (cs.size() != 1) {
				plan.copies.put("jars/" + name, lib);
				continue;
			}
			String[] c = cs.get(0);
			List<String[]> present = present(host, c);
			if (present.isEmpty()) {
				plan.copies.put("jars/" + name, lib);
				continue;
			}
			String[] best = present.stream().max((x, y) -> InstallJars.compareVersions(x[1], y[1])).map(h -> new String[] { h[1], h[2] }).get();
			if (ANY_VERSION.contains(c[0] + ":" + c[1]) || InstallJars.compareVersions(best[0], c[2]) >= 0) {
				plan.kept.add(c[1] + " " + c[2] + ": the installation has " + best[0] + " (" + best[1] + ")");
			}
			else if (InstallJars.major(best[0]).equals(InstallJars.major(c[2]))) {
				plan.kept.add(c[1] + " " + c[2] + ": the installation has " + best[0] + " (" + best[1] + ")");
				plan.warnings.add(best[1] + " is older than the " + c[1] + " " + c[2] + " ConvLens was built with; if a command fails, update " +
					(fiji ? "Fiji (Help > Update...)" : "it"));
			}
			else {
				throw new InstallException(best[1] + " is " + c[1] + " " + best[0] + " but ConvLens needs " + c[2] + "; update " +
					(fiji ? "Fiji (Help > Update...)" : "that library") + " first. Nothing was changed.");
			}
		}
		Map<String, Path> tf = TfJars.find(libs, InstallJars.platformOfBuild(libs));
		List<String> missing = TfJars.required().stream().filter(r -> !r.equals("native") && !tf.containsKey(r)).collect(Collectors.toList());
		if (!missing.isEmpty() || !nativeSeen) {
			throw new InstallException("the TensorFlow runtime is incomplete in the given libraries, missing " +
				(missing.isEmpty() ? "the native jar" : missing) + ". Nothing was changed.");
		}
		return plan;
	}

	/** Copies into a staging folder, checks, then moves into place; undoes everything on failure. */
	public static void apply(Plan plan) throws InstallException {
		apply(plan, w -> {});
	}

	static void apply(Plan plan, Step step) throws InstallException {
		Path root = plan.root;
		Path staging = root.resolve(STAGING_PREFIX + Long.toHexString(System.nanoTime()));
		Deque<Runnable> undo = new ArrayDeque<>();
		try {
			Files.createDirectory(staging);
			Path fresh = staging.resolve("new"), old = staging.resolve("old");
			// 1. stage every file, checking its bytes
			long bytes = 0;
			for (Map.Entry<String, Path> e : plan.copies.entrySet()) {
				step.before("stage " + e.getKey());
				Path dst = fresh.resolve(e.getKey());
				Files.createDirectories(dst.getParent());
				Files.copy(e.getValue(), dst, StandardCopyOption.COPY_ATTRIBUTES);
				if (!InstallJars.sha256(e.getValue()).equals(InstallJars.sha256(dst))) throw new IOException("copy of " + e.getValue() + " differs from the original");
				bytes += Files.size(dst);
			}
			if (bytes > 0) step.before("staged " + bytes + " bytes");
			// 2. move earlier ConvLens files aside (undoable)
			List<Path> aside = new ArrayList<>(plan.replaced);
			Path target = root.resolve(PLUGIN_JAR);
			if (Files.exists(target) && !aside.contains(target)) aside.add(target);
			Path tfDir = root.resolve(TfJars.PRIVATE_FOLDER);
			if (Files.exists(tfDir)) aside.add(tfDir);
			for (Path p : aside) {
				step.before("set aside " + root.relativize(p));
				Path to = old.resolve(root.relativize(p).toString());
				Files.createDirectories(to.getParent());
				InstallFiles.move(p, to);
				undo.push(() -> InstallFiles.moveQuietly(to, p));
			}
			// 3. move the new files in: the TF folder as one, then each other file
			List<String> order = new ArrayList<>();
			for (String t : plan.copies.keySet()) if (!t.startsWith(TfJars.PRIVATE_FOLDER + "/")) order.add(t);
			if (Files.isDirectory(fresh.resolve(TfJars.PRIVATE_FOLDER))) {
				step.before("move " + TfJars.PRIVATE_FOLDER);
				InstallFiles.createParents(tfDir, root, undo);
				InstallFiles.move(fresh.resolve(TfJars.PRIVATE_FOLDER), tfDir);
				undo.push(() -> InstallFiles.moveQuietly(tfDir, fresh.resolve(TfJars.PRIVATE_FOLDER)));
			}
			for (String t : order) {
				step.before("move " + t);
				Path dst = root.resolve(t);
				if (Files.exists(dst)) throw new IOException(t + " appeared during the install");
				InstallFiles.createParents(dst, root, undo);
				Path src = fresh.resolve(t);
				InstallFiles.move(src, dst);
				undo.push(() -> InstallFiles.moveQuietly(dst, src));
			}
			step.before("done");
			undo.clear();
		}
		catch (IOException | RuntimeException e) {
			while (!undo.isEmpty()) undo.pop().run();
			String why = e instanceof IOException && e.getClass() != IOException.class ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getMessage();
			throw new InstallException("failed (" + why + "); nothing was changed", e);
		}
		finally {
			InstallFiles.deleteTree(staging);
		}
	}

	// ---- helpers ----

	/** The installation's jars of the same artifact (same group, or a jar whose group is unknown). */
	private static List<String[]> present(Map<String, List<String[]>> host, String[] c) {
		List<String[]> out = new ArrayList<>();
		for (String[] h : host.getOrDefault(c[1], List.of())) {
			if (h[0].equals(c[0]) || h[0].equals("?") || c[0].equals("?")) out.add(h);
		}
		return out;
	}
}
