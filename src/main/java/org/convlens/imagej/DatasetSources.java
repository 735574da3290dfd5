package org.convlens.imagej;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.Opener;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import org.convlens.explain.dataset.DatasetException;
import org.convlens.explain.dataset.ImageEntry;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.model.Preprocessing;

/**
 * The dataset sources of the dataset commands: a folder of image files (optionally recursive,
 * the sub-folder name as label), a list file, or an open stack. Files are opened with ImageJ's
 * {@link Opener} one at a time when the runner asks for them; a file that is not an image, or
 * cannot be read, becomes an entry whose {@code read()} fails with a message saying so, which the
 * runner lists as skipped. The folder walk is {@link FileWalker}'s, the reading of a file
 * {@link ImageFiles}' (with {@link PlainTiff}'s fast path for plain TIFFs).
 */
public final class DatasetSources {

	private DatasetSources() {}

	/**
	 * The image files of a folder, in name order, sub-folders after the files of their parent.
	 *
	 * @param recursive include sub-folders (at any depth)
	 * @param labelsFromFolders label each image with the name of the folder it is in (images
	 *        directly in {@code dir} get no label)
	 * @throws DatasetException if the folder does not exist
	 */
	public static ImageSource folder(Path dir, boolean recursive, boolean labelsFromFolders) {
		if (dir == null || !Files.isDirectory(dir)) throw new DatasetException("Not a folder: " + dir);
		Path root = dir.toAbsolutePath().normalize();
		int count = 0;
		for (Iterator<Path> it = new FileWalker(root, recursive); it.hasNext(); it.next()) count++;
		int size = count;
		String desc = "folder " + root + (recursive ? " (with sub-folders)" : "");
		return ImageSource.of(desc, size, () -> {
			FileWalker w = new FileWalker(root, recursive);
			return new Iterator<>() {
				@Override
				public boolean hasNext() {
					return w.hasNext();
				}

				@Override
				public ImageSource.Entry next() {
					Path f = w.next();
					String name = root.relativize(f).toString().replace('\\', '/');
					String label = null;
					if (labelsFromFolders && !f.getParent().equals(root)) label = f.getParent().getFileName().toString();
					return ImageFiles.entry(f, name, label);
				}
			};
		});
	}

