package org.convlens.imagej.batch;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.ImageIO;

import ij.ImagePlus;
import ij.Prefs;
import ij.io.FileSaver;

/**
 * PNG files as ImageJ's {@link FileSaver#saveAsPng} writes them, byte for byte, in a fraction of
 * the time: ImageJ hands the image to ImageIO's PNG writer, which reads it back row by row through
 * generic rasters (a copy per row) and spends most of a batch run's writing time there. This
 * encoder takes the pixels straight from the image's buffer and makes the same choices as that
 * writer's defaults (no interlace, deflate level 4, IDAT chunks of 32 KiB, the colour type and
 * palette it would choose, its per-row filter choice: for palette images the filter with the
 * smallest sum of absolute differences, for the others none). Images it does not cover (an overlay to
 * flatten, transparency, 16-bit, stacks, other colour models) go to ImageJ as before.
 * {@code PngFilesTest} compares its files with ImageJ's, byte for byte.
 */
public final class PngFiles {

	private static final int CHUNK = 32768, LEVEL = 4;
	private static final int GRAY = 0, RGB = 2, PALETTE = 3;

	private PngFiles() {}

	/** Writes the image's current plane as a PNG, as {@code new FileSaver(imp).saveAsPng(png)} would. */
	public static void save(ImagePlus imp, Path png) throws IOException {
		byte[] bytes = covered(imp) ? encode(imp.getBufferedImage()) : null;
		if (bytes != null) {
			Files.write(png, bytes);
			return;
		}
		if (!new FileSaver(imp).saveAsPng(png.toString())) throw new IOException("Could not write " + png);
	}

	/** Whether ImageJ's PNG writer would give this image's plane to ImageIO as it is. */
	private static boolean covered(ImagePlus imp) {
		int type = imp.getType();
		if (type != ImagePlus.GRAY8 && type != ImagePlus.GRAY32 && type != ImagePlus.COLOR_RGB) return false;
		if (imp.getStackSize() != 1 || imp.isComposite()) return false;
		int transparent = Prefs.getTransparentIndex();
		if (transparent >= 0 && transparent <= 255 && imp.getBitDepth() == 8) return false;
		return imp.getOverlay() == null || imp.getHideOverlay() || imp.tempOverlay();
	}

