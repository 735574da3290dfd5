package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.convlens.model.NdArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Menus;
import ij.WindowManager;
import ij.measure.ResultsTable;

/**
 * The ImageJ 1.x path: macro options through {@link IJ1Bridge} (no dialog, so it works headless),
 * and a real {@code run("Show Activations...", ...)} resolved through plugins.config.
 */
class MacroPathTest extends CommandTestBase {

	static final String ACT = ShowActivations.class.getName();

	@BeforeAll
	static void noDialogs() {
		System.setProperty("convlens.dialogs", "false");
	}

	@AfterAll
	static void dialogsBack() {
		System.clearProperty("convlens.dialogs");
		WindowManager.setTempCurrentImage(null);
	}

	static String opts(String rest) {
		return "model=[" + modelPath.toAbsolutePath() + "] " + rest;
	}

	/** Runs through the bridge with the image current, as a macro would. */
	static Map<String, Object> macro(ImagePlus imp, String className, String options) {
		WindowManager.setTempCurrentImage(imp);
		try {
			return IJ1Bridge.runCommand(className, options);
		}
		finally {
			WindowManager.setTempCurrentImage(null);
		}
	}

	@Test
	void macroOptionsGiveTheSameResultAsSciJava() {
		ImagePlus imp = random("mac", size, size, 8, 1, 2, 1, 11);
		String before = fingerprint(imp);
		String layer = engine.info().spatialLayers().get(1).name();
		Map<String, Object> viaMacro = macro(imp, ACT, opts("layer=" + layer + " montage"));
		Map<String, Object> viaSciJava = run(ShowActivations.class, "image", imp, "layer", layer, "montage", true, "stats", false);
		ImagePlus a = (ImagePlus) viaMacro.get("activations"), b = (ImagePlus) viaSciJava.get("activations");
		assertEquals(b.getStackSize(), a.getStackSize());
		for (int i = 1; i <= a.getStackSize(); i++) {
			assertEquals(b.getStack().getSliceLabel(i), a.getStack().getSliceLabel(i));
			assertTrue(java.util.Arrays.equals((float[]) b.getStack().getPixels(i), (float[]) a.getStack().getPixels(i)));
		}
		NdArray x = new NdArray(new int[] { 2, size, size, 1 }, new float[2 * size * size]);
		for (int z = 0; z < 2; z++) for (int k = 0; k < size * size; k++) x.data()[z * size * size + k] = imp.getStack().getProcessor(z + 1).getf(k) / 255f;
		assertMapsEqual(raw(x, layer), a, 2);
		// check boxes follow ImageJ 1.x: present = on, absent = off
		assertNotNull(viaMacro.get("grid"));
		assertNull(viaMacro.get("statistics"));
		assertNull(viaMacro.get("predictions"));
		assertEquals(before, fingerprint(imp));
	}

	@Test
	void explicitBooleansAndNumbers() {
		ImagePlus imp = random("b", size, size, 8, 1, 1, 1, 12);
		Map<String, Object> out = macro(imp, ShowPredictions.class.getName(), opts("top=2"));
		assertEquals(2, ((ResultsTable) out.get("predictions")).size());
		out = macro(imp, ACT, opts("stats=false predict=true top=1"));
		assertNull(out.get("statistics"));
		assertEquals(1, ((ResultsTable) out.get("predictions")).size());
		// an empty layer means the first spatial layer
		assertEquals(engine.info().spatialLayers().get(0).name(), org.convlens.imagej.Provenance.get((ImagePlus) out.get("activations"), "layer"));
	}

