package org.convlens.bench;

import java.util.*;
import org.convlens.TestPaths;
import org.convlens.commands.Contexts;
import org.convlens.explain.cam.*;
import org.convlens.imagej.*;
import org.convlens.model.*;
import org.scijava.Context;
import ij.*;

public final class CamStages {
	public static void main(String[] args) throws Exception {
		System.setProperty("java.awt.headless", "true");
		Context ctx = Contexts.get();
		ModelService ms = ctx.service(ModelService.class);
		ConvModel m = ms.get(TestPaths.model("wide-224"));
		ImagePlus imp = IJ.openImage(TestPaths.shared().resolve("images/chelsea.png").toString()).resize(224, 224, "bilinear");
		Preprocessing prep = Preprocessing.forModel(m.info());
		String layer = m.info().lastSpatialLayer().name();
		ClassActivationMaps cam = new ClassActivationMaps(m);
		double[] acc = new double[8];
		int R = 300;
		for (int it = 0; it < R + 50; it++) {
			long t0 = System.nanoTime();
			List<ImageInput.Position> ps = ImageInput.positions(imp);
			NdArray x = ImageInput.batch(imp, ps, prep, m.info().imageInput().shape());
			long t1 = System.nanoTime();
			m.gradients(x, ConvModel.LOGITS, oneHot(m, x), List.of(layer));
			long t2 = System.nanoTime();
			Map<String, NdArray> fetched = new HashMap<>();
			List<Heatmap> maps = cam.compute(x, null, List.of(ConvModel.OUTPUT), fetched, null);
			long t3 = System.nanoTime();
			List<float[]> full = new ArrayList<>(); List<String> labels = new ArrayList<>();
			for (Heatmap h : maps) { full.add(h.resized(imp.getWidth(), imp.getHeight())); labels.add(h.caption()); }
			long t4 = System.nanoTime();
			ImagePlus hm = HeatmapDisplay.heatmapImageLabelled(imp, full, "hm", labels);
			long t5 = System.nanoTime();
			List<String> items = new ArrayList<>(); for (ImageInput.Position p : ps) items.add(p.toString());
			Tables.predictions(m.info(), fetched.get(ConvModel.OUTPUT), items, 3);
			long t6 = System.nanoTime();
			HeatmapDisplay.overlayLabelled(imp, full, HeatmapDisplay.OverlayStyle.defaults(), labels);
			long t7 = System.nanoTime();
			if (it >= 50) { long[] ts = {t0,t1,t2,t3,t4,t5,t6,t7}; for (int k = 0; k < 7; k++) acc[k] += (ts[k+1]-ts[k]) / 1e6; }
		}
		String[] n = {"input", "raw gradients", "cam.compute", "resize", "heatmap image", "table", "overlay"};
		for (int k = 0; k < 7; k++) System.out.printf("%-15s %.3f ms%n", n[k], acc[k] / R);
		System.exit(0);
	}
	static NdArray oneHot(ConvModel m, NdArray x) {
		NdArray o = NdArray.zeros(new int[] { x.dim(0), m.info().numClasses() }); o.data()[0] = 1; return o;
	}
}
