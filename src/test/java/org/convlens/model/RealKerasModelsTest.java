package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.convlens.TestPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two real Keras SavedModels in ../shared/models: layers by Keras name with the right shapes
 * (checked against the layer configs in keras_metadata.pb), inlined outputs equal to the
 * signature's, and finite non-zero gradients on a real image.
 */
class RealKerasModelsTest {

	/** Conv2D layers as keras_metadata.pb describes them: name, filters, kernel, padding, strides. */
	static List<String[]> kerasLayers(Path dir) throws IOException {
		String meta = new String(Files.readAllBytes(dir.resolve("keras_metadata.pb")), StandardCharsets.ISO_8859_1);
		// each layer config is a JSON object: {"class_name": "Conv2D", "config": {"name": "conv2d_6", ...}}
		Pattern p = Pattern.compile("\"class_name\": \"(Conv2D|MaxPooling2D)\", \"config\": \\{\"name\": \"([^\"]+)\"");
		Matcher m = p.matcher(meta);
		List<String[]> out = new ArrayList<>();
		List<String> seen = new ArrayList<>();
		while (m.find()) {
			String name = m.group(2);
			if (seen.contains(name)) continue;
			seen.add(name);
			String cfg = meta.substring(m.end(), Math.min(meta.length(), m.end() + 700));
			out.add(new String[] { m.group(1), name, field(cfg, "filters"), field(cfg, "kernel_size|pool_size"), field(cfg, "padding"),
				field(cfg, "strides") });
		}
		return out;
	}

	private static String field(String cfg, String key) {
		// values are numbers, strings, null, or tuples {"class_name": "__tuple__", "items": [3, 3]}
		Matcher m = Pattern.compile("\"(?:" + key + ")\": (?:\\{\"class_name\": \"__tuple__\", \"items\": )?(\\[[^\\]]*\\]|\"[^\"]*\"|[0-9]+|null)").matcher(cfg);
		if (!m.find() || m.group(1).equals("null")) return null;
		return m.group(1).replace("\"", "");
	}

	private static int first(String list) {
		return Integer.parseInt(list.replaceAll("[\\[\\]\\s]", "").split(",")[0]);
	}

	@ParameterizedTest
	@ValueSource(strings = { "brain-mri-tumor64", "fashion-mnist-cnn" })
	void layersShapesOutputsAndGradients(String name) throws Exception {
		Path dir = TestPaths.sharedOrSkip("models/" + name);
		List<String[]> keras = kerasLayers(dir);
		assertTrue(keras.stream().anyMatch(k -> k[0].equals("Conv2D")), "metadata parsing found no Conv2D in " + name);
		try (ConvModel m = Models.open(dir)) {
			ModelInfo info = m.info();
			assertTrue(info.inlined(), "Keras SavedModels hide the network in function calls");
			int[] in = info.imageInput().shape();
			int h = in[1], w = in[2];
			for (String[] k : keras) {
				// expected output size from the layer config, independent of the graph
				int kernel = first(k[3]);
				int stride = k[5] == null ? (k[0].equals("MaxPooling2D") ? kernel : 1) : first(k[5]);
				boolean same = "same".equals(k[4]);
				h = same ? (h + stride - 1) / stride : (h - kernel) / stride + 1;
				w = same ? (w + stride - 1) / stride : (w - kernel) / stride + 1;
				LayerInfo l = info.layer(k[1]);
				assertEquals(LayerKind.SPATIAL, l.kind(), k[1]);
				int channels = k[0].equals("Conv2D") ? Integer.parseInt(k[2]) : l.channels();
				assertEquals(List.of(-1, h, w, channels), toList(l.shape()), "shape of " + k[1]);
				if (k[0].equals("Conv2D")) assertTrue(l.opName().contains("/" + k[1] + "/"), l.opName());
			}

			// inlined outputs equal TensorFlow's own run of the signature
			Random r = new Random(42);
			in[0] = 3;
			NdArray x = NdArray.zeros(in);
			float scale = name.startsWith("brain") ? 255 : 1;
			for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat() * scale;
			double diff = m.compareWithSignature(x);
			assertTrue(diff < 1e-5, "inlined vs signature max abs difference " + diff);

			// gradient of the top class w.r.t. the last conv layer and the input, on a real image
			NdArray img = realImage(name, info);
			NdArray logits = m.run(img, List.of(ConvModel.LOGITS)).get(ConvModel.LOGITS);
			int top = 0;
			for (int k = 1; k < logits.dim(1); k++) if (logits.get(0, k) > logits.get(0, top)) top = k;
			NdArray wts = NdArray.zeros(logits.shape());
			wts.set(1f, 0, top);
			String lastConv = keras.stream().filter(k -> k[0].equals("Conv2D")).reduce((a, b) -> b).get()[1];
			GradientResult g = m.gradients(img, ConvModel.LOGITS, wts, List.of(lastConv, ConvModel.INPUT));
			for (String t : List.of(lastConv, ConvModel.INPUT)) {
				double abs = 0;
				for (float v : g.gradient(t).data()) {
					assertTrue(Float.isFinite(v), "non-finite gradient in " + t);
					abs += Math.abs(v);
				}
				assertTrue(abs > 0, "gradient w.r.t. " + t + " is all zero");
			}
		}
	}

	private static List<Integer> toList(int[] a) {
		List<Integer> l = new ArrayList<>();
		for (int v : a) l.add(v);
		return l;
	}

	/** A real sample image, read with ImageIO and preprocessed the way the model's SOURCE.txt says. */
	static NdArray realImage(String model, ModelInfo info) throws IOException {
		Path f = model.startsWith("brain") ? TestPaths.sharedOrSkip("models/" + model + "/samples/yes_y0.jpg")
			: TestPaths.sharedOrSkip("images/coins.png");
		BufferedImage bi = ImageIO.read(f.toFile());
		int c = info.imageInput().shape()[3];
		float[][] ch = new float[c == 1 ? 1 : 3][bi.getWidth() * bi.getHeight()];
		for (int y = 0; y < bi.getHeight(); y++) {
			for (int x = 0; x < bi.getWidth(); x++) {
				int rgb = bi.getRGB(x, y);
				int rr = (rgb >> 16) & 255, gg = (rgb >> 8) & 255, bb = rgb & 255;
				int i = y * bi.getWidth() + x;
				if (c == 1) ch[0][i] = (rr + gg + bb) / 3f;
				else {
					ch[0][i] = rr;
					ch[1][i] = gg;
					ch[2][i] = bb;
				}
			}
		}
		Preprocessing pre = model.startsWith("brain") ? Preprocessing.defaults().withNormalization(Preprocessing.Normalization.NONE)
			: Preprocessing.defaults();
		return pre.apply(new Preprocessing.Planes(ch, bi.getWidth(), bi.getHeight(), 255, c == 3), info.imageInput().shape());
	}
}
