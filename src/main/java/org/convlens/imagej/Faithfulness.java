package org.convlens.imagej;

import java.awt.Color;
import java.util.List;
import java.util.Locale;

import org.convlens.explain.faithfulness.DeletionInsertion;
import org.convlens.explain.faithfulness.RandomizationCheck;
import org.convlens.explain.faithfulness.TrainedCheck;

import ij.ImagePlus;
import ij.gui.Plot;
import ij.measure.ResultsTable;

/**
 * Plots and tables of the faithfulness measures: deletion and insertion curves with their areas,
 * and the model-randomisation cascade with its verdict.
 */
public final class Faithfulness {

	private Faithfulness() {}

	/**
	 * Deletion and insertion curves of a heatmap (bold) and of a random heatmap (thin, pale),
	 * with the areas under the curves in the legend. The plot comes as an image (shown as a plot
	 * window in ImageJ; saved as TIFF/PNG by Batch).
	 */
	public static ImagePlus curvesPlot(String title, String method, String score, DeletionInsertion.Curve deletion, DeletionInsertion.Curve insertion,
		DeletionInsertion.Curve randomDeletion, DeletionInsertion.Curve randomInsertion)
	{
		Plot p = new Plot(title, "Fraction of pixels deleted / inserted", "Class score (" + score + ")");
		p.setSize(560, 360);
		StringBuilder legend = new StringBuilder();
		add(p, deletion, new Color(200, 30, 30), 2);
		legend.append(String.format(Locale.ROOT, "%s deletion (AUC %.3f, normalised %.3f)", method, deletion.auc(), deletion.normalizedAuc()));
		add(p, insertion, new Color(30, 80, 200), 2);
		legend.append(String.format(Locale.ROOT, "\n%s insertion (AUC %.3f, normalised %.3f)", method, insertion.auc(), insertion.normalizedAuc()));
		if (randomDeletion != null) {
			add(p, randomDeletion, new Color(235, 150, 150), 1);
			legend.append(String.format(Locale.ROOT, "\nrandom map deletion (AUC %.3f, normalised %.3f)", randomDeletion.auc(), randomDeletion.normalizedAuc()));
			add(p, randomInsertion, new Color(150, 170, 235), 1);
			legend.append(String.format(Locale.ROOT, "\nrandom map insertion (AUC %.3f, normalised %.3f)", randomInsertion.auc(), randomInsertion.normalizedAuc()));
		}
		p.setColor(Color.black);
		p.addLegend(legend.toString(), "auto");
		p.setLimitsToFit(false);
		return p.getImagePlus();
	}

	private static void add(Plot p, DeletionInsertion.Curve c, Color color, float width) {
		p.setColor(color);
		p.setLineWidth(width);
		// one addPoints per curve: the legend's lines follow the calls
		p.addPoints(c.fractions(), c.scores(), Plot.LINE);
	}

	/** One row per heatmap (the method, then the random baseline): deletion and insertion areas. */
	public static ResultsTable aucTable(String method, String score, DeletionInsertion.Curve deletion, DeletionInsertion.Curve insertion,
		DeletionInsertion.Curve randomDeletion, DeletionInsertion.Curve randomInsertion)
	{
		ResultsTable t = new ResultsTable();
		row(t, method, score, deletion, insertion);
		if (randomDeletion != null) row(t, "random heatmap", score, randomDeletion, randomInsertion);
		return t;
	}

	/** How the normalised areas are scaled, for the Info. */
	public static final String AUC_SCALE = "normalised AUC = (raw AUC - score of the fully removed image) / (score of the image - that score): " +
		"0 = removed, 1 = unchanged, about 0.5 for a random map; raw AUCs are in the score's units";

	private static void row(ResultsTable t, String heatmap, String score, DeletionInsertion.Curve d, DeletionInsertion.Curve i) {
		t.incrementCounter();
		t.addValue("Heatmap", heatmap);
		t.addValue("Score", score);
		t.addValue("Deletion AUC (normalised)", d.normalizedAuc());
		t.addValue("Insertion AUC (normalised)", i.normalizedAuc());
		t.addValue("Deletion AUC", d.auc());
		t.addValue("Insertion AUC", i.auc());
		t.addValue("Image score", d.imageScore());
		t.addValue("Removed score", d.removedScore());
		t.addValue("Steps", d.fractions().length - 1);
		if (d.flat()) t.addValue("Note", "flat curve: the score does not change when every pixel is removed");
	}

