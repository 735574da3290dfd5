package org.convlens.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the small text files beside a SavedModel ({@code labels.txt}, {@code classes.txt},
 * {@code preprocessing.txt}) as data from inside the model folder: a file that is a link to
 * somewhere outside the folder, not a regular file, too large or binary is refused, so a model
 * cannot make ConvLens copy another file's contents into its outputs.
 */
public final class ModelFiles {

	/** Cap for a class-name list (about 20,000 names of 50 characters). */
	public static final long MAX_LABELS_BYTES = 1 << 20;
	/** Cap for a preprocessing spec. */
	public static final long MAX_SPEC_BYTES = 64 << 10;

	private ModelFiles() {}

	/**
	 * The text of {@code dir/name}, or null when there is no such file.
	 *
	 * @throws ModelException naming the file, what is wrong and what to do
	 */
	public static String readText(Path dir, String name, long maxBytes) {
		Path p = dir.resolve(name);
		BasicFileAttributes a;
		try {
			a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
		}
		catch (java.nio.file.NoSuchFileException e) {
			return null;
		}
		catch (IOException e) {
			throw new ModelException("Cannot read " + p + ": " + e.getMessage() + ". Check its permissions.", e);
		}
		Path real;
		try {
			real = p.toRealPath();
			Path inside = dir.toRealPath();
			if (a.isSymbolicLink() && !real.startsWith(inside)) {
				throw new ModelException(p + " is a link to " + real + ", outside the model folder; ConvLens reads " + name +
					" only from inside the model folder. Copy the file into the folder instead of linking it.");
			}
		}
		catch (IOException e) {
			throw new ModelException(p + " cannot be resolved (a broken link?): " + e.getMessage() + ". Replace it with a plain text file.", e);
		}
		if (!Files.isRegularFile(real)) {
			throw new ModelException(p + " is not a regular file; " + name + " must be a plain text file in the model folder.");
		}
		try (InputStream in = Files.newInputStream(real)) {
			// read one byte more than allowed: the size may change while reading
			byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
			if (b.length > maxBytes) {
				throw new ModelException(p + " is larger than " + maxBytes + " bytes, too large for a " + name + "; is it the right file?");
			}
			for (byte x : b) {
				if (x == 0) throw new ModelException(p + " is not a text file (it holds NUL bytes); " + name + " must be plain UTF-8 text.");
			}
			return new String(b, StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new ModelException("Cannot read " + p + ": " + e.getMessage(), e);
		}
	}
}
