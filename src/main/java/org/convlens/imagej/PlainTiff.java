package org.convlens.imagej;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import ij.io.FileInfo;
import ij.io.ImageReader;
import ij.io.TiffDecoder;

import org.convlens.model.Preprocessing;

/**
 * The fast path for reading a dataset's images: plain single-image TIFFs decoded without an
 * ImagePlus (see {@link #plainTiff(Path)}); anything else is left to {@link ImageFiles#open}.
 */
final class PlainTiff {

	private PlainTiff() {}

	/**
	 * The pixels of a plain single-image TIFF (8-bit or 16-bit unsigned grey without a lookup
	 * table or calibration, 32-bit float, or 8-bit RGB), read with ImageJ's own TIFF decoder and
	 * pixel reader but without building an ImagePlus: the same planes as {@code DatasetSources.planes(ImageFiles.open(file))}
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
			if (ImageFiles.pixelEnd(fi) > size) return null;
			int w = fi.width, h = fi.height, n = w * h;
			if (w < 1 || h < 1 || fi.nImages > 1 || fi.whiteIsZero || fi.lutSize > 0) return null;
			// a header declaring more than Java holds: the usual way refuses it, naming the size
			if ((long) w * h * Math.max(1, fi.getBytesPerPixel()) > Runtime.getRuntime().maxMemory()) return null;
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
		catch (IOException | RuntimeException | OutOfMemoryError e) {
			return null; // the usual opener says what is wrong (a header declaring tables larger than the heap included)
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
}
