package org.convlens.imagej;

import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.WindowManager;

/**
 * Window titles in one style for every command: the source image's title without its extension,
 * then what the window shows, then the layer, joined by dashes, e.g. {@code chelsea-GradCAM-conv2d_4}
 * or {@code chelsea-activations-conv2d_1}. Windows get {@link #unique} titles when shown, numbered
 * as ImageJ's {@code WindowManager.getUniqueName} does ({@code -1}, {@code -2}, ...), so macros can
 * {@code selectImage(title)} the window a run made and a second run does not replace the first.
 */
public final class Titles {

	private Titles() {}

	/** A title from a source image's title, what the window shows and optional details (layer, ...). */
	public static String of(String source, String what, String... details) {
		List<String> parts = new ArrayList<>();
		String s = stem(source);
		if (!s.isEmpty()) parts.add(s);
		String w = compact(what);
		if (!w.isEmpty()) parts.add(w);
		for (String d : details) {
			String c = d == null ? "" : d.trim().replace(' ', '_');
			if (!c.isEmpty()) parts.add(c);
		}
		return parts.isEmpty() ? "ConvLens" : String.join("-", parts);
	}

	/** {@link #of(String, String, String...)} for a source image. */
	public static String of(ImagePlus source, String what, String... details) {
		return of(source == null ? null : source.getTitle(), what, details);
	}

	/** A title without its file extension; spaces kept (unlike {@code ImagePlus.getShortTitle}). */
	public static String stem(String title) {
		if (title == null) return "";
		return title.trim().replaceAll("(?i)\\.(ome\\.tiff?|tiff?|png|jpe?g|gif|bmp|zip|dcm|fits?|pgm|lsm|czi|nd2)$", "");
	}

	/**
	 * What a window shows as one word: words joined, a dash or space between words dropped and the
	 * next letter capitalised ({@code Grad-CAM} to {@code GradCAM}, {@code Filter statistics} to
	 * {@code FilterStatistics}), so dashes separate the title's parts only.
	 */
	public static String compact(String what) {
		if (what == null) return "";
		StringBuilder sb = new StringBuilder();
		boolean up = false;
		for (char c : what.trim().toCharArray()) {
			if (c == ' ' || c == '-' || c == '_') {
				up = sb.length() > 0;
				continue;
			}
			if (c == '(' || c == ')' || c == ',' || c == ':' || c == '/' || c == '\\') continue;
			sb.append(up ? Character.toUpperCase(c) : c);
			up = false;
		}
		return sb.toString();
	}

	/**
	 * {@code title}, or {@code title-1}, {@code title-2}, ... when an image or other window (a table)
	 * already has that title, batch-mode images included.
	 */
	public static String unique(String title) {
		if (!taken(title)) return title;
		for (int i = 1;; i++) {
			String t = title + "-" + i;
			if (!taken(t)) return t;
		}
	}

	private static boolean taken(String title) {
		if (WindowManager.getImage(title) != null) return true;
		return !java.awt.GraphicsEnvironment.isHeadless() && WindowManager.getWindow(title) != null;
	}
}
