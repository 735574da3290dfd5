package org.convlens.explain.attribution;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.Target;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.explain.core.BatchRunner;
import org.convlens.explain.cam.CamHeatmap;
import org.convlens.explain.core.ExplainMath;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Heatmaps;
import org.convlens.explain.core.Progress;

/**
 * Heatmap methods by name, for commands and macros: the saliency family ({@code vanilla},
 * {@code smoothgrad}, {@code integrated-gradients}, {@code guided-backprop}, {@code deconvnet},
 * {@code guided-gradcam}), {@code occlusion}, and every class activation map by its label
 * ({@code Grad-CAM}, {@code Score-CAM}, ...). Also resolves a {@link Target} to class indices and
 * makes the random-heatmap baseline of the faithfulness measures.
 */
public final class HeatmapMethods {

	/** Names of the saliency methods, in menu order. */
	public static final List<String> SALIENCY = List.of("vanilla", "smoothgrad", "integrated-gradients", "guided-backprop", "deconvnet",
		"guided-gradcam");

	private HeatmapMethods() {}

	/** Every method name: the CAM labels, the saliency methods, occlusion. */
	public static List<String> all() {
		List<String> out = new ArrayList<>(List.of(CamMethod.labels()));
		out.addAll(SALIENCY);
		out.add("occlusion");
		return out;
	}

	/** Settings of the saliency methods; each method reads the ones it uses. */
	public static final class SaliencySettings {
		final int samples;
		final double noise;
		final int steps;
		final IntegratedGradients.Baseline baseline;
		final NdArray baselineImage;
		final List<String> camLayers;
		final int batchSize;

		/**
		 * @param samples SmoothGrad's noisy copies
		 * @param noise SmoothGrad's noise as a fraction of the input range
		 * @param steps Integrated Gradients' path points
		 * @param baseline Integrated Gradients' baseline kind
		 * @param baselineImage an explicit baseline image ({@code [1, H, W, C]}), or null
		 * @param camLayers guided Grad-CAM's layers (empty = the default CAM layer, {@link org.convlens.model.ModelInfo#defaultCamLayer()})
		 * @param batchSize images per model run
		 */
		public SaliencySettings(int samples, double noise, int steps, IntegratedGradients.Baseline baseline, NdArray baselineImage,
			List<String> camLayers, int batchSize)
		{
			this.samples = samples;
			this.noise = noise;
			this.steps = steps;
			this.baseline = baseline;
			this.baselineImage = baselineImage;
			this.camLayers = List.copyOf(camLayers);
			this.batchSize = batchSize;
		}

		/** The documented defaults: 50 samples, 15 % noise, 50 steps, black baseline, 16 per batch. */
		public static SaliencySettings defaults() {
			return new SaliencySettings(50, 0.15, 50, IntegratedGradients.Baseline.BLACK, null, List.of(), 16);
		}
	}

	/**
	 * A saliency method with its documented defaults (SmoothGrad: 50 samples, 15 % noise;
	 * Integrated Gradients: 50 steps, black baseline; guided Grad-CAM: Grad-CAM on the default CAM
	 * layer).
	 *
	 * @throws IllegalArgumentException naming the known methods
	 */
	public static HeatmapMethod saliency(String name) {
		return saliency(name, SaliencySettings.defaults());
	}

	/**
	 * A saliency method by name (aliases such as {@code ig} and {@code gradient} accepted), set up
	 * with the settings it uses.
	 *
	 * @throws IllegalArgumentException naming the known methods
	 */
	public static HeatmapMethod saliency(String name, SaliencySettings s) {
		switch (key(name)) {
			case "vanilla":
			case "gradient":
				return new VanillaGradient();
			case "smoothgrad":
				return new SmoothGrad().withSamples(s.samples).withNoise(s.noise).withBatchSize(s.batchSize);
			case "integratedgradients":
			case "ig": {
				IntegratedGradients ig = new IntegratedGradients().withSteps(s.steps).withBatchSize(s.batchSize).withBaseline(s.baseline);
				return s.baselineImage == null ? ig : ig.withBaselineImage(s.baselineImage);
			}
			case "guidedbackprop":
			case "guidedbackpropagation":
				return new GuidedBackprop();
			case "deconvnet":
				return new GuidedBackprop(GuidedBackprop.Rule.DECONVNET);
			case "guidedgradcam":
				return new GuidedGradCam(new CamHeatmap(CamMethod.GRAD_CAM, s.camLayers, s.batchSize));
			default:
				throw new IllegalArgumentException("Unknown saliency method '" + name + "'; use one of " + SALIENCY);
		}
	}

