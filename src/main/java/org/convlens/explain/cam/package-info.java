/**
 * Class activation maps: Grad-CAM and its family (Grad-CAM++, HiResCAM, XGradCAM, LayerCAM,
 * Score-CAM, Ablation-CAM, EigenCAM). {@link org.convlens.explain.cam.CamMath} holds the formulas
 * as pure functions of arrays; {@link org.convlens.explain.cam.ClassActivationMaps} runs them on a
 * {@link org.convlens.model.ConvModel}; {@link org.convlens.explain.cam.CamHeatmap} offers any of them
 * as a {@link org.convlens.explain.core.HeatmapMethod}, for the faithfulness checks.
 */
package org.convlens.explain.cam;
