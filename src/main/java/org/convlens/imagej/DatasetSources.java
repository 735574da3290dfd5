package org.convlens.imagej;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.ImageReader;
import ij.io.Opener;
import ij.io.TiffDecoder;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import org.convlens.explain.dataset.DatasetException;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.model.Preprocessing;

/**
 * The dataset sources of the dataset commands: a folder of image files (optionally recursive,
 * the sub-folder name as label), a list file, or an open stack. Files are opened with ImageJ's
 * {@link Opener} one at a time when the runner asks for them; a file that is not an image, or
 * cannot be read, becomes an entry whose {@code read()} fails with a message saying so, which the
 * runner lists as skipped.
 */
public final class DatasetSources {

	/** Files never offered as images (system clutter). */
	private static final Set<String> IGNORED = Set.of("thumbs.db", "desktop.ini", ".ds_store");

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
					return new FileEntry(f, name, label);
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
			entries.add(new FileEntry(p, file, label));
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
				entries.add(new ImageSource.Entry() {
					@Override
					public String name() {
						return name;
					}

					@Override
					public String label() {
						return null;
					}

					@Override
					public Preprocessing.Planes read() {
						return planes(imp, zz, tt);
					}
				});
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

	/** An image file, opened when read. */
	static final class FileEntry implements ImageSource.Entry {
		private final Path file;
		private final String name;
		private final String label;

		FileEntry(Path file, String name, String label) {
			this.file = file;
			this.name = name;
			this.label = label;
		}

		@Override
		public String name() {
			return name;
		}

		@Override
		public String label() {
			return label;
		}

		public Path file() {
			return file;
		}

		@Override
		public Preprocessing.Planes read() throws IOException {
			Preprocessing.Planes p = plainTiff(file);
			return p != null ? p : planes(open(file));
		}

		@Override
		public String toString() {
			return name;
		}
	}

	/**
	 * The pixels of a plain single-image TIFF (8-bit or 16-bit unsigned grey without a lookup
	 * table or calibration, 32-bit float, or 8-bit RGB), read with ImageJ's own TIFF decoder and
	 * pixel reader but without building an ImagePlus: the same planes as {@code planes(open(file))}
	 * at a fraction of the garbage (ImageJ's opener parses the description into a Properties
	 * object, makes a lookup table and a calibration per file, which dominated the heap churn of
	 * a dataset run). Files up to {@link #IN_ONE_READ} bytes are read in one call and decoded from
	 * memory: ImageJ's decoder reads a file a few bytes per system call, which made reading a
	 * small TIFF take about 15 times as long as the read itself. Null for anything else, which the
	 * caller opens the usual way.
	 */
	static Preprocessing.Planes plainTiff(Path file) {
		return plainTiff(file, IN_ONE_READ);
	}

	/** As {@link #plainTiff(Path)}, files of up to {@code inOneRead} bytes read in one call. */
	static Preprocessing.Planes plainTiff(Path file, long inOneRead) {
		String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
		if (!name.endsWith(".tif") && !name.endsWith(".tiff")) return null;
		try {
			long size = Files.size(file);
			byte[] bytes = null;
			int length = 0;
			if (size <= inOneRead) {
				bytes = size <= REUSED_READ ? READ_BUFFER.get() : null;
				if (bytes == null || bytes.length < size) bytes = new byte[(int) Math.max(size, bytes == null ? 0 : 2L * bytes.length)];
				if (bytes.length <= REUSED_READ) READ_BUFFER.set(bytes);
				try (java.io.InputStream in = Files.newInputStream(file)) {
					length = in.readNBytes(bytes, 0, (int) size);
				}
			}
			FileInfo[] info = bytes != null ? new TiffDecoder(new java.io.ByteArrayInputStream(bytes, 0, length), file.getFileName().toString()).getTiffInfo() :
				new TiffDecoder(file.toAbsolutePath().getParent().toString() + java.io.File.separator, file.getFileName().toString()).getTiffInfo();
			if (info == null || info.length != 1) return null;
			FileInfo fi = info[0];
			// a truncated file goes the usual way, which refuses it
			if (pixelEnd(fi) > size) return null;
			int w = fi.width, h = fi.height, n = w * h;
			if (w < 1 || h < 1 || fi.nImages > 1 || fi.whiteIsZero || fi.lutSize > 0) return null;
			String d = fi.description;
			if (d != null && (d.contains("cf=") || d.contains("channels=") || d.contains("images="))) return null;
			int type = fi.fileType;
			if (type != FileInfo.GRAY8 && type != FileInfo.GRAY16_UNSIGNED && type != FileInfo.GRAY32_FLOAT && type != FileInfo.RGB) return null;
			Object px;
			try (java.io.InputStream in = bytes != null ? new java.io.ByteArrayInputStream(bytes, 0, length) : Files.newInputStream(file)) {
				px = new ImageReader(fi).readPixels(in);
			}
			boolean ok = px instanceof byte[] && type == FileInfo.GRAY8 && ((byte[]) px).length == n ||
				px instanceof short[] && type == FileInfo.GRAY16_UNSIGNED && ((short[]) px).length == n ||
				px instanceof float[] && type == FileInfo.GRAY32_FLOAT && ((float[]) px).length == n ||
				px instanceof int[] && type == FileInfo.RGB && ((int[]) px).length == n;
			// the pixel arrays as read (new arrays nobody else holds): no float copies
			if (ok) return Preprocessing.Planes.ofPixels(new Object[] { px }, w, h);
			return null;
		}
		catch (IOException | RuntimeException e) {
			return null; // the usual opener says what is wrong
		}
	}

