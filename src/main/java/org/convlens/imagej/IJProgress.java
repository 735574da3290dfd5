package org.convlens.imagej;

import java.util.Locale;
import java.util.function.Consumer;

import org.convlens.explain.core.Progress;

import ij.IJ;

/**
 * {@link Progress} on ImageJ's progress bar and status line; Esc cancels. Create one per run: it
 * clears an Esc pressed earlier. Every status line has one prefix, the command's title ("Filter
 * Patterns: step 8/60"), even when the algorithm names itself in its messages, and a run ends
 * with a line that says what was made and how long it took ({@link #finish}).
 *
 * <p>A {@link Channel} (commands pass one backed by SciJava's {@code StatusService} and the
 * command's {@code Cancelable}) sees the same lines and fractions and can cancel too, so Fiji's
 * status bar, scripts and a SciJava {@code cancel} reach the explain loops, which know only
 * {@link Progress}.
 */
public final class IJProgress implements Progress {

	/** Sees every status line shown through this class (tests; null = none). */
	private static volatile Consumer<String> listener;

	private final String title;
	private final String prefix;
	private final long start = System.nanoTime();
	private final Channel channel;

	/** A second place for status lines and the bar, and a second source of cancel requests. */
	public interface Channel {
		/** Does nothing, never cancels. */
		Channel NONE = new Channel() {
			@Override
			public void status(String line) {}

			@Override
			public void progress(double fraction) {}

			@Override
			public boolean cancelled() {
				return false;
			}
		};

		void status(String line);

		/** @param fraction 0..1 */
		void progress(double fraction);

		boolean cancelled();
	}

	public IJProgress(String prefix) {
		this(prefix, Channel.NONE);
	}

	/** Progress on ImageJ's bar and on {@code channel}; cancelled by Esc or by the channel. */
	public IJProgress(String prefix, Channel channel) {
		this.title = prefix == null ? "" : prefix;
		this.prefix = prefix == null ? "" : prefix + ": ";
		this.channel = channel == null ? Channel.NONE : channel;
		IJ.resetEscape();
	}

	@Override
	public void update(double fraction, String message) {
		double f = Math.max(0, Math.min(1, fraction));
		IJ.showProgress(f);
		channel.progress(f);
		if (message != null) line(prefix + withoutPrefix(message));
	}

	/** Shows a status line on ImageJ's bar and the channel. */
	public void line(String line) {
		status(line);
		channel.status(line);
	}

	/**
	 * The message without a leading "Name: " that repeats this run's title (e.g. "Filter patterns:
	 * step 8" under "Filter Patterns"), so the line has one prefix.
	 */
	String withoutPrefix(String message) {
		String m = message;
		String norm = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
		int colon = m.indexOf(": ");
		if (!norm.isEmpty() && colon > 0 && m.substring(0, colon).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "").equals(norm)) {
			m = m.substring(colon + 2);
		}
		return m;
	}

	@Override
	public boolean isCancelled() {
		return IJ.escapePressed() || channel.cancelled();
	}

	/** Clears the bar; call in a finally block. */
	public void done() {
		IJ.showProgress(1.0);
		channel.progress(1.0);
	}

	/**
	 * The run's last status line: {@code what} (e.g. "Grad-CAM: 3 maps", or the title when null)
	 * and the time since this progress was made, e.g. "Grad-CAM: 3 maps in 0.8 s".
	 */
	public void finish(String what) {
		double s = (System.nanoTime() - start) / 1e9;
		String w = what == null || what.isBlank() ? title + ": done" : what;
		line(w + String.format(Locale.ROOT, s < 10 ? " in %.1f s" : " in %.0f s", s));
	}

	/** Shows a status line (and passes it to the test listener). */
	public static void status(String line) {
		IJ.showStatus(line);
		Consumer<String> l = listener;
		if (l != null) l.accept(line);
	}

	/** Sets the listener that sees every status line (tests); null removes it. */
	public static void setListener(Consumer<String> l) {
		listener = l;
	}
}
