package org.convlens.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.scijava.ItemVisibility;
import org.scijava.convert.ConvertService;
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
			if (CommandRunner.isInjected(item) || isImage(item) || isButton(item)) continue;
			if (item.getVisibility() == ItemVisibility.MESSAGE || item.getVisibility() == ItemVisibility.INVISIBLE) continue;
			items.add(item);
		}
		return items;
	}

	/** A button of SciJava's dialog (the help button): no value, no macro key. */
	public static boolean isButton(ModuleItem<?> item) {
		return org.scijava.widget.Button.class.isAssignableFrom(item.getType());
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
	 * Converts text to the input's type with the context's {@link ConvertService} (see
	 * {@link #convert(ConvertService, ModuleItem, String)}).
	 *
	 * @throws UsageException naming the input when the text does not fit
	 */
	public static Object convert(ModuleItem<?> item, String text) {
		return convert(Contexts.get().service(ConvertService.class), item, text);
	}

	/**
	 * Converts text to the input's type and checks it against the input's range ({@link #check}).
	 * SciJava's {@link ConvertService} makes the value; the text is checked first, because the
	 * service is lenient where a typo must be an error: it reads "2.5" for a whole number as 0, a
	 * word it does not know for true/false as false, and enum names only in their exact case.
	 *
	 * @throws UsageException naming the input when the text does not fit
	 */
	public static Object convert(ConvertService convert, ModuleItem<?> item, String text) {
		Object v = convert.convert(checkedSource(item, text), item.getType());
		if (v == null) throw cannotConvert(item);
		check(item, v);
		return v;
	}

	private static UsageException cannotConvert(ModuleItem<?> item) {
		return new UsageException("Option '" + key(item) + "' has a type (" + item.getType().getSimpleName() + ") that cannot be given as text.");
	}

	/**
	 * The text after the strict checks, as what the ConvertService converts from: the text itself,
	 * a whole number's digits, true or false, the enum constant the text names in any case, a File.
	 */
	private static Object checkedSource(ModuleItem<?> item, String text) {
		Class<?> t = item.getType();
		String s = text.trim();
		try {
			if (t == String.class) return text;
			if (t == File.class || t == Path.class) return new File(s);
			if (t == boolean.class || t == Boolean.class) {
				if (s.isEmpty() || s.equalsIgnoreCase("true") || s.equals("1") || s.equalsIgnoreCase("yes")) return Boolean.TRUE;
				if (s.equalsIgnoreCase("false") || s.equals("0") || s.equalsIgnoreCase("no")) return Boolean.FALSE;
				throw new NumberFormatException(s);
			}
			if (isInteger(t)) {
				double d = Double.parseDouble(s);
				// 2.5 or 1e12 for a whole number is a mistake, not something to round or clip silently
				if (d != Math.rint(d) || Double.isInfinite(d)) throw new NumberFormatException(s);
				long lo = t == short.class || t == Short.class ? Short.MIN_VALUE : t == long.class || t == Long.class ? Long.MIN_VALUE : Integer.MIN_VALUE;
				long hi = t == short.class || t == Short.class ? Short.MAX_VALUE : t == long.class || t == Long.class ? Long.MAX_VALUE : Integer.MAX_VALUE;
				if (d < lo || d > hi) throw new UsageException("Option '" + key(item) + "' is " + s + ", too large; " + range(item) + ".");
				return (t == long.class || t == Long.class) && s.matches("[+-]?\\d+") ? Long.toString(Long.parseLong(s)) : Long.toString((long) d);
			}
			if (isNumber(t)) {
				Double.parseDouble(s);
				return s;
			}
			if (t.isEnum()) {
				for (Object c : t.getEnumConstants()) if (c.toString().equalsIgnoreCase(s) || ((Enum<?>) c).name().equalsIgnoreCase(s)) return c;
				throw cannotConvert(item);
			}
		}
		catch (NumberFormatException e) {
			throw new UsageException("Option '" + key(item) + "' needs " + article(t) + ", not '" + text + "'" +
				(isNumber(t) ? "; " + range(item) : "") + ".");
		}
		return text;
	}

	/**
	 * Checks a value against its input's {@code @Parameter(min, max)} and, for numbers, that it is
	 * finite: one rule for dialogs, macros and Batch.
	 *
	 * @throws UsageException naming the option, the value and the range
	 */
	public static void check(ModuleItem<?> item, Object value) {
		if (!(value instanceof Number)) return;
		double v = ((Number) value).doubleValue();
		if (Double.isNaN(v) || Double.isInfinite(v)) {
			throw new UsageException("Option '" + key(item) + "' is " + value + "; it needs a finite number: " + range(item) + ".");
		}
		Double min = bound(item.getMinimumValue()), max = bound(item.getMaximumValue());
		if ((min != null && v < min) || (max != null && v > max)) {
			throw new UsageException("Option '" + key(item) + "' is " + text(value) + ", out of range; " + range(item) + ".");
		}
	}

	/** Checks every numeric user input of a module (for values set by other routes, e.g. SciJava's own dialogs). */
	public static void checkAll(Module module) {
		for (ModuleItem<?> item : userInputs(module)) {
			if (isNumber(item.getType())) check(item, item.getValue(module));
		}
	}

	/** "use 1 to 64", "use 0 or more", ... for messages. */
	static String range(ModuleItem<?> item) {
		Double min = bound(item.getMinimumValue()), max = bound(item.getMaximumValue());
		String lo = min == null ? null : fmt(min), hi = max == null ? null : fmt(max);
		if (lo != null && hi != null) return "use " + lo + " to " + hi;
		if (lo != null) return "use " + lo + " or more";
		if (hi != null) return "use at most " + hi;
		return isInteger(item.getType()) ? "use any whole number" : "use a finite number";
	}

	private static Double bound(Object o) {
		if (!(o instanceof Number)) return null;
		double d = ((Number) o).doubleValue();
		// SciJava fills unset bounds of primitive types with the type's extremes
		if (Double.isInfinite(d) || Math.abs(d) >= Integer.MAX_VALUE || Math.abs(d) >= Float.MAX_VALUE || d == -Double.MAX_VALUE) return null;
		return d;
	}

	private static String fmt(double d) {
		return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
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
