package org.convlens.commands;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.core.Progress;
import org.convlens.explain.attribution.VanillaGradient;
import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.imagej.HeatmapDisplay;
import org.convlens.imagej.ImageInput;
import org.convlens.imagej.batch.BatchSink;
import org.convlens.imagej.batch.BatchStream;
import org.convlens.imagej.batch.BatchStream.Job;
import org.convlens.imagej.batch.BatchStream.Prepared;
import org.convlens.imagej.Tables;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelService;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * The verbs of the batched path of {@code Batch cam|saliency|occlusion|predictions} over a folder,
 * streamed by {@link BatchStream} (read-ahead, model batches, writer threads): one forward and
 * backward pass per batch for the gradient class activation maps and the plain gradient; the other
 * saliency methods and occlusion, whose model calls are per image anyway, image by image in the
 * same stream with the commands' own computation. The image outputs are made by the commands' own
 * output code ({@link ClassActivationMap#outputs}, {@link HeatmapOutputs#build}) and written by
 * {@link BatchSink} with the per-image path's names, Info and refusals to overwrite. Per-image
 * tables (predictions) go to one CSV per run, {@code <folder>_<table>.csv}, with the file as first
 * column.
 *
 * <p>Command settings that depend on the single image ({@code target=roi}, pixel or region
 * targets) and the perturbation class activation maps keep the per-image path ({@link #run}
 * returns null).
 */
final class BatchedExplainer {

	/** Images per model call for the commands without a batch option of their own. */
	static final int IMAGES_PER_BATCH = 32;

	private BatchedExplainer() {}

	/** The explanation of a verb, set up once per run. */
	private abstract static class Verb implements BatchStream.Explainer {
		Module module;
		ConvLensCommand command;
		ConvModel model;
		ModelInfo info;
		Preprocessing prep;
		String title;

		Object get(String input) {
			return module.getInput(input);
		}

		String string(String input) {
			Object v = get(input);
			return v == null ? "" : v.toString();
		}

		int integer(String input) {
			return ((Number) get(input)).intValue();
		}

		boolean bool(String input) {
			return Boolean.TRUE.equals(get(input));
		}

		/** Whether these settings take the batched path; may throw for a wrong setting. */
		abstract boolean supported();

		@Override
		public ModelInfo info() {
			return info;
		}

		@Override
		public Preprocessing prep() {
			return prep;
		}

		@Override
		public int imagesPerBatch() {
			return IMAGES_PER_BATCH;
		}
	}

	/**
	 * Runs {@code cls} on the images batched, or returns null when this command or these settings
	 * keep the per-image path.
	 *
	 * @param runBase names the run's tables (the input folder's name)
	 */
	static Batch.Report run(Context ctx, Class<? extends Command> cls, List<Path> images, Map<Path, String> bases, String runBase, Path output,
		Map<String, String> options, PrintStream log, Batch.Settings settings) throws IOException
	{
		if (Boolean.getBoolean("convlens.perImage")) return null; // the old path, for comparison
		String name = ctx.service(CommandService.class).getCommand(cls).getName();
		Module module = CommandRunner.create(ctx, cls);
		for (Map.Entry<String, Object> e : Batch.inputs(module, options).entrySet()) module.setInput(e.getKey(), e.getValue());
		Verb v = verb(name, module);
		if (v == null) return null;
		v.module = module;
		v.command = (ConvLensCommand) module.getDelegateObject();
		v.title = module.getInfo().getTitle();
		Object m = module.getInput("model");
		if (m == null || m.toString().isEmpty()) throw new IllegalArgumentException("No model chosen (option 'model').");
		v.model = ctx.service(ModelService.class).get(((File) m).toPath());
		v.info = v.model.info();
		// the command's own rule: 'normalization=' and 'preprocessing=' over the model's default
		v.prep = CommandModel.prep(v.info, v.string("normalization"), v.string("preprocessing"), v.command.log());
		if (!v.supported()) return null;
		// a class the model lacks is wrong for every image: one line before any work, not one per image
		if (module.getInfo().getInput("target") != null && !v.string("target").isBlank()) Target.parse(v.string("target")).validate(v.info);
		Batch.Report report = new Batch.Report();
		BatchStream.run(v, images, new BatchSink(output, runBase, log, report, bases, name, settings.overwrite));
		return report;
	}

	private static Verb verb(String name, Module module) {
		switch (name) {
			case "cam":
				return new Cam();
			case "saliency":
				return new Saliency();
			case "occlusion":
				return new OcclusionVerb();
			case "predictions":
				return new Predictions();
			default:
				return null;
		}
	}

	/** The predictions table the per-image path gives (its {@code predictionTable}). */
	static ResultsTable predictionTable(ModelInfo info, ImagePlus imp, List<ImageInput.Position> ps, NdArray scores, int top) {
		List<String> labels = new ArrayList<>();
		boolean many = imp.getNSlices() * imp.getNFrames() > 1;
		for (ImageInput.Position p : ps) labels.add(imp.getTitle() + (many ? " " + p : ""));
		return Tables.predictions(info, scores, labels, top);
	}

	/** Class activation maps of the gradient methods: one forward and backward pass per batch. */
	private static final class Cam extends Verb {
		CamMethod method;
		ClassActivationMaps cam;
		Target target;
		List<String> warnings;

		@Override
		boolean supported() {
			method = CamMethod.parse(string("method"));
			String t = string("target").trim().toLowerCase(Locale.ROOT);
			if (!method.usesGradients() || t.startsWith("pixel=") || t.startsWith("region=") || t.startsWith("roi")) return false;
			List<String> chosen = new ArrayList<>();
			String names = !string("layers").isBlank() ? string("layers") : string("layer");
			for (String l : names.split(",")) if (!l.isBlank()) chosen.add(l.trim());
			target = Target.parse(string("target"));
			cam = new ClassActivationMaps(model).withMethod(method).withLayers(chosen).withTarget(target).withBatchSize(integer("batch"));
			warnings = new ArrayList<>();
			for (org.convlens.model.LayerInfo l : cam.resolveLayers()) {
				String w1 = org.convlens.model.CamLayers.oneByOneWarning(l);
				if (w1 != null) warnings.add(w1);
			}
			for (String w1 : warnings) IJ.log(title + ": " + w1); // once for the run, not once per image
			return true;
		}

		@Override
		public int imagesPerBatch() {
			return integer("batch");
		}

		@Override
		public List<Job> explain(List<Prepared> images, NdArray x, BatchSink sink) {
			boolean predict = bool("predict");
			Map<String, NdArray> fetched = new HashMap<>();
			List<Heatmap> maps = cam.compute(x, null, predict ? List.of(ConvModel.OUTPUT) : List.of(), fetched, Progress.NONE);
			NdArray scores = fetched.get(ConvModel.OUTPUT);
			HeatmapDisplay.OverlayStyle style = bool("overlay") ? new HeatmapDisplay.OverlayStyle(string("lut"), ((Number) get("opacity")).doubleValue(),
				((Number) get("threshold")).doubleValue(), false, true) : null;
			List<Job> jobs = new ArrayList<>();
			for (int i = 0; i < images.size(); i++) {
				Prepared p = images.get(i);
				int[] r = BatchStream.range(images, i);
				List<Heatmap> mine = maps.subList(r[0], r[1]);
				NdArray myScores = scores == null ? null : scores.items(r[0], r[1]);
				if (myScores != null) {
					sink.tableInOrder("predictions", p.file.getFileName().toString(),
						ClassActivationMap.annotate(predictionTable(info, p.imp, p.positions, myScores, integer("top")), mine));
				}
				jobs.add(new Job(p, () -> {
					ImagePlus[] out = ClassActivationMap.outputs(p.imp, mine, method, target, info, prep, title, bool("showraw"), style, warnings, p.positions);
					Map<String, Object> outs = new LinkedHashMap<>();
					outs.put("heatmap", out[0]);
					outs.put("raw", out[1]);
					sink.write(p.file, style != null ? p.imp : null, outs);
				}));
			}
			return jobs;
		}
	}

	/** The outputs of the saliency and occlusion commands ({@link HeatmapOutputs#build}). */
	private abstract static class HeatmapVerb extends Verb {
		int[] targets(NdArray x) {
			return HeatmapMethods.classIndices(model, x, Target.parse(string("target")));
		}

		/** One image's outputs from its maps and Info parameters. */
		Job job(Prepared p, List<NdArray> mine, int[] myTargets, String method, boolean signed, Map<String, Object> params, String output, BatchSink sink) {
			return new Job(p, () -> {
				Map<String, Object> ps = new LinkedHashMap<>(params);
				ps.put("target", string("target"));
				boolean overlay = bool("overlay");
				ImagePlus[] out = HeatmapOutputs.build(command, p.imp, info, prep, mine, myTargets, method, signed, overlay, bool("blend"), ps);
				Map<String, Object> outs = new LinkedHashMap<>();
				outs.put(output, out[0]);
				outs.put("blended", out[1]);
				sink.write(p.file, overlay ? p.imp : null, outs);
			});
		}
	}

	/**
	 * Saliency: the plain gradient of a whole batch in one backward pass; the other methods (many
	 * model calls per image: noisy copies, path points) image by image with the command's own
	 * computation ({@link SaliencyMap#compute}).
	 */
	private static final class Saliency extends HeatmapVerb {
		String method;

		@Override
		boolean supported() {
			method = string("method").trim().toLowerCase(Locale.ROOT);
			// a wrong baseline or method: the per-image path says why, as it always did
			if (!List.of("black", "blurred", "mean").contains(string("baseline").trim().toLowerCase(Locale.ROOT))) return false;
			try {
				HeatmapMethods.saliency(method);
			}
			catch (RuntimeException e) {
				return false;
			}
			return true;
		}

		@Override
		public String key(ImagePlus imp) {
			return imp.getBitDepth() + "|" + imp.getNChannels(); // the black baseline depends on the image type
		}

		@Override
		public List<Job> explain(List<Prepared> images, NdArray x, BatchSink sink) {
			int[] targets = targets(x);
			SaliencyMap cmd = (SaliencyMap) command;
			boolean signed = cmd.signed();
			List<Job> jobs = new ArrayList<>();
			HeatmapMethod hm = HeatmapMethods.saliency(method);
			if (hm instanceof VanillaGradient && string("layer").isBlank()) {
				// the settings the command records, from the same construction
				Map<String, Object> params = new LinkedHashMap<>();
				params.put("settings", HeatmapMethods.saliency(method, new HeatmapMethods.SaliencySettings(integer("samples"),
					((Number) get("noise")).doubleValue() / 100, integer("steps"), IntegratedGradients.Baseline.valueOf(string("baseline").trim().toUpperCase(Locale.ROOT)),
					null, List.of(), integer("batch"))).toString());
				List<NdArray> maps = vanilla((VanillaGradient) hm, x, targets);
				for (int i = 0; i < images.size(); i++) {
					int[] r = BatchStream.range(images, i);
					jobs.add(job(images.get(i), maps.subList(r[0], r[1]), Arrays.copyOfRange(targets, r[0], r[1]), method, signed, params, "saliency", sink));
				}
				return jobs;
			}
			for (int i = 0; i < images.size(); i++) {
				Prepared p = images.get(i);
				int[] r = BatchStream.range(images, i);
				int[] mine = Arrays.copyOfRange(targets, r[0], r[1]);
				List<NdArray> maps = new ArrayList<>();
				Map<String, Object> params = cmd.compute(p.imp, model, prep, p.input, mine, Progress.NONE, maps);
				jobs.add(job(p, maps, mine, method, signed, params, "saliency", sink));
			}
			return jobs;
		}

		/** {@link VanillaGradient#heatmap} for every item, from one backward pass. */
		private List<NdArray> vanilla(VanillaGradient vg, NdArray x, int[] targets) {
			int n = x.dim(0);
			int k = model.info().numClasses();
			if (k <= 0) return HeatmapMethods.maps(model, x, targets, vg, Progress.NONE);
			float[] w = new float[n * k];
			for (int i = 0; i < n; i++) {
				if (targets[i] < 0 || targets[i] >= k) return HeatmapMethods.maps(model, x, targets, vg, Progress.NONE); // the per-item path says why
				w[i * k + targets[i]] = 1;
			}
			NdArray g = model.gradients(x, vg.score(), new NdArray(new int[] { n, k }, w), List.of(ConvModel.INPUT)).gradient(ConvModel.INPUT);
			List<NdArray> out = new ArrayList<>(n);
			for (int i = 0; i < n; i++) {
				NdArray m = ExplainMath.map(ExplainMath.maxAbsOverChannels(g.item(i)), 0);
				out.add(ExplainMath.resize(m, x.dim(1), x.dim(2)));
			}
			return out;
		}
	}

	/** Occlusion, image by image (its model calls are one image's occluded copies) with the command's computation. */
	private static final class OcclusionVerb extends HeatmapVerb {
		@Override
		boolean supported() {
			return true;
		}

		@Override
		public int imagesPerBatch() {
			return 1; // the batch option is the occluded copies per call
		}

		@Override
		public List<Job> explain(List<Prepared> images, NdArray x, BatchSink sink) {
			List<Job> jobs = new ArrayList<>();
			for (Prepared p : images) {
				int[] targets = targets(p.input);
				List<NdArray> maps = new ArrayList<>();
				Map<String, Object> params = ((OcclusionMap) command).compute(p.imp, model, p.input, targets, Progress.NONE, maps);
				jobs.add(job(p, maps, targets, "occlusion", false, params, "occlusion", sink));
			}
			return jobs;
		}
	}

	/** Predictions: one forward pass per batch, one table per run. */
	private static final class Predictions extends Verb {
		@Override
		boolean supported() {
			return true;
		}

		@Override
		public List<Job> explain(List<Prepared> images, NdArray x, BatchSink sink) {
			NdArray scores = model.run(x, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
			List<Job> jobs = new ArrayList<>();
			for (int i = 0; i < images.size(); i++) {
				Prepared p = images.get(i);
				int[] r = BatchStream.range(images, i);
				NdArray mine = scores.items(r[0], r[1]);
				sink.tableInOrder("predictions", p.file.getFileName().toString(), predictionTable(info, p.imp, p.positions, mine, integer("top")));
			}
			return jobs;
		}
	}
}
