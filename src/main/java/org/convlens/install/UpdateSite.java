package org.convlens.install;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.GZIPOutputStream;

import org.convlens.model.TfJars;

/**
 * Writes the folder a Fiji update site serves: {@code db.xml.gz} plus every file stored as
 * {@code <path>-<timestamp>} (e.g. {@code plugins/ConvLens_.jar-20261203093000}), the layout
 * that Fiji's updater (imagej-updater's {@code FilesCollection}, {@code XMLFileReader}) downloads
 * from. Copy the folder to any web server (or a sites.imagej.net site) and add its URL in
 * <i>Help &gt; Update... &gt; Manage update sites</i>.
 *
 * <p>The site holds ConvLens's jar in {@code plugins/}, the libraries Fiji does not ship
 * (Smile, bh-tsne) in {@code jars/}, and TensorFlow's runtime in the private
 * {@code lib/convlens/tf/}, its native jar marked with its Fiji platform (linux64, macos-arm64, ...)
 * so that each computer downloads only its own. Fiji's own SciJava, ImgLib2, SLF4J (with Logback)
 * and JNA are left to Fiji.
 *
 * <p>Checksums follow the updater's rules (its current ones, {@code UpdaterUtil.getJarDigest(file,
 * true, true, true)}): SHA-1 over a jar's entries sorted by name, each entry's name (ASCII) then its
 * bytes, where {@code .properties} entries lose the lines that start with {@code #} (Maven's build
 * date) and the manifest contributes no bytes; any other file: SHA-1 of its path then its bytes.
 *
 * <pre>
 * java -cp ConvLens_-VERSION.jar org.convlens.install.UpdateSite OUTPUT_FOLDER [--libs FOLDER]
 * </pre>
 */
public final class UpdateSite {

	/** Groups Fiji ships itself (a second copy from this site would clash with its own). */
	private static final List<String> FIJI_SHIPS = List.of("net.imagej", "org.scijava", "net.imglib2", "org.slf4j", "net.java.dev.jna");
	/** The same, for jars without Maven metadata (JNA's), by artifact name. */
	private static final List<String> FIJI_SHIPS_UNLABELLED = List.of("jna", "jna-platform", "ij");
	private static final String[] SLF4J_PROVIDER = { "META-INF/services/org.slf4j.spi.SLF4JServiceProvider",
		"org/slf4j/impl/StaticLoggerBinder.class" };

	private UpdateSite() {}

