package org.convlens.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.convlens.TestPaths;
import org.convlens.explain.dataset.DatasetRunner;
import org.convlens.explain.dataset.ImageSource;
import org.convlens.explain.dataset.MaxActivating;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.process.ColorProcessor;

/**
 * Max-activating montages of every filter from the localization images: one slice (and one PNG)
 * per filter, dead filters last and labelled, each file read once for the run and the montages,
 * and the montage tiles drawn from the kept patches equal tiles drawn from patches read again.
 */
class MaxActivatingMontageTest {

	@Test
	void everyFilterGetsAMontageFromImagesReadOnce(@TempDir Path out) throws IOException {
		Path dir = TestPaths.testData().resolve("images").resolve("localization");
		ImageSource files = DatasetSources.folder(dir, false, false);
		Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
		List<ImageSource.Entry> counted = new ArrayList<>();
		for (ImageSource.Entry e : files) {
			counted.add(new ImageSource.Entry() {
				@Override
				public String name() { return e.name(); }

				@Override
				public String label() { return e.label(); }

				@Override
				public Preprocessing.Planes read() throws IOException {
					reads.computeIfAbsent(e.name(), k -> new AtomicInteger()).incrementAndGet();
					return e.read();
				}
			});
		}
		try (ConvModel m = Models.open(TestPaths.model("shapes-keras"))) {
			String layer = MaxActivating.defaultLayer(m);
			int channels = m.info().layer(layer).channels();
			MaxActivating.Result r = new MaxActivating(m).layer(layer).topK(6).keep(MaxActivating.Keep.PATCH, 192)
				.run(ImageSource.of("counted", counted), new DatasetRunner(m, null), null);
			ImagePlus mont = DatasetViews.montages("m", r, true, 96);
			// every file (ground-truth.csv is not an image: read once, skipped) read exactly once, montages included
			for (Map.Entry<String, AtomicInteger> e : reads.entrySet()) assertEquals(1, e.getValue().get(), e.getKey());
			assertEquals(counted.size(), reads.size());
			assertEquals(channels, mont.getStackSize(), "one montage per filter");
			List<Integer> order = r.filters();
			for (int i = 0; i < order.size(); i++) {
				int f = order.get(i);
				String label = mont.getStack().getSliceLabel(i + 1);
				if (r.status(f) == MaxActivating.Status.LIVE) assertEquals(layer + " \u00b7 filter " + f, label);
				else assertEquals(layer + " \u00b7 filter " + f + " (dead)", label);
			}
			// the first live filter's first tile equals one drawn from the patch read again
			int f = r.filters(MaxActivating.Status.LIVE).get(0);
			MaxActivating.Hit h = r.hits(f).get(0);
			ColorProcessor again = DatasetViews.fit(DatasetViews.render(h.readPatch()), 96);
			ColorProcessor slice = (ColorProcessor) mont.getStack().getProcessor(1);
			int first = order.indexOf(f);
			assertEquals(0, first);
			int diff = 0;
			for (int y = 0; y < 96; y++) for (int x = 0; x < 96; x++) if (slice.get(2 + x, 2 + y) != again.get(x, y)) diff++;
			assertEquals(0, diff, "tile pixels that differ");
			// saved: one PNG per filter
			List<Path> written = Outputs.save(mont, out, "shapes", "montages");
			long pngs = written.stream().filter(p -> p.toString().endsWith(".png")).count();
			assertEquals(channels, pngs);
			assertTrue(Files.isRegularFile(out.resolve("shapes_montages_" + layer + "_filter_" + f + ".png")), written.toString());
			ImagePlus png = ij.IJ.openImage(out.resolve("shapes_montages_" + layer + "_filter_" + f + ".png").toString());
			assertEquals(slice.getWidth(), png.getWidth());
			assertEquals(slice.get(10, 10) & 0xffffff, png.getProcessor().get(10, 10) & 0xffffff);
		}
	}
}