	/** Larger plain TIFFs are decoded from the file, not from a copy of it in memory. */
	static final long IN_ONE_READ = 16 << 20;
	/**
	 * Each thread reads files up to this size into one buffer kept for the next file (the pixels
	 * are new arrays: the buffer is free again when {@link #plainTiff} returns).
	 */
	private static final int REUSED_READ = 256 << 10;
	private static final ThreadLocal<byte[]> READ_BUFFER = new ThreadLocal<>();

	/** The first position (all channels) of an image file. */
	static Preprocessing.Planes planes(ImagePlus imp) {
		return planes(imp, 1, 1, false);
	}

	/**
	 * Opens an image file with ImageJ, refusing files that are not images.
	 *
	 * @throws IOException saying what is wrong
	 */
	public static ImagePlus open(Path file) throws IOException {
		if (!Files.isRegularFile(file)) throw new IOException("file not found");
		if (Files.size(file) == 0) throw new IOException("empty file");
		String path = file.toString();
		Opener o = new Opener();
		o.setSilentMode(true);
		int type = o.getFileType(path);
		switch (type) {
			case Opener.TEXT:
			case Opener.JAVA_OR_TEXT:
			case Opener.TABLE:
			case Opener.ROI:
			case Opener.OJJ:
			case Opener.LUT:
				throw new IOException("not an image file (" + typeName(type) + ")");
			case Opener.RAW:
				throw new IOException("raw data without a header cannot be opened as an image");
			default:
		}
		if (type == Opener.TIFF || type == Opener.TIFF_AND_DICOM) truncated(file);
		if (type == Opener.JPEG) jpegEnds(file);
		ImagePlus imp;
		try {
			imp = o.openImage(path);
		}
		catch (RuntimeException e) {
			throw new IOException("cannot be read as an image (" + e.getClass().getSimpleName() +
				(e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
		}
		if (imp == null || imp.getWidth() < 1 || imp.getHeight() < 1) {
			throw new IOException(type == Opener.UNKNOWN ? "not an image format ImageJ can open" :
				"cannot be read as " + typeName(type) + " (damaged or truncated?)");
		}
		return imp;
	}

	/**
	 * Refuses a TIFF whose pixel data would end past the end of the file: ImageJ's reader fills the
	 * missing part with zeros (or stops at the strip it cannot read) and returns the image without
	 * a word.
	 *
	 * @throws IOException "truncated ..." saying how many bytes are missing
	 */
	static void truncated(Path file) throws IOException {
		long size = Files.size(file);
		FileInfo[] info;
		try {
			info = new TiffDecoder(file.toAbsolutePath().getParent().toString() + java.io.File.separator, file.getFileName().toString()).getTiffInfo();
		}
		catch (IOException | RuntimeException e) {
			throw new IOException("cannot be read as TIFF (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) +
				"; damaged or truncated?)", e);
		}
		if (info == null || info.length == 0) throw new IOException("cannot be read as TIFF (damaged or truncated?)");
		long end = 0;
		for (FileInfo fi : info) end = Math.max(end, pixelEnd(fi));
		if (end > size) throw new IOException("truncated: the file has " + size + " bytes but its pixel data ends at byte " + end + "; copy it again");
	}

	/**
	 * Refuses a JPEG without its end-of-image marker near the end: Java's decoder shows a cut-off
	 * file with a grey lower part and no error. In the compressed data a 0xFF byte is always followed
	 * by 0x00 or a restart marker, so FF D9 there is the end marker.
	 */
	static void jpegEnds(Path file) throws IOException {
		long size = Files.size(file);
		int n = (int) Math.min(size, 4096);
		byte[] tail = new byte[n];
		try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file)) {
			ch.position(size - n);
			java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(tail);
			while (b.hasRemaining() && ch.read(b) > 0) {
				// read the whole tail
			}
		}
		for (int i = n - 2; i >= 0; i--) if ((tail[i] & 0xff) == 0xFF && (tail[i + 1] & 0xff) == 0xD9) return;
		throw new IOException("truncated: the JPEG has no end-of-image marker; copy it again");
	}

