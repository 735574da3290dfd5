package org.convlens.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The jars of ConvLens's TensorFlow runtime (TensorFlow Java, its native jar, ndarray, JavaCPP,
 * protobuf), recognised by what they hold: the Maven coordinates in
 * {@code META-INF/maven/<group>/<artifact>/pom.properties} (exact version, so Fiji's protobuf 4.x or
 * JavaCPP 1.5.10 never stand in) and, for the native jar, the folder of this platform's
 * libraries. File names do not matter. The list comes from {@code tf-runtime.properties}, written
 * by the build.
 *
 * <p>Installed, these jars live in a private folder, {@link #PRIVATE_FOLDER} under the ImageJ/Fiji
 * folder, which neither Fiji's launcher nor ImageJ 1.x puts on the class path; only
 * {@link TfRuntime} reads it.
 */
public final class TfJars {

	/** The private folder, relative to the ImageJ or Fiji.app folder. */
	public static final String PRIVATE_FOLDER = "lib/convlens/tf";

	private static final String JAVA_MARKER = "org/tensorflow/internal/c_api/global/tensorflow.class";
	private static final String NATIVE_PREFIX = "org/tensorflow/internal/c_api/";

	private TfJars() {}

	/** Maven coordinates of a jar. */
	public static final class Coordinates {
		/** groupId, artifactId, version. */
		public final String group, artifact, version;

		Coordinates(String group, String artifact, String version) {
			this.group = group;
			this.artifact = artifact;
			this.version = version;
		}

		/** {@code group:artifact}. */
		public String key() {
			return group + ":" + artifact;
		}

		@Override
		public String toString() {
			return group + ":" + artifact + ":" + version;
		}
	}

	/** The build's list: role (a {@code group:artifact:version}, or {@code native}) in load order. */
	public static List<String> required() {
		Properties p = properties();
		List<String> roles = new ArrayList<>();
		for (String a : p.getProperty("artifacts", "").split(",")) {
			if (!a.trim().isEmpty()) roles.add(a.trim());
		}
		roles.add("native");
		return roles;
	}

	/** The {@code group:artifact:version} of the native jar (also that of the Java part). */
	public static String nativeCoordinates() {
		return properties().getProperty("native");
	}

	/** The TensorFlow Java version of this build. */
	public static String tensorflowVersion() {
		return properties().getProperty("tensorflow.version");
	}

	/**
	 * The coordinates a jar declares (a shaded jar may declare several; a jar without Maven
	 * metadata none). Unreadable files declare none.
	 */
	public static List<Coordinates> coordinates(Path jar) {
		List<Coordinates> out = new ArrayList<>();
		if (!Files.isRegularFile(jar)) return out;
		try (ZipFile z = new ZipFile(jar.toFile())) {
			Enumeration<? extends ZipEntry> en = z.entries();
			while (en.hasMoreElements()) {
				ZipEntry e = en.nextElement();
				String n = e.getName();
				if (!n.startsWith("META-INF/maven/") || !n.endsWith("/pom.properties")) continue;
				Properties p = new Properties();
				try (InputStream in = z.getInputStream(e)) {
					p.load(in);
				}
				String g = p.getProperty("groupId"), a = p.getProperty("artifactId"), v = p.getProperty("version");
				if (g != null && a != null && v != null) out.add(new Coordinates(g.trim(), a.trim(), v.trim()));
			}
		}
		catch (IOException | RuntimeException e) {
			// not a zip, or unreadable: it declares nothing
		}
		return out;
	}

	/**
	 * The role a jar plays in the runtime: one of {@link #required()}'s entries, or null. The
	 * TensorFlow native coordinates name two jars: the Java part (holding the generated C API
	 * class) and, as {@code native}, the one holding {@code platform}'s libraries.
	 */
	public static String role(Path jar, String platform) {
		List<Coordinates> cs = coordinates(jar);
		if (cs.size() != 1) return null;
		String gav = cs.get(0).toString();
		if (gav.equals(nativeCoordinates())) {
			try (ZipFile z = new ZipFile(jar.toFile())) {
				if (z.getEntry(JAVA_MARKER) != null) return gav;
				if (holdsDir(z, NATIVE_PREFIX + platform + "/")) return "native";
				return null;
			}
			catch (IOException e) {
				return null;
			}
		}
		return required().contains(gav) ? gav : null;
	}

	/** Native jars of any platform (for installing every platform a build brought along). */
	public static boolean isNativeJar(Path jar) {
		List<Coordinates> cs = coordinates(jar);
		if (cs.size() != 1 || !cs.get(0).toString().equals(nativeCoordinates())) return false;
		try (ZipFile z = new ZipFile(jar.toFile())) {
			return z.getEntry(JAVA_MARKER) == null && z.stream().anyMatch(e -> e.getName().startsWith(NATIVE_PREFIX) &&
				e.getName().length() > NATIVE_PREFIX.length() && !e.getName().startsWith(NATIVE_PREFIX + "global/"));
		}
		catch (IOException e) {
			return false;
		}
	}

	/**
	 * Picks, from {@code jars} (searched in order; the first match wins), one jar per role of
	 * {@link #required()}. Missing roles are absent from the map.
	 */
	public static Map<String, Path> find(Collection<Path> jars, String platform) {
		List<String> roles = required();
		Map<String, Path> found = new LinkedHashMap<>();
		for (Path j : jars) {
			if (found.size() == roles.size()) break;
			String r = role(j, platform);
			if (r != null && !found.containsKey(r)) found.put(r, j);
		}
		Map<String, Path> ordered = new LinkedHashMap<>();
		for (String r : roles) if (found.containsKey(r)) ordered.put(r, found.get(r));
		return ordered;
	}

	/** The jars directly inside a folder, sorted by name (empty if it is not a folder). */
	public static List<Path> jarsIn(Path dir) {
		List<Path> out = new ArrayList<>();
		if (dir == null || !Files.isDirectory(dir)) return out;
		try (var s = Files.list(dir)) {
			s.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().forEach(out::add);
		}
		catch (IOException | UncheckedIOException | SecurityException e) {
			// unreadable folder: nothing
		}
		return out;
	}

	private static boolean holdsDir(ZipFile z, String dir) {
		if (z.getEntry(dir) != null) return true;
		return z.stream().anyMatch(e -> e.getName().startsWith(dir));
	}

	private static Properties cached;

	private static synchronized Properties properties() {
		if (cached != null) return cached;
		Properties p = new Properties();
		try (InputStream in = TfJars.class.getResourceAsStream("tf-runtime.properties")) {
			if (in == null) throw new IllegalStateException("tf-runtime.properties missing from the ConvLens jar");
			p.load(in);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		cached = p;
		return p;
	}
}
