package org.convlens.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.convlens.TestPaths;
import org.convlens.commands.Batch;
import org.convlens.commands.Contexts;
import org.convlens.imagej.ImageInput;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelService;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;

/**
 * Grad-CAM over a folder of images with {@code Batch cam} (the batched path: read-ahead,
 * batches of 32, one forward and backward pass per batch, a writer thread) over raw batched
 * TensorFlow ({@code m.gradients} of the top-class logits to the last spatial layer, batches of
 * 32 preprocessed inputs already in memory), on tiles of the real sample images; today's per-image path ({@code -Dconvlens.perImage})
 * in the same run. Two output settings: everything Batch writes by default (32-bit heatmap TIFF
 * and PNG, overlay PNG, predictions) and the heatmap TIFF only ({@code overlay=false predict=false},
 * which still writes the TIFF and its PNG). Then the retained heap (the largest used heap after a
 * collection, sampled during the run) of the batched path at a tenth of HEAP_IMAGES and at HEAP_IMAGES (1,000 and
 * 10,000 by default) on the small generated model.
 *
 * <p>Not a test: {@code mvn -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.convlens.bench.BatchedCamBenchmark [-Dexec.args="IMAGES HEAP_IMAGES"]}
 * (defaults 1000 and 10000).
 */
public final class BatchedCamBenchmark {

