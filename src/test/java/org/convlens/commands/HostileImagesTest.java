package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

/**
 * Image files of a few kilobytes whose headers declare 100000 x 100000 pixels (a deflated TIFF,
 * an uncompressed TIFF with a short strip, a PNG bomb, a JPEG frame header), a TIFF declaring strip
 * tables of 2^31 entries, a JPEG without image data and one with a bad marker in its data, given to Batch in-process (heap 3 GB): each is one line naming the file and the
 * declared size, exit code 1, no Java trace on any stream, and a good image beside them is still
 * analysed. Before the header checks, ImageJ tried to allocate them ("ran out of memory; give
 * ImageJ more memory") and the JPEG decoder printed stack traces.
 */
class HostileImagesTest {

	@TempDir
	Path tmp;

	static final int SIDE = 100_000;

	private static void tiffEntry(ByteBuffer b, int tag, int type, int value) {
		b.putShort((short) tag).putShort((short) type).putInt(1);
		if (type == 3) b.putShort((short) value).putShort((short) 0);
		else b.putInt(value);
	}

	/** An 8-bit grey TIFF declaring w x h pixels in one strip of {@code strip} with {@code compression}. */
	static byte[] tiff(int w, int h, int compression, byte[] strip) {
		int entries = 9, data = 8 + 2 + entries * 12 + 4;
		ByteBuffer b = ByteBuffer.allocate(data + strip.length).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) entries);
		tiffEntry(b, 256, 4, w);
		tiffEntry(b, 257, 4, h);
		tiffEntry(b, 258, 3, 8);
		tiffEntry(b, 259, 3, compression);
		tiffEntry(b, 262, 3, 1);
		tiffEntry(b, 273, 4, data);
		tiffEntry(b, 277, 3, 1);
		tiffEntry(b, 278, 4, h);
		tiffEntry(b, 279, 4, strip.length);
		b.putInt(0).put(strip);
		return b.array();
	}

	/** A 64x64 8-bit TIFF whose strip tables declare {@code count} entries (ImageJ's decoder allocates them). */
	static byte[] tiffWithStripTables(int count) {
		int entries = 9, data = 8 + 2 + entries * 12 + 4;
		ByteBuffer b = ByteBuffer.allocate(data + 64).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) entries);
		tiffEntry(b, 256, 4, 64);
		tiffEntry(b, 257, 4, 64);
		tiffEntry(b, 258, 3, 8);
		tiffEntry(b, 259, 3, 1);
		tiffEntry(b, 262, 3, 1);
		b.putShort((short) 273).putShort((short) 4).putInt(count).putInt(data);
		tiffEntry(b, 277, 3, 1);
		tiffEntry(b, 278, 4, 1);
		b.putShort((short) 279).putShort((short) 4).putInt(count).putInt(data);
		b.putInt(0);
		return b.array();
	}

	static byte[] deflatedZeros(int n) throws IOException {
		ByteArrayOutputStream bo = new ByteArrayOutputStream();
		try (DeflaterOutputStream z = new DeflaterOutputStream(bo, new Deflater(9))) {
			z.write(new byte[n]);
		}
		return bo.toByteArray();
	}

	private static void chunk(DataOutputStream o, String type, byte[] d) throws IOException {
		CRC32 c = new CRC32();
		c.update(type.getBytes(StandardCharsets.US_ASCII));
		c.update(d);
		o.writeInt(d.length);
		o.writeBytes(type);
		o.write(d);
		o.writeInt((int) c.getValue());
	}

	/** An 8-bit grey PNG declaring w x h pixels, with 1 MB of deflated zeros as its data. */
	static byte[] png(int w, int h) throws IOException {
		ByteArrayOutputStream bo = new ByteArrayOutputStream();
		DataOutputStream o = new DataOutputStream(bo);
		o.write(new byte[] { (byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10 });
		ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
		chunk(o, "IHDR", ihdr.array());
		chunk(o, "IDAT", deflatedZeros(1 << 20));
		chunk(o, "IEND", new byte[0]);
		return bo.toByteArray();
	}

	/** Where the JPEG's first {@code FF code} marker starts. */
	private static int marker(byte[] b, int code, String what, Path good) {
		for (int i = 2; i < b.length - 1; i++) if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == code) return i;
		throw new AssertionError("no " + what + " in " + good);
	}

	/** A real 32x32 JPEG with the frame header's size set to w x h. */
	static byte[] jpegClaiming(Path good, int w, int h) throws IOException {
		byte[] b = Files.readAllBytes(good);
		int i = marker(b, 0xC0, "baseline frame header", good);
		b[i + 5] = (byte) (h >> 8);
		b[i + 6] = (byte) h;
		b[i + 7] = (byte) (w >> 8);
		b[i + 8] = (byte) w;
		return b;
	}

	/** The JPEG from its start-of-scan marker on overwritten, its end marker kept: no image data. */
	static byte[] jpegWithoutScan(Path good) throws IOException {
		byte[] b = Files.readAllBytes(good);
		for (int k = marker(b, 0xDA, "start of scan", good); k < b.length - 2; k++) b[k] = 0x5A;
		return b;
	}

	/** The JPEG with an invalid marker (FF AF) a few bytes into its scan data, its end marker kept. */
	static byte[] jpegWithBadMarkerInScan(Path good) throws IOException {
		byte[] b = Files.readAllBytes(good);
		int i = marker(b, 0xDA, "start of scan", good);
		int data = i + 2 + ((b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff));
		b[data + 4] = (byte) 0xFF;
		b[data + 5] = (byte) 0xAF;
		return b;
	}

	static final class Run {
		int rc;
		String err;
		String everything;
	}

	/** Batch in-process, with System.err captured too (decoders print their traces there). */
	static Run batch(String... args) {
		ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream(), sys = new ByteArrayOutputStream();
		PrintStream old = System.err;
		Run r = new Run();
		System.setErr(new PrintStream(sys, true, StandardCharsets.UTF_8));
		try {
			r.rc = Batch.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
			// AWT's image fetcher threads print asynchronously
			Thread.sleep(500);
		}
		catch (InterruptedException x) {
			Thread.currentThread().interrupt();
		}
		finally {
			System.setErr(old);
		}
		r.err = e.toString(StandardCharsets.UTF_8);
		r.everything = r.err + o.toString(StandardCharsets.UTF_8) + sys.toString(StandardCharsets.UTF_8);
		return r;
	}

	@Test
	void filesDeclaringGigapixelsOrNoImageDataAreOneLineEachAndTheGoodImageIsAnalysed() throws Exception {
		Path in = Files.createDirectories(tmp.resolve("in"));
		ByteProcessor bp = new ByteProcessor(32, 32);
		for (int i = 0; i < 32 * 32; i++) bp.set(i, (i * 7) % 251);
		Path good = in.resolve("z-good.jpg");
		new FileSaver(new ImagePlus("good", bp)).saveAsJpeg(good.toString());
		Files.write(in.resolve("deflated.tif"), tiff(SIDE, SIDE, 8, deflatedZeros(1 << 20)));
		Files.write(in.resolve("short-strip.tif"), tiff(SIDE, SIDE, 1, new byte[100]));
		Files.write(in.resolve("bomb.png"), png(SIDE, SIDE));
		Files.write(in.resolve("frame.jpg"), jpegClaiming(good, 65000, 65000));
		Files.write(in.resolve("no-scan.jpg"), jpegWithoutScan(good));
		Files.write(in.resolve("strip-tables.tif"), tiffWithStripTables(Integer.MAX_VALUE));
		Files.write(in.resolve("bad-scan.jpg"), jpegWithBadMarkerInScan(good));
		try (java.util.stream.Stream<Path> s = Files.list(in)) {
			for (Path p : s.collect(Collectors.toList())) assertTrue(Files.size(p) < 5 << 20, p.toString());
		}

		Path out = tmp.resolve("out");
		Run r = batch("predictions", "--model", TestPaths.model("shapes-tf1").toString(), "--input", in.toString(), "--output", out.toString());
		System.out.println(r.everything);
		assertEquals(1, r.rc, r.everything);
		for (String l : r.everything.split("\n")) {
			assertFalse(l.matches("\\s+at .*") || l.contains("Exception") || l.contains("at java."), "a trace line: " + l);
		}
		List<String> lines = r.err.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
		String declared = "its header declares " + SIDE + " x " + SIDE + " pixels (9.3 GiB as ImageJ holds them)";
		for (String f : new String[] { "deflated.tif", "short-strip.tif", "bomb.png" }) {
			assertEquals(1, lines.stream().filter(l -> l.contains(f)).count(), f + " in " + lines);
			assertTrue(lines.stream().anyMatch(l -> l.contains(f) && l.contains(declared) && l.contains("damaged or crafted")), f + ": " + lines);
		}
		assertTrue(lines.stream().anyMatch(l -> l.contains("frame.jpg") && l.contains("its header declares 65000 x 65000 pixels (3.9 GiB")), r.err);
		assertTrue(lines.stream().anyMatch(l -> l.contains("no-scan.jpg") && l.contains("not a valid JPEG") && l.contains("damaged")), r.err);
		assertTrue(lines.stream().anyMatch(l -> l.contains("strip-tables.tif") && l.contains("its header declares tables larger than the") &&
			l.contains("damaged or crafted")), r.err);
		// AWT's decoder printed this one's stack trace on the console
		assertTrue(lines.stream().anyMatch(l -> l.contains("bad-scan.jpg") && l.contains("cannot be read as JPEG (") &&
			l.contains("damaged or truncated?)")), r.err);
		// the good image beside them was analysed
		assertTrue(Files.readAllLines(out.resolve("in_predictions.csv")).stream().anyMatch(l -> l.startsWith("z-good.jpg,")), r.everything);
	}
}
