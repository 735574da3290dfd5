package org.convlens.commands;

/**
 * Base of the commands that look only at the model (filter patterns, kernels): they need no image,
 * so their image input is optional and never asked for ({@link ConvLensCommand#needsImage()}).
 */
abstract class ModelCommand extends ConvLensCommand {

	@Override
	protected boolean needsImage() {
		return false;
	}
}
