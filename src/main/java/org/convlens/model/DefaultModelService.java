package org.convlens.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/** Caches models by canonical path and a fingerprint of their files' modification times. */
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
		if (path == null || !Files.exists(path)) Models.resolve(path); // throws the user-facing message
		String key;
		long stamp;
		try {
			key = path.toRealPath() + "|" + options;
			stamp = stamp(path.toRealPath());
		}
		catch (IOException e) {
			throw new ModelException("Cannot resolve " + path + ": " + e.getMessage(), e);
		}
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

	/** Changes whenever a file of the model (or the zip) is modified, added or removed. */
	static long stamp(Path path) {
		long h = 17;
		try {
			if (Files.isRegularFile(path)) return h * 31 + Files.getLastModifiedTime(path).toMillis() * 31 + Files.size(path);
			try (Stream<Path> s = Files.walk(path, 2)) {
				for (Path p : (Iterable<Path>) s.sorted()::iterator) {
					if (Files.isRegularFile(p)) {
						h = h * 31 + path.relativize(p).toString().hashCode();
						h = h * 31 + Files.getLastModifiedTime(p).toMillis();
						h = h * 31 + Files.size(p);
					}
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
