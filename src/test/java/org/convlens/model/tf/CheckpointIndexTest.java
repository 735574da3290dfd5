package org.convlens.model.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * The checkpoint reader behind the size check sees what TensorFlow wrote: every variable of the TF1
 * and the Keras test model, with the shape and type its graph declares (a reader that silently
 * listed nothing would make the check a no-op).
 */
class CheckpointIndexTest {

	/** Shape (as text) -> how many variables of the graph have it. */
	private static Map<String, Integer> graphShapes(Path model) throws Exception {
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(model.resolve("saved_model.pb")));
		Map<String, Integer> m = new TreeMap<>();
		for (NodeDef n : sm.getMetaGraphs(0).getGraphDef().getNodeList()) {
			if (n.getOp().equals("VariableV2") || n.getOp().equals("VarHandleOp")) {
				long[] d = n.getAttrOrThrow("shape").getShape().getDimList().stream().mapToLong(x -> x.getSize()).toArray();
				m.merge(Arrays.toString(d), 1, Integer::sum);
			}
		}
		return m;
	}

	@Test
	void listsEveryVariableOfTheGeneratedModelsWithItsShape() throws Exception {
		for (String name : new String[] { "shapes-tf1", "shapes-keras" }) {
			Path model = TestPaths.model(name);
			List<CheckpointIndex.Entry> entries = CheckpointIndex.read(model.resolve("variables").resolve("variables.index"));
			assertFalse(entries.isEmpty(), name);
			Map<String, Integer> want = graphShapes(model);
			assertFalse(want.isEmpty(), "control: " + name + " has variables");
			Map<String, Integer> got = new TreeMap<>();
			List<String> names = new ArrayList<>();
			for (CheckpointIndex.Entry e : entries) {
				names.add(e.name);
				if (e.entry.getDtype() != DataType.DT_FLOAT) continue;
				long[] d = e.entry.getShape().getDimList().stream().mapToLong(x -> x.getSize()).toArray();
				got.merge(Arrays.toString(d), 1, Integer::sum);
			}
			assertEquals(want, got, name + ": float entries " + names);
			if (name.equals("shapes-tf1")) assertTrue(names.contains("sequential/dense/kernel"), names.toString());
		}
	}
}
