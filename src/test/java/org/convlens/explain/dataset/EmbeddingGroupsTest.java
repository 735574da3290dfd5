package org.convlens.explain.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convlens.TestPaths;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.Models;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the embedding map colours its points, and which dataset entry each code row came from. */
class EmbeddingGroupsTest {

	static ConvModel model;
	static ModelInfo info;

	@BeforeAll
	static void open() {
		model = Models.open(TestPaths.model("shapes-keras"));
		info = model.info();
	}

	@AfterAll
	static void close() {
		if (model != null) model.close();
	}

	private static CodeCollector rows(String[] labels, int[] predicted) {
		CodeCollector c = new CodeCollector();
		for (int i = 0; i < predicted.length; i++) {
			c.accept(new CnnCodes.Row(i, "img" + i, labels == null ? null : labels[i], predicted[i], "", 0.9f, new float[] { i }));
		}
		return c;
	}

	@Test
	void byLabelInOrderOfFirstAppearance() {
		EmbeddingGroups g = EmbeddingGroups.of(rows(new String[] { "ring", "cross", "ring", "blob" }, new int[] { 0, 0, 1, 2 }), info, " Label ");
		assertTrue(g.byLabel());
		assertArrayEquals(new int[] { 0, 1, 0, 2 }, g.group());
		assertEquals(List.of("ring", "cross", "blob"), g.names());
		assertNull(g.note());
	}

	@Test
	void byPredictedClassNamesEveryClassAndFoldsMissingPredictions() {
		int k = info.numClasses();
		EmbeddingGroups g = EmbeddingGroups.of(rows(null, new int[] { 2, -1, 0, 1 }), info, "predicted");
		assertFalse(g.byLabel());
		assertArrayEquals(new int[] { 2, 0, 0, 1 }, g.group());
		assertEquals(info.classNames().subList(0, k), g.names());
		assertNull(g.note());
		// a prediction beyond the named classes gets a group and a name of its own
		EmbeddingGroups wide = EmbeddingGroups.of(rows(null, new int[] { k + 1 }), info, "predicted");
		assertEquals(k + 2, wide.names().size());
		assertEquals("class " + (k + 1), wide.names().get(k + 1));
	}

	@Test
	void labelsAskedForWithoutLabelsFallBackToPredictedWithANote() {
		EmbeddingGroups g = EmbeddingGroups.of(rows(new String[] { "", null }, new int[] { 1, 2 }), info, "label");
		assertFalse(g.byLabel());
		assertArrayEquals(new int[] { 1, 2 }, g.group());
		assertEquals("the images have no labels (use sub-folders with 'labels', or a list file with labels); colouring by predicted class.", g.note());
	}

	@Test
	void rowsFindTheirEntriesPastSkippedOnes() {
		Preprocessing.Planes px = new Preprocessing.Planes(new float[][] { new float[4] }, 2, 2, 255, false);
		List<ImageSource.Entry> es = List.of(ImageSource.entry("a", null, px), ImageSource.entry("b", null, px), ImageSource.entry("c", null, px),
			ImageSource.entry("d", null, px));
		ImageSource src = ImageSource.of("test set", es);
		// b was skipped when the codes were read
		List<CnnCodes.Row> rs = List.of(row("a"), row("c"), row("d"));
		List<ImageSource.Entry> found = EmbeddingGroups.entries(src, rs);
		assertEquals(3, found.size());
		assertSame(es.get(0), found.get(0));
		assertSame(es.get(2), found.get(1));
		assertSame(es.get(3), found.get(2));
		// out of order (or gone): the walk cannot go back
		IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddingGroups.entries(src, List.of(row("c"), row("a"))));
		assertEquals("Image a is no longer in test set", e.getMessage());
	}

	private static CnnCodes.Row row(String name) {
		return new CnnCodes.Row(0, name, null, 0, "", 1, new float[1]);
	}
}
