package org.convlens.model;

/** What a layer's output looks like, which decides how it can be shown. */
public enum LayerKind {
	/** A feature map {@code [N, H, W, C]}: one image per channel (filter). */
	SPATIAL,
	/** A vector {@code [N, K]}: dense layers, pooled codes, class scores. */
	VECTOR,
	/** Anything else (scalars, sequences, unknown rank). */
	OTHER;

	public static LayerKind of(int[] shape) {
		if (shape == null) return OTHER;
		if (shape.length == 4) return SPATIAL;
		if (shape.length == 2) return VECTOR;
		return OTHER;
	}
}
