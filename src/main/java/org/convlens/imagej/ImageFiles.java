package org.convlens.imagej;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ij.ImagePlus;
import ij.io.FileInfo;
import ij.io.Opener;
import ij.io.TiffDecoder;

import org.convlens.explain.dataset.ImageEntry;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.model.Preprocessing;

/**
 * Opening one image file of a dataset: plain TIFFs through {@link PlainTiff}, the rest with
 * ImageJ's {@link Opener}, refusing with a one-line reason what is not an image, a truncated TIFF
 * or JPEG, or a file ImageJ cannot read.
 */
final class ImageFiles {

	private ImageFiles() {}

	/** An image file as a dataset entry, opened when read. */
	static ImageSource.Entry entry(Path file, String name, String label) {
		return new ImageEntry(name, label, () -> read(file));
	}

	/** The first position (all channels) of an image file. */
	static Preprocessing.Planes read(Path file) throws IOException {
		Preprocessing.Planes p = PlainTiff.plainTiff(file);
		return p != null ? p : DatasetSources.planes(open(file));
	}

	/**
	 * Opens an image file with ImageJ, refusing files that are not images.
	 *
	 * @throws IOException saying what is wrong
	 */
	static ImagePlus open(Path file) throws IOException {
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
		if (type == Opener.PNG) pngEnds(file);
		if (type == Opener.PNG || type == Opener.JPEG || type == Opener.GIF || type == Opener.BMP) ImageHeaders.checkOther(file, type);
		// ImageJ hands an unknown format to HandleExtraFileTypes (Fiji: Bio-Formats, ...), and where there is
		// none it prints "Unsupported format or file not found" on the console beside this refusal
		if (type == Opener.UNKNOWN && !plugin("HandleExtraFileTypes")) throw new IOException("not an image format ImageJ can open");
		ImagePlus imp;
		try {
			imp = type == Opener.JPEG ? jpeg(file) : null;
			if (imp == null) imp = o.openImage(path);
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
	 * A JPEG decoded with ImageIO into what ImageJ's opener makes of it (the same pixels, 8-bit when
	 * all three channels are equal, the same file info), or null for a kind ImageIO does not decode
	 * (e.g. CMYK) or one ImageJ may turn by its EXIF orientation (Fiji's Exif_Reader), left to ImageJ
	 * once ImageIO has decoded it. ImageJ decodes through AWT's toolkit, whose fetcher thread prints
	 * the stack trace of a damaged file on the console; here it is one line.
	 *
	 * @throws IOException "cannot be read as JPEG (what the decoder says; damaged or truncated?)"
	 */
	static ImagePlus jpeg(Path file) throws IOException {
		java.awt.image.BufferedImage bi;
		try {
			bi = javax.imageio.ImageIO.read(file.toFile());
		}
		catch (javax.imageio.IIOException e) {
			if (String.valueOf(e.getMessage()).startsWith("Unsupported Image Type")) return null;
			throw new IOException("cannot be read as JPEG (" + e.getMessage() + "; damaged or truncated?)", e);
		}
		// ImageJ turns a JPEG by its EXIF orientation where the Exif_Reader plugin is installed (Fiji):
		// the file decodes, so its opener (which does that) prints no stack trace
		if (bi == null || plugin("Exif_Reader")) return null;
		String name = file.getFileName().toString();
		ImagePlus imp = new ImagePlus(name, bi);
		if (imp.getType() == ImagePlus.COLOR_RGB) Opener.convertGrayJpegTo8Bits(imp);
		FileInfo fi = new FileInfo();
		fi.fileFormat = FileInfo.GIF_OR_JPG;
		fi.fileName = name;
		Path dir = file.toAbsolutePath().getParent();
		fi.directory = dir == null ? "" : dir.toString() + java.io.File.separator;
		imp.setFileInfo(fi);
		return imp;
	}

	/** Whether ImageJ's class loader has this plugin (Exif_Reader: JPEGs turned by their orientation tag). */
	static boolean plugin(String className) {
		try {
			ij.IJ.getClassLoader().loadClass(className);
			return true;
		}
		catch (ClassNotFoundException | LinkageError | RuntimeException e) {
			return false;
		}
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
		catch (OutOfMemoryError e) {
			// ImageJ's decoder allocates the tables (strip offsets, ...) of the sizes the header states
			throw new IOException("cannot be read as TIFF: its header declares tables larger than the " + (Runtime.getRuntime().maxMemory() >> 20) +
				" MB Java may use; the file is damaged or crafted");
		}
		if (info == null || info.length == 0) throw new IOException("cannot be read as TIFF (damaged or truncated?)");
		ImageHeaders.checkTiff(info);
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
		if (!tailHas(file, new byte[] { (byte) 0xFF, (byte) 0xD9 })) throw new IOException("truncated: the JPEG has no end-of-image marker; copy it again");
	}

	/**
	 * Refuses a PNG without its closing {@code IEND} chunk near the end: ImageJ's PNG reader prints the
	 * decoder's exception and returns nothing, which would be a stray line and a vaguer message.
	 */
	static void pngEnds(Path file) throws IOException {
		if (!tailHas(file, new byte[] { 'I', 'E', 'N', 'D' })) throw new IOException("truncated: the PNG has no IEND chunk; copy it again");
	}

	/** Whether the last 4 KB of the file hold {@code marker}. */
	private static boolean tailHas(Path file, byte[] marker) throws IOException {
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
		outer:
		for (int i = n - marker.length; i >= 0; i--) {
			for (int k = 0; k < marker.length; k++) if (tail[i + k] != marker[k]) continue outer;
			return true;
		}
		return false;
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
		return TYPE_NAMES.getOrDefault(type, "image");
	}

	private static final Map<Integer, String> TYPE_NAMES = Map.ofEntries(Map.entry(Opener.TEXT, "text"), Map.entry(Opener.JAVA_OR_TEXT, "text"),
		Map.entry(Opener.TABLE, "table"), Map.entry(Opener.ROI, "ImageJ selection"), Map.entry(Opener.OJJ, "ObjectJ project"),
		Map.entry(Opener.LUT, "lookup table"), Map.entry(Opener.TIFF, "TIFF"), Map.entry(Opener.TIFF_AND_DICOM, "TIFF"),
		Map.entry(Opener.DICOM, "DICOM"), Map.entry(Opener.FITS, "FITS"), Map.entry(Opener.PGM, "PGM"), Map.entry(Opener.JPEG, "JPEG"),
		Map.entry(Opener.GIF, "GIF"), Map.entry(Opener.BMP, "BMP"), Map.entry(Opener.ZIP, "ZIP"), Map.entry(Opener.PNG, "PNG"),
		Map.entry(Opener.AVI, "AVI"));
}
