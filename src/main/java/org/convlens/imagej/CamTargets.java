package org.convlens.imagej;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.convlens.explain.cam.Target;
import org.convlens.model.ConvModel;
import org.convlens.model.NdArray;

import ij.ImagePlus;
import ij.gui.Roi;

/**
 * Reads the target of a heatmap command from text: everything {@link Target#parse} reads
 * ({@code top}, {@code 2}, {@code class=2}, {@code output=0}, {@code ring}) plus regions of a
 * spatial output {@code [N, H, W, C]} (e.g. a segmentation map), summed:
 * <ul>
 * <li>{@code pixel=X,Y} one output pixel, all channels;</li>
 * <li>{@code region=X0,Y0,X1,Y1} the output pixels with {@code X0 <= x < X1}, {@code Y0 <= y < Y1};</li>
 * <li>{@code roi} the image's current selection, scaled from the image to the output's size;</li>
 * </ul>
 * each optionally followed by {@code c=K} (one channel) and {@code @tensor} (another tensor than the
 * pre-activation output, e.g. a layer name): {@code region=4,4,12,12 c=1}, {@code pixel=3,5@conv2d_2}.
 */
public final class CamTargets {

	private CamTargets() {}

	/**
	 * @param imp the analysed image (for {@code roi})
	 * @param model to read the shape of the region's tensor (one forward pass of the first image)
	 * @param batch the preprocessed images {@code [N, H, W, C]}; the first one is run for a region's shape
	 */
	public static Target parse(String spec, ImagePlus imp, ConvModel model, NdArray batch) {
		String s = spec == null ? "" : spec.trim();
		String lower = s.toLowerCase(Locale.ROOT);
		if (!(lower.startsWith("pixel=") || lower.startsWith("region=") || lower.equals("roi") || lower.startsWith("roi ") || lower.startsWith("roi@"))) {
			return Target.parse(s);
		}
		String tensor = ConvModel.LOGITS;
		int at = s.indexOf('@');
		if (at >= 0) {
			tensor = s.substring(at + 1).trim();
			s = s.substring(0, at).trim();
		}
		int channel = -1;
		String[] parts = s.split("\\s+");
		for (int i = 1; i < parts.length; i++) {
			if (parts[i].toLowerCase(Locale.ROOT).startsWith("c=")) channel = integer(parts[i].substring(2), spec);
			else throw bad(spec);
		}
		String first = parts[0].toLowerCase(Locale.ROOT);
		if (first.startsWith("pixel=") && ints(first.substring(6), spec).length != 2) throw bad(spec);
		if (first.startsWith("region=") && ints(first.substring(7), spec).length != 4) throw bad(spec);
		int[] shape = model.run(batch.dim(0) == 1 ? batch : batch.item(0), List.of(tensor)).get(tensor).shape();
		if (shape.length != 4) {
			throw new IllegalArgumentException("A region target needs a spatial output [N, H, W, C]; " + (tensor.equals(ConvModel.LOGITS) ? "the model's output" : tensor) +
				" is " + Arrays.toString(shape) + ". For a class or regression output use top, a class index, a class name or output=K.");
		}
		int H = shape[1], W = shape[2], C = shape[3];
		if (channel >= C) throw new IllegalArgumentException("Channel " + channel + " is out of range: the output has " + C + " channel(s).");
		float[] w = new float[H * W * C];
		String head = parts[0].toLowerCase(Locale.ROOT);
		String description;
		if (head.equals("roi")) {
			Roi roi = imp.getRoi();
			if (roi == null || !roi.isArea()) throw new IllegalArgumentException("Target 'roi' needs an area selection on the image.");
			double sx = (double) imp.getWidth() / W, sy = (double) imp.getHeight() / H;
			int count = 0;
			for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) {
				if (roi.containsPoint((x + 0.5) * sx, (y + 0.5) * sy)) {
					set(w, y, x, W, C, channel);
					count++;
				}
			}
			if (count == 0) throw new IllegalArgumentException("The selection covers no pixel of the " + W + "x" + H + " output.");
			description = "ROI (" + count + " output px)";
		}
		else {
			int[] v = ints(head.substring(head.indexOf('=') + 1), spec);
			int x0, y0, x1, y1;
			if (head.startsWith("pixel=")) {
				if (v.length != 2) throw bad(spec);
				x0 = v[0]; y0 = v[1]; x1 = x0 + 1; y1 = y0 + 1;
			}
			else {
				if (v.length != 4) throw bad(spec);
				x0 = v[0]; y0 = v[1]; x1 = v[2]; y1 = v[3];
			}
			if (x0 < 0 || y0 < 0 || x1 > W || y1 > H || x1 <= x0 || y1 <= y0) {
				throw new IllegalArgumentException("The region " + x0 + "," + y0 + "-" + x1 + "," + y1 + " is empty or outside the " + W + "x" + H + " output.");
			}
			for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) set(w, y, x, W, C, channel);
			description = head.startsWith("pixel=") ? "pixel " + x0 + "," + y0 : "region " + x0 + "," + y0 + "-" + x1 + "," + y1;
		}
		if (channel >= 0) description += " c=" + channel;
		return Target.region(tensor, w, description);
	}

	private static void set(float[] w, int y, int x, int W, int C, int channel) {
		int base = (y * W + x) * C;
		if (channel >= 0) w[base + channel] = 1;
		else for (int c = 0; c < C; c++) w[base + c] = 1;
	}

	private static int[] ints(String s, String spec) {
		String[] p = s.split(",");
		int[] v = new int[p.length];
		for (int i = 0; i < p.length; i++) v[i] = integer(p[i], spec);
		return v;
	}

	private static int integer(String s, String spec) {
		try {
			return Integer.parseInt(s.trim());
		}
		catch (NumberFormatException e) {
			throw bad(spec);
		}
	}

	private static IllegalArgumentException bad(String spec) {
		return new IllegalArgumentException("Cannot read the target '" + spec + "': expected top, a class index, class=K, output=K, a class name, " +
			"pixel=X,Y, region=X0,Y0,X1,Y1 or roi (optionally followed by c=K and @tensor).");
	}
}
