package org.convlens.model;

/**
 * How many CPU threads TensorFlow may use: {@code -Dconvlens.tf.threads=N} (Batch: {@code --threads N}),
 * else TensorFlow's own choice (every core this process may run on). TensorFlow makes its thread
 * pools once per process, with the settings of its first session, so the value must be set before
 * the first model loads; {@link #inEffect()} says which value that was. On a cluster node shared
 * with other jobs, or beside other work in the same JVM, it keeps TensorFlow to its share of cores.
 */
public final class TfThreads {

	/** The system property that holds the setting. */
	public static final String PROPERTY = "convlens.tf.threads";
	/** The most threads one may ask for. */
	public static final int MAX = 1024;

	private static volatile int inEffect = -1;

	private TfThreads() {}

	/**
	 * The requested number of threads, 0 for TensorFlow's choice.
	 *
	 * @throws ModelException naming the property when its value is not a whole number from 1 to {@link #MAX}
	 */
	public static int requested() {
		String v = System.getProperty(PROPERTY);
		if (v == null || v.isBlank()) return 0;
		return parse(v.trim(), "-D" + PROPERTY);
	}

	/**
	 * {@code value} as a thread count.
	 *
	 * @param where names the setting in the message, e.g. {@code --threads}
	 * @throws ModelException when it is not a whole number from 1 to {@link #MAX}
	 */
	public static int parse(String value, String where) {
		String v = value.trim();
		// ASCII digits only: Integer.parseInt also takes other scripts' digits, which no one means here
		if (v.matches("[0-9]{1,9}")) {
			int n = Integer.parseInt(v);
			if (n >= 1 && n <= MAX) return n;
		}
		throw new ModelException(where + " must be a whole number of threads from 1 to " + MAX + ", not '" + value + "'.");
	}

	/** The setting TensorFlow started with in this JVM (0: its own choice), or -1 before it started. */
	public static int inEffect() {
		return inEffect;
	}

	/** Called once, as TensorFlow starts. */
	static void started(int threads) {
		inEffect = threads;
	}
}