	/** Command line: 0 written, 1 failed, 2 wrong usage. */
	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	/** The command line without exiting. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		String usage = "Usage: java -cp ConvLens_.jar org.convlens.install.UpdateSite OUTPUT_FOLDER [--libs FOLDER]";
		Path dir = null, libsDir = null;
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("--libs") && i + 1 < args.length) libsDir = Paths.get(args[++i]);
			else if (!args[i].startsWith("-") && dir == null) dir = Paths.get(args[i]);
			else {
				err.println("Cannot read argument '" + args[i] + "'.\n" + usage);
				return 2;
			}
		}
		if (dir == null) {
			err.println(usage);
			return 2;
		}
		try {
			Path own = Installer.ownJar();
			List<Path> libs = libsDir != null ? Installer.listJars(libsDir) : Installer.buildClasspath(own);
			Map<String, Path> files = write(dir, own, libs, timestamp(LocalDateTime.now()));
			out.println("Update site with " + files.size() + " files written to " + dir + " (upload the folder's contents as they are)");
			return 0;
		}
		catch (Installer.InstallException | IOException | RuntimeException e) {
			err.println("ConvLens update site: " + (e instanceof Installer.InstallException ? e.getMessage() : e.toString()));
			return 1;
		}
	}

	/** yyyyMMddHHmmss, as the updater writes timestamps. */
	static String timestamp(LocalDateTime t) {
		return t.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT));
	}

	/**
	 * Writes the site into {@code dir} (which must be empty or absent); returns the site's files
	 * (path on the site, e.g. {@code jars/smile-core-2.6.0.jar}) and their sources.
	 */
	public static Map<String, Path> write(Path dir, Path convlensJar, List<Path> libs, String timestamp) throws IOException {
		if (Files.isDirectory(dir)) {
			try (var s = Files.list(dir)) {
				if (s.findAny().isPresent()) throw new IOException(dir + " is not empty; give a new folder");
			}
		}
		Map<String, Path> files = new LinkedHashMap<>();
		Map<String, String> platforms = new LinkedHashMap<>();
		files.put(Installer.PLUGIN_JAR, convlensJar);
		for (Path lib : libs) {
			String name = lib.getFileName().toString();
			if (TfJars.role(lib, "") != null) {
				files.put(TfJars.PRIVATE_FOLDER + "/" + name, lib);
				continue;
			}
			if (TfJars.isNativeJar(lib)) {
				String f = TfJars.PRIVATE_FOLDER + "/" + name;
				files.put(f, lib);
				String p = fijiPlatform(name);
				if (p != null) platforms.put(f, p);
				continue;
			}
			List<String[]> cs = InstallJars.coordinates(lib);
			if (cs.size() == 1 && (FIJI_SHIPS.contains(cs.get(0)[0]) || cs.get(0)[0].equals("?") && FIJI_SHIPS_UNLABELLED.contains(cs.get(0)[1]))) continue;
			if (holdsAny(lib, SLF4J_PROVIDER)) continue;
			files.put("jars/" + name, lib);
		}
		StringBuilder xml = new StringBuilder();
		xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		xml.append("<!DOCTYPE pluginRecords [\n")
			.append("<!ELEMENT pluginRecords (plugin*)>\n")
			.append("<!ELEMENT plugin (platform*, category*, version?, previous-version*)>\n")
			.append("<!ELEMENT version (description?, dependency*, link*, author*)>\n")
			.append("<!ELEMENT previous-version EMPTY>\n<!ELEMENT description (#PCDATA)>\n<!ELEMENT dependency EMPTY>\n")
			.append("<!ELEMENT link (#PCDATA)>\n<!ELEMENT author (#PCDATA)>\n<!ELEMENT platform (#PCDATA)>\n<!ELEMENT category (#PCDATA)>\n")
			.append("<!ATTLIST plugin filename CDATA #REQUIRED>\n<!ATTLIST plugin executable CDATA #IMPLIED>\n")
			.append("<!ATTLIST dependency filename CDATA #REQUIRED>\n<!ATTLIST dependency timestamp CDATA #IMPLIED>\n")
			.append("<!ATTLIST dependency overrides CDATA #IMPLIED>\n<!ATTLIST version timestamp CDATA #REQUIRED>\n")
			.append("<!ATTLIST version checksum CDATA #REQUIRED>\n<!ATTLIST version filesize CDATA #REQUIRED>\n")
			.append("<!ATTLIST previous-version filename CDATA #IMPLIED>\n<!ATTLIST previous-version timestamp CDATA #REQUIRED>\n")
			.append("<!ATTLIST previous-version timestamp-obsolete CDATA #IMPLIED>\n<!ATTLIST previous-version checksum CDATA #REQUIRED>]>\n");
		xml.append("<pluginRecords>\n");
		for (Map.Entry<String, Path> e : files.entrySet()) {
			String f = e.getKey();
			Path src = e.getValue();
			Path dst = dir.resolve(f + "-" + timestamp);
			Files.createDirectories(dst.getParent());
			Files.copy(src, dst);
			xml.append("  <plugin filename=\"").append(esc(f)).append("\">\n");
			if (platforms.containsKey(f)) xml.append("    <platform>").append(platforms.get(f)).append("</platform>\n");
			xml.append("    <category>ConvLens</category>\n");
			xml.append("    <version checksum=\"").append(checksum(f, src)).append("\" timestamp=\"").append(timestamp)
				.append("\" filesize=\"").append(Files.size(src)).append("\">\n");
			if (f.equals(Installer.PLUGIN_JAR)) {
				xml.append("      <description>").append(esc("ConvLens: see what a convolutional network has learned, on the image you have open " +
					"(activations, filter patterns, class-activation maps, saliency, occlusion, embeddings) for TensorFlow SavedModels. " +
					"TensorFlow's runtime lives in lib/convlens/tf, off Fiji's class path. Needs Java 11+.")).append("</description>\n");
				for (String d : files.keySet()) {
					if (!d.equals(f) && !platforms.containsKey(d)) {
						xml.append("      <dependency filename=\"").append(esc(d)).append("\" timestamp=\"").append(timestamp).append("\"/>\n");
					}
				}
				xml.append("      <author>ConvLens developers</author>\n");
			}
			xml.append("    </version>\n  </plugin>\n");
		}
		xml.append("</pluginRecords>\n");
		try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("db.xml.gz")))) {
			out.write(xml.toString().getBytes(StandardCharsets.UTF_8));
		}
		return files;
	}

	/** Fiji's platform name for a javacpp classifier in a file name (linux-x86_64 -> linux64), or null. */
	static String fijiPlatform(String fileName) {
		String[][] map = { { "linux-x86_64", "linux64" }, { "linux-arm64", "linux-arm64" }, { "macosx-x86_64", "macos64" },
			{ "macosx-arm64", "macos-arm64" }, { "windows-x86_64", "win64" } };
		for (String[] m : map) if (fileName.contains(m[0])) return m[1];
		return null;
	}

	/** The updater's checksum of a file at {@code path} on the site (see the class comment). */
	public static String checksum(String path, Path file) throws IOException {
		MessageDigest md = sha1();
		if (!path.endsWith(".jar")) {
			md.update(path.getBytes(StandardCharsets.US_ASCII));
			md.update(Files.readAllBytes(file));
			return hex(md.digest());
		}
		try (JarFile jar = new JarFile(file.toFile())) {
			List<JarEntry> entries = Collections.list(jar.entries());
			entries.sort((a, b) -> a.getName().compareTo(b.getName()));
			for (JarEntry e : entries) {
				md.update(e.getName().getBytes(StandardCharsets.US_ASCII));
				if (e.getName().equals("META-INF/MANIFEST.MF")) continue; // the updater keeps only a (never matching) Main-Class line
				try (InputStream in = jar.getInputStream(e)) {
					byte[] b = in.readAllBytes();
					md.update(e.getName().endsWith(".properties") ? withoutHashLines(b) : b);
				}
			}
		}
		return hex(md.digest());
	}

	/**
	 * The bytes of a {@code .properties} entry as the updater reads them: a {@code #} where it
	 * believes a line starts swallows the rest of that line but its newline. Its belief has a
	 * quirk kept here: a newline read while at a line start (an empty line, or a lone {@code #})
	 * does not start a new line, so a comment right after it counts.
	 */
	static byte[] withoutHashLines(byte[] in) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
		HashLineReader r = new HashLineReader(in);
		for (int ch; (ch = r.read()) >= 0;) out.write(ch);
		return out.toByteArray();
	}

	private static final class HashLineReader {
		private final byte[] in;
		private int pos;
		private boolean lineStart = true;

		HashLineReader(byte[] in) {
			this.in = in;
		}

		int read() {
			int ch = pos < in.length ? in[pos++] & 0xff : -1;
			if (lineStart) {
				if (ch == '#') {
					do ch = read(); while (ch != '\n' && ch != -1);
				}
				else lineStart = false;
			}
			else if (ch == '\n') lineStart = true;
			return ch;
		}
	}

	private static boolean holdsAny(Path jar, String[] entries) {
		try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar.toFile())) {
			for (String e : entries) if (z.getEntry(e) != null) return true;
		}
		catch (IOException e) {
			// not a jar
		}
		return false;
	}

	private static MessageDigest sha1() {
		try {
			return MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String hex(byte[] b) {
		StringBuilder sb = new StringBuilder();
		for (byte x : b) sb.append(String.format(Locale.ROOT, "%02x", x));
		return sb.toString();
	}

	private static String esc(String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;").replace(">", "&gt;");
	}
}