	public static void main(String[] args) throws Exception {
		System.setProperty("java.awt.headless", "true");
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
		int nHeap = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
		Path work = Files.createTempDirectory("convlens-batched-bench");
		ModelService ms = Contexts.get().service(ModelService.class);
		List<Object[]> cases = new ArrayList<>();
		cases.add(new Object[] { TestPaths.model("wide-224"), "wide-224 (RGB 224x224)" });
		Path shared = TestPaths.shared();
		if (shared != null && Files.isDirectory(shared.resolve("models/brain-mri-tumor64"))) {
			cases.add(new Object[] { shared.resolve("models/brain-mri-tumor64"), "brain-mri-tumor64" });
		}
		System.out.println("Grad-CAM over a folder of " + n + " images, " + Runtime.getRuntime().availableProcessors() + " cores; throughput as a fraction of raw batched TF:");
		for (Object[] c : n > 0 ? cases : List.<Object[]> of()) {
			Path mp = (Path) c[0];
			ConvModel m = ms.get(mp);
			int tfThreads = org.convlens.model.TfThreads.inEffect();
			System.out.println("  TensorFlow threads: " + (tfThreads > 0 ? tfThreads : "its own choice") + " (-Dconvlens.tf.threads)");
			int[] shape = m.info().imageInput().shape();
			int h = shape[1] > 0 ? shape[1] : 224, w = shape[2] > 0 ? shape[2] : 224;
			boolean rgb = shape[3] == 3;
			Path folder = folder(work.resolve(mp.getFileName().toString()), n, w, h, rgb);
			// raw: the same model, batch (32) and fetches on inputs in memory
			Preprocessing prep = Preprocessing.forModel(m.info());
			List<NdArray> batches = new ArrayList<>();
			List<NdArray> weights = new ArrayList<>();
			String layer = m.info().lastSpatialLayer().name();
			for (int from = 0; from < n; from += 32) {
				int to = Math.min(n, from + 32);
				List<NdArray> items = new ArrayList<>();
				for (int i = from; i < to; i++) {
					ImagePlus imp = IJ.openImage(folder.resolve(name(i)).toString());
					items.add(ImageInput.batch(imp, ImageInput.positions(imp), prep, shape));
				}
				NdArray x = NdArray.concat(items);
				NdArray logits = m.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
				int k = logits.size() / logits.dim(0);
				NdArray oh = NdArray.zeros(logits.shape());
				for (int i = 0; i < logits.dim(0); i++) {
					int best = 0;
					for (int j = 1; j < k; j++) if (logits.data()[i * k + j] > logits.data()[i * k + best]) best = j;
					oh.data()[i * k + best] = 1;
				}
				batches.add(x);
				weights.add(oh);
			}
			Runnable raw = () -> {
				for (int b = 0; b < batches.size(); b++) m.gradients(batches.get(b), ConvModel.LOGITS, weights.get(b), List.of(layer));
			};
			raw.run(); // warm-up
			double tRaw = seconds(raw);
			String model = mp.toString();
			// warm-up of both paths (graph signatures, JIT, heap size): a first batched run over 1,000
			// images takes half as long again as the next ones
			Path warm = folder(work.resolve("warm-" + mp.getFileName()), Math.min(n, 500), w, h, rgb);
			run(warm, work.resolve("warm-out-b-" + mp.getFileName()), model, false, true);
			run(warm, work.resolve("warm-out-l-" + mp.getFileName()), model, false, false);
			run(folder(work.resolve("warm-p-" + mp.getFileName()), 48, w, h, rgb), work.resolve("warm-out-p-" + mp.getFileName()), model, true, true);
			double full = run(folder, work.resolve("out-full-" + mp.getFileName()), model, false, true);
			double lean = run(folder, work.resolve("out-lean-" + mp.getFileName()), model, false, false);
			double perImage = run(folder, work.resolve("out-per-image-" + mp.getFileName()), model, true, true);
			System.out.printf(Locale.ROOT, "  %-24s raw TF %.2f s (%.1f img/s) | batched, all outputs %.2f | batched, heatmap only %.2f | per-image path %.2f%n",
				c[1], tRaw, n / tRaw, tRaw / full, tRaw / lean, tRaw / perImage);
		}
		// retained heap of the batched path, small model: flat in the number of images?
		Path small = TestPaths.model("shapes-keras");
		long[][] heap = new long[2][];
		int[] counts = { Math.max(1, nHeap / 10), nHeap };
		for (int i = 0; i < 2; i++) {
			Path folder = folder(work.resolve("small-" + counts[i]), counts[i], 32, 32, false);
			Path out = work.resolve("out-heap-" + counts[i]);
			heap[i] = retained(() -> run(folder, out, small.toString(), false, true));
		}
		System.out.printf(Locale.ROOT, "Retained heap (used after a collection, sampled every 200 ms), batched cam on shapes-keras:%n" +
			"  %d images: median %.1f MB, max %.1f MB | %d images: median %.1f MB, max %.1f MB | ratio of medians %.2f, of maxima %.2f%n", counts[0],
			heap[0][0] / 1e6, heap[0][1] / 1e6, counts[1], heap[1][0] / 1e6, heap[1][1] / 1e6, (double) heap[1][0] / heap[0][0],
			(double) heap[1][1] / heap[0][1]);
		System.exit(0);
	}

	static String name(int i) {
		return String.format(Locale.ROOT, "img%05d.tif", i);
	}

	/**
	 * {@code n} images: 16 distinct ones, hard-linked (copied where links fail) under the other names.
	 * The 16 are tiles of the real sample images in {@code ../shared/images} (photographs, micrographs,
	 * a retina), else random pixels (which no PNG compresses: the writers' worst case).
	 */
	static Path folder(Path dir, int n, int w, int h, boolean rgb) throws Exception {
		Files.createDirectories(dir);
		Random r = new Random(11);
		List<Path> real = realImages();
		for (int i = 0; i < n; i++) {
			Path f = dir.resolve(name(i));
			if (Files.exists(f)) continue;
			if (i < 16) {
				ImagePlus imp;
				if (!real.isEmpty()) imp = tile(real.get(i % real.size()), i / real.size(), w, h, rgb);
				else if (rgb) {
					ColorProcessor cp = new ColorProcessor(w, h);
					int[] px = (int[]) cp.getPixels();
					for (int k = 0; k < px.length; k++) px[k] = r.nextInt(0x1000000);
					imp = new ImagePlus("x", cp);
				}
				else {
					ij.process.ByteProcessor bp = new ij.process.ByteProcessor(w, h);
					byte[] px = (byte[]) bp.getPixels();
					for (int k = 0; k < px.length; k++) px[k] = (byte) r.nextInt(256);
					imp = new ImagePlus("x", bp);
				}
				new FileSaver(imp).saveAsTiff(f.toString());
			}
			else {
				try {
					Files.createLink(f, dir.resolve(name(i % 16)));
				}
				catch (Exception e) {
					Files.copy(dir.resolve(name(i % 16)), f);
				}
			}
		}
		return dir;
	}

