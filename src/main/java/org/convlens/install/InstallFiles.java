package org.convlens.install;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The {@link Installer}'s file moves, each undoable, and the removal of its staging folders. */
final class InstallFiles {

	private InstallFiles() {}

	static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (AtomicMoveNotSupportedException e) {
			Files.move(from, to);
		}
	}

	static void moveQuietly(Path from, Path to) {
		try {
			Files.createDirectories(to.getParent());
			move(from, to);
		}
		catch (IOException e) {
			System.err.println("ConvLens install: could not undo " + from + " -> " + to + ": " + e.getMessage());
		}
	}

	/** Creates missing parent folders below root, and undoes that by removing them (if empty). */
	static void createParents(Path file, Path root, Deque<Runnable> undo) throws IOException {
		List<Path> missing = new ArrayList<>();
		for (Path d = file.getParent(); d != null && d.startsWith(root) && !Files.exists(d); d = d.getParent()) missing.add(0, d);
		for (Path d : missing) {
			Files.createDirectory(d);
			undo.push(() -> {
				try {
					Files.deleteIfExists(d);
				}
				catch (IOException ignored) {
					// not empty: someone else's file
				}
			});
		}
	}

	static void deleteTree(Path dir) {
		if (!Files.exists(dir)) return;
		try {
			Files.walkFileTree(dir, new SimpleFileVisitor<Path>() {
				@Override
				public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
					Files.delete(f);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
					Files.delete(d);
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException e) {
			System.err.println("ConvLens install: could not remove " + dir + ": " + e.getMessage());
		}
	}
}
