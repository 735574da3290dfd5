package org.convlens.commands;

import java.io.File;
import java.util.List;

import org.convlens.explain.dataset.DatasetReport;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.imagej.DatasetSources;
import org.convlens.imagej.DatasetViews;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelInfo;
import org.scijava.ItemIO;
import org.scijava.plugin.Parameter;
import org.scijava.widget.FileWidget;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * Base of the commands that read a dataset rather than the current image: a folder (optionally
 * with sub-folders, their names as labels), a list file, or the open stack (each slice one image).
 * The image input is optional here ({@link #needsImage()} is false): it is used only with
 * {@code source=image}. Images are streamed through the model in batches, never all in memory.
 */
public abstract class DatasetCommand extends ConvLensCommand {

	/** Values of the {@code source} input. */
	public static final String FOLDER = "folder", LIST = "list", IMAGE = "image";

	@Parameter(label = "Images from", choices = { FOLDER, LIST, IMAGE }, persist = false,
		description = "Where the images come from: a folder of image files, a list file (one path per line, optionally ',label'), or the current image (each slice/frame one image)")
	protected String source = FOLDER;

	@Parameter(label = "Image folder", style = FileWidget.DIRECTORY_STYLE, required = false, description = "Folder of image files (source=folder)")
	protected File folder;

	@Parameter(label = "Include sub-folders", description = "Also read the images in sub-folders (source=folder)")
	protected boolean recursive;

	@Parameter(label = "Sub-folder names are labels", description = "Use each image's sub-folder name as its label (source=folder, with recursive)")
	protected boolean labels;

	@Parameter(label = "List file (path[,label] per line)", required = false, description = "Text file listing image paths, one per line, optionally followed by ',label' (source=list)")
	protected File list;

	@Parameter(type = ItemIO.OUTPUT, label = "Skipped files")
	protected ResultsTable skipped;

	@Override
	protected boolean needsImage() {
		return false;
	}

	/** The chosen dataset. */
	protected ImageSource dataset() {
		return Shards.restrict(allOfDataset()); // a sharded batch run reads its block only (issue 15)
	}

	private ImageSource allOfDataset() {
		String s = source == null ? FOLDER : source.trim().toLowerCase(java.util.Locale.ROOT);
		switch (s) {
			case FOLDER:
				if (folder == null || folder.getPath().isEmpty()) throw new IllegalArgumentException("No folder chosen (option 'folder').");
				if (!folder.isDirectory()) throw new IllegalArgumentException("Not a folder: " + folder);
				return DatasetSources.folder(folder.toPath(), recursive, labels);
			case LIST:
				if (list == null || list.getPath().isEmpty()) throw new IllegalArgumentException("No list file chosen (option 'list').");
				return DatasetSources.listFile(list.toPath());
			case IMAGE:
				return DatasetSources.stack(image());
			default:
				throw new IllegalArgumentException("Unknown source '" + source + "'; use folder, list or image.");
		}
	}

	/** A runner with this command's preprocessing. */
	protected DatasetRunner runner(ConvModel m) {
		DatasetRunner r = new DatasetRunner(m, prep(m.info()));
		long per = 1;
		int[] shape = m.info().imageInput().shape();
		// free sizes: assume a common 224 until an image says otherwise
		for (int i = 1; i < shape.length; i++) per *= shape[i] > 0 ? shape[i] : i < 3 ? 224 : 3;
		// a prepared window of two batches is held besides the batch itself
		return r.batchSize(cappedBatch(r.batchSize(), 2 * per, "dataset"));
	}

	/** Logs what was skipped (ImageJ's Log window, or standard output headless) and fills the {@code skipped} output. */
	protected void report(DatasetReport r) {
		IJ.log(getInfo().getTitle() + ": " + r.details());
		skipped = r.skipped().isEmpty() ? null : DatasetViews.skippedTable(r);
	}

	/**
	 * Logs a warning when every image got the same class with high confidence (see
	 * {@link org.convlens.explain.dataset.SameClassCheck}) and returns it for the Info, else null.
	 */
	protected String sameClassWarning(org.convlens.explain.dataset.SameClassCheck check, ConvModel m) {
		String w = check.warning(m.info(), prep(m.info()));
		if (w != null) IJ.log(getInfo().getTitle() + ": WARNING: " + w);
		return w;
	}

	/** Spatial and vector layers, {@code first} before the others. */
	protected static List<String> codeLayers(ModelInfo info, String first) {
		List<String> l = layerChoices(info, x -> x.kind() == LayerKind.SPATIAL || x.kind() == LayerKind.VECTOR, x -> x.name().equals(first));
		return l;
	}

	/** The source image when the dataset is the open stack, else null (for provenance). */
	protected ImagePlus sourceImage() {
		return IMAGE.equalsIgnoreCase(source) ? image() : null;
	}
}
