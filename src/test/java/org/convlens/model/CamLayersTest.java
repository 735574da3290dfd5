package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The default CAM layer rule on synthetic layer catalogues shaped like the models of the issue:
 * Sequential stacks ending in pooling, dropout or a 1x1 map, a ResNet-like functional graph
 * (conv - BN - Add - ReLU) and a MobileNetV2-like one (depthwise convs, Conv - BN - ReLU6).
 */
class CamLayersTest {

	/** A catalogue under construction: layers in graph order. */
	private static final class Cat {
		final List<LayerInfo> layers = new ArrayList<>();

		Cat add(String name, int size, int channels, String... ops) {
			int[] shape = size < 0 ? new int[] { -1, channels } : new int[] { -1, size, size, channels };
			layers.add(new LayerInfo(layers.size(), name, "model/" + name + "/" + ops[ops.length - 1], ops[ops.length - 1], shape, List.of(ops)));
			return this;
		}

		String pick() {
			return CamLayers.defaultLayer(layers).name();
		}
	}

	@Test
	void sequentialStackSkipsPoolingDropoutAndTheOneByOneMap() {
		// the model: the last spatial layer is a 1x1 max-pool after dropout
		Cat c = new Cat().add("conv2d", 26, 32, "Conv2D", "BiasAdd", "Relu").add("max_pooling2d", 13, 32, "MaxPool")
			.add("conv2d_1", 11, 64, "Conv2D", "BiasAdd", "Relu").add("dropout", 11, 64, "Identity")
			.add("max_pooling2d_1", 1, 64, "MaxPool").add("flatten", -1, 64, "Reshape").add("dense", -1, 10, "MatMul", "BiasAdd", "Softmax");
		assertEquals("conv2d_1", c.pick());
		// the old rule's choice
		assertEquals("max_pooling2d_1", new ModelInfo(null, "s", List.of(), List.of(), c.layers, List.of(), null, "softmax", "NHWC", false)
			.lastSpatialLayer().name());
	}

	@Test
	void activationAndBatchNormAfterTheConvolutionAreIncluded() {
		// Conv2D without activation, then BatchNorm and ReLU layers, then pooling
		Cat c = new Cat().add("conv2d", 28, 16, "Conv2D", "BiasAdd").add("batch_normalization", 28, 16, "FusedBatchNormV3")
			.add("activation", 28, 16, "Relu").add("max_pooling2d", 14, 16, "MaxPool").add("dense", -1, 10, "MatMul", "BiasAdd", "Softmax");
		assertEquals("activation", c.pick());
		// BatchNorm decomposed into Mul/Add (a non-fused export) counts as well
		Cat d = new Cat().add("conv2d", 28, 16, "Conv2D", "BiasAdd").add("bn", 28, 16, "Rsqrt", "Mul", "Mul", "Sub", "AddV2")
			.add("re_lu", 28, 16, "Relu6").add("dropout", 28, 16, "Identity").add("gap", -1, 16, "Mean");
		assertEquals("re_lu", d.pick());
	}

	@Test
	void largerEarlierMapIsPreferredToATinyLastOne() {
		// last conv 4x4, an earlier one 8x8: >= 7x7 wins; with no map of 7x7 or more the last conv is kept
		Cat c = new Cat().add("conv2d", 16, 8, "Conv2D", "BiasAdd", "Relu").add("pool", 8, 8, "MaxPool")
			.add("conv2d_1", 8, 16, "Conv2D", "BiasAdd", "Relu").add("pool_1", 4, 16, "MaxPool")
			.add("conv2d_2", 4, 16, "Conv2D", "BiasAdd", "Relu").add("flatten", -1, 256, "Reshape");
		assertEquals("conv2d_1", c.pick());
		Cat small = new Cat().add("conv2d", 6, 8, "Conv2D", "BiasAdd", "Relu").add("pool", 3, 8, "MaxPool")
			.add("conv2d_1", 3, 8, "Conv2D", "BiasAdd", "Relu").add("conv2d_2", 1, 8, "Conv2D", "BiasAdd", "Relu");
		assertEquals("conv2d_1", small.pick(), "the 1x1 conv is skipped, the 3x3 one is the deepest left");
	}

	@Test
	void resNetLikeFunctionalGraph() {
		// conv5_block3: 1x1 convs with BatchNorm, the residual Add and the block's ReLU, then GAP
		Cat c = new Cat().add("conv1_conv", 112, 64, "Conv2D", "BiasAdd").add("conv1_bn", 112, 64, "FusedBatchNormV3")
			.add("conv1_relu", 112, 64, "Relu").add("pool1_pool", 56, 64, "MaxPool")
			.add("conv5_block3_1_conv", 7, 512, "Conv2D", "BiasAdd").add("conv5_block3_1_bn", 7, 512, "FusedBatchNormV3")
			.add("conv5_block3_1_relu", 7, 512, "Relu").add("conv5_block3_2_conv", 7, 512, "Conv2D", "BiasAdd")
			.add("conv5_block3_2_bn", 7, 512, "FusedBatchNormV3").add("conv5_block3_2_relu", 7, 512, "Relu")
			.add("conv5_block3_3_conv", 7, 2048, "Conv2D", "BiasAdd").add("conv5_block3_3_bn", 7, 2048, "FusedBatchNormV3")
			.add("conv5_block3_add", 7, 2048, "AddV2").add("conv5_block3_out", 7, 2048, "Relu")
			.add("avg_pool", -1, 2048, "Mean").add("predictions", -1, 1000, "MatMul", "BiasAdd", "Softmax");
		assertEquals("conv5_block3_out", c.pick());
		assertEquals("conv5_block3_out", CamLayers.choices(c.layers).get(0).name());
	}

