package org.convlens.explain.core;

/**
 * Where long computations report progress and learn that the user cancelled. The ImageJ room
 * adapts it to the progress bar and the Esc key; tests and headless runs use {@link #NONE} or
 * their own.
 */
public interface Progress {

	/** Ignores updates, never cancels. */
	Progress NONE = new Progress() {
		@Override
		public void update(double fraction, String message) {}

		@Override
		public boolean isCancelled() {
			return false;
		}
	};

	/** @param fraction 0..1 of the whole job */
	void update(double fraction, String message);

	boolean isCancelled();

	/** Throws {@link CancelledException} when the user has cancelled. */
	default void checkCancelled() {
		if (isCancelled()) throw new CancelledException();
	}

	/** A view of this progress covering {@code [from, to]} of the whole. */
	default Progress sub(double from, double to) {
		Progress outer = this;
		return new Progress() {
			@Override
			public void update(double fraction, String message) {
				outer.update(from + (to - from) * Math.max(0, Math.min(1, fraction)), message);
			}

			@Override
			public boolean isCancelled() {
				return outer.isCancelled();
			}
		};
	}
}
