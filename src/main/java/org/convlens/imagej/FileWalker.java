package org.convlens.imagej;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Depth-first walk over regular, non-hidden files: each folder's files in name order, then its
 * sub-folders in name order. Holds one folder listing per level, not the whole tree.
 */
final class FileWalker implements Iterator<Path> {

	/** Files never offered as images (system clutter). */
	private static final Set<String> IGNORED = Set.of("thumbs.db", "desktop.ini", ".ds_store");

	private final boolean recursive;
	private final Deque<Iterator<Path>> files = new ArrayDeque<>();
	private final Deque<Iterator<Path>> dirs = new ArrayDeque<>();
	private Path next;

	FileWalker(Path root, boolean recursive) {
		this.recursive = recursive;
		push(root);
		advance();
	}

	private void push(Path dir) {
		List<Path> f = new ArrayList<>();
		List<Path> d = new ArrayList<>();
		try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
			for (Path p : ds) {
				String n = p.getFileName().toString();
				if (n.startsWith(".") || IGNORED.contains(n.toLowerCase(Locale.ROOT))) continue;
				if (Files.isDirectory(p)) d.add(p);
				else if (Files.isRegularFile(p)) f.add(p);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
		}
		// by name in code-unit order, the same on every OS and locale (the order --shard cuts)
		java.util.Comparator<Path> byName = java.util.Comparator.comparing(p -> p.getFileName().toString());
		f.sort(byName);
		d.sort(byName);
		files.push(f.iterator());
		dirs.push(recursive ? d.iterator() : List.<Path> of().iterator());
	}

	private void advance() {
		next = null;
		while (!files.isEmpty()) {
			if (files.peek().hasNext()) {
				next = files.peek().next();
				return;
			}
			if (dirs.peek().hasNext()) {
				push(dirs.peek().next());
				continue;
			}
			files.pop();
			dirs.pop();
		}
	}

	@Override
	public boolean hasNext() {
		return next != null;
	}

	@Override
	public Path next() {
		if (next == null) throw new NoSuchElementException();
		Path r = next;
		advance();
		return r;
	}
}