	@Test
	void mobileNetV2LikeFunctionalGraphWithDepthwiseConvolutions() {
		Cat c = new Cat().add("Conv1", 112, 32, "Conv2D").add("bn_Conv1", 112, 32, "FusedBatchNormV3").add("Conv1_relu", 112, 32, "Relu6")
			.add("block_16_depthwise", 7, 960, "DepthwiseConv2dNative").add("block_16_depthwise_BN", 7, 960, "FusedBatchNormV3")
			.add("block_16_depthwise_relu", 7, 960, "Relu6").add("block_16_project", 7, 320, "Conv2D")
			.add("block_16_project_BN", 7, 320, "FusedBatchNormV3").add("Conv_1", 7, 1280, "Conv2D").add("Conv_1_bn", 7, 1280, "FusedBatchNormV3")
			.add("out_relu", 7, 1280, "Relu6").add("global_average_pooling2d", -1, 1280, "Mean").add("dropout", -1, 1280, "Identity")
			.add("dense", -1, 3, "MatMul", "BiasAdd", "Softmax");
		assertEquals("out_relu", c.pick());
		// a nested transfer model whose last block is a depthwise conv alone
		Cat d = new Cat().add("mobilenet/Conv1", 56, 32, "Conv2D").add("mobilenet/dw", 14, 32, "DepthwiseConv2dNative", "Relu6")
			.add("gap", -1, 32, "Mean");
		assertEquals("mobilenet/dw", d.pick());
		assertTrue(CamLayers.isConvolution(d.layers.get(1)));
	}

	@Test
	void fallbacksWithoutConvolutionsAndWithOnlyOneByOneMaps() {
		Cat noConv = new Cat().add("rescaling", 32, 3, "Mul", "AddV2").add("pool", 16, 3, "AvgPool").add("pool_1", 1, 3, "MaxPool");
		assertEquals("pool", noConv.pick());
		Cat allTiny = new Cat().add("conv2d", 1, 8, "Conv2D", "Relu").add("flatten", -1, 8, "Reshape");
		assertEquals("conv2d", allTiny.pick(), "only 1x1 maps: the deepest spatial layer, warned about");
		assertNotNull(CamLayers.oneByOneWarning(allTiny.layers.get(0)));
		assertTrue(CamLayers.oneByOneWarning(allTiny.layers.get(0)).contains("1x1"));
		Cat none = new Cat().add("dense", -1, 3, "MatMul");
		assertThrows(ModelException.class, none::pick);
		assertTrue(CamLayers.choices(none.layers).isEmpty());
	}

	@Test
	void choicesListTheDefaultFirstThenTheModelsOrder() {
		Cat c = new Cat().add("conv2d", 26, 32, "Conv2D", "BiasAdd", "Relu").add("max_pooling2d", 13, 32, "MaxPool")
			.add("conv2d_1", 11, 64, "Conv2D", "BiasAdd", "Relu").add("dropout", 11, 64, "Identity")
			.add("max_pooling2d_1", 1, 64, "MaxPool").add("flatten", -1, 64, "Reshape");
		List<String> names = new ArrayList<>();
		for (LayerInfo l : CamLayers.choices(c.layers)) names.add(l.name());
		assertEquals(List.of("conv2d_1", "conv2d", "max_pooling2d", "dropout", "max_pooling2d_1"), names);
		ModelInfo info = new ModelInfo(null, "s", List.of(), List.of(), c.layers, List.of(), null, "softmax", "NHWC", false);
		assertEquals(names, info.camLayerChoices());
		assertEquals("conv2d_1", info.defaultCamLayer().name());
		assertNull(CamLayers.oneByOneWarning(c.layers.get(2)));
		assertFalse(CamLayers.isOneByOne(c.layers.get(2)));
		assertTrue(CamLayers.isOneByOne(c.layers.get(4)));
	}

	@Test
	void sigmoidClassNamesFollowTheLabelsFile() {
		List<TensorInfo> out = List.of(new TensorInfo("dense", "dense:0", "DT_FLOAT", new int[] { -1, 1 }));
		ModelInfo none = new ModelInfo(null, "s", List.of(), out, List.of(), List.of(), "logit:0", "sigmoid", "NHWC", false);
		assertEquals("positive", none.className(0));
		assertEquals("not positive", none.className(ModelInfo.COMPLEMENT));
		assertEquals("positive", none.describeClass(0), "no index for a single sigmoid output");
		ModelInfo one = new ModelInfo(null, "s", List.of(), out, List.of(), List.of("tumour"), "logit:0", "sigmoid", "NHWC", false);
		assertEquals("tumour", one.className(0));
		assertEquals("not tumour", one.className(ModelInfo.COMPLEMENT));
		ModelInfo two = new ModelInfo(null, "s", List.of(), out, List.of(), List.of("healthy", "tumour"), "logit:0", "sigmoid", "NHWC", false);
		assertEquals("tumour", two.className(0), "two lines are [negative, positive]");
		assertEquals("healthy", two.className(ModelInfo.COMPLEMENT));
		// a multi-class model keeps its names and shows the index beside a name only
		List<TensorInfo> three = List.of(new TensorInfo("dense", "dense:0", "DT_FLOAT", new int[] { -1, 3 }));
		ModelInfo multi = new ModelInfo(null, "s", List.of(), three, List.of(), List.of("disc", "ring"), null, "softmax", "NHWC", false);
		assertEquals("ring (1)", multi.describeClass(1));
		assertEquals("class 2", multi.describeClass(2));
		assertFalse(multi.describeClass(2).contains("class class"));
	}
}
