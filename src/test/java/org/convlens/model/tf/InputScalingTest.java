package org.convlens.model.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/** In-graph input scaling as Keras writes it: Rescaling, Normalization, with Resizing before; and what is not one. */
class InputScalingTest {

	private final Map<String, NodeDef> nodes = new LinkedHashMap<>();

	private void node(String name, String op, String... inputs) {
		NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op);
		for (String i : inputs) b.addInput(i);
		nodes.put(name, b.build());
	}

	private void constant(String name, float... values) {
		TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT);
		for (float v : values) t.addFloatVal(v);
		nodes.put(name, NodeDef.newBuilder().setName(name).setOp("Const").putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build());
	}

	private String detect() {
		Map<String, List<String>> consumers = new HashMap<>();
		for (NodeDef n : nodes.values()) {
			for (String in : n.getInputList()) consumers.computeIfAbsent(GraphInliner.nodeOf(in), k -> new ArrayList<>()).add(n.getName());
		}
		return InputScaling.detect(nodes, consumers, "input_1", Map.of());
	}

	@Test
	void kerasRescalingAfterTheInput() {
		node("input_1", "Placeholder");
		constant("model/rescaling/Cast/x", 1f / 255);
		constant("model/rescaling/Cast_1/x", 0f);
		node("model/rescaling/mul", "Mul", "input_1", "model/rescaling/Cast/x");
		node("model/rescaling/add", "AddV2", "model/rescaling/mul", "model/rescaling/Cast_1/x");
		node("model/conv2d/Conv2D", "Conv2D", "model/rescaling/add", "k");
		String s = detect();
		assertNotNull(s);
		assertTrue(s.startsWith("rescaling layer 'rescaling' (x * 0.00392157"), s);
	}

	@Test
	void resizingThenRescalingToMinusOneOne() {
		node("input_1", "Placeholder");
		constant("sequential/resizing/size", 64, 64);
		node("sequential/resizing/resize/ResizeBilinear", "ResizeBilinear", "input_1", "sequential/resizing/size");
		constant("sequential/rescaling/Cast/x", 1f / 127.5f);
		node("sequential/rescaling/mul", "Mul", "sequential/rescaling/Cast/x", "sequential/resizing/resize/ResizeBilinear:0");
		assertTrue(detect().contains("rescaling layer 'rescaling'"), detect());
	}

	@Test
	void divisionBy255() {
		node("input_1", "Placeholder");
		constant("truediv/y", 255f);
		node("truediv", "RealDiv", "input_1", "truediv/y");
		assertNotNull(detect());
	}

	@Test
	void kerasNormalizationWithAdaptedVariables() {
		node("input_1", "Placeholder");
		node("model/normalization/sub/ReadVariableOp", "ReadVariableOp", "mean_resource");
		node("model/normalization/sub", "Sub", "input_1", "model/normalization/sub/ReadVariableOp");
		node("model/normalization/Sqrt", "Sqrt", "var");
		node("model/normalization/truediv", "RealDiv", "model/normalization/sub", "model/normalization/Sqrt");
		assertEquals("normalization layer 'normalization' ((x - mean) / std)", detect());
	}

	@Test
	void notScalings() {
		// a normalization whose constant mean is in 0..1 was made for [0, 1] inputs
		node("input_1", "Placeholder");
		constant("sub/y", 0.485f, 0.456f, 0.406f);
		node("sub", "Sub", "input_1", "sub/y");
		constant("truediv/y", 0.229f, 0.224f, 0.225f);
		node("truediv", "RealDiv", "sub", "truediv/y");
		assertNull(detect());
		// a gain of 0.5 is no rescaling of pixels
		nodes.clear();
		node("input_1", "Placeholder");
		constant("mul/y", 0.5f);
		node("mul", "Mul", "input_1", "mul/y");
		assertNull(detect());
		// d / x is no scaling; a conv first is the plain case
		nodes.clear();
		node("input_1", "Placeholder");
		constant("c", 255f);
		node("div", "RealDiv", "c", "input_1");
		node("conv", "Conv2D", "input_1", "k");
		assertNull(detect());
	}
}
