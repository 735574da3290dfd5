package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.awt.event.ItemEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ij.Prefs;
import ij.gui.GenericDialog;

/**
 * The Filter Patterns dialog as a user meets it (xvfb-run): the model first, then the basic
 * options with the neuron position and classes greyed out unless the objective needs them, and
 * the optimisation options only behind "Advanced options"; a wrong model path is reported in the
 * first dialog, which comes back.
 */
class FilterPatternsDialogGuiTest extends CommandTestBase {

	@AfterEach
	void close() throws Exception {
		MacrosTest.closeAll();
	}

	private static TextField numeric(GenericDialog gd, int i) {
		return (TextField) gd.getNumericFields().get(i);
	}

	@Test
	void basicOptionsFirstOthersGreyedOrFolded() {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display (xvfb-run)");
		org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
			Prefs.set("convlens.model", "/no/such/model");
			List<String> titles = Collections.synchronizedList(new ArrayList<>());
			List<String> notes = Collections.synchronizedList(new ArrayList<>());
			boolean[] greyed = new boolean[6];
			Set<Window> seen = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
			Thread clicker = new Thread(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					for (Window w : Window.getWindows()) {
						if (!(w instanceof GenericDialog) || !w.isShowing() || seen.contains(w)) continue;
						seen.add(w);
						GenericDialog gd = (GenericDialog) w;
						try {
							Thread.sleep(300);
						}
						catch (InterruptedException e) {
							return;
						}
						titles.add(gd.getTitle());
						for (java.awt.Component c : gd.getComponents()) {
							if (c instanceof java.awt.Label) notes.add(((java.awt.Label) c).getText());
						}
						Choice objective = null, optimizer = null;
						if (gd.getChoices() != null) for (Object o : gd.getChoices()) {
							Choice c = (Choice) o;
							for (int i = 0; i < c.getItemCount(); i++) {
								if (c.getItem(i).equals("neuron")) objective = c;
								if (c.getItem(i).equals("adam")) optimizer = c;
							}
						}
						if (titles.size() <= 2) { // the model dialog: first a wrong path, then the right one
							String path = titles.size() == 1 ? "/no/such/model" : modelPath.toAbsolutePath().toString();
							((TextField) gd.getStringFields().get(0)).setText(path);
						}
						else if (objective != null) { // basic options: y, x, iterations are the numeric fields
							greyed[0] = !numeric(gd, 0).isEnabled() && !numeric(gd, 1).isEnabled();
							Choice obj = objective;
							obj.select("neuron");
							gd.itemStateChanged(new ItemEvent(obj, ItemEvent.ITEM_STATE_CHANGED, "neuron", ItemEvent.SELECTED));
							greyed[1] = numeric(gd, 0).isEnabled() && numeric(gd, 1).isEnabled();
							obj.select("filter");
							gd.itemStateChanged(new ItemEvent(obj, ItemEvent.ITEM_STATE_CHANGED, "filter", ItemEvent.SELECTED));
							greyed[2] = !numeric(gd, 0).isEnabled();
							numeric(gd, 2).setText("3");
							for (Object o : gd.getStringFields()) {
								TextField t = (TextField) o;
								if (t.getText().equals("all") && t.isEnabled()) t.setText("0-1");
							}
							for (Object o : gd.getCheckboxes()) {
								Checkbox cb = (Checkbox) o;
								if (cb.getLabel().startsWith("Advanced options")) cb.setState(true);
							}
						}
						else if (optimizer != null) { // advanced: step applies to ascent, rate to adam
							TextField step = numeric(gd, 0), rate = numeric(gd, 1);
							greyed[3] = step.isEnabled() && !rate.isEnabled();
							optimizer.select("adam");
							gd.itemStateChanged(new ItemEvent(optimizer, ItemEvent.ITEM_STATE_CHANGED, "adam", ItemEvent.SELECTED));
							greyed[4] = !step.isEnabled() && rate.isEnabled();
							greyed[5] = true;
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
			Map<String, Object> out;
			String recorded;
			ij.plugin.frame.Recorder.resetCommandOptions();
			ij.plugin.frame.Recorder.record = true;
			try {
				out = IJ1Bridge.runCommand(ShowFilterPatterns.class.getName(), null);
				recorded = ij.plugin.frame.Recorder.getCommandOptions();
			}
			finally {
				ij.plugin.frame.Recorder.record = false;
				ij.plugin.frame.Recorder.resetCommandOptions();
				clicker.interrupt();
			}
			// one model= although its dialog came twice; keys are the input names; the advanced options too
			assertEquals(1, recorded.split("model=", -1).length - 1, recorded);
			assertTrue(recorded.contains("model=" + modelPath.toAbsolutePath()), recorded);
			assertTrue(recorded.contains("objective=filter") && recorded.contains("iterations=3") && recorded.contains("optimizer=adam") &&
				recorded.contains("filters=0-1") && !recorded.contains("advanced"), recorded);
			assertEquals(List.of("Filter Patterns", "Filter Patterns", "Filter Patterns", "Filter Patterns (advanced options)"), titles);
			assertTrue(notes.stream().anyMatch(n -> n.contains("No such file or folder: /no/such/model")), notes.toString());
			assertTrue(greyed[0], "neuron position greyed for objective=filter");
			assertTrue(greyed[1], "and enabled for objective=neuron");
			assertTrue(greyed[2], "and greyed again");
			assertTrue(greyed[3], "ascent: step on, rate off");
			assertTrue(greyed[4], "adam: rate on, step off");
			assertTrue(greyed[5], "the advanced dialog was shown");
			assertNotNull(out);
			ij.ImagePlus patterns = (ij.ImagePlus) out.get("patterns");
			assertEquals(2, patterns.getStackSize());
			String options = org.convlens.imagej.Provenance.get(patterns, "options");
			assertTrue(options.contains("adam"), "the advanced dialog's optimiser was used: " + options);
			assertFalse(Prefs.get("convlens.model", "").contains("/no/such"));
		});
	}
}
