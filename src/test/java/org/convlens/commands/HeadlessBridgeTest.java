package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;

/**
 * The ImageJ 1.x macro path in a JVM started with {@code java.awt.headless=true} (tests may run
 * under a display, so a child JVM makes sure): macro options in, files out, clear messages for
 * bad input, and no dialog anywhere.
 */
class HeadlessBridgeTest {

	/** Child JVM: runs the bridge as ImageJ would for run("Show Activations...", options) and prints the outcome. */
	public static void main(String[] args) throws Exception {
		Thread th = Thread.currentThread();
		th.setName("Run$_main"); // ImageJ gives macro options to its own threads only
		ImagePlus imp = IJ.openImage(args[0]);
		WindowManager.setTempCurrentImage(imp);
		for (int i = 1; i < args.length; i++) {
			Macro.setOptions(th, args[i].equals("-") ? null : args[i]); // "-": no options, as a macro run without them
			try {
				new IJ1Bridge().run(ShowActivations.class.getName());
				System.out.println("OK");
			}
			catch (RuntimeException e) {
				System.out.println("ERROR " + e.getMessage());
			}
		}
		System.out.println("headless=" + java.awt.GraphicsEnvironment.isHeadless());
		System.exit(0);
	}

	@Test
	void macroOptionsWorkHeadless(@TempDir Path tmp) throws Exception {
		Path model = org.convlens.TestPaths.model("shapes-keras");
		Path img = org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder pb = new ProcessBuilder(java, "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
			HeadlessBridgeTest.class.getName(), img.toString(),
			"model=[" + model + "] layer=conv2d_1 montage stats save=[" + tmp + "]",
			"model=[" + model + "] layer=conv9",
			"model=[" + model + "] layr=conv2d_1",
			"-");
		pb.redirectErrorStream(true);
		pb.redirectOutput(tmp.resolve("log.txt").toFile());
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
		List<String> lines = Files.readAllLines(tmp.resolve("log.txt"), StandardCharsets.UTF_8);
		String log = String.join("\n", lines);
		assertEquals(0, p.exitValue(), log);
		assertTrue(lines.contains("headless=true"), log);
		assertTrue(lines.contains("OK"), log);
		assertTrue(log.contains("ERROR The model has no layer 'conv9'. Its layers are: [conv2d,"), log);
		assertTrue(log.contains("ERROR Unknown option 'layr' for Show Activations"), log);
		// no options and no display: the message shows the macro syntax instead of a dialog
		assertTrue(log.lines().anyMatch(l -> l.startsWith("ERROR") && l.contains("run(\"Show Activations...\"")), log);
		ImagePlus maps = IJ.openImage(tmp.resolve("demo-ring_activations.tif").toString());
		assertEquals(16, maps.getNChannels());
		assertTrue(new File(tmp.toFile(), "demo-ring_grid.png").isFile());
		assertTrue(new File(tmp.toFile(), "demo-ring_statistics.csv").isFile());
	}
}