	/** Any method of {@link #all()} by name, with its defaults. */
	public static HeatmapMethod parse(String name) {
		if (name == null || name.isBlank()) throw new IllegalArgumentException("No heatmap method given; use one of " + all());
		if (key(name).equals("occlusion")) return new Occlusion();
		for (CamMethod m : CamMethod.values()) {
			if (key(m.label()).equals(key(name)) || key(m.name()).equals(key(name))) return new CamHeatmap(m);
		}
		try {
			return saliency(name);
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("Unknown heatmap method '" + name + "'; use one of " + all());
		}
	}

	/**
	 * As {@link #parse(String)}, with the layers of a class activation map (a CAM method or
	 * guided Grad-CAM); other methods have no layer and ignore them. Empty = the default CAM layer.
	 */
	public static HeatmapMethod parse(String name, List<String> camLayers) {
		if (camLayers == null || camLayers.isEmpty()) return parse(name);
		HeatmapMethod m = parse(name);
		if (m instanceof CamHeatmap) return new CamHeatmap(((CamHeatmap) m).method(), camLayers, org.convlens.explain.cam.ClassActivationMaps.DEFAULT_BATCH_SIZE);
		if (m instanceof GuidedGradCam) {
			SaliencySettings d = SaliencySettings.defaults();
			return saliency(name, new SaliencySettings(d.samples, d.noise, d.steps, d.baseline, null, camLayers, d.batchSize));
		}
		return m;
	}

	/** Whether the method reads a CAM layer (a class activation map, or guided Grad-CAM). */
	public static boolean usesCamLayer(HeatmapMethod m) {
		return m instanceof CamHeatmap || m instanceof GuidedGradCam;
	}

	private static String key(String s) {
		return s == null ? "" : s.toLowerCase(Locale.ROOT).replace("++", "plusplus").replaceAll("[^a-z0-9]", "");
	}

	/**
	 * The class index each item of a batch explains. The top class is the largest output; for a
	 * single sigmoid output it is the predicted side, as {@link Target#choose} decides it: the
	 * output (0) when its logit is positive (probability above 0.5), else its complement
	 * ({@link ModelInfo#COMPLEMENT}, explained through the negated output), so that the heatmap and
	 * the predictions table name the same class. A class name may name the complement too.
	 */
	public static int[] classIndices(ConvModel model, NdArray batch, Target target) {
		ModelInfo info = model.info();
		target.validate(info);
		if (target.kind() == Target.Kind.REGION) throw new IllegalArgumentException("Region targets are not supported here; choose a class.");
		int n = batch.dim(0);
		int[] out = new int[n];
		if (!target.needsValues()) {
			int k = target.choose(info, null, info.numClasses()).classIndex();
			java.util.Arrays.fill(out, k);
			return out;
		}
		if (info.singleSigmoid()) {
			String t = info.logitsTensor() != null ? ConvModel.LOGITS : ConvModel.OUTPUT;
			NdArray v = BatchRunner.run(model, batch, List.of(t), BatchRunner.DEFAULT_CHUNK, Progress.NONE).get(t);
			for (int i = 0; i < n; i++) out[i] = target.choose(info, new float[] { v.data()[i * v.stride0()] }, 1).classIndex();
			return out;
		}
		NdArray s = BatchRunner.run(model, batch, List.of(ConvModel.OUTPUT), BatchRunner.DEFAULT_CHUNK, Progress.NONE).get(ConvModel.OUTPUT);
		int w = s.stride0();
		for (int i = 0; i < n; i++) {
			float[] v = java.util.Arrays.copyOfRange(s.data(), i * w, (i + 1) * w);
			out[i] = Heatmaps.argmax(v);
		}
		return out;
	}

	/**
	 * The score to measure faithfulness on: the logits for a model with a single sigmoid output
	 * (whose probability saturates at 1.0 and barely moves when pixels are removed), else the
	 * class probability.
	 */
	public static String faithfulnessScore(ModelInfo info) {
		boolean singleSigmoid = info.numClasses() == 1 && "sigmoid".equals(info.outputActivation());
		return singleSigmoid && info.logitsTensor() != null ? ConvModel.LOGITS : ConvModel.OUTPUT;
	}

	/** A map of uniform random values, the baseline a faithful heatmap must beat. */
	public static NdArray randomMap(int h, int w, long seed) {
		Random r = new Random(seed);
		float[] v = new float[h * w];
		for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
		return new NdArray(new int[] { h, w }, v);
	}

	/**
	 * The heatmap of every item of a batch, each for its own class index, at the input's size
	 * ({@code [H, W]}, resampled if the method gives a coarser map).
	 */
	public static List<NdArray> maps(ConvModel model, NdArray batch, int[] targets, HeatmapMethod method, Progress progress) {
		int n = batch.dim(0);
		List<NdArray> out = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			progress.checkCancelled();
			NdArray m = method.heatmap(model, batch.item(i), targets[i], progress.sub((double) i / n, (i + 1.0) / n));
			out.add(ExplainMath.resize(m, batch.dim(1), batch.dim(2)));
		}
		return out;
	}
}
