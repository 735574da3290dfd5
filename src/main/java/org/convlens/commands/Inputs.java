package org.convlens.commands;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.scijava.ItemVisibility;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.ImagePlus;

/** The user-facing inputs of a command and conversion of their values from and to text. */
public final class Inputs {

	private Inputs() {}

	/** Inputs a user sets: not services, not the image, not messages or hidden items. */
	public static List<ModuleItem<?>> userInputs(Module module) {
		List<ModuleItem<?>> items = new ArrayList<>();
		for (ModuleItem<?> item : module.getInfo().inputs()) {
			if (CommandRunner.isInjected(item) || isImage(item)) continue;
			if (item.getVisibility() == ItemVisibility.MESSAGE || item.getVisibility() == ItemVisibility.INVISIBLE) continue;
			items.add(item);
		}
		return items;
	}

	public static boolean isImage(ModuleItem<?> item) {
		return ImagePlus.class.isAssignableFrom(item.getType());
	}

	/** The macro / batch key of an input: its name in lower case. */
	public static String key(ModuleItem<?> item) {
		return item.getName().toLowerCase(Locale.ROOT);
	}

	public static boolean isBoolean(ModuleItem<?> item) {
		return item.getType() == boolean.class || item.getType() == Boolean.class;
	}

	public static boolean isFile(ModuleItem<?> item) {
		return item.getType() == File.class || item.getType() == Path.class;
	}

	public static boolean isInteger(Class<?> t) {
		return t == int.class || t == Integer.class || t == long.class || t == Long.class || t == short.class || t == Short.class;
	}

	public static boolean isNumber(Class<?> t) {
		return isInteger(t) || t == double.class || t == Double.class || t == float.class || t == Float.class;
	}

	/**
	 * Converts text to the input's type.
	 *
	 * @throws IllegalArgumentException naming the input when the text does not fit
	 */
	public static Object convert(ModuleItem<?> item, String text) {
		Class<?> t = item.getType();
		String s = text.trim();
		try {
			if (t == String.class) return text;
			if (t == File.class) return new File(s);
			if (t == Path.class) return Paths.get(s);
			if (t == boolean.class || t == Boolean.class) {
				if (s.isEmpty() || s.equalsIgnoreCase("true") || s.equals("1") || s.equalsIgnoreCase("yes")) return true;
				if (s.equalsIgnoreCase("false") || s.equals("0") || s.equalsIgnoreCase("no")) return false;
				throw new NumberFormatException(s);
			}
			if (t == int.class || t == Integer.class) return (int) Math.round(Double.parseDouble(s));
			if (t == long.class || t == Long.class) return Math.round(Double.parseDouble(s));
			if (t == short.class || t == Short.class) return (short) Math.round(Double.parseDouble(s));
			if (t == double.class || t == Double.class) return Double.parseDouble(s);
			if (t == float.class || t == Float.class) return Float.parseFloat(s);
			if (t.isEnum()) {
				for (Object c : t.getEnumConstants()) if (c.toString().equalsIgnoreCase(s) || ((Enum<?>) c).name().equalsIgnoreCase(s)) return c;
			}
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("Option '" + key(item) + "' needs " + article(t) + ", not '" + text + "'.");
		}
		throw new IllegalArgumentException("Option '" + key(item) + "' has a type (" + t.getSimpleName() + ") that cannot be given as text.");
	}

	private static String article(Class<?> t) {
		if (t == boolean.class || t == Boolean.class) return "true or false";
		if (isInteger(t)) return "a whole number";
		if (isNumber(t)) return "a number";
		return "a " + t.getSimpleName();
	}

	/** Text for a value, as a dialog default or a recorded option. */
	public static String text(Object v) {
		if (v == null) return "";
		if (v instanceof File) return ((File) v).getPath();
		return v.toString();
	}

	/** A fallback label for an input without one: the key capitalised. */
	public static String label(ModuleItem<?> item) {
		String k = key(item);
		return Character.toUpperCase(k.charAt(0)) + k.substring(1);
	}
}
