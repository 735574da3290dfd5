package org.convlens.imagej;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import ij.io.FileInfo;
import ij.io.Opener;

/**
 * What an image file's header says about its size, read before ImageJ allocates anything: a
 * file of a few hundred bytes can declare 100000 x 100000 pixels (a compressed TIFF, a PNG or
 * JPEG bomb), which ImageJ would try to allocate, then fail with "out of memory" and the advice to
 * give it more. Refused here when ImageJ's own pixel arrays alone would not fit in the memory Java
 * may use, with the declared size named.
 */
final class ImageHeaders {

	private ImageHeaders() {}

	/** Refuses a TIFF whose images (all IFDs, ImageJ stacks counted by their images) would not fit. */
	static void checkTiff(FileInfo[] info) throws IOException {
		long bytes = 0, images = 0;
		for (FileInfo fi : info) {
			if (fi.width < 0 || fi.height < 0) throw new IOException("its header declares a negative size; the file is damaged");
			bytes = add(bytes, times(times(times(fi.width, fi.height), Math.max(1, fi.getBytesPerPixel())), Math.max(1, fi.nImages)));
			images += Math.max(1, fi.nImages);
		}
		check(info[0].width, info[0].height, images, bytes);
	}

	/** Refuses a PNG, JPEG, GIF or BMP whose header declares more pixels than fit; also a JPEG with no image data. */
	static void checkOther(Path file, int type) throws IOException {
		byte[] h;
		try (InputStream in = Files.newInputStream(file)) {
			h = in.readNBytes(type == Opener.JPEG ? 1 << 20 : 32);
		}
		long w = -1, ht = -1, bpp = 4;
		if (type == Opener.PNG && h.length >= 26) {
			w = u32be(h, 16);
			ht = u32be(h, 20);
			bpp = (h[25] & 0xff) == 0 ? ((h[24] & 0xff) == 16 ? 2 : 1) : 4;
		}
		else if (type == Opener.GIF && h.length >= 10) {
			w = (h[6] & 0xff) | (h[7] & 0xff) << 8;
			ht = (h[8] & 0xff) | (h[9] & 0xff) << 8;
			bpp = 1;
		}
		else if (type == Opener.BMP && h.length >= 30) {
			w = Math.abs((long) s32le(h, 18));
			ht = Math.abs((long) s32le(h, 22));
			bpp = ((h[28] & 0xff) | (h[29] & 0xff) << 8) <= 8 ? 1 : 4;
		}
		else if (type == Opener.JPEG) {
			long[] sof = jpegFrame(h);
			w = sof[0];
			ht = sof[1];
			bpp = sof[2] == 1 ? 1 : 4;
		}
		if (w < 0 || ht < 0) return; // not a header we read: left to ImageJ
		check(w, ht, 1, times(times(w, ht), bpp));
	}

	/**
	 * Width, height and components of a JPEG's frame header, from the markers before its scan data.
	 *
	 * @throws IOException when no frame header or no start of scan comes before the data ends
	 */
	static long[] jpegFrame(byte[] b) throws IOException {
		long[] sof = null;
		int i = 2;
		while (i + 4 <= b.length) {
			if ((b[i] & 0xff) != 0xFF) throw new IOException("not a valid JPEG (no marker at byte " + i + "); the file is damaged");
			int m = b[i + 1] & 0xff;
			if (m == 0xFF) {
				i++;
				continue;
			}
			int len = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
			boolean frame = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
			if (frame && i + 9 < b.length) {
				sof = new long[] { (b[i + 7] & 0xff) << 8 | (b[i + 8] & 0xff), (b[i + 5] & 0xff) << 8 | (b[i + 6] & 0xff), b[i + 9] & 0xff };
			}
			if (m == 0xDA) {
				if (sof == null) throw new IOException("not a valid JPEG (image data without a frame header); the file is damaged");
				return sof;
			}
			i += 2 + len;
		}
		// headers longer than what was read (large embedded previews): left to the decoder
		if (b.length >= 1 << 20) return new long[] { -1, -1, 1 };
		throw new IOException("not a valid JPEG (no start-of-scan marker: it holds no image data); the file is damaged or truncated");
	}

	private static void check(long w, long h, long images, long bytes) throws IOException {
		long max = Runtime.getRuntime().maxMemory();
		if (bytes <= max) return;
		throw new IOException("its header declares " + w + " x " + h + " pixels" + (images > 1 ? " x " + images + " images" : "") + " (" +
			gib(bytes) + " as ImageJ holds them), more than the " + (max >> 20) + " MB Java may use: the file is damaged or crafted, " +
			"or give ImageJ more memory (Edit > Options > Memory & Threads, or java -Xmx)");
	}

	private static String gib(long bytes) {
		return bytes == Long.MAX_VALUE ? "more than 8 EiB" : String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
	}

	private static long times(long a, long b) {
		return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
	}

	private static long add(long a, long b) {
		return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
	}

	private static long u32be(byte[] b, int o) {
		return (b[o] & 0xffL) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
	}

	private static int s32le(byte[] b, int o) {
		return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
	}
}
