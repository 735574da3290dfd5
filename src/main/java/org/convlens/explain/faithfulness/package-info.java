/**
 * Checks of whether a heatmap is faithful to the model: deletion and insertion curves
 * ({@link org.convlens.explain.faithfulness.DeletionInsertion}), the model-randomisation cascade
 * ({@link org.convlens.explain.faithfulness.RandomizationCheck}) and the check that a model is
 * trained at all ({@link org.convlens.explain.faithfulness.TrainedCheck}). They take any
 * {@link org.convlens.explain.core.HeatmapMethod}, so they depend on {@code explain.core} only.
 */
package org.convlens.explain.faithfulness;
