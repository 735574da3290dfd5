package org.convlens.imagej;

import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;

import org.convlens.imagej.HeatmapDisplay.OverlayStyle;

/**
 * The heatmap as an overlay: one {@link HeatmapRoi} per position bound to its slice/frame, with an
 * optional caption, laid over the source without touching its pixels; found and removed by name.
 */
final class HeatmapOverlay {

	private HeatmapOverlay() {}

	/** {@link HeatmapDisplay#overlayLabelled}. */
	static void overlayLabelled(ImagePlus source, List<float[]> mapsPerPosition, OverlayStyle style, List<String> labels) {
		HeatmapDisplay.check(source, mapsPerPosition);
		OverlayStyle s = style == null ? OverlayStyle.defaults() : style;
		Overlay ov = source.getOverlay() == null ? new Overlay() : source.getOverlay();
		removeFrom(ov);
		int n = mapsPerPosition.size();
		List<ImageInput.Position> ps = ImageInput.positions(source);
		float[] range = s.shared() ? HeatmapColours.range(mapsPerPosition) : null;
		int[] argb = HeatmapLuts.overlayColours(s.signed() ? HeatmapDisplay.DIVERGING : s.lut());
		for (int i = 0; i < n; i++) {
			float[] m = mapsPerPosition.get(i);
			float[] r = range != null ? range : HeatmapColours.range(List.of(m));
			int[] px = s.signed() ? HeatmapColours.signedColours(m, Math.max(-r[0], r[1]), s.threshold(), argb) :
				HeatmapColours.colours(m, r[0], r[1], s.threshold(), argb);
			ImageRoi roi = new HeatmapRoi(source.getWidth(), source.getHeight(), px);
			roi.setOpacity(s.opacity());
			roi.setName(HeatmapDisplay.OVERLAY_NAME);
			HeatmapScale.set(roi, s.lut(), r[0], s.signed() ? Math.max(-r[0], r[1]) : r[1], s.signed(), s.threshold());
			String text = HeatmapDisplay.label(labels, i);
			if (text != null) roi.setProperty("label", text);
			if (n > 1) position(roi, source, ps.get(i));
			ov.add(roi);
			if (s.legend() && text != null && !text.isEmpty()) {
				Roi legend = legend(source, text);
				if (n > 1) position(legend, source, ps.get(i));
				ov.add(legend);
			}
		}
		source.setOverlay(ov);
	}

	/** {@link HeatmapDisplay#remove}. */
	static void remove(ImagePlus source) {
		Overlay ov = source.getOverlay();
		if (ov == null) return;
		removeFrom(ov);
		source.setOverlay(ov.size() == 0 ? null : ov);
	}

	/** {@link HeatmapDisplay#heatmapRois}. */
	static List<ImageRoi> heatmapRois(ImagePlus source) {
		List<ImageRoi> l = new ArrayList<>();
		Overlay ov = source.getOverlay();
		if (ov == null) return l;
		for (int i = 0; i < ov.size(); i++) if (ov.get(i) instanceof ImageRoi && HeatmapDisplay.OVERLAY_NAME.equals(ov.get(i).getName())) l.add((ImageRoi) ov.get(i));
		return l;
	}

	private static void removeFrom(Overlay ov) {
		for (int i = ov.size() - 1; i >= 0; i--) {
			String name = ov.get(i).getName();
			if (name != null && name.startsWith(HeatmapDisplay.OVERLAY_NAME)) ov.remove(i);
		}
	}

	private static void position(Roi roi, ImagePlus source, ImageInput.Position p) {
		if (source.isHyperStack() || source.getNChannels() > 1) roi.setPosition(0, p.z, p.t);
		else roi.setPosition(source.getStackIndex(1, p.z, p.t));
	}

	private static Roi legend(ImagePlus source, String text) {
		// screen-sized text, whatever the zoom: small images (32 px) would otherwise be covered by it
		TextRoi t = new TextRoi(0, 0, text, new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		t.setNonScalable(true);
		t.setStrokeColor(Color.WHITE);
		t.setFillColor(new Color(0, 0, 0, 128));
		t.setAntiAlias(true);
		t.setName(HeatmapDisplay.LEGEND_NAME);
		return t;
	}
}
