package org.convlens.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.TestPaths;
import org.convlens.commands.ClassActivationMap;
import org.convlens.commands.CommandRunner;
import org.convlens.commands.Contexts;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.imagej.HeatmapDisplay;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelService;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.Context;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;

/**
 * Grad-CAM end to end, ImagePlus in and overlay out (with the 32-bit heatmap image and the
 * predictions table), over the raw TensorFlow forward + backward pass for the same input
 * ({@code m.gradients} of the logits to the last spatial layer): goal at most 1.15. Two end-to-end
 * paths: the command as Fiji runs it (SciJava module, inputs, outputs), and the same steps called
 * directly. Cases: the tiny generated model (fixed Java costs dominate), and {@code wide-224}, an
 * untrained model with a realistic 224x224x3 input, on an RGB image. Not a test: {@code mvn -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.convlens.bench.CamEndToEndBenchmark}.
 */
public final class CamEndToEndBenchmark {

	public static void main(String[] args) {
		System.setProperty("java.awt.headless", "true");
		Context ctx = Contexts.get();
		ModelService ms = ctx.service(ModelService.class);
		List<Object[]> cases = new ArrayList<>();
		Path demo = TestPaths.testData().resolve("images").resolve("demo-ring.tif");
		cases.add(new Object[] { TestPaths.model("shapes-keras"), IJ.openImage(demo.toString()), "demo-ring 32x32" });
		cases.add(new Object[] { TestPaths.model("shapes-keras"), stack(IJ.openImage(demo.toString()), 16), "demo-ring x16 slices" });
		cases.add(new Object[] { TestPaths.model("shapes-keras"), IJ.openImage(demo.toString()).resize(512, 512, "bilinear"), "demo-ring 512x512" });
		// a realistic input size (untrained model: timings only)
		cases.add(new Object[] { TestPaths.model("wide-224"), rgb224(), "RGB 224x224 wide-224" });
		// the compute of ResNet-50 at 224x224 (made once into target/, untrained)
		Path heavy = heavyModel();
		if (heavy != null) cases.add(new Object[] { heavy, rgb224(), "RGB 224x224 heavy-224" });
		Path shared = TestPaths.shared();
		if (shared != null) {
			Path m = shared.resolve("models/brain-mri-tumor64"), img = m.resolve("samples/yes_y0.jpg");
			if (Files.isDirectory(m) && Files.exists(img)) cases.add(new Object[] { m, IJ.openImage(img.toString()), "brain-mri yes_y0.jpg" });
		}
		System.out.println("Grad-CAM, top class, predictions on: end to end (ImagePlus in; overlay, 32-bit heatmap and predictions out)");
		System.out.println("over m.gradients(logits -> last spatial layer) on the same input; medians of paired ratios (" +
			Runtime.getRuntime().availableProcessors() + " cores):");
		for (Object[] c : cases) {
			Path mp = (Path) c[0];
			ImagePlus imp = (ImagePlus) c[1];
			ConvModel m = ms.get(mp);
			Preprocessing prep = Preprocessing.forModel(m.info());
			List<ImageInput.Position> ps = ImageInput.positions(imp);
			NdArray x = ImageInput.batch(imp, ps, prep, m.info().imageInput().shape());
			String layer = m.info().lastSpatialLayer().name();
			NdArray logits = m.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
			NdArray onehot = NdArray.zeros(logits.shape());
			int K = logits.size() / logits.dim(0);
			for (int i = 0; i < logits.dim(0); i++) onehot.data()[i * K] = 1;
			Map<String, Object> in = new HashMap<>();
			in.put("image", imp);
			in.put("model", mp.toFile());
			ClassActivationMaps cam = new ClassActivationMaps(m);
			double[] t = CamBenchmark.time(c[2].toString().contains("heavy") ? 40 : ps.size() > 1 || imp.getWidth() > 100 ? 80 : 300, List.of(
				() -> m.gradients(x, ConvModel.LOGITS, onehot, List.of(layer)),
				() -> CommandRunner.run(ctx, CommandRunner.create(ctx, ClassActivationMap.class), in, false),
				() -> direct(imp, m, cam)));
			System.out.printf(Locale.ROOT, "  %-22s %-16s gradients %7.3f ms | command %.3f x | direct %.3f x%n", c[2], layer, t[0], t[1], t[2]);
		}
		ctx.dispose();
		System.exit(0);
	}

