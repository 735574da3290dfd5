package org.convlens.commands;

import org.convlens.imagej.Outputs;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPostprocessorPlugin;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * Shows the image and table outputs of ConvLens commands the ImageJ 1.x way (windows, tables
 * titled by the output's label) and marks them handled, so that no other display postprocessor
 * shows them again. Does nothing when display is off ({@link Outputs#display()}).
 */
@Plugin(type = PostprocessorPlugin.class, priority = org.scijava.Priority.HIGH)
public class OutputPostprocessor extends AbstractPostprocessorPlugin {

	@Override
	public void process(Module module) {
		if (!(module.getDelegateObject() instanceof ConvLensCommand)) return;
		boolean show = Outputs.display();
		for (ModuleItem<?> item : module.getInfo().outputs()) {
			Object v = item.getValue(module);
			if (v == null) {
				module.resolveOutput(item.getName());
			}
			else if (v instanceof ImagePlus || v instanceof ResultsTable) {
				if (show) Outputs.show(v, item.getLabel() == null || item.getLabel().isEmpty() ? item.getName() : item.getLabel());
				module.resolveOutput(item.getName());
			}
		}
	}
}
