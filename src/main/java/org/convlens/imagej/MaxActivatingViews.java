package org.convlens.imagej;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.model.ModelInfo;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;

/**
 * The max-activating images shown: one montage per filter (slices of one stack) of its top images
 * or of the patches their maximal unit sees, stamped with the dataset, the ranking and the note on
 * dead and constant filters.
 */
public final class MaxActivatingViews {

	private MaxActivatingViews() {}

	/**
	 * @param title the command's title, for the Info
	 * @param filters the filters as asked for (e.g. {@code all}, {@code 0-7})
	 * @param degenerate the note on dead and constant filters, or null
	 * @throws IllegalArgumentException when an image cannot be read again for the montage
	 */
	public static ImagePlus montages(String title, String modelName, ModelInfo info, Preprocessing prep, ImagePlus source, ImageSource src,
		MaxActivating.Result r, String filters, int top, boolean patches, int tile, String degenerate)
	{
		ImagePlus montages;
		try {
			montages = DatasetViews.montages(Titles.of(modelName, patches ? "maxPatches" : "maxImages", r.layer()), r, patches, tile);
		}
		catch (IOException e) {
			throw new IllegalArgumentException("An image could not be read again for the montage: " + e.getMessage(), e);
		}
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("dataset", src.description());
		params.put("images", r.report().processed());
		params.put("skipped", r.report().skipped().size());
		params.put("layer", r.layer());
		params.put("filters", filters);
		params.put("top", top);
		params.put("score", r.score().name().toLowerCase(Locale.ROOT));
		params.put("patch", patches);
		if (r.field() != null) params.put("receptive field", r.field());
		params.put("live_filters", r.filters(MaxActivating.Status.LIVE).size());
		if (degenerate != null) params.put("note", degenerate);
		Provenance.stamp(montages, title, info, prep, source, params);
		return montages;
	}
}
