package org.convlens.explain.patterns;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A test-only reader of TensorFlow checkpoints ({@code variables/variables.index} +
 * {@code variables.data-*}), written from the file format alone so that tests can compare what
 * the model engine reads with the checkpoint without going through TensorFlow. The index is a
 * LevelDB-style table (uncompressed blocks of prefix-compressed key/value entries, an index
 * block, a 48-byte footer); each value is a {@code BundleEntryProto} (dtype, shape, shard, offset,
 * size, masked CRC32C) pointing at raw little-endian data.
 */
final class TensorBundle {

	private static final long MAGIC = 0xdb4775248b80fb57L;

	/** One float tensor of the checkpoint. */
	static final class Entry {
		final int dtype;
		final int[] shape;
		final int shard;
		final long offset;
		final long size;
		final int crc;

		Entry(int dtype, int[] shape, int shard, long offset, long size, int crc) {
			this.dtype = dtype;
			this.shape = shape;
			this.shard = shard;
			this.offset = offset;
			this.size = size;
			this.crc = crc;
		}
	}

	private final Path dir;
	private final Map<String, Entry> entries = new LinkedHashMap<>();
	private int numShards = 1;

	/** @param modelDir a SavedModel folder (with {@code variables/}) */
	TensorBundle(Path modelDir) throws IOException {
		this.dir = modelDir.resolve("variables");
		byte[] idx = Files.readAllBytes(dir.resolve("variables.index"));
		if (ByteBuffer.wrap(idx, idx.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() != MAGIC) {
			throw new IOException("Not a table file: bad magic");
		}
		int[] pos = { idx.length - 48 };
		varint(idx, pos); // metaindex handle
		varint(idx, pos);
		long indexOffset = varint(idx, pos);
		long indexSize = varint(idx, pos);
		for (Map.Entry<String, byte[]> e : block(idx, (int) indexOffset, (int) indexSize).entrySet()) {
			int[] p = { 0 };
			long off = varint(e.getValue(), p);
			long size = varint(e.getValue(), p);
			for (Map.Entry<String, byte[]> d : block(idx, (int) off, (int) size).entrySet()) {
				if (d.getKey().isEmpty()) {
					numShards = header(d.getValue());
				}
				else {
					entries.put(d.getKey(), entry(d.getValue()));
				}
			}
		}
	}

	Map<String, Entry> entries() {
		return entries;
	}

	/** A float tensor's values, row-major, checked against its stored CRC32C. */
	float[] floats(String key) throws IOException {
		Entry e = entries.get(key);
		if (e == null) throw new IOException("No tensor " + key + " in checkpoint; have " + entries.keySet());
		if (e.dtype != 1) throw new IOException(key + " is not DT_FLOAT but dtype " + e.dtype);
		String name = String.format("variables.data-%05d-of-%05d", e.shard, numShards);
		byte[] raw = new byte[(int) e.size];
		try (RandomAccessFile f = new RandomAccessFile(dir.resolve(name).toFile(), "r")) {
			f.seek(e.offset);
			f.readFully(raw);
		}
		CRC32C crc = new CRC32C();
		crc.update(raw);
		int c = (int) crc.getValue();
		int masked = ((c >>> 15) | (c << 17)) + 0xa282ead8;
		if (masked != e.crc) throw new IOException("CRC mismatch for " + key);
		float[] out = new float[raw.length / 4];
		ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
		return out;
	}

	int[] shape(String key) {
		return entries.get(key).shape.clone();
	}

	/** Entries of one uncompressed table block. */
	private static Map<String, byte[]> block(byte[] b, int off, int size) throws IOException {
		if (b[off + size] != 0) throw new IOException("Compressed table block (type " + b[off + size] + ") not supported");
		int end = off + size;
		int numRestarts = ByteBuffer.wrap(b, end - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
		int limit = end - 4 - 4 * numRestarts;
		Map<String, byte[]> out = new LinkedHashMap<>();
		byte[] key = new byte[0];
		int[] p = { off };
		while (p[0] < limit) {
			int shared = (int) varint(b, p);
			int nonShared = (int) varint(b, p);
			int valueLen = (int) varint(b, p);
			byte[] k = Arrays.copyOf(key, shared + nonShared);
			System.arraycopy(b, p[0], k, shared, nonShared);
			p[0] += nonShared;
			out.put(new String(k, java.nio.charset.StandardCharsets.UTF_8), Arrays.copyOfRange(b, p[0], p[0] + valueLen));
			p[0] += valueLen;
			key = k;
		}
		return out;
	}

	private static long varint(byte[] b, int[] p) {
		long v = 0;
		for (int shift = 0;; shift += 7) {
			int x = b[p[0]++] & 0xff;
			v |= (long) (x & 0x7f) << shift;
			if (x < 0x80) return v;
		}
	}

	/** BundleHeaderProto: field 1 num_shards. */
	private static int header(byte[] m) {
		int[] p = { 0 };
		int shards = 1;
		while (p[0] < m.length) {
			long tag = varint(m, p);
			int field = (int) (tag >>> 3), wire = (int) (tag & 7);
			if (field == 1 && wire == 0) shards = (int) varint(m, p);
			else skip(m, p, wire);
		}
		return shards;
	}

	/** BundleEntryProto: 1 dtype, 2 shape, 3 shard_id, 4 offset, 5 size, 6 crc32c (fixed32). */
	private static Entry entry(byte[] m) {
		int[] p = { 0 };
		int dtype = 0, shard = 0, crc = 0;
		long offset = 0, size = 0;
		int[] shape = new int[0];
		while (p[0] < m.length) {
			long tag = varint(m, p);
			int field = (int) (tag >>> 3), wire = (int) (tag & 7);
			if (field == 1 && wire == 0) dtype = (int) varint(m, p);
			else if (field == 2 && wire == 2) {
				int len = (int) varint(m, p);
				shape = shape(Arrays.copyOfRange(m, p[0], p[0] + len));
				p[0] += len;
			}
			else if (field == 3 && wire == 0) shard = (int) varint(m, p);
			else if (field == 4 && wire == 0) offset = varint(m, p);
			else if (field == 5 && wire == 0) size = varint(m, p);
			else if (field == 6 && wire == 5) {
				crc = ByteBuffer.wrap(m, p[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
				p[0] += 4;
			}
			else skip(m, p, wire);
		}
		return new Entry(dtype, shape, shard, offset, size, crc);
	}

	/** TensorShapeProto: repeated 2 dim { 1 size }. */
	private static int[] shape(byte[] m) {
		int[] p = { 0 };
		int[] dims = new int[0];
		while (p[0] < m.length) {
			long tag = varint(m, p);
			int field = (int) (tag >>> 3), wire = (int) (tag & 7);
			if (field == 2 && wire == 2) {
				int len = (int) varint(m, p);
				int end = p[0] + len;
				long size = 0;
				while (p[0] < end) {
					long t2 = varint(m, p);
					if ((t2 >>> 3) == 1 && (t2 & 7) == 0) size = varint(m, p);
					else skip(m, p, (int) (t2 & 7));
				}
				dims = Arrays.copyOf(dims, dims.length + 1);
				dims[dims.length - 1] = (int) size;
			}
			else skip(m, p, wire);
		}
		return dims;
	}

	private static void skip(byte[] m, int[] p, int wire) {
		switch (wire) {
			case 0: varint(m, p); break;
			case 1: p[0] += 8; break;
			case 2: p[0] += (int) varint(m, p); break;
			case 5: p[0] += 4; break;
			default: throw new IllegalStateException("Unsupported wire type " + wire);
		}
	}
}
