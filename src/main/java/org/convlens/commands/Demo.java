package org.convlens.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The README's demo: runs each command below headless on the demo model and image and writes the
 * results into one folder. {@code mvn -B -Pdemo -DskipTests package} runs it. Add your command
 * with one line in {@link #STEPS}: its batch name, then {@code key=value} options.
 */
public final class Demo {

	/** One line per command: batch name, then options. */
	static final String[][] STEPS = {
		{ "activations", "layer=conv2d_1", "montage=true", "stats=true" },
		{ "overview" },
		{ "predictions", "top=3" },
		{ "cam", "method=Grad-CAM", "showraw=true", "top=3" },
		{ "patterns", "layer=conv2d_1", "iterations=30" },
		{ "weights", "zoom=8" },
		{ "occlusion", "patch=6", "stride=2", "fill=mean", "blend=true" },
		{ "saliency", "method=smoothgrad", "blend=true" },
		{ "faithfulness", "method=Grad-CAM", "randomization=true" },
		// dataset commands run once on the folder of test shapes (see main)
		{ "maxact", "layer=conv2d_2", "filters=0-3", "top=6" },
		{ "codes" },
		{ "embedding", "perplexity=10", "iterations=300", "grid=8" },
	};

	private Demo() {}

	/**
	 * Arguments: model folder, image, output folder, dataset folder for the dataset commands
	 * (defaults: the test-data demo, demo-output, test-data/images/localization).
	 */
	public static void main(String[] args) throws Exception {
		if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
		Path model = Paths.get(args.length > 0 ? args[0] : "test-data/models/shapes-keras");
		Path image = Paths.get(args.length > 1 ? args[1] : "test-data/images/demo-ring.tif");
		Path out = Paths.get(args.length > 2 ? args[2] : "demo-output");
		Path dataset = Paths.get(args.length > 3 ? args[3] : "test-data/images/localization");
		if (!Files.exists(model) || !Files.exists(image)) {
			System.err.println("Demo model or image missing: " + model + ", " + image);
			System.exit(1);
		}
		int failures = 0;
		for (String[] step : STEPS) {
			Map<String, String> opts = new LinkedHashMap<>();
			opts.put("model", model.toString());
			for (int i = 1; i < step.length; i++) opts.put(step[i].substring(0, step[i].indexOf('=')), step[i].substring(step[i].indexOf('=') + 1));
			System.out.println("== " + step[0]);
			// the demo folder is its own: re-running the demo replaces its files
			Batch.Settings settings = new Batch.Settings();
			settings.overwrite = true;
			Batch.Report r = Batch.run(step[0], Batch.isDatasetCommand(step[0]) ? dataset : image, out, opts, System.out, settings);
			for (String f : r.failures) System.err.println(f);
			failures += r.failures.size();
		}
		System.out.println(failures == 0 ? "Demo results in " + out.toAbsolutePath() : failures + " step(s) failed");
		System.exit(failures == 0 ? 0 : 1);
	}
}
