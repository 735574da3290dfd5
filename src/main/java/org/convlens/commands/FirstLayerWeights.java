package org.convlens.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.explain.patterns.KernelImages;
import org.convlens.imagej.PlaneImages;
import org.convlens.imagej.Provenance;
import org.convlens.model.ConvModel;
import org.convlens.model.ModelException;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.Preprocessing;
import org.convlens.imagej.Titles;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;

/**
 * The kernels of a convolution layer as images (zero = mid-grey), one per output filter: RGB when
 * the first layer sees a colour image, one channel per input channel otherwise. Needs no image.
 */
@Plugin(type = Command.class, name = "weights", label = "First-Layer Weights", menuPath = "Plugins>ConvLens>First-Layer Weights...", headless = true)
public class FirstLayerWeights extends ModelCommand {

	@Parameter(label = "Convolution layer", required = false, persist = false, description = "Convolution layer (default: the first)")
	private String layer = "";

	@Parameter(label = "Zoom (screen pixels per weight)", min = "1", max = "64", description = "Display pixels per kernel tap")
	private int zoom = 8;

	@Parameter(label = "Contrast (shared or per kernel)", initializer = "initChoices",
		description = "shared = one scale for the layer (compare strengths); per-kernel = each kernel to its own largest weight")
	private String contrast = "shared";

	@Parameter(type = ItemIO.OUTPUT, label = "Kernels")
	private ImagePlus weights;

	@Parameter(type = ItemIO.OUTPUT, label = "Kernel montage")
	private ImagePlus kernels;

	@Override
	protected void onModel(ModelInfo info) {
		setChoices("layer", KernelImages.convLayers(convModel()));
	}

	private void initChoices() {
		setChoices("contrast", ChoiceLists.of(KernelImages.Contrast.class));
	}

	@Override
	protected void execute() {
		ConvModel m = convModel();
		ModelInfo info = m.info();
		List<String> convs = KernelImages.convLayers(m);
		if (convs.isEmpty()) throw new ModelException("The model has no convolution layer. Its layers are: " + info.layerNames());
		String name = layer == null || layer.isBlank() ? convs.get(0) : info.layer(layer.trim()).name();
		if (!convs.contains(name)) {
			throw new ModelException("Layer '" + name + "' has no convolution kernel. Convolution layers: " + convs);
		}
		KernelImages.Contrast c;
		if ("shared".equalsIgnoreCase(contrast)) c = KernelImages.Contrast.SHARED;
		else if ("per-kernel".equalsIgnoreCase(contrast) || "per_kernel".equalsIgnoreCase(contrast)) c = KernelImages.Contrast.PER_KERNEL;
		else throw new IllegalArgumentException("Option 'contrast' must be shared or per-kernel, not '" + contrast + "'.");
		NdArray k = m.kernel(name);
		Preprocessing prep = prep(info);
		int[] in = info.imageInput().shape();
		// colour only where the kernel's inputs are the image's R, G, B
		boolean rgb = convs.indexOf(name) == 0 && k.dim(2) == 3 && in != null && in.length == 4 && in[3] == 3;
		List<Preprocessing.Planes> planes = KernelImages.render(k, zoom, c, rgb, prep.bgr());
		int n = planes.size();
		String[] labels = new String[n], short_ = new String[n];
		for (int i = 0; i < n; i++) {
			labels[i] = name + " kernel " + i;
			short_[i] = Integer.toString(i);
		}
		String model = info.path().getFileName().toString();
		weights = PlaneImages.stack(Titles.of(model, "kernels", name), planes, labels);
		kernels = PlaneImages.montage(Titles.of(model, "kernels", name, "montage"), planes, short_, null);
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("layer", name);
		params.put("kernel.shape", java.util.Arrays.toString(k.shape()));
		params.put("zoom", zoom);
		params.put("contrast", c.name().toLowerCase(java.util.Locale.ROOT));
		Provenance.stamp(weights, getInfo().getTitle(), info, prep, null, params);
		Provenance.stamp(kernels, getInfo().getTitle(), info, prep, null, params);
	}
}
