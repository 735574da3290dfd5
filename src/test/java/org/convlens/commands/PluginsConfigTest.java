package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;

/**
 * plugins.config (plain ImageJ 1.x menus) and the commands' SciJava menu paths name the same
 * menu items: in Fiji, imagej-legacy then reuses the ImageJ 1.x item for the SciJava command
 * ("Overriding ...") instead of adding a second one with the same label.
 */
class PluginsConfigTest {

	@Test
	void everyMenuItemIsDeclaredOnceWithTheSameLabelBothWays() throws Exception {
		Pattern line = Pattern.compile("^\\s*([^,#]+),\\s*\"([^\"]+)\",\\s*org\\.convlens\\.commands\\.IJ1Bridge\\(\"([\\w.]+)\"\\)\\s*$");
		Map<String, String> config = new TreeMap<>(); // command class -> menu path
		for (String l : Files.readAllLines(Paths.get("plugins.config"))) {
			if (l.isBlank() || l.trim().startsWith("#")) continue;
			Matcher m = line.matcher(l);
			assertTrue(m.matches(), "unexpected plugins.config line: " + l);
			String previous = config.put(m.group(3), m.group(1).trim() + ">" + m.group(2));
			assertEquals(null, previous, "declared twice: " + m.group(3));
		}
		Map<String, String> scijava = new TreeMap<>();
		Context ctx = Contexts.get();
		for (CommandInfo info : ctx.service(CommandService.class).getCommands()) {
			if (!info.getClassName().startsWith("org.convlens.") || info.getMenuPath() == null || info.getMenuPath().isEmpty()) continue;
			scijava.put(info.getClassName(), info.getMenuPath().getMenuString(true).replace(" > ", ">"));
		}
		assertEquals(12, scijava.size(), "ConvLens commands in the menu: " + scijava.keySet());
		assertEquals(scijava, config);
	}
}
