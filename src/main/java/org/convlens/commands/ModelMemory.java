package org.convlens.commands;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import ij.Prefs;

/**
 * What the dialogs remember per model: the last preprocessing and layers used with a model are
 * offered again for that model only, never for another one (the same layer name or scaling can
 * mean something else there). Keyed by the model's normalised absolute path; stored in ImageJ's
 * preferences unless another {@link Store} is given (tests).
 */
final class ModelMemory {

	/** Where the values live. */
	interface Store {
		String get(String key);

		void set(String key, String value);
	}

	/** ImageJ's preferences (IJ_Prefs.txt), in memory until ImageJ saves them. */
	static final Store PREFS = new Store() {
		@Override
		public String get(String key) {
			return Prefs.get(key, null);
		}

		@Override
		public void set(String key, String value) {
			Prefs.set(key, value);
		}
	};

	private final Store store;

	ModelMemory(Store store) {
		this.store = store;
	}

	/** The memory in ImageJ's preferences. */
	static ModelMemory prefs() {
		return new ModelMemory(PREFS);
	}

	/** The value of {@code what} last used with {@code model}, or null. */
	String get(Path model, String what) {
		return model == null ? null : store.get(key(model, what));
	}

	/** Remembers {@code value} of {@code what} for {@code model} (null model: nothing). */
	void put(Path model, String what, String value) {
		if (model != null) store.set(key(model, what), value == null ? "" : value);
	}

	/**
	 * The preference key: a hash of the normalised absolute path (a path holds characters that
	 * preference files escape or split on), then the item.
	 */
	static String key(Path model, String what) {
		String p = model.toAbsolutePath().normalize().toString();
		try {
			byte[] d = MessageDigest.getInstance("SHA-256").digest(p.getBytes(StandardCharsets.UTF_8));
			StringBuilder sb = new StringBuilder("convlens.permodel.");
			for (int i = 0; i < 8; i++) sb.append(String.format("%02x", d[i] & 0xff));
			return sb.append('.').append(what).toString();
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
