package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ij.Executer;
import ij.IJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

/**
 * The GUI path, as a person clicks it (needs a display; CI uses xvfb-run): the menu command opens
 * the two dialogs (model, then layer list and options), the macro recorder writes a run(...) line,
 * and replaying that line gives the same activations.
 */
class RecorderGuiTest extends CommandTestBase {

	@Test
	void dialogIsRecordedAndTheRecordingReplays() {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(90), this::clickThrough);
	}

	@Test
	void aCommandWithoutLayerListsAsksOnce() {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
			registerMenuEntries();
			ImagePlus imp = random("once", size, size, 8, 1, 1, 1, 32);
			java.util.Set<Window> seen = java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
			Recorder rec = new Recorder(false);
			Thread clicker = clicker(seen, null);
			try {
				new Executer("All Layers Overview...", imp);
				long end = System.currentTimeMillis() + 60000;
				while (!rec.getText().contains("All Layers Overview...") && System.currentTimeMillis() < end) Thread.sleep(100);
				assertTrue(rec.getText().contains("run(\"All Layers Overview...\", \"model=" + modelPath.toAbsolutePath()), rec.getText());
			}
			finally {
				clicker.interrupt();
				Recorder.record = false;
				rec.close();
			}
			assertEquals(1, seen.size(), "one dialog: nothing in it depends on the model");
			ImagePlus ov = WindowManager.getImage("once-overview");
			assertNotNull(ov);
			ov.close();
		});
	}

	/** Presses OK on every GenericDialog that appears, filling the model path and (step 2) the layer and check boxes. */
	static Thread clicker(java.util.Set<Window> seen, String layer) {
		Thread clicker = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				for (Window w : Window.getWindows()) {
					if (!(w instanceof GenericDialog) || !w.isShowing() || seen.contains(w)) continue;
					GenericDialog gd = (GenericDialog) w;
					seen.add(w);
					Choice layers = null;
					if (gd.getChoices() != null && layer != null) {
						for (Object o : gd.getChoices()) {
							Choice c = (Choice) o;
							for (int i = 0; i < c.getItemCount(); i++) if (c.getItem(i).equals(layer)) layers = c;
						}
					}
					if (layers == null) { // step 1, or a one-step dialog: the model comes first
						((TextField) gd.getStringFields().get(0)).setText(modelPath.toAbsolutePath().toString());
					}
					else { // step 2: layer list from the model, options (and the normalization list)
						layers.select(layer);
						if (gd.getCheckboxes() != null) for (Object o : gd.getCheckboxes()) {
							Checkbox cb = (Checkbox) o;
							if (cb.getLabel().equals("Montage of the filters")) cb.setState(true);
							if (cb.getLabel().equals("Filter statistics table")) cb.setState(false);
						}
					}
					EventQueue.invokeLater(() -> gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK")));
				}
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException e) {
					return;
				}
			}
		});
		clicker.setDaemon(true);
		clicker.start();
		return clicker;
	}

	private void clickThrough() throws Exception {
		registerMenuEntries();
		ImagePlus imp = random("clicked", size, size, 8, 1, 1, 1, 31);
		String before = fingerprint(imp);
		String layer = engine.info().spatialLayers().get(2).name();
		Recorder rec = new Recorder(false);
		java.util.Set<Window> seen = java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
		Thread clicker = clicker(seen, layer);
		String recorded;
		try {
			new Executer("Show Activations...", imp);
			long end = System.currentTimeMillis() + 60000;
			while (!rec.getText().contains("Show Activations...") && System.currentTimeMillis() < end) Thread.sleep(100);
			recorded = rec.getText();
		}
		finally {
			clicker.interrupt();
			Recorder.record = false;
			rec.close();
		}
		assertEquals(2, seen.size(), "two dialogs: model, then options; recorded: " + recorded + " log: " + IJ.getLog());
		Matcher m = Pattern.compile("run\\(\"Show Activations\\.\\.\\.\", \"(.*)\"\\);").matcher(recorded);
		assertTrue(m.find(), recorded);
		String options = m.group(1);
		assertTrue(options.contains("layer=" + layer) && options.contains("montage") && !options.contains("stats"), options);
		// recorded under the input names, not the first words of the human labels ("Pixel normalization", "More preprocessing")
		assertTrue(options.contains("normalization=") && options.contains("preprocessing=") && !options.contains("pixel=") && !options.contains("more="), options);

		ImagePlus shown = WindowManager.getImage(org.convlens.imagej.Titles.of(imp, "activations", layer));
		assertNotNull(shown, "the result is shown in a window");
		WindowManager.setTempCurrentImage(imp);
		Map<String, Object> replay;
		try {
			replay = IJ1Bridge.runCommand(ShowActivations.class.getName(), options.replace("\\\\", "\\"));
		}
		finally {
			WindowManager.setTempCurrentImage(null);
		}
		ImagePlus again = (ImagePlus) replay.get("activations");
		assertEquals(shown.getStackSize(), again.getStackSize());
		for (int i = 1; i <= again.getStackSize(); i++) {
			assertTrue(java.util.Arrays.equals((float[]) shown.getStack().getPixels(i), (float[]) again.getStack().getPixels(i)), "plane " + i);
		}
		assertNotNull(replay.get("grid"));
		assertNull(replay.get("statistics"));
		assertEquals(before, fingerprint(imp));
		for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
			ImagePlus w = WindowManager.getImage(id);
			if (w != null) {
				w.changes = false;
				w.close();
			}
		}
	}

	/** Makes the plugins.config entries known to ImageJ's command table. */
	static void registerMenuEntries() throws Exception {
		if (Menus.getCommands() == null) IJ.run("Close All");
		@SuppressWarnings("unchecked")
		java.util.Hashtable<String, String> cmds = Menus.getCommands();
		for (String line : Files.readAllLines(Paths.get("plugins.config"))) {
			if (line.startsWith("#") || line.isBlank()) continue;
			int q1 = line.indexOf('"'), q2 = line.indexOf('"', q1 + 1);
			cmds.put(line.substring(q1 + 1, q2), line.substring(line.indexOf(',', q2) + 1).trim());
		}
	}
}
