/**
 * What every explanation sub-package shares: the {@link org.convlens.explain.core.HeatmapMethod}
 * contract, {@link org.convlens.explain.core.Progress} and its
 * {@link org.convlens.explain.core.CancelledException}, heatmap helpers
 * ({@link org.convlens.explain.core.Heatmaps}), maths and input checks used by several methods
 * ({@link org.convlens.explain.core.ExplainMath}, {@link org.convlens.explain.core.Fill}), the naming
 * of degenerate results ({@link org.convlens.explain.core.Degenerate}), batched forward passes
 * ({@link org.convlens.explain.core.BatchRunner}, {@link org.convlens.explain.core.PassEstimate}) and
 * small display helpers (montage, top-k, filter statistics). It depends only on
 * {@link org.convlens.model}; every other {@code explain} package may depend on it, it on none of them.
 */
package org.convlens.explain.core;
