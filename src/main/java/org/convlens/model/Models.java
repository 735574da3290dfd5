package org.convlens.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

	public static ConvModel open(Path path, LoadOptions options) {
		Path dir = resolve(path);
		return TfRuntime.factory().open(dir, options);
	}

	/**
	 * Checks the path and returns the SavedModel directory: the directory itself, or for a zip the
	 * folder it was extracted to (a temporary folder deleted at exit).
	 *
	 * @throws ModelException with a message naming what is missing
	 */
	public static Path resolve(Path path) {
		if (path == null) throw new ModelException("No model path given.");
		if (!Files.exists(path)) throw new ModelException("Model path does not exist: " + path);
		Path dir = path;
		if (Files.isRegularFile(path)) {
			if (path.getFileName().toString().toLowerCase().endsWith(".zip")) {
				dir = findModelDir(extractZip(path));
			}
			else if (path.getFileName().toString().equals("saved_model.pb")) {
				dir = path.toAbsolutePath().getParent();
			}
			else {
				throw new ModelException("Not a SavedModel: " + path + " (expected a folder with saved_model.pb, or a .zip of one)");
			}
		}
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

	/**
	 * Extracts a zip into a fresh temporary folder, refusing entries that would land outside it
	 * (zip slip).
	 */
	public static Path extractZip(Path zip) {
		try {
			Path target = Files.createTempDirectory("convlens-model-");
			Path root = target.toRealPath();
			try (ZipFile zf = new ZipFile(zip.toFile())) {
				Enumeration<? extends ZipEntry> en = zf.entries();
				while (en.hasMoreElements()) {
					ZipEntry e = en.nextElement();
					Path out = root.resolve(e.getName()).normalize();
					if (!out.startsWith(root)) {
						throw new ModelException("Refusing zip entry outside the target folder (zip slip): " + e.getName());
					}
					if (e.isDirectory()) {
						Files.createDirectories(out);
					}
					else {
						Files.createDirectories(out.getParent());
						try (InputStream in = zf.getInputStream(e)) {
							Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
						}
					}
				}
			}
			deleteOnExit(root);
			return root;
		}
		catch (IOException e) {
			throw new ModelException("Cannot extract model zip " + zip + ": " + e.getMessage(), e);
		}
	}

	private static void deleteOnExit(Path root) {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try (var s = Files.walk(root)) {
				s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
			catch (IOException ignored) {
				// best effort: a temp folder left behind is harmless
			}
		}));
	}
}
