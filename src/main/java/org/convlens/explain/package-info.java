/**
 * Explain room: the visualisation algorithms, on plain arrays and {@link org.convlens.model.ConvModel}; no ImageJ types.
 *
 * <p>Every explanation method implements {@link org.convlens.explain.HeatmapMethod} (one image
 * {@code [1, H, W, C]} and a class index in, an {@code [H, W]} map out), so that the faithfulness
 * measures work with all of them: {@link org.convlens.explain.Occlusion}, the gradient family
 * ({@link org.convlens.explain.VanillaGradient}, {@link org.convlens.explain.SmoothGrad},
 * {@link org.convlens.explain.IntegratedGradients}, {@link org.convlens.explain.GuidedBackprop}
 * with DeconvNet, {@link org.convlens.explain.GuidedGradCam}), every class activation map of
 * {@link org.convlens.explain.cam} through {@link org.convlens.explain.CamHeatmap}, and the faithfulness measures
 * {@link org.convlens.explain.DeletionInsertion} and {@link org.convlens.explain.RandomizationCheck}
 * (with {@link org.convlens.explain.TrainedCheck}). Method objects are immutable settings with
 * {@code with...} copies; their {@code toString()} records the settings for logs and results.
 * {@link org.convlens.explain.HeatmapMethods} finds a method by name and resolves targets for the commands.
 */
package org.convlens.explain;
