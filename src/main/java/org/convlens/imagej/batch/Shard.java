package org.convlens.imagej.batch;

/**
 * Task {@code index} (1-based) of {@code count} of an array job: of {@code M} input entries in
 * input order it takes the contiguous block of positions {@code floor((index-1)*M/count)} to
 * {@code floor(index*M/count)-1} (0-based), so that the tasks cover every entry exactly once and,
 * in task order, are the input in order (see {@link ShardScope}).
 */
public final class Shard implements java.io.Serializable {
	private static final long serialVersionUID = 1L;
	public final int index, count;

	public Shard(int index, int count) {
		if (count < 1 || index < 1 || index > count) {
			throw new IllegalArgumentException("--shard " + index + "/" + count + ": need 1 <= I <= N (I is 1-based).");
		}
		this.index = index;
		this.count = count;
	}

	/**
	 * Reads {@code I/N}.
	 *
	 * @throws IllegalArgumentException with a one-line message for anything else
	 */
	public static Shard parse(String s) {
		String t = s == null ? "" : s.trim();
		if (!t.matches("[0-9]{1,9}/[0-9]{1,9}")) {
			throw new IllegalArgumentException("--shard wants I/N with 1 <= I <= N (I is 1-based), e.g. --shard 3/10; got '" + s + "'.");
		}
		int slash = t.indexOf('/');
		return new Shard(Integer.parseInt(t.substring(0, slash)), Integer.parseInt(t.substring(slash + 1)));
	}

	/** First position (0-based, inclusive) of this shard's block among {@code m} entries. */
	public long from(long m) {
		return (index - 1) * m / count;
	}

	/** End (exclusive) of this shard's block. */
	public long to(long m) {
		return index * m / count;
	}

	/** Name of the shard's output folder. */
	public String folder() {
		return "shard-" + index + "-of-" + count;
	}

	@Override
	public String toString() {
		return index + "/" + count;
	}
}