	/**
	 * The PNG file ImageIO would write for this image, or null for an image this encoder does not
	 * cover (then ImageIO writes it).
	 */
	static byte[] encode(BufferedImage bi) throws IOException {
		Raster r = bi.getRaster();
		int w = bi.getWidth(), h = bi.getHeight();
		if (r.getMinX() != 0 || r.getMinY() != 0 || bi.getColorModel().hasAlpha() || bi.getColorModel().isAlphaPremultiplied()) return null;
		int colorType;
		byte[] palette = null;
		if (bi.getColorModel() instanceof IndexColorModel) {
			IndexColorModel icm = (IndexColorModel) bi.getColorModel();
			if (r.getNumBands() != 1 || r.getTransferType() != DataBuffer.TYPE_BYTE || r.getSampleModel().getSampleSize(0) != 8) return null;
			int n = icm.getMapSize();
			byte[] red = new byte[n], green = new byte[n], blue = new byte[n];
			icm.getReds(red);
			icm.getGreens(green);
			icm.getBlues(blue);
			boolean gray = true; // a gray ramp (entry i is gray i) is written as gray values
			for (int i = 0; i < n && gray; i++) gray = red[i] == (byte) i && green[i] == red[i] && blue[i] == red[i];
			colorType = gray ? GRAY : PALETTE;
			if (!gray) {
				palette = new byte[3 * n];
				for (int i = 0; i < n; i++) {
					palette[3 * i] = red[i];
					palette[3 * i + 1] = green[i];
					palette[3 * i + 2] = blue[i];
				}
			}
		}
		else if (bi.getColorModel() instanceof DirectColorModel) {
			DirectColorModel dcm = (DirectColorModel) bi.getColorModel();
			if (r.getNumBands() != 3 || r.getTransferType() != DataBuffer.TYPE_INT || dcm.getRedMask() != 0xff0000 || dcm.getGreenMask() != 0xff00 ||
				dcm.getBlueMask() != 0xff) return null;
			colorType = RGB;
		}
		else if (bi.getColorModel() instanceof java.awt.image.ComponentColorModel && r.getNumBands() == 1 && r.getTransferType() == DataBuffer.TYPE_BYTE &&
			r.getSampleModel().getSampleSize(0) == 8) colorType = GRAY;
		else return null;
		int bpp = colorType == RGB ? 3 : 1, stride = w * bpp;
		byte[] prev = new byte[stride + bpp], curr = new byte[stride + bpp];
		byte[][] filtered = new byte[5][stride + bpp];
		ByteArrayOutputStream raw = new ByteArrayOutputStream(h * (stride + 1));
		int[] ints = colorType == RGB ? new int[w] : null;
		byte[] bytes = colorType == RGB ? null : new byte[w];
		for (int y = 0; y < h; y++) {
			if (ints != null) {
				r.getDataElements(0, y, w, 1, ints);
				for (int x = 0, k = bpp; x < w; x++) {
					int p = ints[x];
					curr[k++] = (byte) (p >> 16);
					curr[k++] = (byte) (p >> 8);
					curr[k++] = (byte) p;
				}
			}
			else {
				r.getDataElements(0, y, w, 1, bytes);
				System.arraycopy(bytes, 0, curr, bpp, w);
			}
			int f = colorType == PALETTE ? filter(curr, prev, filtered, stride, bpp) : 0;
			raw.write(f);
			raw.write(f == 0 ? curr : filtered[f], bpp, stride);
			byte[] t = prev;
			prev = curr;
			curr = t;
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream(raw.size() / 2 + 1024);
		out.write(new byte[] { (byte) 137, 80, 78, 71, 13, 10, 26, 10 });
		ByteArrayOutputStream ihdr = new ByteArrayOutputStream(13);
		DataOutputStream d = new DataOutputStream(ihdr);
		d.writeInt(w);
		d.writeInt(h);
		d.writeByte(8);
		d.writeByte(colorType);
		d.writeByte(0);
		d.writeByte(0);
		d.writeByte(0);
		chunk(out, "IHDR", ihdr.toByteArray(), 0, 13);
		if (palette != null) chunk(out, "PLTE", palette, 0, palette.length);
		byte[] z = deflate(raw.toByteArray());
		for (int off = 0; off < z.length || off == 0; off += CHUNK) chunk(out, "IDAT", z, off, Math.min(CHUNK, z.length - off));
		chunk(out, "IEND", new byte[0], 0, 0);
		return out.toByteArray();
	}

	/** ImageIO's choice for a row: the filter (0-4) with the smallest sum of absolute values, the first of equals. */
	private static int filter(byte[] curr, byte[] prev, byte[][] out, int stride, int bpp) {
		long none = 0, sub = 0, up = 0, avg = 0, paeth = 0;
		byte[] s = out[1], u = out[2], a = out[3], p = out[4];
		for (int i = bpp; i < stride + bpp; i++) {
			int c = curr[i] & 0xff, left = curr[i - bpp] & 0xff, above = prev[i] & 0xff, corner = prev[i - bpp] & 0xff;
			none += c;
			int ds = c - left, du = c - above, da = c - (left + above) / 2, dp = c - paeth(left, above, corner);
			s[i] = (byte) ds;
			u[i] = (byte) du;
			a[i] = (byte) da;
			p[i] = (byte) dp;
			sub += Math.abs(ds);
			up += Math.abs(du);
			avg += Math.abs(da);
			paeth += Math.abs(dp);
		}
		long[] bad = { none, sub, up, avg, paeth };
		int best = 0;
		for (int i = 1; i < 5; i++) if (bad[i] < bad[best]) best = i;
		return best;
	}

	private static int paeth(int a, int b, int c) {
		int q = a + b - c, pa = Math.abs(q - a), pb = Math.abs(q - b), pc = Math.abs(q - c);
		return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
	}

	private static byte[] deflate(byte[] data) {
		Deflater def = new Deflater(LEVEL);
		try {
			def.setInput(data);
			def.finish();
			ByteArrayOutputStream z = new ByteArrayOutputStream(data.length / 2 + 64);
			byte[] buf = new byte[65536];
			while (!def.finished()) z.write(buf, 0, def.deflate(buf));
			return z.toByteArray();
		}
		finally {
			def.end();
		}
	}

	private static void chunk(OutputStream out, String type, byte[] data, int off, int len) throws IOException {
		DataOutputStream d = new DataOutputStream(out);
		byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		CRC32 crc = new CRC32();
		crc.update(t);
		crc.update(data, off, len);
		d.writeInt(len);
		d.write(t);
		d.write(data, off, len);
		d.writeInt((int) crc.getValue());
	}

	/** ImageIO's file for comparison (tests). */
	static byte[] imageIo(BufferedImage bi) throws IOException {
		ByteArrayOutputStream b = new ByteArrayOutputStream();
		if (!ImageIO.write(bi, "png", b)) throw new IOException("no PNG writer");
		return b.toByteArray();
	}
}