	/**
	 * {@code target/bench-models/heavy-224-96-192-384}: wide-224's layout with 96, 192 and 384
	 * filters, 4.3 GMAC per image forward, about ResNet-50's 4.1 (3.3 MB of weights, untrained),
	 * made by the project's generator in a child JVM on first use. Null (case left out) when it
	 * cannot be made.
	 */
	static Path heavyModel() {
		Path dir = java.nio.file.Paths.get("target", "bench-models", "heavy-224-96-192-384").toAbsolutePath();
		if (Files.exists(dir.resolve("saved_model.pb"))) return dir;
		try {
			Files.createDirectories(dir.getParent());
			Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath(),
				"org.convlens.testdata.TestModelGenerator", "--untrained224", dir.toString(), "96,192,384", "4242").inheritIO().start();
			if (p.waitFor() == 0 && Files.exists(dir.resolve("saved_model.pb"))) return dir;
		}
		catch (java.io.IOException e) {
			System.out.println("heavy-224 not made: " + e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		return null;
	}

	/** This JVM's class path, as exec:java's class loader holds it (its java.class.path is Maven's). */
	static String classPath() {
		ClassLoader cl = CamEndToEndBenchmark.class.getClassLoader();
		if (cl instanceof java.net.URLClassLoader) {
			StringBuilder sb = new StringBuilder();
			for (java.net.URL u : ((java.net.URLClassLoader) cl).getURLs()) {
				try {
					sb.append(sb.length() == 0 ? "" : java.io.File.pathSeparator).append(Path.of(u.toURI()));
				}
				catch (java.net.URISyntaxException e) {
					throw new IllegalStateException(e);
				}
			}
			return sb.toString();
		}
		return System.getProperty("java.class.path");
	}

	/** The command's steps without SciJava. */
	private static Object direct(ImagePlus imp, ConvModel m, ClassActivationMaps cam) {
		List<ImageInput.Position> ps = ImageInput.positions(imp);
		NdArray x = ImageInput.batch(imp, ps, Preprocessing.forModel(m.info()), m.info().imageInput().shape());
		Map<String, NdArray> fetched = new HashMap<>();
		List<Heatmap> maps = cam.compute(x, null, List.of(ConvModel.OUTPUT), fetched, null);
		List<float[]> full = new ArrayList<>();
		List<String> labels = new ArrayList<>();
		for (Heatmap h : maps) {
			full.add(h.resized(imp.getWidth(), imp.getHeight()));
			labels.add(h.caption());
		}
		ImagePlus hm = HeatmapDisplay.heatmapImageLabelled(imp, full, "hm", labels);
		List<String> items = new ArrayList<>();
		for (ImageInput.Position p : ps) items.add(p.toString());
		Tables.predictions(m.info(), fetched.get(ConvModel.OUTPUT), items, 3);
		HeatmapDisplay.overlayLabelled(imp, full, HeatmapDisplay.OverlayStyle.defaults(), labels);
		return hm;
	}

	/** chelsea.png from the shared images resized to 224x224, or a synthetic RGB image when it is absent. */
	private static ImagePlus rgb224() {
		Path shared = TestPaths.shared();
		Path cat = shared == null ? null : shared.resolve("images/chelsea.png");
		if (cat != null && Files.exists(cat)) {
			ImagePlus imp = IJ.openImage(cat.toString());
			if (imp != null && imp.getBitDepth() == 24) return imp.resize(224, 224, "bilinear");
		}
		ij.process.ColorProcessor cp = new ij.process.ColorProcessor(224, 224);
		java.util.Random r = new java.util.Random(7);
		int[] px = (int[]) cp.getPixels();
		for (int y = 0; y < 224; y++) {
			for (int x = 0; x < 224; x++) {
				int v = (x * 255 / 223) ^ (y * 255 / 223);
				px[y * 224 + x] = (v << 16) | ((255 - v) << 8) | r.nextInt(256);
			}
		}
		return new ImagePlus("synthetic RGB", cp);
	}

	private static ImagePlus stack(ImagePlus one, int n) {
		ImageStack s = new ImageStack(one.getWidth(), one.getHeight());
		for (int i = 0; i < n; i++) {
			ij.process.ImageProcessor ip = one.getProcessor().duplicate();
			ip.noise(8);
			s.addSlice(ip);
		}
		return new ImagePlus("stack", s);
	}
}
