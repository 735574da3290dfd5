package org.convlens.commands;

import org.convlens.model.ModelInfo;

/**
 * Base of the commands whose {@code layer} input is a class-activation-map layer (class activation
 * map, heatmap faithfulness): its list puts the model's default CAM layer first, as in every CAM
 * dialog ({@link ModelInfo#camLayerChoices()}).
 */
abstract class CamLayerCommand extends ConvLensCommand {

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", info.camLayerChoices());
	}
}