	/** Where a TIFF image's pixel data ends: its last strip, or (uncompressed, one block) offset + planes x plane size. */
	static long pixelEnd(FileInfo fi) {
		long end = 0;
		// packed types (1-bit, 12-bit) take less than getBytesPerPixel() says: trust their strips only
		boolean packed = fi.fileType == FileInfo.BITMAP || fi.fileType == FileInfo.GRAY12_UNSIGNED;
		if (fi.stripOffsets != null && fi.stripLengths != null && fi.stripOffsets.length > 0 && fi.stripOffsets.length == fi.stripLengths.length) {
			for (int i = 0; i < fi.stripOffsets.length; i++) end = Math.max(end, (fi.stripOffsets[i] & 0xffffffffL) + (fi.stripLengths[i] & 0xffffffffL));
			// ImageJ's own stacks list the strips of the first image only: the rest follow contiguously
			if (fi.nImages > 1 && fi.compression <= FileInfo.COMPRESSION_NONE && !packed) {
				end = Math.max(end, fi.getOffset() + (long) fi.nImages * fi.width * fi.height * fi.getBytesPerPixel() + (fi.nImages - 1) * (long) fi.gapBetweenImages);
			}
			return end;
		}
		if (fi.compression > FileInfo.COMPRESSION_NONE || packed) return 0;
		return fi.getOffset() + (long) Math.max(1, fi.nImages) * fi.width * fi.height * fi.getBytesPerPixel() + (Math.max(1, fi.nImages) - 1) * (long) fi.gapBetweenImages;
	}

	/** Words for ImageJ's file types, for messages. */
	static String typeName(int type) {
		switch (type) {
			case Opener.TEXT:
			case Opener.JAVA_OR_TEXT:
				return "text";
			case Opener.TABLE:
				return "table";
			case Opener.ROI:
				return "ImageJ selection";
			case Opener.OJJ:
				return "ObjectJ project";
			case Opener.LUT:
				return "lookup table";
			case Opener.TIFF:
			case Opener.TIFF_AND_DICOM:
				return "TIFF";
			case Opener.DICOM:
				return "DICOM";
			case Opener.FITS:
				return "FITS";
			case Opener.PGM:
				return "PGM";
			case Opener.JPEG:
				return "JPEG";
			case Opener.GIF:
				return "GIF";
			case Opener.BMP:
				return "BMP";
			case Opener.ZIP:
				return "ZIP";
			case Opener.PNG:
				return "PNG";
			case Opener.AVI:
				return "AVI";
			default:
				return "image";
		}
	}

	/**
	 * Depth-first walk over regular, non-hidden files: each folder's files in name order, then its
	 * sub-folders in name order. Holds one folder listing per level, not the whole tree.
	 */
	static final class FileWalker implements Iterator<Path> {
		private final boolean recursive;
		private final Deque<Iterator<Path>> files = new ArrayDeque<>();
		private final Deque<Iterator<Path>> dirs = new ArrayDeque<>();
		private Path next;

		FileWalker(Path root, boolean recursive) {
			this.recursive = recursive;
			push(root);
			advance();
		}

		private void push(Path dir) {
			List<Path> f = new ArrayList<>();
			List<Path> d = new ArrayList<>();
			try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
				for (Path p : ds) {
					String n = p.getFileName().toString();
					if (n.startsWith(".") || IGNORED.contains(n.toLowerCase(Locale.ROOT))) continue;
					if (Files.isDirectory(p)) d.add(p);
					else if (Files.isRegularFile(p)) f.add(p);
				}
			}
			catch (IOException e) {
				throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
			}
			// by name in code-unit order, the same on every OS and locale (the order --shard cuts)
			java.util.Comparator<Path> byName = java.util.Comparator.comparing(p -> p.getFileName().toString());
			f.sort(byName);
			d.sort(byName);
			files.push(f.iterator());
			dirs.push(recursive ? d.iterator() : List.<Path> of().iterator());
		}

		private void advance() {
			next = null;
			while (!files.isEmpty()) {
				if (files.peek().hasNext()) {
					next = files.peek().next();
					return;
				}
				if (dirs.peek().hasNext()) {
					push(dirs.peek().next());
					continue;
				}
				files.pop();
				dirs.pop();
			}
		}

		@Override
		public boolean hasNext() {
			return next != null;
		}

		@Override
		public Path next() {
			if (next == null) throw new NoSuchElementException();
			Path r = next;
			advance();
			return r;
		}
	}
}