	@Test
	void badMacroInputsGiveClearMessages() {
		ImagePlus imp = random("bad", size, size, 8, 1, 1, 1, 13);
		RuntimeException e = assertThrows(RuntimeException.class, () -> macro(imp, ACT, opts("layer=conv9")));
		assertTrue(ConvLensCommand.message(e).contains("no layer 'conv9'"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> macro(imp, ACT, opts("layr=conv9")));
		assertTrue(ConvLensCommand.message(e).startsWith("Unknown option 'layr'"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> macro(imp, ACT, opts("top=many")));
		assertTrue(ConvLensCommand.message(e).contains("'top' needs a whole number"), ConvLensCommand.message(e));
		e = assertThrows(RuntimeException.class, () -> macro(null, ACT, opts("")));
		assertEquals("No image is open.", ConvLensCommand.message(e));
		// the PlugIn entry ImageJ calls: an exception carrying the message (no dialog when none may be shown)
		WindowManager.setTempCurrentImage(imp);
		Thread th = Thread.currentThread();
		String name = th.getName();
		th.setName("Run$_" + name); // ImageJ hands macro options only to its own threads
		Macro.setOptions(th, opts("layer=conv9"));
		try {
			e = assertThrows(IllegalArgumentException.class, () -> new IJ1Bridge().run(ACT));
			assertTrue(e.getMessage().contains("no layer 'conv9'"), e.getMessage());
		}
		finally {
			Macro.setOptions(th, null);
			th.setName(name);
			WindowManager.setTempCurrentImage(null);
		}
	}

	@Test
	void saveOptionWritesTheOutputs(@TempDir Path dir) throws IOException {
		ImagePlus imp = random("saved.tif", size, size, 8, 1, 1, 1, 14);
		macro(imp, AllLayersOverview.class.getName(), opts("save=[" + dir + "]"));
		assertTrue(Files.isRegularFile(dir.resolve("saved_overview.tif")));
		assertTrue(Files.isRegularFile(dir.resolve("saved_overview.png")));
		ImagePlus back = IJ.openImage(dir.resolve("saved_overview.tif").toString());
		assertTrue(((String) back.getProperty("Info")).contains("ConvLens.model = " + modelPath.toAbsolutePath().normalize()));
	}

	@Test
	void optionKeysAreParsedLikeImageJ() {
		assertEquals(List.of("model", "layer", "montage", "top", "x"), IJ1Bridge.optionKeys("model=[/a b/c [x]] layer=conv2d montage top=3 x='y z'"));
	}

	@Test
	void runThroughPluginsConfig(@TempDir Path plugins) throws Exception {
		// ImageJ 1.54's menu set-up needs AWT, so IJ.run(...) of plugins needs a display (CI: xvfb-run)
		org.junit.jupiter.api.Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		// plugins.config in a jar in a plugins folder, as in an ImageJ installation
		try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(plugins.resolve("ConvLens_.jar")))) {
			jar.putNextEntry(new JarEntry("plugins.config"));
			jar.write(Files.readAllBytes(Paths.get("plugins.config")));
			jar.closeEntry();
		}
		String old = System.getProperty("plugins.dir");
		System.setProperty("plugins.dir", plugins.toString());
		try {
			if (Menus.getCommands() == null) IJ.run("Close All"); // lets ImageJ read the plugins folder
			@SuppressWarnings("unchecked")
			java.util.Hashtable<String, String> cmds = Menus.getCommands();
			if (cmds.get("Show Activations...") == null) {
				// menus were built by an earlier test: register the entry the way plugins.config declares it
				for (String line : Files.readAllLines(Paths.get("plugins.config"))) {
					if (line.startsWith("#") || line.isBlank()) continue;
					int q1 = line.indexOf('"'), q2 = line.indexOf('"', q1 + 1);
					cmds.put(line.substring(q1 + 1, q2), line.substring(line.indexOf(',', q2) + 1).trim());
				}
			}
			assertEquals("org.convlens.commands.IJ1Bridge(\"org.convlens.commands.ShowActivations\")", cmds.get("Show Activations..."));
			ImagePlus imp = random("viaRun", size, size, 8, 1, 1, 1, 15);
			String layer = engine.info().spatialLayers().get(0).name();
			Path out = plugins.resolve("out");
			IJ.run(imp, "Show Activations...", opts("layer=" + layer + " save=[" + out + "]"));
			ImagePlus maps = IJ.openImage(out.resolve("viaRun_activations.tif").toString());
			assertNotNull(maps, "the command ran and saved its output");
			assertEquals(engine.info().spatialLayers().get(0).channels(), maps.getNChannels());
			assertEquals(layer + " \u00b7 filter 0", maps.getStack().getSliceLabel(1));
			assertTrue(Files.notExists(out.resolve("viaRun_statistics.csv")), "check box absent = off");
		}
		finally {
			if (old == null) System.clearProperty("plugins.dir");
			else System.setProperty("plugins.dir", old);
		}
	}
}
