package org.convlens.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.convlens.model.Preprocessing.Normalization;

/**
 * The text form of a {@link Preprocessing}: written as space-separated {@code key=value} pairs
 * and read back strictly (unknown keys, misspelt values and out-of-range numbers are errors).
 */
final class PreprocessingSpec {

	private PreprocessingSpec() {}

	/** The spec as text, e.g. {@code normalization=percentile low=1 high=99.8 resize=true channel=auto}. */
	static String format(Preprocessing p) {
		Map<String, String> m = new LinkedHashMap<>();
		m.put("normalization", p.normalization().name().toLowerCase(Locale.ROOT).replace('_', '-'));
		if (p.normalization() == Normalization.MEAN_STD) {
			m.put("mean", join(p.mean));
			m.put("std", join(p.std));
		}
		if (p.normalization() == Normalization.PERCENTILE) {
			m.put("low", fmt(p.low));
			m.put("high", fmt(p.high));
		}
		m.put("resize", Boolean.toString(p.resize()));
		m.put("channel", p.channel() < 0 ? "auto" : Integer.toString(p.channel() + 1));
		if (p.bgr()) m.put("bgr", "true");
		if (p.nonfiniteZero()) m.put("nonfinite", "zero");
		StringBuilder sb = new StringBuilder();
		m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
		return sb.toString();
	}

	/**
	 * Strict: an unknown key, a misspelt value or an out-of-range number is an error naming the
	 * valid keys or values, never dropped or read as a default.
	 */
	static Preprocessing parse(String spec) {
		Preprocessing p = Preprocessing.defaults();
		String body = spec.trim();
		// the bracketed form macros use for a value with spaces: preprocessing=[normalization=none resize=false]
		while (body.length() >= 2 && body.startsWith("[") && body.endsWith("]")) body = body.substring(1, body.length() - 1).trim();
		if (body.isEmpty()) return p;
		Map<String, String> m = new LinkedHashMap<>();
		for (String tok : body.split("[\\s;]+")) {
			int eq = tok.indexOf('=');
			if (eq <= 0 || eq == tok.length() - 1) {
				throw new ModelException("Cannot read preprocessing '" + tok + "' in '" + spec + "'; expected key=value with a key among " +
					Preprocessing.KEYS + ".");
			}
			String key = tok.substring(0, eq).toLowerCase(Locale.ROOT);
			if (!Preprocessing.KEYS.contains(key)) {
				throw new ModelException("Unknown preprocessing key '" + tok.substring(0, eq) + "' in '" + spec + "'; the keys are " +
					Preprocessing.KEYS + ".");
			}
			// a later value wins: a command's overrides follow the model's defaults
			m.put(key, tok.substring(eq + 1));
		}
		Normalization n = m.containsKey("normalization") ? normalizationOf(m.get("normalization")) : p.normalization();
		float[] mean = m.containsKey("mean") ? floats("mean", m.get("mean"), spec) : p.mean;
		float[] std = m.containsKey("std") ? floats("std", m.get("std"), spec) : p.std;
		for (float f : std) if (f == 0) throw new ModelException("Preprocessing std must not be 0 (in '" + spec + "').");
		double low = m.containsKey("low") ? number("low", m.get("low"), spec) : p.low;
		double high = m.containsKey("high") ? number("high", m.get("high"), spec) : p.high;
		if (!(low >= 0 && high <= 100 && low < high)) {
			throw new ModelException("Preprocessing percentiles need 0 <= low < high <= 100; got low=" + fmt(low) + " high=" + fmt(high) + ".");
		}
		boolean resize = !m.containsKey("resize") || bool("resize", m.get("resize"), spec);
		String c = m.getOrDefault("channel", "auto").trim();
		int channel;
		if (c.equalsIgnoreCase("auto")) channel = -1;
		else {
			try {
				channel = Integer.parseInt(c) - 1;
			}
			catch (NumberFormatException e) {
				channel = -2;
			}
			if (channel < 0) {
				throw new ModelException("Preprocessing channel=" + c + " is not a channel: use auto or 1, 2, ... (channels count from 1).");
			}
		}
		boolean bgr = m.containsKey("bgr") && bool("bgr", m.get("bgr"), spec);
		String nf = m.getOrDefault("nonfinite", "error").trim().toLowerCase(Locale.ROOT);
		if (!nf.equals("error") && !nf.equals("zero")) {
			throw new ModelException("Preprocessing nonfinite=" + nf + " is unknown: use error (refuse images with NaN or infinite pixels) or zero.");
		}
		return new Preprocessing(n, mean, std, low, high, resize, channel, bgr, nf.equals("zero"));
	}

	private static boolean bool(String key, String v, String spec) {
		if (v.equalsIgnoreCase("true")) return true;
		if (v.equalsIgnoreCase("false")) return false;
		throw new ModelException("Preprocessing " + key + "=" + v + " in '" + spec + "': use true or false.");
	}

	private static double number(String key, String v, String spec) {
		try {
			double d = Double.parseDouble(v.trim());
			if (Double.isFinite(d)) return d;
		}
		catch (NumberFormatException e) {
			// reported below
		}
		throw new ModelException("Preprocessing " + key + "=" + v + " in '" + spec + "' is not a finite number.");
	}

	private static float[] floats(String key, String s, String spec) {
		String[] parts = s.split(",");
		float[] f = new float[parts.length];
		for (int i = 0; i < parts.length; i++) f[i] = (float) number(key, parts[i], spec);
		return f;
	}

	/** A normalization by name ({@code mean-std}, {@code MEAN_STD}) or alias ({@code [0,1]}, {@code range}, {@code [-1,1]}). */
	static Normalization normalizationOf(String s) {
		String raw = s.trim().toUpperCase(Locale.ROOT).replace(" ", "");
		// the aliases hold '-', which the enum names spell '_': match them first
		switch (raw) {
			case "[0,1]": case "0,1": case "0-1": case "RANGE": return Normalization.TYPE_RANGE;
			case "[-1,1]": case "-1,1": case "-1-1": return Normalization.SYMMETRIC; // Batch and macros take the brackets off
			default:
		}
		String k = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
		try {
			return Normalization.valueOf(k);
		}
		catch (IllegalArgumentException e) {
			throw new ModelException("Unknown normalization '" + s + "'; use one of " + Arrays.toString(Normalization.values()).toLowerCase(Locale.ROOT).replace('_', '-'));
		}
	}

	private static String join(float[] f) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < f.length; i++) sb.append(i == 0 ? "" : ",").append(fmt(f[i]));
		return sb.toString();
	}

	private static String fmt(double d) {
		return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
	}
}