	/**
	 * The cascade: one row per step (layer re-initialised, Spearman correlation of the absolute and
	 * of the signed maps with the original, the randomised model's score, a flag), then a row with
	 * the verdict and the trained-model check.
	 */
	public static ResultsTable cascadeTable(RandomizationCheck.Result r) {
		ResultsTable t = new ResultsTable();
		List<RandomizationCheck.Step> steps = r.steps();
		for (int i = 0; i < steps.size(); i++) {
			RandomizationCheck.Step s = steps.get(i);
			t.incrementCounter();
			t.addValue("Step", i + 1);
			t.addValue("Layer randomised", s.layer());
			t.addValue("Spearman", s.spearman());
			t.addValue("Spearman (signed)", s.spearmanSigned());
			t.addValue("Score", s.score());
			String bad = s.problem();
			t.addValue("Flag", !Double.isFinite(s.spearman()) ? "undefined: " + (bad != null ? "map " + bad : "original map " +
				org.convlens.explain.core.Degenerate.describe(r.original().data())) : s.spearman() >= r.threshold() ? "similar" : "changed");
		}
		TrainedCheck tc = r.trained();
		t.incrementCounter();
		// the verdict row: the state with every layer re-initialised, no NaN standing in for "not applicable"
		t.addValue("Step", "verdict");
		t.addValue("Layer randomised", "all " + steps.size());
		t.addValue("Spearman", r.finalCorrelation());
		if (steps.isEmpty()) t.addValue("Spearman (signed)", "none");
		else t.addValue("Spearman (signed)", steps.get(steps.size() - 1).spearmanSigned());
		t.addValue("Score", r.originalScore());
		t.addValue("Flag", (r.notMeaningful() != null ? "not meaningful" : r.insensitive() ? "FLAGGED" : "passed") + ": " + r.verdict() +
			" Trained check: " + tc);
		return t;
	}

	/** A layer name cut to {@code max} characters with an ellipsis in the middle, e.g. {@code conv2…n_1}. */
	static String shortLayer(String name, int max) {
		if (name == null || name.length() <= max) return name;
		int head = (max - 1) / 2, tail = max - 1 - head;
		return name.substring(0, head) + "\u2026" + name.substring(name.length() - tail);
	}

	/** Spearman correlation against the number of layers re-initialised, with the threshold. */
	public static ImagePlus cascadePlot(String title, String method, RandomizationCheck.Result r) {
		List<RandomizationCheck.Step> steps = r.steps();
		int n = steps.size();
		double[] x = new double[n + 1], y = new double[n + 1], ys = new double[n + 1];
		x[0] = 0;
		y[0] = 1;
		ys[0] = 1;
		for (int i = 0; i < n; i++) {
			x[i + 1] = i + 1;
			y[i + 1] = steps.get(i).spearman();
			ys[i + 1] = steps.get(i).spearmanSigned();
		}
		Plot p = new Plot(title, "Layers re-initialised (top first; numbers as in the table)", "Spearman correlation with the original map");
		p.setSize(Math.max(560, 70 * n), 360);
		p.setLimits(-0.3, n + 0.3, -1.05, 1.05);
		p.setColor(Color.gray);
		p.setLineWidth(1);
		p.addPoints(new double[] { -0.3, n + 0.3 }, new double[] { r.threshold(), r.threshold() }, Plot.LINE);
		p.setColor(new Color(200, 30, 30));
		p.setLineWidth(2);
		p.addPoints(x, y, Plot.CONNECTED_CIRCLES);
		p.setColor(new Color(140, 160, 230));
		p.setLineWidth(1);
		p.addPoints(x, ys, Plot.CONNECTED_CIRCLES);
		p.setColor(Color.black);
		// one short label per point, alternating above and below, so neighbours do not overlap
		for (int i = 0; i < n; i++) {
			double v = Double.isFinite(steps.get(i).spearman()) ? steps.get(i).spearman() : 0;
			double at = i % 2 == 0 ? Math.min(0.98, v + 0.12) : Math.max(-0.92, v - 0.08);
			p.addText(shortLayer(steps.get(i).layer(), 10), i + 1, at);
		}
		p.addLegend(String.format(Locale.ROOT, "threshold %.2f\n%s |map| (rank corr.)\nsigned map", r.threshold(), method), "auto");
		return p.getImagePlus();
	}
}
