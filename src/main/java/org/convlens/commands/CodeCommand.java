package org.convlens.commands;

import java.util.Locale;
import java.util.Map;

import org.convlens.explain.dataset.CnnCodes;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.scijava.plugin.Parameter;

import ij.IJ;

/**
 * Base of the dataset commands that read CNN codes (codes export, embedding map): the layer the
 * codes are read from (spatial and vector layers, the classifier's input first) and how a feature
 * map becomes a vector.
 */
abstract class CodeCommand extends DatasetCommand {

	@Parameter(label = "Layer (codes read from)", required = false, persist = false, description = "Layer to read the codes from (default: the input of the classifier)")
	protected String layer = "";

	@Parameter(label = "Pooling (map to vector)", initializer = "initPooling",
		description = "How a feature map becomes a vector: all values, or per-channel mean or max; auto = flatten up to 16,384 values, else average")
	protected String pooling = "auto";

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", codeLayers(info, CnnCodes.defaultLayer(info)));
	}

	private void initPooling() {
		setChoices("pooling", ChoiceLists.of("auto", CnnCodes.Pooling.class));
	}

	/** A pooling by name (empty: flatten). */
	static CnnCodes.Pooling pooling(String s) {
		try {
			return CnnCodes.Pooling.valueOf((s == null || s.isBlank() ? "flatten" : s.trim()).toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("Unknown pooling '" + s + "'; use auto, flatten, average or max.");
		}
	}

	/**
	 * The codes a command asked for: {@code pooling} auto (or empty) resolves with
	 * {@link CnnCodes#auto}, whose note (if any) goes to the Log under {@code title} and into
	 * {@code params} for the Info.
	 */
	static CnnCodes codes(ConvModel m, String layer, String pooling, String title, Map<String, Object> params) {
		String l = layer == null || layer.isBlank() ? null : layer.trim();
		String p = pooling == null ? "" : pooling.trim();
		if (p.isEmpty() || p.equalsIgnoreCase("auto")) {
			CnnCodes.Choice c = CnnCodes.auto(m.info(), l);
			if (c.note() != null) {
				IJ.log(title + ": " + c.note());
				params.put("pooling_note", c.note());
			}
			params.put("pooling", "auto (" + c.pooling().name().toLowerCase(Locale.ROOT) + ")");
			return new CnnCodes(m).layer(c.layer()).pooling(c.pooling());
		}
		CnnCodes.Pooling pp = pooling(p);
		params.put("pooling", pp.name().toLowerCase(Locale.ROOT));
		return new CnnCodes(m).layer(l).pooling(pp);
	}

	/** {@link #codes(ConvModel, String, String, String, Map)} of this command's layer and pooling. */
	protected CnnCodes codes(ConvModel m, Map<String, Object> params) {
		return codes(m, layer, pooling, getInfo().getTitle(), params);
	}
}
