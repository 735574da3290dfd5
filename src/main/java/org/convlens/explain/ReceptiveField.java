package org.convlens.explain;

import java.util.List;
import java.util.Locale;


/**
 * Where a unit of a spatial layer looks in the model input: the field is {@link #sizeH()} by
 * {@link #sizeW()} input pixels, and unit {@code (y, x)} sees rows {@code offsetH + y * strideH}
 * up to {@code + sizeH - 1} (likewise columns). Offsets can be negative: the field then
 * starts in the zero padding.
 *
 * <p>Computed with the usual recurrence over the ops of {@link org.convlens.model.ConvModel#spatialPath}:
 * {@code size += (k_eff - 1) * jump; offset -= pad_before * jump; jump *= stride}.
 */
public final class ReceptiveField {

	private final int sizeH, sizeW, strideH, strideW, offsetH, offsetW;

	public ReceptiveField(int sizeH, int sizeW, int strideH, int strideW, int offsetH, int offsetW) {
		this.sizeH = sizeH;
		this.sizeW = sizeW;
		this.strideH = strideH;
		this.strideW = strideW;
		this.offsetH = offsetH;
		this.offsetW = offsetW;
	}

	/** The field of a layer reached through {@code ops}, given in input-to-layer order. */
	public static ReceptiveField of(List<SpatialOp> ops) {
		long sh = 1, sw = 1, jh = 1, jw = 1, oh = 0, ow = 0;
		for (SpatialOp o : ops) {
			sh += (long) (o.effectiveKernelH() - 1) * jh;
			sw += (long) (o.effectiveKernelW() - 1) * jw;
			oh -= (long) o.padTop() * jh;
			ow -= (long) o.padLeft() * jw;
			jh *= o.strideH();
			jw *= o.strideW();
		}
		return new ReceptiveField(toInt(sh), toInt(sw), toInt(jh), toInt(jw), toInt(oh), toInt(ow));
	}

	private static int toInt(long v) {
		if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) throw new ArithmeticException("Receptive field too large");
		return (int) v;
	}

	/** Field height in input pixels. */
	public int sizeH() { return sizeH; }
	public int sizeW() { return sizeW; }
	/** Input pixels between neighbouring units (the product of the strides). */
	public int strideH() { return strideH; }
	public int strideW() { return strideW; }
	/** Input row of the first row of unit (0, 0)'s field; negative inside the padding. */
	public int offsetH() { return offsetH; }
	public int offsetW() { return offsetW; }

	/** The field of unit {@code (y, x)} as {@code {x0, y0, width, height}} in input pixels, unclipped. */
	public int[] rect(int y, int x) {
		return new int[] { offsetW + x * strideW, offsetH + y * strideH, sizeW, sizeH };
	}

	/** {@link #rect} clipped to an input of {@code width x height}. */
	public int[] clippedRect(int y, int x, int width, int height) {
		int[] r = rect(y, x);
		int x0 = Math.max(0, r[0]);
		int y0 = Math.max(0, r[1]);
		int x1 = Math.min(width, r[0] + r[2]);
		int y1 = Math.min(height, r[1] + r[3]);
		return new int[] { x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0) };
	}

	@Override
	public boolean equals(Object o) {
		if (!(o instanceof ReceptiveField)) return false;
		ReceptiveField r = (ReceptiveField) o;
		return sizeH == r.sizeH && sizeW == r.sizeW && strideH == r.strideH && strideW == r.strideW && offsetH == r.offsetH &&
			offsetW == r.offsetW;
	}

	@Override
	public int hashCode() {
		return ((((sizeH * 31 + sizeW) * 31 + strideH) * 31 + strideW) * 31 + offsetH) * 31 + offsetW;
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "receptive field %dx%d, stride %dx%d, offset %d,%d", sizeH, sizeW, strideH, strideW,
			offsetH, offsetW);
	}
}
