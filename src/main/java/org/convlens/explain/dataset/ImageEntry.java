package org.convlens.explain.dataset;

import java.io.IOException;

import org.convlens.model.Preprocessing;

/**
 * The one entry class of the image sources: a name and label fixed when the source is listed, and
 * a {@link Reader} that reads the pixels each time they are asked for (pixels already in memory, an
 * image file opened then, a slice of an open stack copied then). Shown as its name.
 */
public final class ImageEntry implements ImageSource.Entry {

	/** How an entry's pixels are read; called again for each read. */
	@FunctionalInterface
	public interface Reader {

		/** The pixels; see {@link ImageSource.Entry#read()} for the exceptions. */
		Preprocessing.Planes read() throws IOException;
	}

	private final String name, label;
	private final Reader reader;

	/**
	 * @param name the name shown in tables
	 * @param label the class label, or null when unknown
	 * @param reader reads the pixels
	 */
	public ImageEntry(String name, String label, Reader reader) {
		this.reader = java.util.Objects.requireNonNull(reader, "reader");
		this.label = label;
		this.name = name;
	}

	@Override
	public String name() {
		return name;
	}

	@Override
	public String label() {
		return label;
	}

	@Override
	public Preprocessing.Planes read() throws IOException {
		return reader.read();
	}

	@Override
	public String toString() {
		return name;
	}
}
