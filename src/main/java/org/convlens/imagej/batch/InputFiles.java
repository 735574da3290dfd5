package org.convlens.imagej.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.imagej.Outputs;

/** The images of a batch run's input and the name stems of their outputs. */
public final class InputFiles {

	private InputFiles() {}

	/** The image, or the images (tif, png, jpg, gif, bmp) directly in a folder, sorted by name. */
	public static List<Path> images(Path input) throws IOException {
		if (!Files.exists(input)) throw new IllegalArgumentException("Input does not exist: " + input);
		if (Files.isRegularFile(input)) return List.of(input);
		try (Stream<Path> s = Files.list(input)) {
			List<Path> l = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT)
				.matches(".*\\.(tiff?|png|jpe?g|gif|bmp)$")).sorted(ShardScope.FILE_ORDER).collect(Collectors.toList());
			if (l.isEmpty()) throw new IllegalArgumentException("No images (tif, png, jpg, gif, bmp) in " + input);
			return l;
		}
	}

	/**
	 * Distinct output name stems for the images, safe for file names: the file name without its
	 * extension ({@code a}); where two images would share that, the whole name ({@code a.tif},
	 * {@code a.png.tif}); where even that collides (e.g. {@code cell 1.tif} and {@code cell_1.tif}
	 * once made file-name safe, or names differing in case), the name plus a short hash of the
	 * original name.
	 */
	public static Map<Path, String> baseNames(List<Path> images) {
		Map<Path, Integer> level = new LinkedHashMap<>();
		for (Path p : images) level.put(p, 0);
		for (int round = 0; round < 3; round++) {
			Map<String, Integer> count = new HashMap<>();
			for (Path p : images) count.merge(stem(p, level.get(p)).toLowerCase(Locale.ROOT), 1, Integer::sum);
			boolean clash = false;
			for (Path p : images) {
				if (count.get(stem(p, level.get(p)).toLowerCase(Locale.ROOT)) > 1 && level.get(p) < 2) {
					level.put(p, level.get(p) + 1);
					clash = true;
				}
			}
			if (!clash) break;
		}
		Map<Path, String> clashing = new HashMap<>();
		for (Path p : images) if (level.get(p) > 0) clashing.put(p, stem(p, level.get(p)));
		return new Stems(images, clashing);
	}

	/**
	 * The stems of a run's images, in their order; only those that clash are kept, the others made
	 * again from the name when asked for (a run over 100,000 images keeps no 100,000 names).
	 */
	private static final class Stems extends AbstractMap<Path, String> {
		private final List<Path> images;
		private final Map<Path, String> clashing;

		Stems(List<Path> images, Map<Path, String> clashing) {
			this.images = images;
			this.clashing = clashing;
		}

		@Override
		public String get(Object key) {
			if (!(key instanceof Path)) return null;
			String s = clashing.get(key);
			return s != null ? s : stem((Path) key, 0);
		}

		@Override
		public Set<Map.Entry<Path, String>> entrySet() {
			return new AbstractSet<>() {
				@Override
				public Iterator<Map.Entry<Path, String>> iterator() {
					Iterator<Path> it = images.iterator();
					return new Iterator<>() {
						@Override
						public boolean hasNext() {
							return it.hasNext();
						}

						@Override
						public Map.Entry<Path, String> next() {
							Path p = it.next();
							return new SimpleImmutableEntry<>(p, get(p));
						}
					};
				}

				@Override
				public int size() {
					return images.size();
				}
			};
		}
	}

	private static String stem(Path p, int level) {
		String name = p.getFileName().toString();
		if (level == 0) return Outputs.safe(name);
		String full = name.replaceAll("[^A-Za-z0-9._-]+", "_");
		return level == 1 ? full : full + "-" + String.format("%08x", name.hashCode());
	}
}
