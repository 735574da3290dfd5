package org.convlens.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Keeps TensorFlow's native log lines off stderr unless the user asks for them
 * ({@code -Dconvlens.tf.log=show}, or the environment variable {@code CONVLENS_TF_LOG=show}, or
 * {@code TF_CPP_MIN_LOG_LEVEL=0}).
 *
 * <p>TensorFlow reads {@code TF_CPP_MIN_LOG_LEVEL} once, when it logs its first line, which
 * happens while its native library loads; and its bundled absl logging ignores that variable
 * altogether (the "All log messages before absl::InitializeLog()" and MLIR lines). So, before the
 * library loads, the variable is set in the process's own environment (C {@code setenv} through
 * JNA, which Fiji ships; a value the user set wins), and while the library loads and runs a first
 * tiny graph, the process's native stderr (file descriptor 2) goes to a temporary file: TensorFlow's
 * lines from it go to the {@code java.util.logging} logger at FINE, every other line (Java's own
 * {@code System.err} of other threads, say) back to stderr. Without JNA, or on Windows, only what
 * can be done is done, silently.
 */
final class NativeLogs {

	private static final Logger LOG = Logger.getLogger(NativeLogs.class.getName());

	/** tsl ("2026-01-02 10:11:12.345: I tensorflow/...") and absl ("I0000 00:00:1796287385.48  26672 file.cc:401]": before absl is initialised, seconds since 1970) lines. */
	private static final Pattern TF_LINE = Pattern.compile(
		"^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+: [IWEF] .*" +
			"|[IWEF]\\d{4} \\d\\d:\\d\\d:\\d+\\.\\d+\\s+\\d+ \\S+:\\d+\\] .*" +
			"|WARNING: All log messages before absl::InitializeLog\\(\\) is called.*" +
			"|To enable the following instructions: .*rebuild TensorFlow.*)$");

	private NativeLogs() {}

	/** Whether TensorFlow's native logging stays off (the default). */
	static boolean quiet() {
		String v = System.getProperty("convlens.tf.log");
		if (v == null) v = System.getenv("CONVLENS_TF_LOG");
		if (v != null) return !v.trim().toLowerCase(Locale.ROOT).equals("show");
		return !"0".equals(System.getenv("TF_CPP_MIN_LOG_LEVEL"));
	}

	/** Whether a stderr line is one of TensorFlow's native log lines. */
	static boolean isTensorFlowLine(String line) {
		return TF_LINE.matcher(line).matches();
	}

	/**
	 * Runs {@code loading} (which loads TensorFlow's native library and runs it once) with
	 * TensorFlow's logging off, when {@link #quiet()}.
	 */
	static <T> T whileLoading(Callable<T> loading) throws Exception {
		if (!quiet()) return loading.call();
		Object libc = null;
		try {
			libc = Libc.open();
		}
		catch (LinkageError | RuntimeException e) {
			LOG.fine("ConvLens: no JNA, TensorFlow's native logs stay on (" + e + ")");
		}
		if (libc == null) return loading.call();
		Libc c = (Libc) libc;
		c.setenvIfUnset("TF_CPP_MIN_LOG_LEVEL", "3");
		Path tmp = null;
		int saved = -1;
		try {
			if (!c.windows) {
				tmp = Files.createTempFile("convlens-tf-", ".log");
				System.err.flush();
				saved = c.redirectStderr(tmp);
			}
		}
		catch (IOException | LinkageError | RuntimeException e) {
			LOG.fine("ConvLens: cannot redirect stderr (" + e + ")");
		}
		try {
			return loading.call();
		}
		finally {
			if (saved >= 0) {
				System.err.flush();
				c.restoreStderr(saved);
			}
			if (tmp != null) replay(tmp);
		}
	}

	/** TensorFlow's lines to the logger, every other line back to stderr. */
	private static void replay(Path tmp) {
		try {
			List<String> lines = Files.readAllLines(tmp, StandardCharsets.UTF_8);
			for (String l : lines) {
				if (isTensorFlowLine(l)) LOG.fine(l);
				else System.err.println(l);
			}
		}
		catch (IOException e) {
			LOG.log(Level.FINE, "ConvLens: cannot read back " + tmp, e);
		}
		finally {
			try {
				Files.deleteIfExists(tmp);
			}
			catch (IOException ignored) {
				// a leftover temp file is harmless
			}
		}
	}

	/** The few C library calls, through JNA's dynamic invocation (no interface proxies). */
	private static final class Libc {
		final com.sun.jna.NativeLibrary lib;
		final boolean windows = com.sun.jna.Platform.isWindows();

		private Libc(com.sun.jna.NativeLibrary lib) {
			this.lib = lib;
		}

		static Libc open() {
			return new Libc(com.sun.jna.NativeLibrary.getInstance(com.sun.jna.Platform.isWindows() ? "ucrtbase" :
				com.sun.jna.Platform.C_LIBRARY_NAME));
		}

		private int call(String name, Object... args) {
			return lib.getFunction(name).invokeInt(args);
		}

		void setenvIfUnset(String name, String value) {
			if (System.getenv(name) != null) return;
			try {
				if (windows) call("_putenv_s", name, value);
				else call("setenv", name, value, 0);
			}
			catch (RuntimeException | LinkageError e) {
				LOG.fine("ConvLens: cannot set " + name + " (" + e + ")");
			}
		}

		/** Points fd 2 at {@code file}; returns a duplicate of the old fd 2, or -1 if nothing changed. */
		int redirectStderr(Path file) {
			int saved = call("dup", 2);
			if (saved < 0) return -1;
			int fd = call("creat", file.toString(), 0600);
			if (fd < 0 || call("dup2", fd, 2) < 0) {
				if (fd >= 0) call("close", fd);
				call("close", saved);
				return -1;
			}
			call("close", fd);
			return saved;
		}

		void restoreStderr(int saved) {
			if (call("dup2", saved, 2) < 0) LOG.warning("ConvLens: could not restore stderr");
			call("close", saved);
		}
	}
}
