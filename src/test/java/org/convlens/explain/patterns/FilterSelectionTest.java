package org.convlens.explain.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FilterSelectionTest {

	@Test
	void readsAllRangesAndLists() {
		assertArrayEquals(new int[] { 0, 1, 2, 3 }, FilterSelection.parse("all", 4));
		assertArrayEquals(new int[] { 0, 1, 2 }, FilterSelection.parse("", 3));
		assertArrayEquals(new int[] { 0, 1, 2 }, FilterSelection.parse(null, 3));
		assertArrayEquals(new int[] { 2, 3, 4 }, FilterSelection.parse("2-4", 8));
		assertArrayEquals(new int[] { 5, 1, 7 }, FilterSelection.parse("5,1,7", 8));
		assertArrayEquals(new int[] { 0, 1, 6, 3 }, FilterSelection.parse(" 0-1, 6 ;3 1", 8));
	}

	@Test
	void refusesBadInputWithAHelpfulMessage() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FilterSelection.parse("0-8", 8));
		assertTrue(e.getMessage().contains("0-7"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> FilterSelection.parse("x", 8));
		assertThrows(IllegalArgumentException.class, () -> FilterSelection.parse("5-2", 8));
		assertThrows(IllegalArgumentException.class, () -> FilterSelection.parse("-1", 8));
		assertThrows(IllegalArgumentException.class, () -> FilterSelection.parse("all", 0));
	}
}
