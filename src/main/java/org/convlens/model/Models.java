package org.convlens.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Entry point for opening models without a SciJava context: resolves a SavedModel directory or
 * {@code .zip}, checks that it looks like a SavedModel, and hands it to the TensorFlow factory
 * loaded by {@link TfRuntime}.
 */
public final class Models {

	private Models() {}

	/** Opens a SavedModel directory or zip with default options. */
	public static ConvModel open(Path path) {
		return open(path, LoadOptions.DEFAULT);
	}

	/**
	 * Opens a SavedModel directory or zip. A zip is extracted once, into a temporary folder that
	 * is deleted when the load fails and otherwise when the JVM exits.
	 */
	public static ConvModel open(Path path, LoadOptions options) {
		Path dir = resolve(path, options);
		try {
			return TfRuntime.factory().open(dir, options);
		}
		catch (RuntimeException | Error e) {
			discard(dir);
			throw e;
		}
	}

	/** {@link #resolve(Path, LoadOptions)} with the default zip limits. */
	public static Path resolve(Path path) {
		return resolve(path, LoadOptions.DEFAULT);
	}

	/**
	 * Checks the path and returns the SavedModel directory: the directory itself, or for a zip the
	 * folder it was extracted to (a temporary folder deleted at exit, or by {@link #discard}).
	 *
	 * @throws ModelException with a message naming what is missing
	 */
	public static Path resolve(Path path, LoadOptions options) {
		if (path == null) throw new ModelException("No model path given.");
		if (!Files.exists(path)) throw new ModelException("Model path does not exist: " + path);
		Path dir = path;
		if (Files.isRegularFile(path)) {
			if (path.getFileName().toString().toLowerCase().endsWith(".zip")) {
				Path root = extractZip(path, options.zipMaxBytes(), options.zipMaxEntries());
				try {
					dir = checkDir(findModelDir(root));
				}
				catch (RuntimeException e) {
					discard(root);
					throw e;
				}
			}
			else if (path.getFileName().toString().equals("saved_model.pb")) {
				dir = path.toAbsolutePath().getParent();
			}
			else {
				throw new ModelException("Not a SavedModel: " + path + " (expected a folder with saved_model.pb, or a .zip of one)");
			}
		}
		return checkDir(dir);
	}

	private static Path checkDir(Path dir) {
		if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
			if (Files.isRegularFile(dir.resolve("saved_model.pbtxt"))) {
				throw new ModelException("Text SavedModels (saved_model.pbtxt) are not supported; re-export in binary form: " + dir);
			}
			throw new ModelException("No saved_model.pb in " + dir + ": this is not a TensorFlow SavedModel folder.");
		}
		return dir.toAbsolutePath().normalize();
	}

	/** A zip may hold the model at its root or inside one folder. */
	private static Path findModelDir(Path root) {
		if (Files.isRegularFile(root.resolve("saved_model.pb"))) return root;
		try (var s = Files.walk(root, 3)) {
			return s.filter(p -> p.getFileName().toString().equals("saved_model.pb")).map(Path::getParent).findFirst()
				.orElseThrow(() -> new ModelException("The zip holds no saved_model.pb."));
		}
		catch (IOException e) {
			throw new ModelException("Cannot read extracted zip: " + e.getMessage(), e);
		}
	}

	/** {@link #extractZip(Path, long, int)} with the default limits. */
	public static Path extractZip(Path zip) {
		return extractZip(zip, LoadOptions.DEFAULT.zipMaxBytes(), LoadOptions.DEFAULT.zipMaxEntries());
	}

	/**
	 * Extracts a zip into a fresh temporary folder, refusing entries that would land outside it
	 * (zip slip), more than {@code maxEntries} entries, and more than {@code maxBytes} bytes in
	 * all, counted as they are written (a zip's declared sizes are not trusted). On any failure the
	 * folder is deleted.
	 */
	public static Path extractZip(Path zip, long maxBytes, int maxEntries) {
		Path target;
		try {
			target = Files.createTempDirectory("convlens-model-");
		}
		catch (IOException e) {
			throw new ModelException("Cannot create a temporary folder to extract " + zip + ": " + e.getMessage(), e);
		}
		TEMP.add(target);
		try {
			Path root = target.toRealPath();
			long total = 0;
			int entries = 0;
			byte[] buf = new byte[1 << 16];
			try (ZipFile zf = new ZipFile(zip.toFile())) {
				Enumeration<? extends ZipEntry> en = zf.entries();
				while (en.hasMoreElements()) {
					ZipEntry e = en.nextElement();
					if (++entries > maxEntries) {
						throw new ModelException("Refusing model zip " + zip + ": it has more than " + maxEntries + " entries (a higher limit: start " +
							"ImageJ with -D" + LoadOptions.ZIP_MAX_ENTRIES_PROPERTY + "=N). Unzip it yourself and open the folder if you trust it.");
					}
					Path out = root.resolve(e.getName()).normalize();
					if (!out.startsWith(root)) {
						throw new ModelException("Refusing zip entry outside the target folder (zip slip): " + e.getName());
					}
					if (e.isDirectory()) {
						Files.createDirectories(out);
						continue;
					}
					Files.createDirectories(out.getParent());
					try (InputStream in = zf.getInputStream(e);
						java.io.OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
					{
						for (int n = in.read(buf); n > 0; n = in.read(buf)) {
							total += n;
							if (total > maxBytes) {
								throw new ModelException("Refusing model zip " + zip + ": it inflates to more than " + maxBytes + " bytes (at entry " +
									e.getName() + "; a higher limit: start ImageJ with -D" + LoadOptions.ZIP_MAX_BYTES_PROPERTY + "=N). Unzip it " +
									"yourself and open the folder if you trust it.");
							}
							o.write(buf, 0, n);
						}
					}
				}
			}
			return root;
		}
		catch (IOException | RuntimeException e) {
			discard(target);
			if (e instanceof ModelException) throw (ModelException) e;
			throw new ModelException("Cannot extract model zip " + zip + ": " + e.getMessage(), e);
		}
	}

	/** Temporary folders of extracted zips, deleted at exit if still there. */
	private static final Set<Path> TEMP = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			for (Path p : TEMP) deleteTree(p);
		}, "ConvLens: delete extracted models"));
	}

	/**
	 * Deletes the temporary folder a zip was extracted to, if {@code dir} lies in one (any other
	 * path is left alone): after a failed load, or when a cache drops a model it no longer uses.
	 */
	public static void discard(Path dir) {
		if (dir == null) return;
		for (Path t : TEMP) {
			boolean inside;
			try {
				inside = dir.toAbsolutePath().normalize().startsWith(t) || dir.toAbsolutePath().normalize().startsWith(t.toRealPath());
			}
			catch (IOException e) {
				inside = dir.toAbsolutePath().normalize().startsWith(t);
			}
			if (inside) {
				deleteTree(t);
				TEMP.remove(t);
			}
		}
	}

	/** Whether {@code dir} lies in a temporary folder of an extracted zip that still exists. */
	static boolean isExtracted(Path dir) {
		for (Path t : TEMP) if (dir.toAbsolutePath().normalize().startsWith(t)) return true;
		return false;
	}

	private static void deleteTree(Path root) {
		if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
		try (var s = Files.walk(root)) {
			s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException | java.io.UncheckedIOException ignored) {
			// best effort: what is left is in the temp folder
		}
	}
}
