package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/** Inspect, the README's way to look at a model, refuses a model that would write a file while restoring, and writes nothing. */
class InspectHostileModelTest {

	@TempDir
	Path tmp;

	private static NodeDef constString(String name, String value) {
		TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_STRING).setTensorShape(TensorShapeProto.newBuilder())
			.addStringVal(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
		return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_STRING).build())
			.putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
	}

	private Path copy(String name) throws IOException {
		Path src = TestPaths.model("shapes-tf1");
		Path dir = tmp.resolve(name);
		try (Stream<Path> s = Files.walk(src)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = dir.resolve(src.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		return dir;
	}

	@Test
	void inspectRefusesAWriteFileThatNothingReaches() throws IOException {
		Path dir = copy("orphan");
		Path target = tmp.resolve("orphan.txt");
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
		SavedModel.Builder b = sm.toBuilder();
		b.getMetaGraphsBuilder(0).getGraphDefBuilder().addNode(constString("orphan/filename", target.toString()))
			.addNode(constString("orphan/contents", "x"))
			.addNode(NodeDef.newBuilder().setName("orphan/write").setOp("WriteFile").addInput("orphan/filename").addInput("orphan/contents"));
		Files.write(dir.resolve("saved_model.pb"), b.build().toByteArray());
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = Inspect.run(new String[] { dir.toString() }, new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
		String e = err.toString(StandardCharsets.UTF_8);
		assertEquals(1, code, e);
		assertEquals("", out.toString(StandardCharsets.UTF_8));
		assertTrue(e.contains("WriteFile 'orphan/write' in the graph (not reachable from the serving path)"), e);
		assertEquals(1, e.strip().split("\n").length, "one line, no stack trace: " + e);
		assertFalse(Files.exists(target));
	}

	@Test
	void inspectRefusesAWriteFileWiredIntoTheRestoreOp() throws IOException {
		Path dir = copy("m");
		Path target = tmp.resolve("written.txt");
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
		SavedModel.Builder b = sm.toBuilder();
		GraphDef.Builder g = b.getMetaGraphsBuilder(0).getGraphDefBuilder();
		g.addNode(constString("evil/filename", target.toString())).addNode(constString("evil/contents", "x"))
			.addNode(NodeDef.newBuilder().setName("evil/write").setOp("WriteFile").addInput("evil/filename").addInput("evil/contents"));
		for (int i = 0; i < g.getNodeCount(); i++) {
			if (g.getNode(i).getName().equals("save/restore_all")) g.setNode(i, g.getNode(i).toBuilder().addInput("^evil/write"));
		}
		Files.write(dir.resolve("saved_model.pb"), b.build().toByteArray());

		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = Inspect.run(new String[] { dir.toString() }, new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
		String e = err.toString(StandardCharsets.UTF_8);
		assertEquals(1, code, e);
		assertEquals("", out.toString(StandardCharsets.UTF_8));
		assertTrue(e.startsWith("Error: Refusing to load") && e.contains("WriteFile 'evil/write' in the graph (restore path)"), e);
		assertEquals(1, e.strip().split("\n").length, "one line, no stack trace: " + e);
		assertFalse(Files.exists(target), "looking at a model must not run it");
	}
}
