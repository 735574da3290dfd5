package org.convlens.imagej.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Output stems: distinct for every input, made from the name, the clashing ones longer; and the report's bounded file list. */
class InputFilesTest {

	@Test
	void stemsAreDistinctAndOnlyClashesGrow() {
		Path d = Paths.get("/data");
		List<Path> in = List.of(d.resolve("a.tif"), d.resolve("a.png"), d.resolve("b.tif"), d.resolve("cell 1.tif"), d.resolve("cell_1.tif"),
			d.resolve("C.tif"), d.resolve("c.tif"));
		Map<Path, String> stems = InputFiles.baseNames(in);
		assertEquals("b", stems.get(d.resolve("b.tif")));
		assertEquals("a.tif", stems.get(d.resolve("a.tif")));
		assertEquals("a.png", stems.get(d.resolve("a.png")));
		Set<String> lower = new HashSet<>();
		for (Path p : in) assertTrue(lower.add(stems.get(p).toLowerCase(java.util.Locale.ROOT)), "distinct ignoring case: " + stems);
		assertNotEquals(stems.get(d.resolve("cell 1.tif")), stems.get(d.resolve("cell_1.tif")));
		List<Path> order = new ArrayList<>();
		for (Map.Entry<Path, String> e : stems.entrySet()) {
			order.add(e.getKey());
			assertEquals(stems.get(e.getKey()), e.getValue());
		}
		assertEquals(in, order, "in input order");
	}

	@Test
	void reportCountsEveryFileAndListsTheFirst() {
		BatchReport r = new BatchReport();
		for (int i = 0; i < 3 * BatchReport.LISTED_FILES + 7; i++) r.addFile(Paths.get("f" + i + ".png"));
		assertEquals(3 * BatchReport.LISTED_FILES + 7, r.fileCount());
		assertEquals(BatchReport.LISTED_FILES, r.files.size());
		assertEquals(Paths.get("f0.png"), r.files.get(0));
		assertEquals(Paths.get("f" + (BatchReport.LISTED_FILES - 1) + ".png"), r.files.get(BatchReport.LISTED_FILES - 1));
	}
}
