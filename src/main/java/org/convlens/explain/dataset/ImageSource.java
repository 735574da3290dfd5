package org.convlens.explain.dataset;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;

import org.convlens.model.Preprocessing;

/**
 * A stream of images for the dataset commands (max-activating images, CNN codes): a folder, an
 * open stack, a list file, or anything else that can list entries and read them one at a time.
 * Entries are cheap handles; pixels are read only by {@link Entry#read()}, so a source of any
 * length holds at most a few images in memory. The ImageJ room implements the file-based ones.
 */
public interface ImageSource extends Iterable<ImageSource.Entry> {

	/** Number of entries, for progress; -1 when unknown. */
	int size();

	/** Where the images come from, for messages, e.g. {@code folder /data/cells}. */
	String description();

	/** One image of the source. */
	interface Entry {

		/** Name shown in tables: the path relative to the folder, or the slice label. */
		String name();

		/** Class label (e.g. the sub-folder name), or null when unknown. */
		String label();

		/**
		 * Reads the pixels. May be called again later (to crop a patch for a montage).
		 *
		 * @throws IOException (or a runtime exception) whose message says what is wrong, e.g.
		 *         {@code not an image file}; the image is then skipped and listed
		 */
		Preprocessing.Planes read() throws IOException;
	}

	/** A source over a fixed list of entries. */
	static ImageSource of(String description, List<? extends Entry> entries) {
		List<Entry> copy = List.copyOf(entries);
		return of(description, copy.size(), copy::iterator);
	}

	/** A source of {@code size} entries (-1: unknown) whose iterator each pass asks {@code entries} for. */
	static ImageSource of(String description, int size, java.util.function.Supplier<Iterator<Entry>> entries) {
		return new ImageSource() {
			@Override
			public int size() {
				return size;
			}

			@Override
			public String description() {
				return description;
			}

			@Override
			public Iterator<Entry> iterator() {
				return entries.get();
			}
		};
	}

	/** An entry over pixels already in memory. */
	static Entry entry(String name, String label, Preprocessing.Planes planes) {
		return new ImageEntry(name, label, () -> planes);
	}
}
