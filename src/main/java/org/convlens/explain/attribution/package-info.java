/**
 * Pixel attribution for one image and one class: occlusion
 * ({@link org.convlens.explain.attribution.Occlusion} with its
 * {@link org.convlens.explain.attribution.ScoreRule}) and the gradient family (vanilla gradient,
 * SmoothGrad, Integrated Gradients, Guided Backprop / DeconvNet, Guided Grad-CAM).
 * {@link org.convlens.explain.attribution.HeatmapMethods} finds any heatmap method by name, class
 * activation maps of {@link org.convlens.explain.cam} included, and resolves target classes.
 */
package org.convlens.explain.attribution;
