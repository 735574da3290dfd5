package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Choice;
import java.awt.Component;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.module.Module;

import ij.gui.GenericDialog;

/**
 * The dialogs as a person sees them (needs a display; CI uses xvfb-run): the normalization list
 * shows the model's default, and the preprocessing and layer chosen for one model come back for
 * that model only.
 */
class DialogMemoryGuiTest {

	/** What the options dialog showed: the normalization list's label and selection, the text field, the layer. */
	static final class Shown {
		String normalizationLabel, normalization, text, layer;
	}

	/**
	 * Runs Show Activations' dialogs for {@code model}: fills the model in step 1; in step 2 records
	 * what is shown, then selects {@code normalization} and {@code layer} (null: leave) and presses OK.
	 */
	static Shown dialogs(Path model, String normalization, String text, String layer, Map<String, Object> result) throws Exception {
		Context ctx = Contexts.get();
		Module module = CommandRunner.create(ctx, ShowActivations.class);
		AtomicReference<Shown> shown = new AtomicReference<>();
		List<Window> seen = new ArrayList<>();
		Thread clicker = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				for (Window w : Window.getWindows()) {
					if (!(w instanceof GenericDialog) || !w.isShowing() || seen.contains(w)) continue;
					GenericDialog gd = (GenericDialog) w;
					if (!"Show Activations".equals(gd.getTitle()) || gd.getStringFields() == null) continue;
					seen.add(w);
					if (gd.getChoices() == null) {
						((TextField) gd.getStringFields().get(0)).setText(model.toString());
					}
					else {
						Shown s = new Shown();
						Choice norm = null, layers = null;
						for (Object o : gd.getChoices()) {
							Choice c = (Choice) o;
							if (c.getItem(0).equals(ConvLensCommand.MODEL_DEFAULT)) norm = c;
							else if (layers == null) layers = c;
						}
						for (Component c : gd.getComponents()) {
							if (c instanceof Label && ((Label) c).getText().startsWith("Pixel normalization")) s.normalizationLabel = ((Label) c).getText();
						}
						s.normalization = norm == null ? null : norm.getSelectedItem();
						s.layer = layers == null ? null : layers.getSelectedItem();
						s.text = ((TextField) gd.getStringFields().get(0)).getText();
						shown.set(s);
						if (normalization != null) norm.select(normalization);
						if (layer != null) layers.select(layer);
						if (text != null) ((TextField) gd.getStringFields().get(0)).setText(text);
					}
					EventQueue.invokeLater(() -> gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK")));
				}
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException e) {
					return;
				}
			}
		});
		clicker.setDaemon(true);
		clicker.start();
		try {
			Map<String, Object> values = IJ1Bridge.fromDialog(module, "convlens.ShowActivations");
			assertNotNull(values, "dialog cancelled");
			result.putAll(values);
		}
		finally {
			clicker.interrupt();
		}
		assertEquals(2, seen.size(), "model, then options");
		return shown.get();
	}

	@Test
	void preprocessingAndLayerAreRememberedPerModelOnly() {
		Assumptions.assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
		org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
			Path a = TestPaths.model("fashion-resnet"), b = TestPaths.model("fashion-plain");
			// a clean memory for both models
			ModelMemory.prefs().put(a, "normalization", ConvLensCommand.MODEL_DEFAULT);
			ModelMemory.prefs().put(b, "normalization", ConvLensCommand.MODEL_DEFAULT);
			ModelMemory.prefs().put(a, "preprocessing", "");
			ModelMemory.prefs().put(a, "layer", "");
			ModelMemory.prefs().put(b, "preprocessing", "");
			ModelMemory.prefs().put(b, "layer", "");

			Map<String, Object> out = new java.util.HashMap<>();
			Shown first = dialogs(a, "symmetric", "channel=1", "conv2d_1", out);
			assertEquals("Pixel normalization (model default: none)", first.normalizationLabel);
			assertEquals(ConvLensCommand.MODEL_DEFAULT, first.normalization);
			assertEquals("symmetric", out.get("normalization"));
			assertEquals("channel=1", out.get("preprocessing"));
			assertEquals("conv2d_1", out.get("layer"));

			out.clear();
			Shown other = dialogs(b, null, null, null, out);
			assertEquals("Pixel normalization (model default: type-range)", other.normalizationLabel);
			assertEquals(ConvLensCommand.MODEL_DEFAULT, other.normalization, "model a's choice must not be carried to model b");
			assertEquals("", other.text);
			assertTrue(!"conv2d_1".equals(other.layer), "model a's layer must not be carried to model b: " + other.layer);
			assertEquals(ConvLensCommand.MODEL_DEFAULT, out.get("normalization"));

			out.clear();
			Shown back = dialogs(a, null, null, null, out);
			assertEquals("symmetric", back.normalization, "model a's own choice comes back");
			assertEquals("channel=1", back.text);
			assertEquals("conv2d_1", back.layer);
			assertEquals("symmetric", out.get("normalization"));
		});
	}
}
