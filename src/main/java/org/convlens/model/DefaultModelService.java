package org.convlens.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/** Caches models by canonical path and a fingerprint of the modification times of the files a load reads. */
@Plugin(type = Service.class)
public class DefaultModelService extends AbstractService implements ModelService {

	private static final class Entry {
		final long stamp;
		final ConvModel model;

		Entry(long stamp, ConvModel model) {
			this.stamp = stamp;
			this.model = model;
		}
	}

	private final Map<String, Entry> cache = new LinkedHashMap<>();

	@Override
	public synchronized ConvModel get(Path path, LoadOptions options) {
		if (path == null) Models.resolve(path); // throws the user-facing message
		Path real;
		try {
			real = path.toRealPath();
		}
		catch (IOException e) {
			if (!Files.exists(path)) Models.resolve(path);
			throw new ModelException("Cannot resolve " + path + ": " + e.getMessage(), e);
		}
		String key = real + "|" + options;
		// called by every command run (twice: the model input's callback, then the run), so the
		// check stats the few files a load reads instead of walking the folder
		long stamp = stamp(real);
		Entry e = cache.get(key);
		if (e != null && e.stamp == stamp) return e.model;
		if (e != null) {
			cache.remove(key);
			e.model.close();
		}
		ConvModel m = TfRuntime.factory().open(Models.resolve(path), options);
		cache.put(key, new Entry(stamp, m));
		return m;
	}

	/**
	 * The files a load reads (relative to the model folder); the variables' data shards are
	 * rewritten together with their index, so the index stands for them.
	 */
	static final String[] STAMPED = { "saved_model.pb", "variables/variables.index", "labels.txt", "classes.txt" };

	/**
	 * Changes whenever a file a load reads (or the zip) is modified, added or removed: size and
	 * modification time of each of {@link #STAMPED}.
	 */
	static long stamp(Path path) {
		long h = 17;
		try {
			BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
			if (a.isRegularFile()) return h * 31 + a.lastModifiedTime().toMillis() * 31 + a.size();
			for (String name : STAMPED) {
				h *= 31;
				try {
					BasicFileAttributes f = Files.readAttributes(path.resolve(name), BasicFileAttributes.class);
					h = (h + f.lastModifiedTime().toMillis()) * 31 + f.size() + 1;
				}
				catch (NoSuchFileException absent) {
					// absent counts too: adding the file changes the stamp
				}
			}
		}
		catch (IOException e) {
			throw new ModelException("Cannot read " + path + ": " + e.getMessage(), e);
		}
		return h;
	}

	@Override
	public synchronized void clear() {
		for (Entry e : cache.values()) e.model.close();
		cache.clear();
	}

	@Override
	public synchronized int size() {
		return cache.size();
	}

	@Override
	public void dispose() {
		clear();
	}
}
