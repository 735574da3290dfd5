package org.convlens.explain.dataset;

import java.util.Random;
import org.convlens.explain.core.Progress;

/**
 * Child JVM of {@link EmbeddingTest#memoryEstimateLetsAutoRunExactWhereItFits}: with a heap sized
 * from {@link Embedding#tsneBytes}, {@code auto} must choose the exact t-SNE and finish it.
 */
public final class TsneMemoryChild {

	private TsneMemoryChild() {}

	public static void main(String[] args) {
		int n = Integer.parseInt(args[0]);
		Random r = new Random(5);
		float[][] codes = new float[n][8];
		for (float[] c : codes) for (int j = 0; j < c.length; j++) c[j] = (float) r.nextGaussian();
		System.out.println("method " + Embedding.resolve(Embedding.Method.AUTO, n));
		try {
			double[][] xy = Embedding.tsne(codes, new Embedding.TsneOptions().iterations(20), Progress.NONE);
			System.out.println("done " + xy.length);
		}
		catch (OutOfMemoryError e) {
			System.out.println("out of memory");
		}
		System.exit(0);
	}
}
