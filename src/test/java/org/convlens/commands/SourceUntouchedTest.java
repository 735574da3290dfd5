package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;

/**
 * Every one of the twelve commands, on the open image and (for the dataset commands) on a folder,
 * leaves its source alone: pixels, calibration, title, dimensions, position, ROI and the files on disk.
 */
class SourceUntouchedTest extends CommandTestBase {

	/** A 16-bit 2-channel, 3-slice, 2-frame hyperstack larger than the model input, with a ROI and a position. */
	private static ImagePlus source() {
		ImagePlus imp = random("keep me", size + 7, size - 3, 16, 2, 3, 2, 43);
		imp.getCalibration().pixelDepth = 3;
		imp.setPosition(2, 2, 1);
		imp.setRoi(new Roi(3, 4, 10, 9));
		return imp;
	}

	private static String state(ImagePlus imp) {
		Roi r = imp.getRoi();
		return fingerprint(imp) + "|pos " + imp.getC() + "," + imp.getZ() + "," + imp.getT() + "|roi " + (r == null ? "none" : r.getBounds()) +
			"|overlay " + (imp.getOverlay() == null ? 0 : imp.getOverlay().size());
	}

	@Test
	void everySingleImageCommandLeavesTheImageAlone() {
		String layer = engine.info().spatialLayers().get(1).name();
		List<Object[]> runs = new ArrayList<>();
		runs.add(new Object[] { ShowActivations.class, "layer", layer, "preprocessing", "channel=2", "montage", true, "predict", true });
		runs.add(new Object[] { AllLayersOverview.class, "preprocessing", "channel=1" });
		runs.add(new Object[] { ShowPredictions.class, "preprocessing", "channel=2 normalization=percentile" });
		runs.add(new Object[] { ClassActivationMap.class, "preprocessing", "channel=1", "overlay", false });
		runs.add(new Object[] { ShowFilterPatterns.class, "layer", layer, "filters", "0-1", "iterations", 3 });
		runs.add(new Object[] { FirstLayerWeights.class });
		runs.add(new Object[] { OcclusionMap.class, "preprocessing", "channel=2", "overlay", false });
		runs.add(new Object[] { SaliencyMap.class, "preprocessing", "channel=1", "overlay", false });
		runs.add(new Object[] { HeatmapFaithfulness.class, "preprocessing", "channel=1", "steps", 5, "randomization", false });
		runs.add(new Object[] { MaxActivatingImages.class, "source", "image", "layer", layer, "top", 2, "preprocessing", "channel=1" });
		runs.add(new Object[] { CnnCodesExport.class, "source", "image", "pooling", "average", "preprocessing", "channel=2" });
		runs.add(new Object[] { EmbeddingMap.class, "source", "image", "pooling", "average", "iterations", 250, "perplexity", 1.0, "preprocessing", "channel=1" });
		assertEquals(12, runs.size(), "one run per command");
		for (Object[] r : runs) {
			ImagePlus imp = source();
			String before = state(imp);
			Object[] kv = new Object[r.length + 1];
			kv[0] = "image";
			kv[1] = imp;
			System.arraycopy(r, 1, kv, 2, r.length - 1);
			@SuppressWarnings("unchecked")
			Class<? extends org.scijava.command.Command> cls = (Class<? extends org.scijava.command.Command>) r[0];
			run(cls, kv);
			assertEquals(before, state(imp), cls.getSimpleName() + " changed its source image");
			assertFalse(imp.changes, cls.getSimpleName() + " marked its source as changed");
		}
	}

	@Test
	void datasetCommandsLeaveTheFolderAlone(@TempDir Path dir) throws Exception {
		for (int i = 0; i < 8; i++) IJ.saveAsTiff(random("img" + i, size, size, 8, 1, 1, 1, 100 + i), dir.resolve("img" + i + ".tif").toString());
		Map<String, String> before = digests(dir);
		String layer = engine.info().spatialLayers().get(1).name();
		run(MaxActivatingImages.class, "source", "folder", "folder", dir.toFile(), "layer", layer, "top", 2);
		run(CnnCodesExport.class, "source", "folder", "folder", dir.toFile(), "pooling", "average");
		run(EmbeddingMap.class, "source", "folder", "folder", dir.toFile(), "pooling", "average", "iterations", 250, "perplexity", 2.0);
		assertEquals(before, digests(dir));
	}

	private static Map<String, String> digests(Path dir) throws IOException {
		Map<String, String> m = new TreeMap<>();
		try (Stream<Path> s = Files.list(dir)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				try {
					byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
					m.put(p.getFileName().toString(), new java.math.BigInteger(1, d).toString(16) + "@" + Files.getLastModifiedTime(p));
				}
				catch (java.security.NoSuchAlgorithmException e) {
					throw new IllegalStateException(e);
				}
			}
		}
		return m;
	}
}
