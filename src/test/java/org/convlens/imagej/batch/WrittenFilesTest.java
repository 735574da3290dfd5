package org.convlens.imagej.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compact set of written files answers exactly as a set of paths would, beyond its in-memory part too. */
class WrittenFilesTest {

	@TempDir
	Path tmp;

	@Test
	void holdsExactlyThePathsAdded() {
		int n = WrittenFiles.IN_MEMORY * 2 + 777; // past the in-memory part: the rest is checked in the temporary file
		try (WrittenFiles w = new WrittenFiles()) {
			for (int i = 0; i < n; i++) w.add(tmp.resolve("img" + i + "_heatmap.tif"));
			w.add(tmp.resolve("sub/../img5_heatmap.tif")); // the same file, written differently
			assertEquals(n, w.size());
			for (int i = 0; i < n; i += 97) assertTrue(w.contains(tmp.resolve("img" + i + "_heatmap.tif")), "img" + i);
			assertTrue(w.contains(tmp.resolve("img" + (n - 1) + "_heatmap.tif")));
			assertFalse(w.contains(tmp.resolve("img" + n + "_heatmap.tif")));
			assertFalse(w.contains(tmp.resolve("img5_heatmap.png")));
		}
	}

	@Test
	void refusesFilesOfThisRunAndFilesThatWereThere() throws IOException {
		Path before = Files.writeString(tmp.resolve("old.csv"), "x");
		try (WrittenFiles w = new WrittenFiles()) {
			w.reserve(List.of(tmp.resolve("a.tif"), tmp.resolve("a.png")), false);
			IOException again = assertThrows(IOException.class, () -> w.reserve(List.of(tmp.resolve("b.tif"), tmp.resolve("a.png")), false));
			assertEquals("would overwrite " + tmp.resolve("a.png") + ", written earlier in this run; nothing written for this input.", again.getMessage());
			assertFalse(w.contains(tmp.resolve("b.tif")), "a refused input reserves nothing");
			IllegalArgumentException old = assertThrows(IllegalArgumentException.class, () -> w.reserve(List.of(before), false));
			assertEquals("would overwrite " + before + ", which this run did not write; use --overwrite or another --output folder.", old.getMessage());
			w.reserve(List.of(before), true);
			assertThrows(IOException.class, () -> w.reserve(List.of(before), true), "--overwrite never replaces a file of this run");
		}
	}

	@Test
	void hashSpreadsNearNames() {
		assertFalse(WrittenFiles.hash("img00001_heatmap.tif") == WrittenFiles.hash("img00010_heatmap.tif"));
	}
}
