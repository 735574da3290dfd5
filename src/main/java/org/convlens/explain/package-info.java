/**
 * Explain room: the visualisation algorithms, on plain arrays and {@link org.convlens.model.ConvModel}; no ImageJ types.
 *
 * <p>Every explanation method implements {@link org.convlens.explain.core.HeatmapMethod} (one image
 * {@code [1, H, W, C]} and a class index in, an {@code [H, W]} map out), so that the faithfulness
 * measures work with all of them: {@link org.convlens.explain.attribution.Occlusion}, the gradient family
 * ({@link org.convlens.explain.attribution.VanillaGradient}, {@link org.convlens.explain.attribution.SmoothGrad},
 * {@link org.convlens.explain.attribution.IntegratedGradients}, {@link org.convlens.explain.attribution.GuidedBackprop}
 * with DeconvNet, {@link org.convlens.explain.attribution.GuidedGradCam}), every class activation map of
 * {@link org.convlens.explain.cam} through {@link org.convlens.explain.cam.CamHeatmap}, and the faithfulness measures
 * {@link org.convlens.explain.faithfulness.DeletionInsertion} and {@link org.convlens.explain.faithfulness.RandomizationCheck}
 * (with {@link org.convlens.explain.faithfulness.TrainedCheck}). Method objects are immutable settings with
 * {@code with...} copies; their {@code toString()} records the settings for logs and results.
 * {@link org.convlens.explain.attribution.HeatmapMethods} finds a method by name and resolves targets for the commands.
 */
package org.convlens.explain;
