package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.convlens.imagej.IJProgress;
import org.convlens.imagej.Outputs;
import org.convlens.imagej.Titles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.text.TextWindow;

/**
 * Windows by ImageJ's habits, with a display (xvfb-run): two runs of a command on one image give
 * windows and tables with different titles in one style, small maps open zoomed, and the status
 * line has one prefix and a last line that says what was made.
 */
class WindowTitlesGuiTest extends CommandTestBase {

	@BeforeAll
	static void display() {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display (xvfb-run)");
	}

	@AfterEach
	void close() throws Exception {
		IJProgress.setListener(null);
		for (Frame f : WindowManager.getNonImageWindows()) if (f instanceof TextWindow) ((TextWindow) f).close(false);
		MacrosTest.closeAll();
	}

	private static Set<String> imageTitles() {
		Set<String> t = new HashSet<>();
		for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) t.add(WindowManager.getImage(id).getTitle());
		return t;
	}

	private static Set<String> tableTitles() {
		Set<String> t = new HashSet<>();
		for (Frame f : WindowManager.getNonImageWindows()) if (f instanceof TextWindow) t.add(f.getTitle());
		return t;
	}

	@Test
	void twoRunsGiveWindowsAndTablesWithDifferentTitles() throws Exception {
		ImagePlus src = random("chelsea.tif", size, size, 8, 1, 1, 1, 3);
		src.show();
		IJ.wait(300);
		String opts = "model=[" + modelPath.toAbsolutePath() + "] layer=conv2d_1 stats predict top=2";
		WindowManager.setTempCurrentImage(src);
		IJ1Bridge.runCommand(ShowActivations.class.getName(), opts);
		IJ.wait(300);
		Set<String> first = imageTitles();
		Set<String> firstTables = tableTitles();
		assertTrue(first.contains("chelsea-activations-conv2d_1"), first.toString());
		assertTrue(firstTables.contains("chelsea-FilterStatistics-conv2d_1"), firstTables.toString());
		assertTrue(firstTables.contains("chelsea-Predictions-conv2d_1"), firstTables.toString());
		WindowManager.setTempCurrentImage(src);
		IJ1Bridge.runCommand(ShowActivations.class.getName(), opts);
		IJ.wait(300);
		Set<String> second = imageTitles();
		Set<String> secondTables = tableTitles();
		assertEquals(first.size() + 1, second.size(), second.toString());
		assertTrue(second.contains("chelsea-activations-conv2d_1-1"), second.toString());
		// the first run's tables are still there, the second run's are new windows
		assertTrue(secondTables.containsAll(firstTables), secondTables.toString());
		assertTrue(secondTables.contains("chelsea-FilterStatistics-conv2d_1-1"), secondTables.toString());
		assertEquals(firstTables.size() * 2, secondTables.size(), secondTables.toString());
		// and the first table still holds the first run's rows
		TextWindow stats = (TextWindow) WindowManager.getWindow("chelsea-FilterStatistics-conv2d_1");
		assertEquals(engine.info().layer("conv2d_1").channels(), stats.getResultsTable().size());
	}

	@Test
	void smallMapsOpenZoomedToAtLeast256ScreenPixels() throws Exception {
		ImagePlus small = new ImagePlus("tiny", new ij.process.FloatProcessor(11, 11));
		Outputs.show(small, null);
		IJ.wait(500);
		assertNotNull(small.getWindow());
		double mag = small.getCanvas().getMagnification();
		assertEquals(24, mag, 1e-9);
		assertTrue(11 * mag >= 256, "11 px at " + mag);
		ImagePlus big = new ImagePlus("big", new ij.process.FloatProcessor(300, 200));
		Outputs.show(big, null);
		IJ.wait(300);
		assertEquals(1, big.getCanvas().getMagnification(), 1e-9);
	}

	@Test
	void statusLineHasOnePrefixAndSaysWhenTheRunEnds() throws Exception {
		List<String> lines = new CopyOnWriteArrayList<>();
		IJProgress.setListener(lines::add);
		IJ1Bridge.runCommand(ShowFilterPatterns.class.getName(), "model=[" + modelPath.toAbsolutePath() + "] layer=conv2d_1 filters=0-1 iterations=8 seed=0");
		assertTrue(lines.size() > 3, lines.toString());
		List<String> doubled = new ArrayList<>();
		for (String l : lines) {
			assertTrue(l.startsWith("Filter Patterns: "), l);
			String rest = l.substring("Filter Patterns: ".length()).toLowerCase(java.util.Locale.ROOT);
			if (rest.startsWith("filter patterns")) doubled.add(l);
		}
		assertEquals(List.of(), doubled);
		assertTrue(lines.stream().anyMatch(l -> l.matches("Filter Patterns: step \\d+/8")), lines.toString());
		String last = lines.get(lines.size() - 1);
		assertTrue(last.matches("Filter Patterns: done in \\d+(\\.\\d)? s"), last);
		assertNotEquals(lines.get(0), last);
	}

	@Test
	void heatmapRunEndsWithWhatItMade() throws Exception {
		ImagePlus src = random("ring.png", size, size, 8, 1, 3, 1, 5);
		src.show();
		IJ.wait(300);
		List<String> lines = new CopyOnWriteArrayList<>();
		IJProgress.setListener(lines::add);
		WindowManager.setTempCurrentImage(src);
		IJ1Bridge.runCommand(ClassActivationMap.class.getName(), "model=[" + modelPath.toAbsolutePath() + "] method=Grad-CAM target=top overlay");
		String last = lines.get(lines.size() - 1);
		assertTrue(last.matches("Grad-CAM: 3 maps in \\d+(\\.\\d)? s"), last);
		String layer = engine.info().camLayerChoices().get(0);
		assertTrue(imageTitles().contains(Titles.of("ring", "Grad-CAM", layer)), imageTitles() + " " + layer);
	}
}
