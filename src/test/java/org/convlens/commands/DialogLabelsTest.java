package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.scijava.ItemIO;
import org.scijava.plugin.Parameter;
import org.scijava.service.Service;

/**
 * Dialog labels are for people: every input of the twelve menu commands (and their base classes)
 * has a label that is not just its field name capitalised ("Showraw", "Tv"), and every menu item,
 * each of which opens a dialog, ends with "..." as ImageJ's menus do.
 */
class DialogLabelsTest {

	private static final Pattern LINE = Pattern.compile("^\\s*([^,#]+),\\s*\"([^\"]+)\",\\s*org\\.convlens\\.commands\\.IJ1Bridge\\(\"([\\w.]+)\"\\)\\s*$");

	@Test
	void noInputIsLabelledWithItsRawName() throws Exception {
		List<String> bad = new ArrayList<>();
		int inputs = 0;
		Map<Class<?>, Boolean> seen = new HashMap<>();
		for (String cls : configured().keySet()) {
			// ConvLens's own classes: the command and its bases up to SciJava's DynamicCommand
			for (Class<?> c = Class.forName(cls); c != null && c.getName().startsWith("org.convlens."); c = c.getSuperclass()) {
				if (seen.put(c, true) != null) continue;
				for (Field f : c.getDeclaredFields()) {
					Parameter p = f.getAnnotation(Parameter.class);
					if (p == null || p.type() == ItemIO.OUTPUT || Service.class.isAssignableFrom(f.getType())) continue;
					inputs++;
					String raw = f.getName().substring(0, 1).toUpperCase(Locale.ROOT) + f.getName().substring(1);
					if (p.label().isBlank() || p.label().equalsIgnoreCase(raw) || p.label().equalsIgnoreCase(f.getName())) {
						bad.add(c.getSimpleName() + "." + f.getName() + " = '" + p.label() + "'");
					}
				}
			}
		}
		assertTrue(inputs > 60, "inputs checked: " + inputs);
		assertEquals(List.of(), bad, "inputs labelled with their raw names");
	}

	@Test
	void everyMenuItemOpensADialogAndSaysSo() throws Exception {
		Map<String, String> items = configured();
		assertEquals(12, items.size());
		for (Map.Entry<String, String> e : items.entrySet()) {
			assertTrue(e.getValue().endsWith("..."), e.getKey() + ": " + e.getValue());
			// the command has user inputs, so its menu item does open a dialog
			boolean hasInput = false;
			for (Class<?> c = Class.forName(e.getKey()); c != null && c != Object.class; c = c.getSuperclass()) {
				for (Field f : c.getDeclaredFields()) {
					Parameter p = f.getAnnotation(Parameter.class);
					hasInput |= p != null && p.type() != ItemIO.OUTPUT && !Service.class.isAssignableFrom(f.getType()) && !f.getName().equals("image");
				}
			}
			assertTrue(hasInput, e.getKey());
			assertFalse(e.getValue().endsWith("...."), e.getValue());
		}
	}

	@Test
	void helpButtonsOpenTheCommandsOwnPage() throws Exception {
		for (String cls : configured().keySet()) {
			String url = IJ1Bridge.helpUrl(Class.forName(cls));
			assertTrue(url.startsWith(IJ1Bridge.DOCS) && url.length() > IJ1Bridge.DOCS.length(), cls + ": " + url);
			String page = url.substring(IJ1Bridge.DOCS.length()).replaceAll("#.*", "");
			assertTrue(Files.exists(Paths.get("docs", page)), url);
			if (url.contains("#")) {
				String anchor = url.substring(url.indexOf('#') + 1);
				boolean found = false;
				for (String l : Files.readAllLines(Paths.get("docs", page))) {
					if (l.startsWith("#")) found |= l.replaceAll("^#+\\s*", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-').equals(anchor);
				}
				assertTrue(found, "no heading for " + url);
			}
		}
	}

	/** Command class -> menu label, from plugins.config. */
	static Map<String, String> configured() throws Exception {
		Map<String, String> m = new java.util.TreeMap<>();
		for (String l : Files.readAllLines(Paths.get("plugins.config"))) {
			if (l.isBlank() || l.trim().startsWith("#")) continue;
			Matcher x = LINE.matcher(l);
			assertTrue(x.matches(), l);
			m.put(x.group(3), x.group(2));
		}
		return m;
	}

	/**
	 * SciJava's dialog (what Fiji shows) has a help button too: a {@code Button} input whose callback
	 * asks the platform to open the same page as the ImageJ 1.x dialog's Help; it is no macro or
	 * batch key.
	 */
	@Test
	void sciJavaDialogsHaveAHelpButtonForTheSamePage() throws Exception {
		org.scijava.Context ctx = Contexts.get();
		for (String line : java.nio.file.Files.readAllLines(java.nio.file.Paths.get("plugins.config"))) {
			if (line.startsWith("#") || line.isBlank()) continue;
			String cls = line.substring(line.indexOf("(\"") + 2, line.lastIndexOf('"'));
			@SuppressWarnings("unchecked")
			Class<? extends org.scijava.command.Command> c = (Class<? extends org.scijava.command.Command>) Class.forName(cls);
			org.scijava.module.Module m = CommandRunner.create(ctx, c);
			org.scijava.module.ModuleItem<?> help = m.getInfo().getInput("help");
			org.junit.jupiter.api.Assertions.assertNotNull(help, cls);
			org.junit.jupiter.api.Assertions.assertEquals(org.scijava.widget.Button.class, help.getType(), cls);
			org.junit.jupiter.api.Assertions.assertEquals("openHelp", help.getCallback(), cls);
			org.junit.jupiter.api.Assertions.assertFalse(Inputs.userInputs(m).contains(help), cls + ": the button is no option");
			// the callback opens the command's page through the platform service
			java.util.List<java.net.URL> opened = new java.util.ArrayList<>();
			org.scijava.platform.PlatformService fake = (org.scijava.platform.PlatformService) java.lang.reflect.Proxy.newProxyInstance(
				getClass().getClassLoader(), new Class<?>[] { org.scijava.platform.PlatformService.class }, (proxy, method, args) -> {
					if (method.getName().equals("open")) opened.add((java.net.URL) args[0]);
					return null;
				});
			m.setInput("platform", fake);
			m.getInfo().getInput("help").callback(m);
			org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(new java.net.URL(IJ1Bridge.helpUrl(c))), opened, cls);
		}
		// and it is no batch option
		java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
		org.junit.jupiter.api.Assertions.assertEquals(2, Batch.run(new String[] { "weights", "--model", org.convlens.TestPaths.model("shapes-keras").toString(),
			"--output", java.nio.file.Files.createTempDirectory("help").toString(), "help=x" }, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
			new java.io.PrintStream(err, true)), err.toString());
	}
}
