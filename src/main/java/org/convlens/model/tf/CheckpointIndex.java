package org.convlens.model.tf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.tensorflow.proto.BundleEntryProto;

/**
 * The entries of a checkpoint's {@code variables.index} (TensorFlow's tensor bundle: a LevelDB-style
 * table of {@code BundleEntryProto}s by variable name), read without TensorFlow, so that the shapes
 * they declare can be checked before the restore op allocates them. Only what a well-formed index
 * holds is returned; anything this reader does not follow (a compressed block, a damaged file) ends
 * the listing, and TensorFlow's restore reports such files itself.
 */
final class CheckpointIndex {

	/** One tensor of the bundle: its key (the variable's name) and entry. */
	static final class Entry {
		final String name;
		final BundleEntryProto entry;

		Entry(String name, BundleEntryProto entry) {
			this.name = name;
			this.entry = entry;
		}
	}

	private static final long MAGIC = 0xdb4775248b80fb57L;
	private static final int FOOTER = 48;
	/** Blocks larger than this are not read (TensorFlow writes blocks of a few KB). */
	private static final long MAX_BLOCK = 64L << 20;

	private CheckpointIndex() {}

	/** The entries of {@code index}; empty when the file is not a table this reader follows. */
	static List<Entry> read(Path index) throws IOException {
		List<Entry> out = new ArrayList<>();
		try (FileChannel ch = FileChannel.open(index, StandardOpenOption.READ)) {
			long size = ch.size();
			if (size < FOOTER) return out;
			ByteBuffer footer = readAt(ch, size - FOOTER, FOOTER);
			if (footer.order(ByteOrder.LITTLE_ENDIAN).getLong(FOOTER - 8) != MAGIC) return out;
			footer.position(0);
			varint(footer);
			varint(footer); // metaindex handle
			ByteBuffer indexBlock = block(ch, varint(footer), varint(footer), size);
			if (indexBlock == null) return out;
			for (byte[][] kv : entries(indexBlock)) {
				ByteBuffer h = ByteBuffer.wrap(kv[1]);
				ByteBuffer data = block(ch, varint(h), varint(h), size);
				if (data == null) return out;
				for (byte[][] e : entries(data)) {
					if (e[0].length == 0) continue; // the bundle's header
					out.add(new Entry(new String(e[0], java.nio.charset.StandardCharsets.UTF_8), BundleEntryProto.parseFrom(e[1])));
				}
			}
		}
		catch (RuntimeException | com.google.protobuf.InvalidProtocolBufferException e) {
			// not a table this reader follows: TensorFlow says what is wrong with it
		}
		return out;
	}

	private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
		ByteBuffer b = ByteBuffer.allocate(n);
		while (b.hasRemaining()) {
			if (ch.read(b, pos + b.position()) < 0) throw new IllegalStateException("short file");
		}
		return b.flip();
	}

	/** An uncompressed block's contents (the 5-byte trailer after it holds its type), or null. */
	private static ByteBuffer block(FileChannel ch, long offset, long n, long fileSize) throws IOException {
		if (offset < 0 || n < 4 || n > MAX_BLOCK || offset + n + 5 > fileSize) return null;
		ByteBuffer b = readAt(ch, offset, (int) n + 1);
		if (b.get((int) n) != 0) return null; // compressed
		return b.limit((int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
	}

	/** The key/value pairs of a block, keys rebuilt from their shared prefixes. */
	private static List<byte[][]> entries(ByteBuffer b) {
		int restarts = b.getInt(b.limit() - 4);
		long end = b.limit() - 4 - 4L * restarts;
		if (restarts < 0 || end < 0) throw new IllegalStateException("bad block");
		List<byte[][]> out = new ArrayList<>();
		byte[] key = new byte[0];
		b.position(0);
		while (b.position() < end) {
			int shared = (int) varint(b), own = (int) varint(b), len = (int) varint(b);
			if (shared > key.length || own < 0 || len < 0 || b.position() + (long) own + len > end) throw new IllegalStateException("bad entry");
			byte[] k = java.util.Arrays.copyOf(key, shared + own);
			b.get(k, shared, own);
			byte[] v = new byte[len];
			b.get(v);
			out.add(new byte[][] { k, v });
			key = k;
		}
		return out;
	}

	private static long varint(ByteBuffer b) {
		long v = 0;
		for (int shift = 0; shift < 64; shift += 7) {
			int x = b.get() & 0xff;
			v |= (long) (x & 0x7f) << shift;
			if (x < 0x80) return v;
		}
		throw new IllegalStateException("bad varint");
	}
}
