package org.convlens.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.convlens.model.TfJars;

/** What the {@link Installer} reads from jars: checksums, Maven coordinates, versions, the native platform. */
public final class InstallJars {

	private InstallJars() {}

	/** SHA-256 of a file, hex. */
	public static String sha256(Path f) throws IOException {
		try {
			MessageDigest md = MessageDigest.getInstance("SHA-256");
			try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
				in.transferTo(java.io.OutputStream.nullOutputStream());
			}
			StringBuilder sb = new StringBuilder();
			for (byte b : md.digest()) sb.append(String.format(Locale.ROOT, "%02x", b));
			return sb.toString();
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Every jar below a folder (skipping the installer's staging folders). */
	public static List<Path> jarsUnder(Path dir) {
		if (!Files.isDirectory(dir)) return List.of();
		try (Stream<Path> s = Files.walk(dir)) {
			return s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
				.filter(p -> !p.toString().contains(Installer.STAGING_PREFIX)).sorted().collect(Collectors.toList());
		}
		catch (IOException | UncheckedIOException e) {
			return List.of();
		}
	}

	static List<Path> jarsNamed(Path dir, String prefix) {
		return TfJars.jarsIn(dir).stream().filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toList());
	}

	/** group, artifact, version from the jar's Maven metadata, else from its name (artifact-version.jar). */
	static List<String[]> coordinates(Path jar) {
		List<String[]> out = new ArrayList<>();
		for (TfJars.Coordinates c : TfJars.coordinates(jar)) out.add(new String[] { c.group, c.artifact, c.version });
		if (out.isEmpty()) {
			String n = jar.getFileName().toString().replaceFirst("\\.jar$", "");
			java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.+?)-(\\d[\\w.\\-]*)").matcher(n);
			if (m.matches()) out.add(new String[] { "?", m.group(1), m.group(2) });
		}
		return out;
	}

	static boolean isConvLensJar(Path jar) {
		return holdsAny(jar, new String[] { Installer.OWN_CLASS });
	}

	static boolean holdsAny(Path jar, String[] entries) {
		try (ZipFile z = new ZipFile(jar.toFile())) {
			for (String e : entries) if (z.getEntry(e) != null) return true;
		}
		catch (IOException | RuntimeException e) {
			// not a jar
		}
		return false;
	}

	/** Platform of the native jar among the libraries (javacpp naming), for checking completeness. */
	static String platformOfBuild(List<Path> libs) {
		for (Path l : libs) {
			if (!TfJars.isNativeJar(l)) continue;
			try (ZipFile z = new ZipFile(l.toFile())) {
				return z.stream().map(e -> e.getName()).filter(n -> n.startsWith("org/tensorflow/internal/c_api/") && n.length() > 30)
					.map(n -> n.substring(30).split("/")[0]).filter(s -> s.contains("-")).findFirst().orElse("");
			}
			catch (IOException e) {
				return "";
			}
		}
		return "";
	}

	static String major(String v) {
		return v.split("[.\\-]")[0];
	}

	/** Numeric-aware version order: 2.0.17 > 2.0.9, 1.5.11 > 1.5.10. */
	static int compareVersions(String a, String b) {
		String[] x = a.split("[.\\-]"), y = b.split("[.\\-]");
		for (int i = 0; i < Math.max(x.length, y.length); i++) {
			String p = i < x.length ? x[i] : "0", q = i < y.length ? y[i] : "0";
			int c;
			if (p.matches("\\d+") && q.matches("\\d+")) c = Long.compare(Long.parseLong(p), Long.parseLong(q));
			else c = p.compareTo(q);
			if (c != 0) return c;
		}
		return 0;
	}
}
