package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.convlens.imagej.ImageInputTest;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.scijava.Context;
import org.scijava.command.Command;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ImageProcessor;

/** Shared set-up for command tests on the generated shapes-keras model (32x32x1, 3 classes). */
abstract class CommandTestBase {

	static Context ctx;
	static Path modelPath;
	/** An independently opened copy of the model, for expected values. */
	static ConvModel engine;
	static int size;

	@BeforeAll
	static void setUp() {
		modelPath = org.convlens.TestPaths.model("shapes-keras");
		engine = Models.open(modelPath);
		size = engine.info().imageInput().shape()[1];
		ctx = Contexts.get();
	}

	@AfterAll
	static void tearDown() {
		if (engine != null) engine.close();
		engine = null;
	}

	static Map<String, Object> run(Class<? extends Command> cls, Object... keyValues) {
		Map<String, Object> in = new HashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) in.put((String) keyValues[i], keyValues[i + 1]);
		in.putIfAbsent("model", modelPath.toFile());
		return CommandRunner.run(ctx, CommandRunner.create(ctx, cls), in, false);
	}

	/** A random image of the given type (8, 16, 32 or 24 = RGB) and hyperstack dimensions. */
	static ImagePlus random(String title, int w, int h, int bitDepth, int c, int z, int t, long seed) {
		ImagePlus imp = ij.IJ.createHyperStack(title, w, h, c, z, t, bitDepth);
		Random r = new Random(seed);
		ImageStack s = imp.getStack();
		for (int i = 1; i <= s.getSize(); i++) {
			ImageProcessor ip = s.getProcessor(i);
			for (int k = 0; k < w * h; k++) {
				switch (bitDepth) {
					case 8: ip.set(k, r.nextInt(256)); break;
					case 16: ip.set(k, r.nextInt(65536)); break;
					case 32: ip.setf(k, r.nextFloat()); break;
					default: ip.set(k, r.nextInt(1 << 24));
				}
			}
		}
		Calibration cal = imp.getCalibration();
		cal.pixelWidth = 0.5;
		cal.pixelHeight = 0.5;
		cal.setUnit("um");
		imp.resetDisplayRange();
		return c > 1 ? new ij.CompositeImage(imp, ij.IJ.COMPOSITE) : imp;
	}

	/** The engine's raw output for a batch. */
	static NdArray raw(NdArray batch, String layer) {
		return engine.run(batch, java.util.List.of(layer)).get(layer);
	}

	/** Fingerprint of an image's pixels, calibration and title, to check a command left it alone. */
	static String fingerprint(ImagePlus imp) {
		Calibration c = imp.getCalibration();
		return ImageInputTest.checksum(imp) + "|" + c.pixelWidth + "," + c.pixelHeight + "," + c.pixelDepth + "," + c.getUnit() + "|" +
			imp.getTitle() + "|" + imp.getNChannels() + "x" + imp.getNSlices() + "x" + imp.getNFrames();
	}

	/** Asserts that the hyperstack holds {@code raw[n, y, x, c]} at channel c+1 of position n. */
	static void assertMapsEqual(NdArray raw, ImagePlus maps, int nz) {
		int N = raw.dim(0), h = raw.dim(1), w = raw.dim(2), C = raw.dim(3);
		assertEquals(C, maps.getNChannels());
		assertEquals(w, maps.getWidth());
		assertEquals(h, maps.getHeight());
		for (int n = 0; n < N; n++) {
			int z = n % nz + 1, t = n / nz + 1;
			for (int c = 0; c < C; c++) {
				ImageProcessor ip = maps.getStack().getProcessor(maps.getStackIndex(c + 1, z, t));
				for (int y = 0; y < h; y += 3) for (int x = 0; x < w; x += 2) {
					assertEquals(raw.get(n, y, x, c), ip.getf(x, y), 1e-4 + 1e-4 * Math.abs(raw.get(n, y, x, c)),
						"n=" + n + " c=" + c + " y=" + y + " x=" + x);
				}
			}
		}
	}
}
