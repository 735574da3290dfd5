package org.convlens.imagej;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

import org.convlens.explain.attribution.HeatmapMethods;
import org.convlens.explain.attribution.IntegratedGradients;
import org.convlens.explain.cam.CamMethod;
import org.convlens.explain.cam.ClassActivationMaps;
import org.convlens.explain.cam.Heatmap;
import org.convlens.explain.cam.Target;
import org.convlens.explain.core.BatchRunner;
import org.convlens.explain.core.Degenerate;
import org.convlens.explain.core.HeatmapMethod;
import org.convlens.explain.core.Progress;
import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LayerKind;
import org.convlens.model.ModelInfo;
import org.convlens.model.Models;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * ConvLens for scripts without ImagePlus (Groovy, Jython, PyImageJ): explain any ImgLib2 image,
 * {@code RandomAccessibleInterval<? extends RealType<?>>} of 2 dimensions (X, Y) or 3 (X, Y,
 * channels), and get {@code RandomAccessibleInterval<FloatType>} maps. Each call goes through the
 * same code as the commands (the model's default preprocessing, {@link ImageInput#batch}, the
 * explain room), so the values equal those of Class Activation Map, Show Activations and Saliency
 * Map on the same image. A map that is not meaningful (constant, NaN, ...) is named in
 * {@link #warnings()} and in ImageJ's Log. See docs/scripting.md.
 *
 * <pre>
 * try (ImgLib2Explainer cl = ImgLib2Explainer.open(Paths.get("model-folder"))) {
 *     RandomAccessibleInterval&lt;FloatType&gt; cam = cl.gradCam(img, "top");
 * }
 * </pre>
 */
public final class ImgLib2Explainer implements AutoCloseable {

	private final ConvModel model;
	private final boolean owned;
	private Preprocessing prep;
	private final List<String> warnings = new ArrayList<>();

	/** Explains with {@code model}, which the caller keeps and closes. */
	public ImgLib2Explainer(ConvModel model) {
		this(model, false);
	}

	private ImgLib2Explainer(ConvModel model, boolean owned) {
		this.model = model;
		this.owned = owned;
		this.prep = Preprocessing.parse(Preprocessing.forModel(model.info()).toString());
	}

	/** Opens the SavedModel folder (or .zip) at {@code path}; {@link #close()} closes it. */
	public static ImgLib2Explainer open(Path path) {
		return new ImgLib2Explainer(Models.open(path), true);
	}

	/**
	 * Other preprocessing keys on top of the model's defaults, as the commands' "More
	 * preprocessing" text, e.g. {@code "normalization=percentile low=1 high=99.8"}.
	 */
	public ImgLib2Explainer withPreprocessing(String spec) {
		String base = Preprocessing.forModel(model.info()).toString();
		prep = spec == null || spec.isBlank() ? Preprocessing.parse(base) : Preprocessing.parse(base + " " + spec.trim());
		return this;
	}

	public ModelInfo info() {
		return model.info();
	}

	/** What the last call found not meaningful (empty: nothing). */
	public List<String> warnings() {
		return List.copyOf(warnings);
	}

	/**
	 * The Grad-CAM heatmap of {@code target} ("top", a class index or a class name) on the default
	 * CAM layer, at the image's size: {@code [X, Y]}.
	 */
	public RandomAccessibleInterval<FloatType> gradCam(RandomAccessibleInterval<? extends RealType<?>> image, String target) {
		return cam(image, target, CamMethod.GRAD_CAM, List.of());
	}

	/** A class activation map by any CAM method on the given layers (empty: the default CAM layer), at the image's size. */
	public RandomAccessibleInterval<FloatType> cam(RandomAccessibleInterval<? extends RealType<?>> image, String target, CamMethod method,
		List<String> layers)
	{
		ImagePlus imp = imagePlus(image);
		NdArray x = batch(imp);
		Target t = CamTargets.parse(target, imp, model, x);
		List<Heatmap> maps = new ClassActivationMaps(model).withMethod(method).withLayers(layers).withTarget(t)
			.compute(x, null, List.of(), new HashMap<>(), Progress.NONE);
		Heatmap hm = maps.get(0);
		warn(method.label(), hm.problem());
		return map2d(hm.resized(imp.getWidth(), imp.getHeight()), imp);
	}

	/**
	 * The activations of spatial layer {@code layer} (empty: the first), at the layer's own size:
	 * {@code [x, y, channels]}.
	 */
	public RandomAccessibleInterval<FloatType> activations(RandomAccessibleInterval<? extends RealType<?>> image, String layer) {
		LayerInfo l = spatial(layer);
		NdArray a = BatchRunner.run(model, batch(imagePlus(image)), List.of(l.name()), BatchRunner.DEFAULT_CHUNK, Progress.NONE).get(l.name());
		int h = a.dim(1), w = a.dim(2), c = a.dim(3);
		float[] out = new float[w * h * c];
		for (int k = 0; k < c; k++) System.arraycopy(FeatureMaps.plane(a, 0, k), 0, out, k * w * h, w * h);
		warn("activations", Degenerate.describe(out));
		return ArrayImgs.floats(out, w, h, c);
	}

	/** The vanilla-gradient saliency map of {@code target} at the image's size: {@code [X, Y]}. */
	public RandomAccessibleInterval<FloatType> saliency(RandomAccessibleInterval<? extends RealType<?>> image, String target) {
		return saliency(image, target, "vanilla");
	}

	/**
	 * A saliency map by method name (vanilla, smoothgrad, integrated-gradients, guided-backprop,
	 * deconvnet, guided-gradcam) with its documented defaults, at the image's size: {@code [X, Y]}.
	 */
	public RandomAccessibleInterval<FloatType> saliency(RandomAccessibleInterval<? extends RealType<?>> image, String target, String method) {
		ImagePlus imp = imagePlus(image);
		NdArray x = batch(imp);
		// black as the model sees it, as the command's default Integrated Gradients baseline
		NdArray black = SaliencyMaps.black(imp, prep, model.info().imageInput().shape());
		// the Saliency Map command's defaults: 50 samples, 15 % noise, 50 steps, 32 images per run
		HeatmapMethod hm = HeatmapMethods.saliency(method,
			new HeatmapMethods.SaliencySettings(50, 0.15, 50, IntegratedGradients.Baseline.BLACK, black, List.of(), 32));
		int[] targets = HeatmapMethods.classIndices(model, x, Target.parse(target));
		NdArray map = HeatmapMethods.maps(model, x, targets, hm, Progress.NONE).get(0);
		warn(method, Degenerate.describe(map.data()));
		return map2d(SaliencyMaps.toImageSize(List.of(map), imp).get(0), imp);
	}

	private void warn(String what, String problem) {
		if (problem == null) return;
		String line = "ConvLens (ImgLib2): the " + what + " map is not meaningful (" + problem + ").";
		warnings.add(line);
		ij.IJ.log(line);
	}

	/** Closes the model when {@link #open} opened it. */
	@Override
	public void close() {
		if (owned) model.close();
	}

	private NdArray batch(ImagePlus imp) {
		warnings.clear();
		return ImageInput.batch(imp, ImageInput.positions(imp), prep, model.info().imageInput().shape());
	}

	private LayerInfo spatial(String name) {
		ModelInfo info = model.info();
		if (info.spatialLayers().isEmpty()) throw new IllegalArgumentException("The model has no spatial (feature-map) layer; its layers are: " + info.layerNames());
		if (name == null || name.isBlank()) return info.spatialLayers().get(0);
		LayerInfo l = info.layer(name);
		if (l.kind() != LayerKind.SPATIAL) throw new IllegalArgumentException("Layer '" + name + "' is not a feature map (shape " + Arrays.toString(l.shape()) + ").");
		return l;
	}

	private static RandomAccessibleInterval<FloatType> map2d(float[] values, ImagePlus imp) {
		return ArrayImgs.floats(values, imp.getWidth(), imp.getHeight());
	}

	/**
	 * The image as an ImagePlus of the matching bit depth (8- and 16-bit unsigned kept, so the
	 * model's type-range scaling sees the same type; anything else as 32-bit), channels from the
	 * third dimension. A copy: the source is never changed.
	 *
	 * @throws IllegalArgumentException for anything but 2 or 3 dimensions
	 */
	static ImagePlus imagePlus(RandomAccessibleInterval<? extends RealType<?>> image) {
		if (image == null) throw new IllegalArgumentException("No image given.");
		int n = image.numDimensions();
		long[] dims = new long[n];
		image.dimensions(dims);
		if (n < 2 || n > 3) {
			throw new IllegalArgumentException("ConvLens explains a 2D (X, Y) or 3D (X, Y, channel) image; this one has " + n + " dimensions " +
				Arrays.toString(dims) + ": pass one plane, e.g. Views.hyperSlice(image, 2, z), for a stack or time series.");
		}
		for (long d : dims) if (d < 1 || d > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("Image size " + Arrays.toString(dims) + " is empty or too large.");
		int w = (int) dims[0], h = (int) dims[1], c = n == 3 ? (int) dims[2] : 1;
		Object type = Views.iterable(image).firstElement();
		ImageStack stack = new ImageStack(w, h);
		Cursor<? extends RealType<?>> cur = Views.flatIterable(image).cursor();
		for (int k = 0; k < c; k++) {
			ImageProcessor ip = type instanceof UnsignedByteType ? new ByteProcessor(w, h)
				: type instanceof UnsignedShortType ? new ShortProcessor(w, h) : new FloatProcessor(w, h);
			for (int i = 0; i < w * h; i++) ip.setf(i, (float) cur.next().getRealDouble());
			stack.addSlice(ip);
		}
		ImagePlus imp = new ImagePlus("image", stack);
		imp.setDimensions(c, 1, 1);
		return imp;
	}
}
