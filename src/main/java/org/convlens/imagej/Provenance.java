package org.convlens.imagej;

import java.util.LinkedHashMap;
import java.util.Map;

import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;

/**
 * Records how an output was made in its {@code Info} property (saved in TIFF headers, shown by
 * Image > Show Info): command, model path, preprocessing spec, source image and parameters.
 */
public final class Provenance {

	private Provenance() {}

	/** Writes {@code ConvLens.key = value} lines into {@code out}'s Info, after any existing ones. */
	public static void stamp(ImagePlus out, String command, ModelInfo info, Preprocessing prep, ImagePlus source,
		Map<String, ?> params)
	{
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("command", command);
		if (info != null) m.put("model", info.path());
		if (info != null && info.fingerprint() != null) m.put("model.fingerprint", info.fingerprint());
		if (prep != null) m.put("preprocessing", prep);
		if (info != null && info.inGraphScaling() != null) m.put("preprocessing.default", Preprocessing.defaultReason(info));
		if (source != null) m.put("source", source.getTitle());
		String fit = source != null && info != null && prep != null ? inputFit(source, info, prep) : null;
		if (fit != null) m.put("input.fit", fit);
		if (params != null) m.putAll(params);
		StringBuilder sb = new StringBuilder();
		Object old = out.getProperty("Info");
		if (old != null && !old.toString().isEmpty()) sb.append(old).append(old.toString().endsWith("\n") ? "" : "\n");
		m.forEach((k, v) -> sb.append("ConvLens.").append(k).append(" = ").append(v).append('\n'));
		out.setProperty("Info", sb.toString());
	}

	/** Reads one value written by {@link #stamp}, or null. */
	public static String get(ImagePlus imp, String key) {
		Object info = imp.getProperty("Info");
		if (info == null) return null;
		String prefix = "ConvLens." + key + " = ";
		for (String line : info.toString().split("\n")) if (line.startsWith(prefix)) return line.substring(prefix.length());
		return null;
	}

	/**
	 * How the image was made to fit the model's input when that changed what it shows, or null: a
	 * resize that changes the aspect ratio (the picture is squashed), RGB averaged to one grey channel.
	 */
	static String inputFit(ImagePlus source, ModelInfo info, Preprocessing prep) {
		int[] in = info.imageInput() == null ? null : info.imageInput().shape();
		if (in == null || in.length != 4) return null;
		StringBuilder sb = new StringBuilder();
		int w = source.getWidth(), h = source.getHeight();
		if (prep.resize() && in[1] > 0 && in[2] > 0 && (w != in[2] || h != in[1])) {
			double from = (double) w / h, to = (double) in[2] / in[1];
			if (Math.abs(from / to - 1) > 0.01) {
				sb.append(String.format(java.util.Locale.ROOT, "resized from %dx%d to %dx%d, aspect ratio %.2f to %.2f (squashed)", w, h, in[2], in[1], from, to));
			}
		}
		if (prep.resize() && in[1] > 0 && in[2] > 0 && (in[2] > 2 * w || in[1] > 2 * h)) {
			// a map of it is a map of interpolated pixels, at a resolution the image never had
			sb.append(sb.length() > 0 ? "; " : "").append(String.format(java.util.Locale.ROOT, "enlarged from %dx%d to %dx%d (x%.1f): the model sees "
				+ "interpolated pixels", w, h, in[2], in[1], Math.max((double) in[2] / w, (double) in[1] / h)));
		}
		if (source.getBitDepth() == 24 && in[3] == 1) sb.append(sb.length() > 0 ? "; " : "").append("RGB averaged to one grey channel");
		String range = rangeNote(source, info, prep);
		if (range != null) sb.append(sb.length() > 0 ? "; " : "").append(range);
		return sb.length() == 0 ? null : sb.toString();
	}

	/**
	 * Why the type-range scaling (or its symmetric form) gives the model a misleading input, or null:
	 * a 16-bit image whose pixels stay under 4096 (12-bit data) comes out nearly black, one whose
	 * pixels (current plane) span under 5 % of 0-65535 nearly uniform,
	 * and a 32-bit image, passed unchanged, is outside [0, 1]. Neither is an error (the user may mean
	 * it), but a map of it must not pass for a map of the image as the user sees it.
	 */
	public static String rangeNote(ImagePlus source, Preprocessing prep) {
		return rangeNote(source, null, prep);
	}

