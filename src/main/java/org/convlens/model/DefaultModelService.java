package org.convlens.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/**
 * Caches models by canonical path, options and a stamp of the files a load reads; see
 * {@link ModelService} for leases, parallel loads and remembered failures. Loads run under a
 * per-model lock only; the service's own lock guards the maps and is never held while loading
 * or closing a model.
 */
@Plugin(type = Service.class)
public class DefaultModelService extends AbstractService implements ModelService {

	private static final class Entry {
		final long stamp;
		final ConvModel model;
		/** Guarded by the service. */
		int leases;
		/** Handed out by {@link #get}: stays open until {@link #clear}. */
		boolean pinned;
		/** Open {@link #hold} leases: while any, requests get this model whatever the files' stamp. */
		int holds;
		/** False once replaced by a reload or dropped by {@link #clear}. */
		boolean current = true;

		Entry(long stamp, ConvModel model) {
			this.stamp = stamp;
			this.model = model;
		}
	}

	private static final class Failure {
		final long stamp;
		final ModelException error;

		Failure(long stamp, ModelException error) {
			this.stamp = stamp;
			this.error = error;
		}
	}

	private final Map<String, Entry> cache = new LinkedHashMap<>();
	private final Map<String, Failure> failures = new HashMap<>();
	/** Replaced or cleared models that are still leased or pinned. */
	private final Set<Entry> retired = new HashSet<>();
	private final ConcurrentHashMap<String, Object> loadLocks = new ConcurrentHashMap<>();

	@Override
	public ModelLease acquire(Path path, LoadOptions options) {
		Entry e = entry(path, options, false);
		return new ModelLease(e.model, () -> release(e));
	}

	@Override
	public ModelLease hold(Path path, LoadOptions options) {
		Entry e = entry(path, options, false);
		synchronized (this) {
			e.holds++;
		}
		return new ModelLease(e.model, () -> {
			synchronized (this) {
				e.holds--;
			}
			release(e);
		});
	}

	@Override
	public ConvModel get(Path path, LoadOptions options) {
		return entry(path, options, true).model;
	}

	/** The current entry for the path, leased (or pinned) before it is returned. */
	private Entry entry(Path path, LoadOptions options, boolean pin) {
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
		// called by every command run, so the check stats the few files a load reads instead of
		// walking the folder
		long stamp = stamp(real);
		Entry hit = cached(key, stamp, pin);
		if (hit != null) return hit;
		synchronized (loadLocks.computeIfAbsent(key, k -> new Object())) {
			hit = cached(key, stamp, pin);
			if (hit != null) return hit; // loaded by another thread meanwhile
			Path dir = null;
			ConvModel m;
			try {
				dir = Models.resolve(path, options); // a zip is extracted here, once per load
				m = factory().open(dir, options);
			}
			catch (ModelException e) {
				Models.discard(dir);
				synchronized (this) {
					failures.put(key, new Failure(stamp, e));
				}
				throw e;
			}
			catch (RuntimeException | Error e) {
				Models.discard(dir);
				throw e;
			}
			Entry fresh = new Entry(stamp, m);
			Entry old;
			synchronized (this) {
				failures.remove(key);
				old = cache.put(key, fresh);
				take(fresh, pin);
				if (old != null && !retire(old)) old = null;
			}
			if (old != null) dispose(old);
			return fresh;
		}
	}

	/** Where models come from; tests put a slow or counting factory here. */
	ModelFactory factory() {
		return TfRuntime.factory();
	}

	private synchronized Entry cached(String key, long stamp, boolean pin) {
		Entry e = cache.get(key);
		if (e != null && (e.stamp == stamp || e.holds > 0)) {
			take(e, pin);
			return e;
		}
		Failure f = failures.get(key);
		if (f != null && f.stamp == stamp) {
			// the same files failed before: the same message, without reading (or unzipping) them again
			throw new ModelException(f.error.getMessage(), f.error);
		}
		return null;
	}

	private static void take(Entry e, boolean pin) {
		if (pin) e.pinned = true;
		else e.leases++;
	}

	/** Marks an entry as no longer current; true when nobody uses it, so it can be closed now. */
	private boolean retire(Entry e) {
		e.current = false;
		if (e.leases == 0 && !e.pinned) return true;
		retired.add(e);
		return false;
	}

	private void release(Entry e) {
		synchronized (this) {
			e.leases--;
			if (e.current || e.leases > 0 || e.pinned) return;
			retired.remove(e);
		}
		dispose(e);
	}

	private static void dispose(Entry e) {
		e.model.close();
		Models.discard(e.model.info().path());
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
	public void clear() {
		List<Entry> now = new ArrayList<>();
		synchronized (this) {
			for (Entry e : cache.values()) {
				e.pinned = false; // get()'s models live until clear()
				if (retire(e)) now.add(e);
			}
			for (Iterator<Entry> it = retired.iterator(); it.hasNext();) {
				Entry e = it.next();
				e.pinned = false;
				if (e.leases == 0) {
					now.add(e);
					it.remove();
				}
			}
			cache.clear();
			failures.clear();
		}
		now.forEach(DefaultModelService::dispose);
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