	/**
	 * Images named in a text file, one per line: a path (absolute, or relative to the list file's
	 * folder), optionally followed by a comma or tab and a label. Blank lines and lines starting
	 * with {@code #} are ignored, and so is a first line {@code file,label} (or {@code path},
	 * {@code name}, {@code image}).
	 */
	public static ImageSource listFile(Path list) {
		if (list == null || !Files.isRegularFile(list)) throw new DatasetException("No such list file: " + list);
		List<String> lines;
		try {
			lines = Files.readAllLines(list, StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new DatasetException("Cannot read the list file " + list + ": " + e.getMessage(), e);
		}
		Path base = list.toAbsolutePath().getParent();
		List<ImageSource.Entry> entries = new ArrayList<>();
		boolean first = true;
		for (String raw : lines) {
			String line = raw.strip();
			if (line.isEmpty() || line.startsWith("#")) continue;
			String[] parts = line.split("[,\t]", 2);
			String file = unquote(parts[0].strip());
			String label = parts.length > 1 ? unquote(parts[1].strip()) : null;
			if (label != null && label.isEmpty()) label = null;
			if (first && Set.of("file", "path", "name", "image", "filename").contains(file.toLowerCase(Locale.ROOT))) {
				first = false;
				continue;
			}
			first = false;
			Path p = base.resolve(file).normalize();
			entries.add(ImageFiles.entry(p, file, label));
		}
		return ImageSource.of("list " + list.toAbsolutePath().normalize(), entries);
	}

	/**
	 * The positions of an open image as a dataset: every (slice, frame) with all its channels,
	 * named by the slice label (or {@code z=.., t=..}). The pixels are copied when read, so the
	 * image is never changed.
	 */
	public static ImageSource stack(ImagePlus imp) {
		if (imp == null) throw new DatasetException("No image is open.");
		int nz = imp.getNSlices();
		int nt = imp.getNFrames();
		List<ImageSource.Entry> entries = new ArrayList<>();
		for (int t = 1; t <= nt; t++) {
			for (int z = 1; z <= nz; z++) {
				int zz = z, tt = t;
				String label = imp.getStack().getShortSliceLabel(imp.getStackIndex(1, z, t));
				String name = label != null && !label.isBlank() ? label : nt > 1 ? "z=" + z + " t=" + t : "slice " + z;
				entries.add(new ImageEntry(name, null, () -> planes(imp, zz, tt)));
			}
		}
		return ImageSource.of("image " + imp.getTitle() + " (" + entries.size() + " images)", entries);
	}

	/**
	 * The channels at slice {@code z}, frame {@code t} (1-based), backed by copies of ImageJ's
	 * pixel arrays ({@link Preprocessing.Planes#ofPixels}): the open image is never changed, and a
	 * copy of 8-bit or RGB pixels is a quarter of the float planes it used to be.
	 */
	public static Preprocessing.Planes planes(ImagePlus imp, int z, int t) {
		return planes(imp, z, t, true);
	}

	/** As {@link #planes(ImagePlus, int, int)}; {@code copy} false for an image nobody else holds (a file just opened). */
	private static Preprocessing.Planes planes(ImagePlus imp, int z, int t, boolean copy) {
		int w = imp.getWidth(), h = imp.getHeight();
		ImageStack st = imp.getStack();
		if (imp.getType() == ImagePlus.COLOR_RGB || imp.getType() == ImagePlus.COLOR_256) {
			ImageProcessor ip = st.getProcessor(imp.getStackIndex(1, z, t));
			boolean converted = !(ip instanceof ColorProcessor);
			ColorProcessor cp = converted ? (ColorProcessor) ip.convertToRGB() : (ColorProcessor) ip;
			int[] px = (int[]) cp.getPixels();
			return Preprocessing.Planes.ofPixels(new Object[] { copy && !converted ? px.clone() : px }, w, h);
		}
		int nc = imp.getNChannels();
		Object[] ch = new Object[nc];
		for (int c = 1; c <= nc; c++) {
			ImageProcessor ip = st.getProcessor(imp.getStackIndex(c, z, t));
			Object px = ip.getPixels();
			if (px instanceof byte[]) ch[c - 1] = copy ? ((byte[]) px).clone() : px;
			else if (px instanceof short[]) ch[c - 1] = copy ? ((short[]) px).clone() : px;
			else if (px instanceof float[]) ch[c - 1] = copy ? ((float[]) px).clone() : px;
			else ch[c - 1] = ip.convertToFloat().getPixels();
		}
		double max = imp.getBitDepth() == 8 ? 255 : imp.getBitDepth() == 16 ? 65535 : 1;
		Class<?> type = ch[0].getClass();
		boolean oneType = true;
		for (Object o : ch) oneType &= o.getClass() == type;
		Preprocessing.Planes p = oneType ? Preprocessing.Planes.ofPixels(ch, w, h) : null;
		if (p != null && p.typeMax == max) return p;
		// pixel arrays that do not say the image's type (not expected from ImageJ): float planes as before
		float[][] f = new float[nc][];
		for (int c = 1; c <= nc; c++) f[c - 1] = (float[]) st.getProcessor(imp.getStackIndex(c, z, t)).convertToFloat().getPixels();
		return new Preprocessing.Planes(f, w, h, max, false);
	}

	private static String unquote(String s) {
		return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).replace("\"\"", "\"") : s;
	}

	/** The first position (all channels) of an image file just opened (its pixels are not copied). */
	static Preprocessing.Planes planes(ImagePlus imp) {
		return planes(imp, 1, 1, false);
	}

	/**
	 * Opens an image file with ImageJ, refusing files that are not images.
	 *
	 * @throws IOException saying what is wrong
	 */
	public static ImagePlus open(Path file) throws IOException {
		return ImageFiles.open(file);
	}
}
