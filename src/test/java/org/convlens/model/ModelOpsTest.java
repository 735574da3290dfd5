package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * What protects real users from false refusals: every op type of the <b>whole</b> file of each
 * real or generated model (every node of the graph, every node of every library function,
 * including the save and restore functions and the training-mode traces of Keras layers) is on
 * the allowlist, and the model loads without the unsafe opt-in. Read here straight from the
 * protobuf, independently of the scanner.
 */
class ModelOpsTest {

	/** Op type -> where it sits ("graph" or the function's name), for every node of the file. */
	static Map<String, Set<String>> opsOfWholeFile(Path model) throws IOException {
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(model.resolve("saved_model.pb")));
		Map<String, Set<String>> ops = new TreeMap<>();
		for (MetaGraphDef m : sm.getMetaGraphsList()) {
			GraphDef g = m.getGraphDef();
			Set<String> functions = new HashSet<>();
			for (FunctionDef f : g.getLibrary().getFunctionList()) functions.add(f.getSignature().getName());
			for (NodeDef n : g.getNodeList()) {
				if (!functions.contains(n.getOp())) ops.computeIfAbsent(n.getOp(), k -> new TreeSet<>()).add("graph");
			}
			for (FunctionDef f : g.getLibrary().getFunctionList()) {
				for (NodeDef n : f.getNodeDefList()) {
					if (!functions.contains(n.getOp())) ops.computeIfAbsent(n.getOp(), k -> new TreeSet<>()).add(f.getSignature().getName());
				}
			}
		}
		return ops;
	}

	static Stream<String> generatedModels() throws IOException {
		try (Stream<Path> s = Files.list(TestPaths.testData().resolve("models"))) {
			return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("unsafe-writefile")).sorted().collect(Collectors.toList()).stream();
		}
	}

	static Stream<String> sharedModels() {
		return Stream.of("brain-mri-tumor64", "fashion-mnist-cnn");
	}

	private static void assertWholeFileAllowed(Path model, Set<String> allowed) throws IOException {
		Map<String, Set<String>> ops = opsOfWholeFile(model);
		Map<String, Set<String>> outside = new TreeMap<>(ops);
		outside.keySet().removeAll(allowed);
		assertEquals(Map.of(), outside, model.getFileName() + ": ops of the file that no section of allowed-ops.txt allows (op -> where)");
		// the file was read whole: the save side is part of every model here
		assertTrue(ops.containsKey("SaveV2") && ops.containsKey("RestoreV2"), model.getFileName() + ": " + ops.keySet());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("generatedModels")
	void everyOpOfAGeneratedModelIsAllowedAndItLoads(String name) throws Exception {
		Path dir = TestPaths.model(name);
		assertWholeFileAllowed(dir, HostileModelsTest.tfStatic("allowedOps"));
		try (ConvModel m = Models.open(dir)) {
			assertFalse(m.info().outputs().isEmpty(), name);
		}
		catch (ModelException e) {
			// nchw and string-input are refused for their layout / input type, never for their ops
			assertFalse(e.getMessage().startsWith("Refusing"), name + ": " + e.getMessage());
			assertTrue(name.equals("nchw") || name.equals("string-input"), name + ": " + e.getMessage());
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("sharedModels")
	void everyOpOfASharedKerasModelIsAllowedAndItLoads(String name) throws Exception {
		Path dir = TestPaths.sharedOrSkip("models/" + name);
		assertWholeFileAllowed(dir, HostileModelsTest.tfStatic("allowedOps"));
		Map<String, Set<String>> ops = opsOfWholeFile(dir);
		// a real Keras export: the traced save function, and layer functions no signature reaches
		assertTrue(ops.get("MergeV2Checkpoints").stream().anyMatch(f -> f.startsWith("__inference__traced_save")), ops.toString());
		assertTrue(ops.get("Conv2D").stream().anyMatch(f -> f.contains("layer_call_and_return_conditional_losses")), ops.toString());
		try (ConvModel m = Models.open(dir)) {
			int[] in = m.info().imageInput().shape().clone();
			in[0] = 1;
			NdArray out = m.run(NdArray.zeros(in), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
			assertTrue(out.size() > 0 && Float.isFinite(out.data()[0]), name);
		}
	}

	@Test
	void theWholeFileCheckCanFail() throws Exception {
		// the unsafe generated model holds an op outside every section, and the check sees it
		Map<String, Set<String>> ops = opsOfWholeFile(TestPaths.model("unsafe-writefile"));
		Set<String> allowed = HostileModelsTest.tfStatic("allowedOps");
		List<String> outside = new ArrayList<>(ops.keySet());
		outside.removeAll(allowed);
		assertEquals(List.of("WriteFile"), outside);
		assertEquals(Set.of("graph"), ops.get("WriteFile"));
	}
}
