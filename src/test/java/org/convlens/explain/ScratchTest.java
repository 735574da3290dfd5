package org.convlens.explain;

import java.nio.file.*;
import java.util.*;
import org.convlens.model.*;
import org.junit.jupiter.api.Test;

public class ScratchTest {
	static void p(String f, Object... a) { System.out.println(String.format(Locale.ROOT, f, a)); }

	@Test
	public void explore() {
		try (ConvModel m = Models.open(Fixtures.shapesModel())) {
			List<NdArray> imgs = new ArrayList<>();
			for (int i = 0; i < 6; i++) imgs.add(Fixtures.localization().get(i).input);
			stats("shapes", m, imgs);
		}
		for (String n : new String[] {"fashion-mnist-cnn", "brain-mri-tumor64"}) {
			try (ConvModel m = Models.open(Paths.get("/work/shared/models", n))) {
				p("%s rectifiers %d chain err %g", n, m.rectifiers().size(), 0.0);
				List<String> all = RandomizationCheck.weightLayers(m);
				p("weight layers %s", all);
				List<NdArray> imgs = new ArrayList<>();
				if (n.startsWith("brain")) {
					for (String s : new String[] {"yes_y0.jpg", "no_no0.jpg", "pred0.jpg"}) {
						ij.ImagePlus imp = ij.IJ.openImage("/work/shared/models/brain-mri-tumor64/samples/" + s);
						imp = imp.resize(64, 64, "bilinear");
						ij.process.ColorProcessor cp = (ij.process.ColorProcessor) imp.getProcessor().convertToRGB();
						float[] d = new float[64*64*3];
						for (int i = 0; i < 64*64; i++) { int c = cp.get(i); d[i*3] = (c>>16)&255; d[i*3+1] = (c>>8)&255; d[i*3+2] = c&255; }
						imgs.add(new NdArray(new int[] {1,64,64,3}, d));
					}
				} else {
					for (String s : new String[] {"camera.png", "coins.png", "cell.png"}) {
						ij.ImagePlus imp = ij.IJ.openImage("/work/shared/images/" + s);
						ij.process.ImageProcessor ip = imp.getProcessor().convertToFloat().resize(28, 28, true);
						float[] d = new float[28*28];
						for (int i = 0; i < d.length; i++) d[i] = ip.getf(i) / 255f;
						imgs.add(new NdArray(new int[] {1,28,28,1}, d));
					}
				}
				stats(n, m, imgs);
				p("  chain err %g", GuidedBackprop.chainError(m, imgs.get(0), 0));
				for (HeatmapMethod hm : new HeatmapMethod[] {new VanillaGradient(), new GuidedBackprop(), new GuidedBackprop(GuidedBackprop.Rule.DECONVNET), new SmoothGrad(), new IntegratedGradients(), new Occlusion()}) {
					NdArray map = hm.heatmap(m, imgs.get(0), 0, Progress.NONE);
					float[] r = ExplainMath.range(map);
					p("  %s range %g..%g", hm, r[0], r[1]);
				}
			}
		}
	}
	static double rel(float[] a, float[] b) {
		double d = 0, na = 0, nb = 0;
		for (int i = 0; i < a.length; i++) { d += (a[i]-b[i])*(a[i]-b[i]); na += a[i]*a[i]; nb += b[i]*b[i]; }
		return Math.sqrt(d) / Math.max(Math.sqrt(Math.max(na, nb)), 1e-12);
	}
	static double spike(NdArray k) {
		int[] sh = k.shape(); int n = sh[sh.length - 1]; int mrows = k.size() / n;
		float[] w = k.data(); double mean = 0; for (float v : w) mean += v; mean /= w.length;
		double var = 0; for (float v : w) var += (v - mean) * (v - mean); var /= w.length;
		double[] x = new double[n]; Random r = new Random(1); for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
		double lam = 0;
		for (int it = 0; it < 200; it++) {
			double[] y = new double[mrows];
			for (int i = 0; i < mrows; i++) { double s = 0; for (int j = 0; j < n; j++) s += (w[i * n + j] - mean) * x[j]; y[i] = s; }
			double[] z = new double[n];
			for (int i = 0; i < mrows; i++) for (int j = 0; j < n; j++) z[j] += (w[i * n + j] - mean) * y[i];
			double nz = 0; for (double v : z) nz += v * v; nz = Math.sqrt(nz);
			lam = nz; for (int j = 0; j < n; j++) x[j] = z[j] / nz;
		}
		return Math.sqrt(lam) / (Math.sqrt(var) * (Math.sqrt(mrows) + Math.sqrt(n)));
	}
	static void stats(String name, ConvModel m, List<NdArray> imgs) {
		List<String> all = RandomizationCheck.weightLayers(m);
		for (int s = -1; s < 5; s++) {
			ConvModel u = s < 0 ? m : m.randomizedCopy(all, 100 + s);
			StringBuilder sb = new StringBuilder();
			for (String l : all) sb.append(String.format(Locale.ROOT, " %s %s:%.2f", l, Arrays.toString(u.kernel(l).shape()), spike(u.kernel(l))));
			p("%s %s %s", name, s < 0 ? "TRAINED" : "random" + s, sb);
			if (s >= 0) u.close();
		}
	}
	static String fmt(float[] a) { StringBuilder b = new StringBuilder(); for (float f : a) b.append(String.format(Locale.ROOT, "%.1f,", f)); return b.toString(); }
}
