package org.convlens.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

import org.convlens.TestPaths;
import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.CamTestImages;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.model.ConvModel;
import org.convlens.model.Models;
import org.convlens.model.NdArray;

/**
 * Class activation maps: the pointing-game score of every method on the generated localization
 * images, Grad-CAM's time (array in, heatmap out) over the raw TensorFlow forward + backward pass
 * ({@code m.gradients} alone, goal at most 1.15), and Score-CAM with batched masked inputs over one
 * masked input per forward pass. Not a test: run on demand,
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.convlens.bench.CamBenchmark [-Dexec.args=timing|pointing]}.
 */
public final class CamBenchmark {

	/** @param args {@code pointing} or {@code timing} for one part only */
	public static void main(String[] args) {
		String part = args.length > 0 ? args[0] : "all";
		if (!part.equals("timing")) pointingGame();
		if (part.equals("all")) System.out.println();
		if (!part.equals("pointing")) timings();
	}

	static void pointingGame() {
		List<CamTestImages.Located> images = CamTestImages.localization();
		System.out.printf(Locale.ROOT, "Pointing game on test-data/images/localization (%d images, true class; peak of the map at 32x32 in the box grown by 0/1/2 px)%n",
			images.size());
		System.out.printf(Locale.ROOT, "%-14s %-22s %-22s %-22s%n", "method", "shapes-keras", "shapes-tf1", "shapes-gap");
		List<ConvModel> models = new ArrayList<>();
		for (String n : List.of("shapes-keras", "shapes-tf1", "shapes-gap")) models.add(Models.open(TestPaths.model(n)));
		try {
			for (CamMethod m : CamMethod.values()) {
				StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-14s", m.label()));
				for (ConvModel model : models) {
					ClassActivationMaps cam = new ClassActivationMaps(model).withMethod(m);
					sb.append(String.format(Locale.ROOT, " %.3f/%.3f/%.3f     ", CamTestImages.pointingGame(cam, model.info(), images, 0),
						CamTestImages.pointingGame(cam, model.info(), images, 1), CamTestImages.pointingGame(cam, model.info(), images, 2)));
				}
				System.out.println(sb);
			}
		}
		finally {
			models.forEach(ConvModel::close);
		}
	}

	static void timings() {
		List<Object[]> cases = new ArrayList<>();
		cases.add(new Object[] { TestPaths.model("shapes-keras"), 1 });
		cases.add(new Object[] { TestPaths.model("shapes-keras"), 16 });
		Path shared = TestPaths.shared();
		if (shared != null) {
			for (String n : List.of("fashion-mnist-cnn", "brain-mri-tumor64")) {
				Path p = shared.resolve("models").resolve(n);
				if (Files.isDirectory(p)) {
					cases.add(new Object[] { p, 1 });
					cases.add(new Object[] { p, 16 });
				}
			}
		}
		System.out.println("Grad-CAM end to end (array in, heatmaps at input size out) over m.gradients alone (forward + backward to the layer);");
		System.out.println("median time of m.gradients, then medians of paired ratios:");
		for (Object[] c : cases) {
			try (ConvModel m = Models.open((Path) c[0])) {
				int n = (Integer) c[1];
				int[] s = m.info().imageInput().shape();
				Random r = new Random(7);
				NdArray x = NdArray.zeros(n, s[1], s[2], s[3]);
				for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat();
				String layer = m.info().lastSpatialLayer().name();
				NdArray logits = m.run(x, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
				NdArray onehot = NdArray.zeros(logits.shape());
				for (int i = 0; i < n; i++) onehot.set(1, i, 0);
				ClassActivationMaps top = new ClassActivationMaps(m);
				ClassActivationMaps known = top.withTarget(Target.classIndex(0));
				int reps = n == 1 ? 400 : 60;
				// the heatmaps at the input size are part of the output: values() makes them
				double[] t = time(reps, List.of(
					() -> m.gradients(x, ConvModel.LOGITS, onehot, List.of(layer)),
					() -> inputSize(known.compute(x, null)),
					() -> inputSize(top.compute(x, null)),
					() -> inputSize(top.compute(x, logits, null))));
				System.out.printf(Locale.ROOT,
					"  %-18s batch %2d, layer %-16s gradients %7.3f ms | Grad-CAM class given %.3f x | top class %.3f x | top class, logits passed in %.3f x%n",
					((Path) c[0]).getFileName(), n, layer, t[0], t[1], t[2], t[3]);
			}
		}
		System.out.println("Score-CAM, one image: batched masked inputs (32 per forward pass) vs one masked input per forward pass:");
		for (Object[] c : cases) {
			if ((Integer) c[1] != 1) continue;
			try (ConvModel m = Models.open((Path) c[0])) {
				int[] s = m.info().imageInput().shape();
				Random r = new Random(7);
				NdArray x = NdArray.zeros(1, s[1], s[2], s[3]);
				for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat();
				ClassActivationMaps sc = new ClassActivationMaps(m).withMethod(CamMethod.SCORE_CAM);
				ClassActivationMaps b32 = sc.withBatchSize(32), b1 = sc.withBatchSize(1);
				double[] t = time(15, List.of(() -> b32.compute(x, null), () -> b1.compute(x, null)));
				System.out.printf(Locale.ROOT, "  %-18s %3d channels: batched %8.2f ms, one by one %.2f x as long%n", ((Path) c[0]).getFileName(),
					m.info().lastSpatialLayer().channels(), t[0], t[1]);
			}
		}
	}

	private static List<Heatmap> inputSize(List<Heatmap> maps) {
		for (Heatmap h : maps) h.values();
		return maps;
	}

	/**
	 * Runs the tasks interleaved after a warm-up. Returns, for task 0, its median milliseconds, and
	 * for each other task the median of its time over task 0's time in the same round: paired
	 * ratios, robust to the load of a shared machine drifting during the run.
	 */
	static double[] time(int reps, List<Supplier<?>> tasks) {
		for (int w = 0; w < Math.max(5, reps / 10); w++) for (Supplier<?> t : tasks) t.get();
		double[][] ms = new double[tasks.size()][reps];
		for (int i = 0; i < reps; i++) {
			for (int k = 0; k < tasks.size(); k++) {
				long t0 = System.nanoTime();
				tasks.get(k).get();
				ms[k][i] = (System.nanoTime() - t0) / 1e6;
			}
		}
		double[] out = new double[tasks.size()];
		for (int k = 1; k < tasks.size(); k++) {
			double[] ratio = new double[reps];
			for (int i = 0; i < reps; i++) ratio[i] = ms[k][i] / ms[0][i];
			Arrays.sort(ratio);
			out[k] = ratio[reps / 2];
		}
		Arrays.sort(ms[0]);
		out[0] = ms[0][reps / 2];
		return out;
	}
}