	/** The real sample images, or none when {@code ../shared} is missing. */
	static List<Path> realImages() throws java.io.IOException {
		Path shared = TestPaths.shared();
		Path images = shared == null ? null : shared.resolve("images");
		if (images == null || !Files.isDirectory(images)) return List.of();
		try (java.util.stream.Stream<Path> s = Files.list(images)) {
			return s.filter(p -> p.toString().matches(".*\\.(png|jpg)$")).sorted().collect(java.util.stream.Collectors.toList());
		}
	}

	/** Tile {@code k} of the image: a {@code w x h} crop (the image enlarged first where it is smaller), RGB or 8-bit. */
	static ImagePlus tile(Path file, int k, int w, int h, boolean rgb) {
		ImagePlus src = IJ.openImage(file.toString());
		ij.process.ImageProcessor ip = rgb ? src.getProcessor().convertToRGB() : src.getProcessor().convertToByte(true);
		double grow = Math.max(1, Math.max((double) w / ip.getWidth(), (double) h / ip.getHeight()));
		if (grow > 1) ip = ip.resize((int) Math.ceil(ip.getWidth() * grow), (int) Math.ceil(ip.getHeight() * grow), true);
		int spanX = ip.getWidth() - w, spanY = ip.getHeight() - h;
		ip.setRoi((spanX * (k * 7 % 5)) / 4, (spanY * (k * 3 % 4)) / 3, w, h);
		return new ImagePlus("tile", ip.crop());
	}

	/** Seconds for one Batch cam run over the folder into a fresh output folder. */
	static double run(Path folder, Path out, String model, boolean perImage, boolean allOutputs) {
		if (perImage) System.setProperty("convlens.perImage", "true");
		try {
			Map<String, String> opts = allOutputs ? Map.of("model", model, "batch", "32") : Map.of("model", model, "batch", "32", "overlay", "false", "predict", "false");
			long t0 = System.nanoTime();
			Batch.Report r = Batch.run("cam", folder, out, opts, (PrintStream) null);
			double s = (System.nanoTime() - t0) / 1e9;
			if (!r.failures.isEmpty()) throw new IllegalStateException(r.failures.get(0));
			return s;
		}
		catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
		finally {
			System.clearProperty("convlens.perImage");
		}
	}

	static double seconds(Runnable r) {
		long t0 = System.nanoTime();
		r.run();
		return (System.nanoTime() - t0) / 1e9;
	}

	/**
	 * The heap in use after a collection while {@code r} runs, sampled every 200 ms: {median, max}.
	 * The median is the steady state; the maximum grows with the number of samples (a longer run
	 * catches more of the moments when a batch and its outputs are in flight).
	 */
	static long[] retained(Runnable r) throws InterruptedException {
		Runtime rt = Runtime.getRuntime();
		List<Long> samples = java.util.Collections.synchronizedList(new ArrayList<>());
		boolean[] done = { false };
		Thread sampler = new Thread(() -> {
			while (!done[0]) {
				System.gc();
				samples.add(rt.totalMemory() - rt.freeMemory());
				try {
					Thread.sleep(200);
				}
				catch (InterruptedException e) {
					return;
				}
			}
		});
		System.gc();
		sampler.start();
		r.run();
		done[0] = true;
		sampler.join();
		List<Long> s = new ArrayList<>(samples);
		java.util.Collections.sort(s);
		return new long[] { s.get(s.size() / 2), s.get(s.size() - 1) };
	}
}