	/**
	 * As {@link #rangeNote(ImagePlus, Preprocessing)}, and with raw pixels into a model that scales its
	 * own input ({@code x * 0.00392157}, i.e. expects 0-255): a 16- or 32-bit image above that range.
	 */
	public static String rangeNote(ImagePlus source, ModelInfo info, Preprocessing prep) {
		Preprocessing.Normalization n = prep.normalization();
		String scaling = info == null ? null : info.inGraphScaling();
		java.util.regex.Matcher f = scaling == null ? null : java.util.regex.Pattern.compile("x \\* ([0-9.eE+-]+)").matcher(scaling);
		if (n == Preprocessing.Normalization.NONE && f != null && f.find() && (source.getBitDepth() == 16 || source.getBitDepth() == 32)) {
			double factor = Double.parseDouble(f.group(1)), top = factor > 0 ? 1 / factor : Double.POSITIVE_INFINITY;
			double max = ij.process.ImageStatistics.getStatistics(source.getProcessor(), ij.measure.Measurements.MIN_MAX, null).max;
			if (max > top * 1.01) {
				return String.format(java.util.Locale.ROOT, "%d-bit pixels reach %s, but the model scales its raw input itself (%s), made for pixels up to "
					+ "%.4g: convert the image to 8-bit (Image > Type > 8-bit) or scale it first", source.getBitDepth(),
					source.getBitDepth() == 16 ? String.format(java.util.Locale.ROOT, "%.0f", max) : String.format(java.util.Locale.ROOT, "%.4g", max), scaling, top);
			}
		}
		if (n != Preprocessing.Normalization.TYPE_RANGE && n != Preprocessing.Normalization.SYMMETRIC) return null;
		int depth = source.getBitDepth();
		if (depth != 16 && depth != 32) return null;
		ij.process.ImageStatistics st = ij.process.ImageStatistics.getStatistics(source.getProcessor(), ij.measure.Measurements.MIN_MAX, null);
		String name = n == Preprocessing.Normalization.TYPE_RANGE ? "type-range" : "symmetric";
		int max = depth == 16 && n == Preprocessing.Normalization.TYPE_RANGE ? maxOf(source) : -1;
		if (max >= 0 && max < 4096) { // under 1/16 of the range: a 12-bit camera's data, or a dim image, reaches the model nearly black
			return String.format(java.util.Locale.ROOT, "16-bit pixels reach only %d of 65535 (12-bit data, " +
				"or a dim image?): type-range divides by 65535, so the model sees at most %.3f; normalization=percentile (or a preprocessing.txt) " +
				"scales such images", max, max / 65535.0);
		}
		if (depth == 16 && st.max - st.min < 0.05 * 65535) {
			return String.format(java.util.Locale.ROOT, "16-bit pixels span %.0f-%.0f, %.1f %% of the 0-65535 that %s scaling maps to the model's range: "
				+ "the model sees a nearly uniform image (normalization=percentile stretches it)", st.min, st.max, 100 * (st.max - st.min) / 65535, name);
		}
		if (depth == 32 && (st.min < -1e-6 || st.max > 1 + 1e-6)) {
			return String.format(java.util.Locale.ROOT, "32-bit pixels span %.4g to %.4g, but %s scaling leaves 32-bit values as they are and assumes [0, 1] "
				+ "(normalization=percentile or mean-std scales them)", st.min, st.max, name);
		}
		return null;
	}

	/** The largest pixel of a 16-bit image's slices (of the current one for a virtual stack, not read from disk again). */
	private static int maxOf(ImagePlus imp) {
		ij.ImageStack st = imp.getStack();
		int max = 0;
		for (int s = 1; s <= st.getSize(); s++) {
			short[] px = (short[]) (st.isVirtual() ? imp.getProcessor().getPixels() : st.getPixels(s));
			for (short v : px) max = Math.max(max, v & 0xffff);
			if (st.isVirtual()) break;
		}
		return max;
	}
}
