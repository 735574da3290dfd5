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
		if (source.getBitDepth() == 24 && in[3] == 1) sb.append(sb.length() > 0 ? "; " : "").append("RGB averaged to one grey channel");
		int max = source.getBitDepth() == 16 && prep.normalization() == Preprocessing.Normalization.TYPE_RANGE ? maxOf(source) : -1;
		if (max >= 0 && max < 4096) { // under 1/16 of the range: a 12-bit camera's data, or a dim image, reaches the model nearly black
			sb.append(sb.length() > 0 ? "; " : "").append(String.format(java.util.Locale.ROOT, "16-bit pixels reach only %d of 65535 (12-bit data, " +
				"or a dim image?): type-range divides by 65535, so the model sees at most %.3f; normalization=percentile (or a preprocessing.txt) " +
				"scales such images", max, max / 65535.0));
		}
		return sb.length() == 0 ? null : sb.toString();
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
