package org.convlens.imagej;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import org.convlens.testdata.SyntheticShapes;

/** Writes labelled synthetic shapes as 8-bit TIFF files, one sub-folder per class (tests and benchmarks). */
public final class ShapeFiles {

	private ShapeFiles() {}

	/** Image files in {@code dir/<class>/<class>_NNN.tif}, classes interleaved; returns the samples in file order per class. */
	public static List<SyntheticShapes.Sample> write(Path dir, int perClass, int size, long seed) throws IOException {
		SyntheticShapes gen = new SyntheticShapes(seed, size);
		List<SyntheticShapes.Sample> all = new ArrayList<>();
		for (String c : SyntheticShapes.CLASS_NAMES) Files.createDirectories(dir.resolve(c));
		for (int i = 0; i < perClass; i++) {
			for (int label = 0; label < 3; label++) {
				SyntheticShapes.Sample s = gen.next(label);
				all.add(s);
				Path f = dir.resolve(s.className()).resolve(String.format("%s_%03d.tif", s.className(), i));
				if (!new FileSaver(toImage(s)).saveAsTiff(f.toString())) throw new IOException("Cannot write " + f);
			}
		}
		return all;
	}

	static ImagePlus toImage(SyntheticShapes.Sample s) {
		ByteProcessor bp = new ByteProcessor(s.size, s.size);
		for (int i = 0; i < s.pixels.length; i++) bp.set(i, Math.round(s.pixels[i] * 255));
		return new ImagePlus("shape", bp);
	}
}
