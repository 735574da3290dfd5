package org.convlens.scratch;

import java.nio.file.*;
import org.convlens.model.*;
import org.junit.jupiter.api.Test;

public class Scratch7Test {
	@Test
	public void dump() throws Exception {
		for (String m : new String[] { "brain-mri-tumor64", "fashion-mnist-cnn" }) {
			try (ConvModel model = Models.open(Paths.get("/work/shared/models", m))) {
				System.out.println(model.info().describe());
			}
		}
		double[][] x = new double[300][10];
		java.util.Random r = new java.util.Random(1);
		for (int i = 0; i < x.length; i++) for (int j = 0; j < 10; j++) x[i][j] = r.nextGaussian() + (i % 3) * 5 * (j == i % 3 ? 1 : 0);
		smile.math.MathEx.setSeed(3);
		long t = System.nanoTime();
		smile.manifold.TSNE ts = new smile.manifold.TSNE(x, 2, 20, 200, 1000);
		System.out.println("tsne " + (System.nanoTime() - t) / 1e6 + " ms " + ts.coordinates[0][0]);
		try {
			smile.manifold.UMAP u = smile.manifold.UMAP.of(x, 15);
			System.out.println("umap " + u.coordinates[0][0]);
		} catch (Throwable e) { System.out.println("UMAP fails: " + e); }
	}
}
