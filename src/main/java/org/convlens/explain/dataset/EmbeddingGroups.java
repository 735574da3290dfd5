package org.convlens.explain.dataset;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import org.convlens.model.ModelInfo;

/**
 * How an embedding map colours its points: by label (sub-folder or list file) when asked and the
 * images have labels, else by predicted class (every class of the model named, an image without a
 * prediction in the first group); and which dataset entry each code row came from.
 */
public final class EmbeddingGroups {

	private final int[] group;
	private final List<String> names;
	private final boolean byLabel;
	private final String note;

	private EmbeddingGroups(int[] group, List<String> names, boolean byLabel, String note) {
		this.group = group;
		this.names = names;
		this.byLabel = byLabel;
		this.note = note;
	}

	/** The group of each row, in row order. */
	public int[] group() { return group.clone(); }

	/** The groups' names, by group index. */
	public List<String> names() { return names; }

	/** Whether the groups are labels (else predicted classes). */
	public boolean byLabel() { return byLabel; }

	/** Why labels were asked for but predicted classes are used (the images have none), else null. */
	public String note() { return note; }

	/**
	 * The groups of {@code rows}.
	 *
	 * @param color {@code label} to colour by label; anything else colours by predicted class
	 */
	public static EmbeddingGroups of(CodeCollector rows, ModelInfo info, String color) {
		boolean byLabel = "label".equalsIgnoreCase(color == null ? "" : color.trim().toLowerCase(Locale.ROOT));
		String note = null;
		if (byLabel && !rows.hasLabels()) {
			note = "the images have no labels (use sub-folders with 'labels', or a list file with labels); colouring by predicted class.";
			byLabel = false;
		}
		if (byLabel) return new EmbeddingGroups(rows.labels(), rows.labelNames(), true, null);
		int[] group = rows.predicted();
		List<String> names = new ArrayList<>();
		int k = Math.max(info.singleSigmoid() ? 2 : 1, info.numClasses());
		for (int g : group) k = Math.max(k, g + 1);
		for (int c = 0; c < k; c++) names.add(info.predictedName(c));
		for (int i = 0; i < group.length; i++) if (group[i] < 0) group[i] = 0;
		return new EmbeddingGroups(group, names, false, note);
	}

	/**
	 * The entries behind the rows: rows come in source order with skipped entries left out, so
	 * walking the source once and matching names in order finds each row's entry.
	 *
	 * @throws IllegalStateException when a row's image is no longer in the source
	 */
	public static List<ImageSource.Entry> entries(ImageSource src, List<CnnCodes.Row> rows) {
		List<ImageSource.Entry> out = new ArrayList<>(rows.size());
		Iterator<ImageSource.Entry> it = src.iterator();
		for (CnnCodes.Row r : rows) {
			ImageSource.Entry e = null;
			while (it.hasNext()) {
				ImageSource.Entry c = it.next();
				if (c.name().equals(r.name())) {
					e = c;
					break;
				}
			}
			if (e == null) throw new IllegalStateException("Image " + r.name() + " is no longer in " + src.description());
			out.add(e);
		}
		return out;
	}
}
