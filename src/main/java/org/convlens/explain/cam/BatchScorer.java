package org.convlens.explain.cam;

import org.convlens.model.NdArray;

/**
 * Scores a batch: one number per item, the target's score when the model sees that item. Score-CAM
 * hands it masked inputs {@code [n, H, W, C]}; Ablation-CAM hands it the layer's activations with
 * one channel zeroed per item, {@code [n, h, w, k]}. Tests pass plain functions.
 */
@FunctionalInterface
public interface BatchScorer {

	/** @return {@code n} scores, in batch order */
	float[] scores(NdArray batch);
}
