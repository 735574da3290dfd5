package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * SavedModels crafted to run file-writing ops, built here from the generated models with
 * protobuf: each way round the old deny-list (issue 11) and every op the allowlist removes
 * relative to it. Each is refused at load, with the op and where it sits named, and the file it
 * would write does not exist afterwards. The allowlist covers the whole file: orphan nodes,
 * functions nothing calls or only a gradient def names, and the save side are checked too. For the routes, the same model loaded with
 * {@code withUnsafeOpsAllowed(true)} does write its file: the refusal, not a broken model, is what stops it.
 */
class HostileModelsTest {

	@TempDir
	Path tmp;

	// ------------------------------------------------------------------ building blocks

	static Path copyModel(Path src, Path dst) throws IOException {
		try (Stream<Path> s = Files.walk(src)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = dst.resolve(src.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		return dst;
	}

	/** A copy of a generated model with its meta graph rewritten. */
	private Path craft(String base, String name, UnaryOperator<MetaGraphDef> change) throws IOException {
		return craft(TestPaths.model(base), name, change);
	}

	private Path craft(Path base, String name, UnaryOperator<MetaGraphDef> change) throws IOException {
		Path dir = copyModel(base, tmp.resolve(name));
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
		SavedModel out = sm.toBuilder().setMetaGraphs(0, change.apply(sm.getMetaGraphs(0))).build();
		Files.write(dir.resolve("saved_model.pb"), out.toByteArray());
		return dir;
	}

	static AttrValue type(DataType t) {
		return AttrValue.newBuilder().setType(t).build();
	}

	static AttrValue types(DataType... t) {
		return AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addAllType(Arrays.asList(t))).build();
	}

	static AttrValue str(String s) {
		return AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8(s)).build();
	}

	static AttrValue func(String name) {
		return AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(name)).build();
	}

	static NodeDef constString(String name, String value) {
		TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_STRING).setTensorShape(TensorShapeProto.newBuilder())
			.addStringVal(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
		return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(DataType.DT_STRING))
			.putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
	}

	static NodeDef constOf(String name, DataType dt, TensorProto.Builder t) {
		return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(dt))
			.putAttr("value", AttrValue.newBuilder().setTensor(t.setDtype(dt).setTensorShape(TensorShapeProto.newBuilder())).build())
			.build();
	}

	/** Const file name, Const contents and a WriteFile of them, named {@code prefix/...}, top level. */
	static List<NodeDef> writeFile(String prefix, Path target) {
		return List.of(constString(prefix + "/filename", target.toString()), constString(prefix + "/contents", "written by a hostile model\n"),
			NodeDef.newBuilder().setName(prefix).setOp("WriteFile").addInput(prefix + "/filename").addInput(prefix + "/contents").build());
	}

	/** The node of {@code g} named {@code name}, with {@code ^control} added to its inputs. */
	static GraphDef addControl(GraphDef g, String name, String control) {
		GraphDef.Builder b = g.toBuilder();
		for (int i = 0; i < b.getNodeCount(); i++) {
			if (b.getNode(i).getName().equals(name)) b.setNode(i, b.getNode(i).toBuilder().addInput("^" + control));
		}
		return b.build();
	}

	/**
	 * A function {@code x -> x} (DT_FLOAT, or DT_STRING) that writes {@code target} first (a
	 * control input of its output, and a control return, so TensorFlow runs it).
	 */
	static FunctionDef writingIdentity(String name, Path target, DataType dt) {
		return FunctionDef.newBuilder()
			.setSignature(OpDef.newBuilder().setName(name).addInputArg(OpDef.ArgDef.newBuilder().setName("x").setType(dt))
				.addOutputArg(OpDef.ArgDef.newBuilder().setName("y").setType(dt)).setIsStateful(true).addControlOutput("write"))
			.addNodeDef(constString("filename", target.toString())).addNodeDef(constString("contents", "written by a hostile function\n"))
			.addNodeDef(NodeDef.newBuilder().setName("write").setOp("WriteFile").addInput("filename:output:0").addInput("contents:output:0"))
			.addNodeDef(NodeDef.newBuilder().setName("id").setOp("Identity").addInput("x").addInput("^write").putAttr("T", type(dt)))
			.putRet("y", "id:output:0").putControlRet("write", "write").build();
	}

	static FunctionDef plainIdentity(String name) {
		return FunctionDef.newBuilder()
			.setSignature(OpDef.newBuilder().setName(name).addInputArg(OpDef.ArgDef.newBuilder().setName("x").setType(DataType.DT_FLOAT))
				.addOutputArg(OpDef.ArgDef.newBuilder().setName("y").setType(DataType.DT_FLOAT)))
			.addNodeDef(NodeDef.newBuilder().setName("id").setOp("Identity").addInput("x").putAttr("T", type(DataType.DT_FLOAT)))
			.putRet("y", "id:output:0").build();
	}

	/** The TF1 shapes model's class output, and a new node put after it as the signature's output. */
	static final String TF1_OUT = "sequential/dense/Softmax";

	static MetaGraphDef withOutput(MetaGraphDef m, String tensor) {
		SignatureDef s = m.getSignatureDefOrThrow("serving_default");
		org.tensorflow.proto.TensorInfo out = s.getOutputsOrThrow("dense").toBuilder().setName(tensor).build();
		return m.toBuilder().putSignatureDef("serving_default", s.toBuilder().putOutputs("dense", out).build()).build();
	}

	static String refusal(Path model) {
		ModelException e = assertThrows(ModelException.class, () -> Models.open(model).close(), "loading " + model.getFileName());
		assertTrue(e.getMessage().startsWith("Refusing to load"), e.getMessage());
		// Inspect's way in: the model service (catalogue access) refuses the same way
		DefaultModelService svc = new DefaultModelService();
		try {
			ModelException e2 = assertThrows(ModelException.class, () -> svc.get(model).info());
			assertEquals(e.getMessage(), e2.getMessage());
		}
		finally {
			svc.clear();
		}
		return e.getMessage();
	}

	private static void assertWritesWhenTrusted(Path model, Path target, boolean runIt) {
		assertFalse(Files.exists(target));
		try (ConvModel m = Models.open(model, LoadOptions.DEFAULT.withUnsafeOpsAllowed(true))) {
			if (runIt) m.run(NdArray.zeros(1, 32, 32, 1), List.of(ConvModel.OUTPUT));
		}
		assertTrue(Files.exists(target), "control: trusted, the crafted model writes " + target);
	}

	// ------------------------------------------------------------------ the routes of issue 11

	@Test
	void writeFileWithAControlEdgeIntoTheRestoreOp() throws IOException {
		Path target = tmp.resolve("route1.txt");
		Path model = craft("shapes-tf1", "route1", m -> {
			GraphDef g = m.getGraphDef().toBuilder().addAllNode(writeFile("evil/write", target)).build();
			return m.toBuilder().setGraphDef(addControl(g, "save/restore_all", "evil/write")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'evil/write' in the graph (restore path)"), msg);
		assertFalse(Files.exists(target));
		assertWritesWhenTrusted(copyModel(model, tmp.resolve("route1-trusted")), target, false);
	}

	@Test
	void restoreOpNameRepointedToANodeThatDependsOnWriteFile() throws IOException {
		Path target = tmp.resolve("route2.txt");
		Path model = craft("shapes-tf1", "route2", m -> {
			GraphDef g = m.getGraphDef().toBuilder().addAllNode(writeFile("evil/write", target))
				.addNode(NodeDef.newBuilder().setName("evil/restore").setOp("NoOp").addInput("^save/restore_all").addInput("^evil/write"))
				.build();
			return m.toBuilder().setGraphDef(g).setSaverDef(m.getSaverDef().toBuilder().setRestoreOpName("evil/restore")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'evil/write' in the graph (restore path)"), msg);
		assertFalse(Files.exists(target));
		assertWritesWhenTrusted(copyModel(model, tmp.resolve("route2-trusted")), target, false);
	}

	@Test
	void writeFileInsideAKerasTracedRestoreFunction() throws IOException {
		Path target = tmp.resolve("route3.txt");
		String fn = "__inference__traced_restore_4242";
		Path model = craft("shapes-keras", "route3", m -> {
			NodeDef call = NodeDef.newBuilder().setName("StatefulPartitionedCall_2").setOp("StatefulPartitionedCall")
				.addInput("saver_filename").addInput("^saver/restore_all").putAttr("Tin", types(DataType.DT_STRING))
				.putAttr("Tout", types(DataType.DT_STRING)).putAttr("f", func(fn)).putAttr("config", str(""))
				.putAttr("config_proto", str("")).putAttr("executor_type", str("")).build();
			GraphDef.Builder g = m.getGraphDef().toBuilder().addNode(call);
			g.getLibraryBuilder().addFunction(writingIdentity(fn, target, DataType.DT_STRING));
			return m.toBuilder().setGraphDef(g).setSaverDef(m.getSaverDef().toBuilder().setRestoreOpName("StatefulPartitionedCall_2")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'write' in function " + fn + " (restore path)"), msg);
		assertFalse(Files.exists(target));
		assertWritesWhenTrusted(copyModel(model, tmp.resolve("route3-trusted")), target, false);
	}

	@Test
	void saveTensorNameRepointedOverTheForwardPass() throws IOException {
		Path target = tmp.resolve("route4.txt");
		Path model = craft("shapes-tf1", "route4", m -> {
			GraphDef g = m.getGraphDef().toBuilder().addAllNode(writeFile("evil/write", target)).build();
			// the old scan exempted everything upstream of the save tensor
			return m.toBuilder().setGraphDef(addControl(g, TF1_OUT, "evil/write"))
				.setSaverDef(m.getSaverDef().toBuilder().setSaveTensorName(TF1_OUT + ":0")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'evil/write' in the graph (serving path)"), msg);
		assertFalse(Files.exists(target));
		assertWritesWhenTrusted(copyModel(model, tmp.resolve("route4-trusted")), target, true);
	}

	@Test
	void debugIdentityV3WithAFileDebugUrl() throws IOException {
		Path dumps = tmp.resolve("route5-dumps");
		String url = "file://" + dumps;
		Path model = craft("shapes-tf1", "route5", m -> {
			NodeDef dbg = NodeDef.newBuilder().setName("evil/debug").setOp("DebugIdentityV3").addInput(TF1_OUT)
				.putAttr("T", type(DataType.DT_FLOAT)).putAttr("tensor_name", str(TF1_OUT + ":0")).putAttr("io_of_node", str(TF1_OUT))
				.putAttr("io_index", AttrValue.newBuilder().setI(0).build()).putAttr("is_input", AttrValue.newBuilder().setB(false).build())
				.putAttr("debug_urls", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
					.addS(com.google.protobuf.ByteString.copyFromUtf8(url))).build())
				.build();
			return withOutput(m.toBuilder().setGraphDef(m.getGraphDef().toBuilder().addNode(dbg)).build(), "evil/debug:0");
		});
		String msg = refusal(model);
		assertTrue(msg.contains("DebugIdentityV3 'evil/debug' in the graph (serving path)"), msg);
		assertTrue(msg.contains("attribute debug_urls = '" + url + "'"), msg);
		assertFalse(Files.exists(dumps));
	}

	@Test
	void writeFileInsideAnIfBranch() throws IOException {
		Path target = tmp.resolve("route6.txt");
		Path model = craft("shapes-tf1", "route6", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			g.getLibraryBuilder().addFunction(writingIdentity("evil_then", target, DataType.DT_FLOAT)).addFunction(plainIdentity("plain_else"));
			g.addNode(constOf("evil/cond", DataType.DT_BOOL, TensorProto.newBuilder().addBoolVal(true)));
			g.addNode(NodeDef.newBuilder().setName("evil/if").setOp("If").addInput("evil/cond").addInput(TF1_OUT)
				.putAttr("Tcond", type(DataType.DT_BOOL)).putAttr("Tin", types(DataType.DT_FLOAT)).putAttr("Tout", types(DataType.DT_FLOAT))
				.putAttr("then_branch", func("evil_then")).putAttr("else_branch", func("plain_else")));
			return withOutput(m.toBuilder().setGraphDef(g).build(), "evil/if:0");
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'write' in function evil_then (serving path)"), msg);
		assertFalse(Files.exists(target));
		assertWritesWhenTrusted(copyModel(model, tmp.resolve("route6-trusted")), target, true);
	}

	@Test
	void writeFileInsideAWhileCondition() throws IOException {
		Path target = tmp.resolve("route7.txt");
		Path model = craft("shapes-tf1", "route7", m -> {
			FunctionDef cond = FunctionDef.newBuilder()
				.setSignature(OpDef.newBuilder().setName("evil_cond").addInputArg(OpDef.ArgDef.newBuilder().setName("x").setType(DataType.DT_FLOAT))
					.addOutputArg(OpDef.ArgDef.newBuilder().setName("c").setType(DataType.DT_BOOL)).setIsStateful(true).addControlOutput("write"))
				.addNodeDef(constString("filename", target.toString())).addNodeDef(constString("contents", "x"))
				.addNodeDef(NodeDef.newBuilder().setName("write").setOp("WriteFile").addInput("filename:output:0").addInput("contents:output:0"))
				.addNodeDef(constOf("no", DataType.DT_BOOL, TensorProto.newBuilder().addBoolVal(false)).toBuilder().addInput("^write"))
				.putRet("c", "no:output:0").putControlRet("write", "write").build();
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			g.getLibraryBuilder().addFunction(cond).addFunction(plainIdentity("plain_body"));
			g.addNode(NodeDef.newBuilder().setName("evil/while").setOp("While").addInput(TF1_OUT).putAttr("T", types(DataType.DT_FLOAT))
				.putAttr("cond", func("evil_cond")).putAttr("body", func("plain_body")));
			return withOutput(m.toBuilder().setGraphDef(g).build(), "evil/while:0");
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'write' in function evil_cond (serving path)"), msg);
		assertFalse(Files.exists(target));
		assertWritesWhenTrusted(copyModel(model, tmp.resolve("route7-trusted")), target, true);
	}

	@Test
	void writeFileBehindFunctionValuedAttributes() throws IOException {
		Path target = tmp.resolve("route8.txt");
		Path nested = tmp.resolve("route8-nested.txt");
		Path model = craft("shapes-tf1", "route8", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			g.getLibraryBuilder().addFunction(writingIdentity("evil_branch", target, DataType.DT_FLOAT)).addFunction(plainIdentity("plain_branch"))
				.addFunction(writingIdentity("evil_nested", nested, DataType.DT_FLOAT));
			g.addNode(constOf("evil/index", DataType.DT_INT32, TensorProto.newBuilder().addIntVal(0)));
			AttrValue branches = AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
				.addFunc(NameAttrList.newBuilder().setName("evil_branch")).addFunc(NameAttrList.newBuilder().setName("plain_branch"))).build();
			g.addNode(NodeDef.newBuilder().setName("evil/case").setOp("Case").addInput("evil/index").addInput(TF1_OUT)
				.putAttr("Tin", types(DataType.DT_FLOAT)).putAttr("Tout", types(DataType.DT_FLOAT)).putAttr("branches", branches));
			// a function named only inside another function-valued attribute's own attributes
			AttrValue nestedF = AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName("plain_branch")
				.putAttr("inner", func("evil_nested"))).build();
			g.addNode(NodeDef.newBuilder().setName("evil/call").setOp("PartitionedCall").addInput("evil/case")
				.putAttr("Tin", types(DataType.DT_FLOAT)).putAttr("Tout", types(DataType.DT_FLOAT)).putAttr("f", nestedF));
			return withOutput(m.toBuilder().setGraphDef(g).build(), "evil/call:0");
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'write' in function evil_branch (serving path)"), msg);
		assertTrue(msg.contains("WriteFile 'write' in function evil_nested (serving path)"), msg);
		assertFalse(Files.exists(target));
		assertFalse(Files.exists(nested));
	}

	@Test
	void aCallWhoseFunctionIsAnOpOrAnAlternativeImplementation() throws IOException {
		// TensorFlow runs a call of a registered op's name as a one-op function
		Path target = tmp.resolve("route10.txt");
		Path model = craft("shapes-tf1", "route10", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			g.addNode(constString("evil/filename", target.toString())).addNode(constString("evil/contents", "x"));
			g.addNode(NodeDef.newBuilder().setName("evil/call").setOp("StatefulPartitionedCall").addInput("evil/filename").addInput("evil/contents")
				.putAttr("Tin", types(DataType.DT_STRING, DataType.DT_STRING)).putAttr("Tout", types()).putAttr("f", func("WriteFile")));
			return m.toBuilder().setGraphDef(addControl(g.build(), TF1_OUT, "evil/call")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("StatefulPartitionedCall 'evil/call' in the graph (serving path) calls WriteFile, which is not a function of the model's library"), msg);
		assertFalse(Files.exists(target));
		// Grappler may swap a called function for another with the same api_implements
		Path target2 = tmp.resolve("route11.txt");
		Path model2 = craft("shapes-tf1", "route11", m -> {
			AttrValue api = str("convlens_test_api");
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			g.getLibraryBuilder().addFunction(plainIdentity("generic_impl").toBuilder().putAttr("api_implements", api))
				.addFunction(writingIdentity("other_impl", target2, DataType.DT_FLOAT).toBuilder().putAttr("api_implements", api));
			g.addNode(NodeDef.newBuilder().setName("evil/call").setOp("PartitionedCall").addInput(TF1_OUT)
				.putAttr("Tin", types(DataType.DT_FLOAT)).putAttr("Tout", types(DataType.DT_FLOAT)).putAttr("f", func("generic_impl")));
			return withOutput(m.toBuilder().setGraphDef(g).build(), "evil/call:0");
		});
		String msg2 = refusal(model2);
		assertTrue(msg2.contains("WriteFile 'write' in function other_impl (serving path)"), msg2);
		assertFalse(Files.exists(target2));
	}

	@Test
	void writeFileInTheInitOpThatTensorFlowsOwnLoaderRuns() throws IOException {
		Path target = tmp.resolve("route9.txt");
		Path model = craft("shapes-keras", "route9", m -> {
			GraphDef g = m.getGraphDef().toBuilder().addAllNode(writeFile("evil/write", target)).build();
			return m.toBuilder().setGraphDef(addControl(g, "NoOp", "evil/write")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'evil/write' in the graph (init op)"), msg);
		assertFalse(Files.exists(target));
	}

	@Test
	void forwardOpsOnTheRestorePathAndPathsInItsConstantsAreRefused() throws IOException {
		// restore_op_name pointed at the class output: inference ops have no business there
		Path model = craft("shapes-tf1", "restore-forward", m -> m.toBuilder()
			.setSaverDef(m.getSaverDef().toBuilder().setRestoreOpName(TF1_OUT)).build());
		String msg = refusal(model);
		assertTrue(msg.contains("Conv2D 'sequential/conv2d/Conv2D' in the graph (restore path): only restore ops may run there"), msg);
		// restore reads only the checkpoint ConvLens feeds, never a path the file names
		Path model2 = craft("shapes-tf1", "restore-path", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			for (int i = 0; i < g.getNodeCount(); i++) {
				if (g.getNode(i).getName().equals("save/Restore")) g.setNode(i, g.getNode(i).toBuilder().setInput(0, "evil/prefix"));
			}
			g.addNode(constString("evil/prefix", "/etc/other-model/variables/variables"));
			return m.toBuilder().setGraphDef(g).build();
		});
		String msg2 = refusal(model2);
		assertTrue(msg2.contains("string constant 'evil/prefix' in the graph (restore path) holding the location '/etc/other-model"), msg2);
	}

	@Test
	void everyRefusedOpIsNamedInOneMessage() throws IOException {
		Path model = craft("shapes-tf1", "many", m -> {
			GraphDef g = m.getGraphDef().toBuilder().addAllNode(writeFile("evil/a", tmp.resolve("a.txt")))
				.addAllNode(writeFile("evil/b", tmp.resolve("b.txt"))).build();
			g = addControl(addControl(g, TF1_OUT, "evil/a"), "save/restore_all", "evil/b");
			return m.toBuilder().setGraphDef(g).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'evil/a' in the graph (serving path)"), msg);
		assertTrue(msg.contains("WriteFile 'evil/b' in the graph (restore path)"), msg);
		assertTrue(msg.contains("unless you trust its source") && msg.contains("withUnsafeOpsAllowed"), msg);
	}

	// ------------------------------------------------------------------ ops the old deny-list let through

	/**
	 * Registered TensorFlow ops that read or write files, talk to the network or dump tensors,
	 * and that the old deny-list did not name. The allowlist refuses them (and everything else
	 * not reviewed).
	 */
	static final List<String> MISSED_BY_THE_DENY_LIST = List.of("CSVDataset", "CSVDatasetV2", "ExperimentalCSVDataset",
		"MatchingFilesDataset", "ExperimentalMatchingFilesDataset", "SqlDataset", "ExperimentalSqlDataset", "LMDBReader", "LMDBDataset",
		"ExperimentalLMDBDataset", "CacheDataset", "CacheDatasetV2", "SnapshotDatasetV2", "SnapshotDatasetReader",
		"SnapshotNestedDatasetReader", "SnapshotChunkDataset", "ListSnapshotChunksDataset", "DataServiceDataset", "DataServiceDatasetV2",
		"DataServiceDatasetV3", "DataServiceDatasetV4", "RegisterDataset", "RegisterDatasetV2", "DistributedSave", "DebugIdentityV3",
		"DebugGradientIdentity", "Copy", "CopyHost", "PrintV2", "Print", "CreateSummaryDbWriter", "SummaryWriter",
		"StatsAggregatorSetSummaryWriter", "RecordInput", "ReaderReadV2", "ReaderRestoreStateV2", "IdentityReaderV2", "RpcClient",
		"RpcServer", "RpcCall", "CollectiveReduceV2", "CollectiveBcastSendV2", "DTensorRestoreV2", "CalibrationStatisticsSaver",
		"XlaSendToHost", "_Send", "_Recv", "_HostSend");

	/** Where a hostile op sits: top level on the serving path, or inside a called function. */
	static Stream<Object[]> missedOps() {
		List<Object[]> cases = new ArrayList<>();
		for (String op : MISSED_BY_THE_DENY_LIST) {
			cases.add(new Object[] { op, false });
			cases.add(new Object[] { op, true });
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} in function: {1}")
	@MethodSource("missedOps")
	void opsMissedByTheOldDenyListAreRefused(String op, boolean inFunction) throws IOException {
		Path target = tmp.resolve(op + ".out");
		String node = "evil/" + op;
		Path model = craft("shapes-tf1", op + (inFunction ? "-fn" : ""), m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			// the op gets a path to work on, and the class output waits for it
			NodeDef hostile = NodeDef.newBuilder().setName(inFunction ? op : node).setOp(op)
				.addInput(inFunction ? "path:output:0" : node + "/path").build();
			if (!inFunction) {
				g.addNode(constString(node + "/path", target.toString())).addNode(hostile);
				return m.toBuilder().setGraphDef(addControl(g.build(), TF1_OUT, node)).build();
			}
			FunctionDef f = FunctionDef.newBuilder()
				.setSignature(OpDef.newBuilder().setName("hostile_fn").addInputArg(OpDef.ArgDef.newBuilder().setName("x").setType(DataType.DT_FLOAT))
					.addOutputArg(OpDef.ArgDef.newBuilder().setName("y").setType(DataType.DT_FLOAT)).setIsStateful(true).addControlOutput(op))
				.addNodeDef(constString("path", target.toString())).addNodeDef(hostile)
				.addNodeDef(NodeDef.newBuilder().setName("id").setOp("Identity").addInput("x").addInput("^" + op).putAttr("T", type(DataType.DT_FLOAT)))
				.putRet("y", "id:output:0").putControlRet(op, op).build();
			g.getLibraryBuilder().addFunction(f);
			g.addNode(NodeDef.newBuilder().setName("evil/call").setOp("StatefulPartitionedCall").addInput(TF1_OUT)
				.putAttr("Tin", types(DataType.DT_FLOAT)).putAttr("Tout", types(DataType.DT_FLOAT)).putAttr("f", func("hostile_fn")));
			return withOutput(m.toBuilder().setGraphDef(g).build(), "evil/call:0");
		});
		String msg = refusal(model);
		String where = inFunction ? op + " '" + op + "' in function hostile_fn (serving path)" : op + " '" + node + "' in the graph (serving path)";
		assertTrue(msg.contains(where), msg);
		assertFalse(Files.exists(target), "nothing ran");
	}

	/** The list above names real ops of the running TensorFlow, and none is on the allowlist. */
	@Test
	void theMissedOpsAreRegisteredAndNotAllowed() throws Exception {
		Set<String> registered = tfStatic("registeredOps");
		Set<String> allowed = tfStatic("allowedOps");
		List<String> unknown = MISSED_BY_THE_DENY_LIST.stream().filter(o -> !registered.contains(o)).collect(Collectors.toList());
		assertEquals(List.of(), unknown, "ops that this TensorFlow does not register");
		assertTrue(MISSED_BY_THE_DENY_LIST.size() >= 30);
		for (String o : MISSED_BY_THE_DENY_LIST) assertFalse(allowed.contains(o), o);
		// and the allowlist itself names only registered ops (a typo would silently allow nothing)
		List<String> typos = allowed.stream().filter(o -> !registered.contains(o)).collect(Collectors.toList());
		assertEquals(List.of(), typos, "allowlisted names that are not TensorFlow ops");
		assertTrue(allowed.contains("Conv2D") && allowed.contains("RestoreV2"));
		assertFalse(allowed.contains("WriteFile"));
		// the save ops only on the save side, which never runs
		Map<String, Set<String>> sections = tfSections();
		for (String sec : List.of("inference", "restore", "elsewhere")) {
			for (String o : List.of("SaveV2", "SaveSlices", "MergeV2Checkpoints")) assertFalse(sections.get(sec).contains(o), sec + ": " + o);
		}
		assertTrue(sections.get("save").containsAll(List.of("SaveV2", "MergeV2Checkpoints")));
	}

	/** A static of SafetyScanner, read in TensorFlow's own class loader (natives bind to one). */
	@SuppressWarnings("unchecked")
	static Set<String> tfStatic(String name) throws Exception {
		ClassLoader l = TfRuntime.factory().getClass().getClassLoader();
		Method m = Class.forName("org.convlens.model.tf.SafetyScanner", true, l).getDeclaredMethod(name);
		m.setAccessible(true);
		return (Set<String>) m.invoke(null);
	}

	/** The sections of the allowlist file, read in TensorFlow's class loader. */
	@SuppressWarnings("unchecked")
	static Map<String, Set<String>> tfSections() throws Exception {
		ClassLoader l = TfRuntime.factory().getClass().getClassLoader();
		Method m = Class.forName("org.convlens.model.tf.SafetyScanner", true, l).getDeclaredMethod("sections");
		m.setAccessible(true);
		return (Map<String, Set<String>>) m.invoke(null);
	}

	// ------------------------------------------------------------------ code that never runs is checked too

	/**
	 * Ops that touch files, the network, the log or foreign code, placed where no zone reaches
	 * them: the old scan let them be because they were never imported; the allowlist covers the
	 * whole file. WriteFile and friends, every op of {@link #MISSED_BY_THE_DENY_LIST}, and the
	 * save ops, which belong to the save side only.
	 */
	static Stream<Object[]> orphanOps() {
		List<String> ops = new ArrayList<>(List.of("WriteFile", "ReadFile", "MatchingFiles", "SaveV2", "MergeV2Checkpoints", "PyFunc",
			"DebugIdentityV2", "ImmutableConst", "TFRecordDataset", "WriteSummary", "CreateSummaryFileWriter", "InitializeTableFromTextFileV2"));
		ops.addAll(MISSED_BY_THE_DENY_LIST);
		List<Object[]> cases = new ArrayList<>();
		for (String op : ops) {
			cases.add(new Object[] { op, false });
			cases.add(new Object[] { op, true });
		}
		return cases.stream();
	}

	/** Route (a): an orphan node of the graph; route (b): a library function nothing calls. */
	@ParameterizedTest(name = "{0} unreachable, in function: {1}")
	@MethodSource("orphanOps")
	void opsWhereNothingReachesThemAreRefusedToo(String op, boolean inFunction) throws IOException {
		Path target = tmp.resolve(op + ".out");
		Path model = craft(inFunction ? "shapes-keras" : "shapes-tf1", "orphan-" + op + (inFunction ? "-fn" : ""), m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			if (!inFunction) {
				g.addNode(constString("orphan/path", target.toString()))
					.addNode(NodeDef.newBuilder().setName("orphan/" + op).setOp(op).addInput("orphan/path"));
				return m.toBuilder().setGraphDef(g).build();
			}
			g.getLibraryBuilder().addFunction(FunctionDef.newBuilder()
				.setSignature(OpDef.newBuilder().setName("unused_fn").addInputArg(OpDef.ArgDef.newBuilder().setName("x").setType(DataType.DT_FLOAT))
					.addOutputArg(OpDef.ArgDef.newBuilder().setName("y").setType(DataType.DT_FLOAT)).setIsStateful(true).addControlOutput(op))
				.addNodeDef(constString("path", target.toString()))
				.addNodeDef(NodeDef.newBuilder().setName(op).setOp(op).addInput("path:output:0"))
				.addNodeDef(NodeDef.newBuilder().setName("id").setOp("Identity").addInput("x").addInput("^" + op).putAttr("T", type(DataType.DT_FLOAT)))
				.putRet("y", "id:output:0").putControlRet(op, op));
			return m.toBuilder().setGraphDef(g).build();
		});
		String msg = refusal(model);
		String where = inFunction ? op + " '" + op + "' in function unused_fn (not reachable from the serving path)"
			: op + " '" + "orphan/" + op + "' in the graph (not reachable from the serving path)";
		assertTrue(msg.contains(where), msg);
		assertFalse(Files.exists(target), "nothing ran");
	}

	@Test
	void writeFileFeedingTheSaveTensor() throws IOException {
		// route (c), TF1: a control edge from WriteFile into save_tensor_name's node
		Path target = tmp.resolve("save1.txt");
		Path model = craft("shapes-tf1", "save1", m -> {
			GraphDef g = m.getGraphDef().toBuilder().addAllNode(writeFile("evil/write", target)).build();
			String save = m.getSaverDef().getSaveTensorName().replaceFirst(":\\d+$", "");
			return m.toBuilder().setGraphDef(addControl(g, save, "evil/write")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'evil/write' in the graph (save side, never run)"), msg);
		assertFalse(Files.exists(target));
		// an op allowed on the save side is not thereby allowed where things run: SaveV2 feeding the class output
		Path model2 = craft("shapes-tf1", "save2", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			for (NodeDef n : m.getGraphDef().getNodeList()) {
				if (n.getOp().equals("SaveV2")) g.addNode(n.toBuilder().setName("evil/save"));
			}
			return m.toBuilder().setGraphDef(addControl(g.build(), TF1_OUT, "evil/save"))
				.setSaverDef(m.getSaverDef().toBuilder().setSaveTensorName(TF1_OUT + ":0")).build();
		});
		String msg2 = refusal(model2);
		assertTrue(msg2.contains("SaveV2 'evil/save' in the graph (serving path)"), msg2);
	}

	@Test
	void writeFileInsideAKerasTracedSaveFunction() throws IOException {
		// route (c), Keras: a __inference__traced_save_* called by the save tensor's node
		Path target = tmp.resolve("save3.txt");
		String fn = "__inference__traced_save_4242";
		Path model = craft("shapes-keras", "save3", m -> {
			NodeDef call = NodeDef.newBuilder().setName("StatefulPartitionedCall_1").setOp("StatefulPartitionedCall")
				.addInput("saver_filename").putAttr("Tin", types(DataType.DT_STRING)).putAttr("Tout", types(DataType.DT_STRING))
				.putAttr("f", func(fn)).putAttr("config", str("")).putAttr("config_proto", str("")).putAttr("executor_type", str("")).build();
			GraphDef.Builder g = m.getGraphDef().toBuilder().addNode(call);
			g.getLibraryBuilder().addFunction(writingIdentity(fn, target, DataType.DT_STRING));
			return m.toBuilder().setGraphDef(g).setSaverDef(m.getSaverDef().toBuilder().setSaveTensorName("StatefulPartitionedCall_1:0")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'write' in function " + fn + " (save side, never run)"), msg);
		assertFalse(Files.exists(target));
	}

	@Test
	void writeFileAddedToARealKerasSaveFunction() throws IOException {
		// route (c) on a real Keras export: its own __inference__traced_save_* gains a WriteFile
		Path src = TestPaths.sharedOrSkip("models/fashion-mnist-cnn");
		Path target = tmp.resolve("save4.txt");
		String[] name = new String[1];
		Path model = craft(src, "save4", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			for (int i = 0; i < g.getLibrary().getFunctionCount(); i++) {
				FunctionDef f = g.getLibrary().getFunction(i);
				if (!f.getSignature().getName().startsWith("__inference__traced_save")) continue;
				name[0] = f.getSignature().getName();
				g.getLibraryBuilder().setFunction(i, f.toBuilder().addNodeDef(constString("evil_filename", target.toString()))
					.addNodeDef(constString("evil_contents", "x")).addNodeDef(NodeDef.newBuilder().setName("evil_write").setOp("WriteFile")
						.addInput("evil_filename:output:0").addInput("evil_contents:output:0"))
					.setSignature(f.getSignature().toBuilder().addControlOutput("evil_write")).putControlRet("evil_write", "evil_write"));
			}
			return m.toBuilder().setGraphDef(g).build();
		});
		assertTrue(name[0] != null, "the Keras export has a traced save function");
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'evil_write' in function " + name[0] + " (save side, never run)"), msg);
		assertFalse(Files.exists(target));
	}

	@Test
	void writeFileInAFunctionNamedOnlyByAGradientDef() throws IOException {
		// route (d): the gradient of a function nothing calls, and of a function that does not exist
		Path target = tmp.resolve("grad.txt");
		Path target2 = tmp.resolve("grad2.txt");
		Path model = craft("shapes-keras", "grad", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			g.getLibraryBuilder().addFunction(plainIdentity("plain_forward")).addFunction(writingIdentity("evil_grad", target, DataType.DT_FLOAT))
				.addFunction(writingIdentity("evil_grad2", target2, DataType.DT_FLOAT))
				.addGradient(org.tensorflow.proto.GradientDef.newBuilder().setFunctionName("plain_forward").setGradientFunc("evil_grad"))
				.addGradient(org.tensorflow.proto.GradientDef.newBuilder().setFunctionName("no_such_function").setGradientFunc("evil_grad2"));
			return m.toBuilder().setGraphDef(g).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'write' in function evil_grad (not reachable from the serving path)"), msg);
		assertTrue(msg.contains("WriteFile 'write' in function evil_grad2 (not reachable from the serving path)"), msg);
		assertFalse(Files.exists(target) || Files.exists(target2));
	}

	@Test
	void writeFileInAFunctionNamedOnlyByAnAttributeOfAnOrphanNode() throws IOException {
		// route (d): an orphan node whose attribute (nested in another function attribute) names the function
		Path target = tmp.resolve("attr.txt");
		Path model = craft("shapes-tf1", "attr", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			g.getLibraryBuilder().addFunction(plainIdentity("plain_outer")).addFunction(writingIdentity("evil_inner", target, DataType.DT_FLOAT));
			AttrValue nested = AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName("plain_outer").putAttr("inner", func("evil_inner"))).build();
			g.addNode(NodeDef.newBuilder().setName("orphan/holder").setOp("NoOp").putAttr("f", nested));
			// and an orphan call of a registered op's name: refused as in the serving path
			g.addNode(NodeDef.newBuilder().setName("orphan/call").setOp("PartitionedCall").putAttr("f", func("ReadFile")));
			return m.toBuilder().setGraphDef(g).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("WriteFile 'write' in function evil_inner (not reachable from the serving path)"), msg);
		assertTrue(msg.contains("PartitionedCall 'orphan/call' in the graph (not reachable from the serving path) calls ReadFile"), msg);
		assertFalse(Files.exists(target));
	}

	@Test
	void aLocationInAnAttributeIsRefusedWhereNothingRunsToo() throws IOException {
		Path dumps = tmp.resolve("orphan-dumps");
		String url = "file://" + dumps;
		Path model = craft("shapes-tf1", "orphan-url", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder();
			// an allowed op with a stray URL attribute: the URL alone is refused
			g.addNode(NodeDef.newBuilder().setName("orphan/id").setOp("Identity").addInput(TF1_OUT).putAttr("T", type(DataType.DT_FLOAT))
				.putAttr("debug_urls", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
					.addS(com.google.protobuf.ByteString.copyFromUtf8(url))).build()));
			return m.toBuilder().setGraphDef(g).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("attribute debug_urls = '" + url + "' of Identity 'orphan/id' in the graph (not reachable from the serving path)"), msg);
		assertFalse(Files.exists(dumps));
	}

	@Test
	void tensorFlowsOwnLoaderIsNeverHandedFilesThatChangedAfterTheCheck() throws IOException {
		// compareWithSignature reloads the folder with TensorFlow's loader, which runs restore and init ops
		Path dir = copyModel(TestPaths.model("shapes-keras"), tmp.resolve("swap"));
		Path target = tmp.resolve("swap.txt");
		try (ConvModel m = Models.open(dir)) {
			NdArray x = NdArray.zeros(1, 32, 32, 1);
			assertTrue(m.compareWithSignature(x) < 1e-5, "unchanged files: the check passes");
			SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
			MetaGraphDef meta = sm.getMetaGraphs(0);
			GraphDef g = meta.getGraphDef().toBuilder().addAllNode(writeFile("evil/write", target)).build();
			meta = meta.toBuilder().setGraphDef(addControl(g, "NoOp", "evil/write")).build();
			Files.write(dir.resolve("saved_model.pb"), sm.toBuilder().setMetaGraphs(0, meta).build().toByteArray());
			ModelException e = assertThrows(ModelException.class, () -> m.compareWithSignature(x));
			assertTrue(e.getMessage().contains("changed since they were loaded and checked"), e.getMessage());
		}
		assertFalse(Files.exists(target));
	}

	@Test
	void aLibraryFunctionNamedLikeAnOpIsRefused() throws IOException {
		// a node of op WriteFile would pass for a call of a harmless function named WriteFile
		Path target = tmp.resolve("shadow.txt");
		Path model = craft("shapes-tf1", "shadow", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder().addAllNode(writeFile("evil/write", target));
			g.getLibraryBuilder().addFunction(plainIdentity("WriteFile"));
			return m.toBuilder().setGraphDef(addControl(g.build(), TF1_OUT, "evil/write")).build();
		});
		String msg = refusal(model);
		assertTrue(msg.contains("function WriteFile of the library, which has the name of the TensorFlow op WriteFile"), msg);
		assertFalse(Files.exists(target));
	}

	@Test
	void trainingOpsMayStayWhereNothingRunsButNotOnTheServingPath() throws IOException {
		// a TF1 training graph exported whole: gradient and optimizer ops that nothing ConvLens runs reaches
		UnaryOperator<GraphDef.Builder> training = g -> g.addNode(constOf("train/lr", DataType.DT_FLOAT, TensorProto.newBuilder().addFloatVal(0.1f)))
			.addNode(NodeDef.newBuilder().setName("train/grad").setOp("ReluGrad").addInput(TF1_OUT).addInput(TF1_OUT)
				.putAttr("T", type(DataType.DT_FLOAT)))
			.addNode(NodeDef.newBuilder().setName("train/apply").setOp("ApplyGradientDescent").addInput("sequential/dense/bias")
				.addInput("train/lr").addInput("train/grad").putAttr("T", type(DataType.DT_FLOAT)));
		Path ok = craft("shapes-tf1", "training-orphan", m -> m.toBuilder().setGraphDef(training.apply(m.getGraphDef().toBuilder())).build());
		try (ConvModel m = Models.open(ok)) {
			float[] out = m.run(NdArray.zeros(1, 32, 32, 1), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
			assertEquals(3, out.length);
			assertTrue(Float.isFinite(out[0]));
		}
		// the same ops where they would run are refused, named with their zone
		Path bad = craft("shapes-tf1", "training-serving", m -> m.toBuilder()
			.setGraphDef(addControl(training.apply(m.getGraphDef().toBuilder()).build(), TF1_OUT, "train/apply")).build());
		String msg = refusal(bad);
		assertTrue(msg.contains("ApplyGradientDescent 'train/apply' in the graph (serving path)"), msg);
		assertTrue(msg.contains("ReluGrad 'train/grad' in the graph (serving path)"), msg);
	}

	@Test
	void textAttributesOfStringOpsAreNotLocations() throws IOException {
		// Keras's save function matches the prefix against "^s3://.*"; a separator may be "/"
		Path ok = craft("shapes-tf1", "text-attrs", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder().addNode(constString("text/prefix", "variables"));
			g.addNode(NodeDef.newBuilder().setName("text/is_s3").setOp("StaticRegexFullMatch").addInput("text/prefix").putAttr("pattern", str("^s3://.*")));
			g.addNode(NodeDef.newBuilder().setName("text/join").setOp("StringJoin").addInput("text/prefix").addInput("text/prefix")
				.putAttr("N", AttrValue.newBuilder().setI(2).build()).putAttr("separator", str("/")));
			return m.toBuilder().setGraphDef(g).build();
		});
		try (ConvModel m = Models.open(ok)) {
			assertFalse(m.info().outputs().isEmpty());
		}
		// the same URL in an attribute that could name a place is refused
		Path bad = craft("shapes-tf1", "text-attrs-bad", m -> {
			GraphDef.Builder g = m.getGraphDef().toBuilder().addNode(constString("text/prefix", "variables"));
			g.addNode(NodeDef.newBuilder().setName("text/join").setOp("StringJoin").addInput("text/prefix").putAttr("N", AttrValue.newBuilder().setI(1).build())
				.putAttr("separator", str("")).putAttr("output_stream", str("s3://bucket/log")));
			return m.toBuilder().setGraphDef(g).build();
		});
		String msg = refusal(bad);
		assertTrue(msg.contains("attribute output_stream = 's3://bucket/log' of StringJoin 'text/join' in the graph (not reachable from the serving path)"), msg);
	}

	// ------------------------------------------------------------------ the allowlist file itself

	/**
	 * Known-dangerous ops (files, network, logs, dumps, foreign code, device transfers): a second
	 * line of defence beside the review of {@code allowed-ops.txt}. None may be on any section,
	 * except the save ops on the save side and RestoreV2 on the restore path.
	 */
	static final List<String> DANGEROUS = List.of("WriteFile", "ReadFile", "MatchingFiles", "ImmutableConst", "Save", "SaveV2", "SaveSlices",
		"MergeV2Checkpoints", "Restore", "RestoreV2", "RestoreSlice", "PyFunc", "PyFuncStateless", "EagerPyFunc", "DebugIdentity",
		"DebugIdentityV2", "DebugIdentityV3", "DebugNanCount", "DebugNumericSummary", "DebugNumericSummaryV2", "Print", "PrintV2",
		"TFRecordDataset", "TFRecordDatasetV2", "TextLineDataset", "FixedLengthRecordDataset", "FixedLengthRecordDatasetV2",
		"TFRecordReaderV2", "TextLineReaderV2", "WholeFileReaderV2", "FixedLengthRecordReaderV2", "IdentityReaderV2", "ReaderReadV2",
		"InitializeTableFromTextFile", "InitializeTableFromTextFileV2", "InitializeTableFromDataset", "LoadAndRemapMatrix",
		"CreateSummaryFileWriter", "CreateSummaryDbWriter", "WriteSummary", "WriteScalarSummary", "WriteImageSummary",
		"WriteHistogramSummary", "WriteAudioSummary", "WriteGraphSummary", "WriteRawProtoSummary", "ImportEvent", "FlushSummaryWriter",
		"CloseSummaryWriter", "SummaryWriter", "SaveDataset", "SaveDatasetV2", "LoadDataset", "IteratorGetNext", "MakeIterator",
		"OneShotIterator", "Iterator", "IteratorV2", "FIFOQueueV2", "QueueDequeueV2", "DecodeProtoV2", "EncodeProto", "Fingerprint",
		"ExecuteTPUEmbeddingPartitioner", "BatchFunction", "RemoteCall", "XlaCallModule", "XlaHostCompute", "_Send", "_Recv", "_HostSend",
		"_HostRecv", "Send", "Recv");

	/** Name patterns of dangerous op families; a new op matching one needs a look before it is listed. */
	static final java.util.regex.Pattern DANGEROUS_NAMES = java.util.regex.Pattern.compile(
		".*(Dataset|Reader|Iterator|Queue|File|Summary(Writer|Db)|Write.*Summary|^Py|^Debug|Print|Rpc|Collective|TPU|Tpu|Xla|Send|Recv|" +
			"^Save|Restore|Checkpoint|Sql|LMDB|CSV|TFRecord|Snapshot.+|Distributed|Register|Mkl|^_).*");

	/** Where a dangerous-looking name is expected: section -> op. */
	static final Map<String, Set<String>> EXPECTED = Map.of("restore", Set.of("RestoreV2", "ShardedFilename", "ShardedFilespec"),
		"save", Set.of("SaveV2", "SaveSlices", "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec"));

	static Stream<Object[]> listedOps() throws Exception {
		List<Object[]> cases = new ArrayList<>();
		tfSections().forEach((sec, ops) -> ops.forEach(o -> cases.add(new Object[] { sec, o })));
		return cases.stream();
	}

	@ParameterizedTest(name = "[{0}] {1}")
	@MethodSource("listedOps")
	void everyListedOpIsARegisteredOpAndNotADangerousOne(String section, String op) throws Exception {
		assertTrue(tfStatic("registeredOps").contains(op), op + " is not an op of this TensorFlow: a typo allows nothing and hides a gap");
		boolean expected = EXPECTED.getOrDefault(section, Set.of()).contains(op);
		assertFalse(DANGEROUS.contains(op) && !expected, op + " is a known-dangerous op but sits in [" + section + "]");
		assertFalse(DANGEROUS_NAMES.matcher(op).matches() && !expected, op + " looks like a file, network or debug op but sits in [" + section + "]");
	}

	@Test
	void theListsHaveTheSectionsTheScanUses() throws Exception {
		Map<String, Set<String>> s = tfSections();
		assertEquals(List.of("inference", "restore", "save", "elsewhere"), new ArrayList<>(s.keySet()));
		// the deny-check is not vacuous: it catches the ops it is meant to catch
		for (String o : List.of("WriteFile", "TFRecordDataset", "DebugIdentityV3", "PyFunc", "SaveV2", "CreateSummaryFileWriter")) {
			assertTrue(DANGEROUS_NAMES.matcher(o).matches(), o);
		}
		assertTrue(s.get("inference").size() > 250 && s.get("restore").contains("RestoreV2") && s.get("elsewhere").contains("ReluGrad"), s.toString());
		// the registry is the real one: it knows WriteFile, and does not know a made-up name
		Set<String> reg = tfStatic("registeredOps");
		assertTrue(reg.contains("WriteFile") && reg.contains("Conv2D") && !reg.contains("Conv2DTypo") && reg.size() > 1000);
	}

	// ------------------------------------------------------------------ real models still load

	@Test
	void generatedModelsPassTheAllowlist() throws IOException {
		List<String> names;
		try (Stream<Path> s = Files.list(TestPaths.testData().resolve("models"))) {
			names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
		assertTrue(names.containsAll(List.of("shapes-tf1", "shapes-keras", "shapes-gap", "wide-224", "nchw", "string-input")), names.toString());
		for (String n : names) {
			Path dir = TestPaths.model(n);
			if (n.equals("unsafe-writefile")) {
				assertTrue(refusal(dir).contains("WriteFile 'write_file' in the graph (serving path)"));
				continue;
			}
			try (ConvModel m = Models.open(dir)) {
				assertFalse(m.info().outputs().isEmpty(), n);
			}
			catch (ModelException e) {
				// nchw and string-input are refused for their layout / input type, not for their ops
				assertFalse(e.getMessage().startsWith("Refusing"), n + ": " + e.getMessage());
				assertTrue(n.equals("nchw") || n.equals("string-input"), n + ": " + e.getMessage());
			}
		}
	}

	@Test
	void sharedKerasModelsPassTheAllowlist() {
		for (String n : List.of("brain-mri-tumor64", "fashion-mnist-cnn")) {
			Path dir = TestPaths.sharedOrSkip("models/" + n);
			try (ConvModel m = Models.open(dir)) {
				int[] in = m.info().imageInput().shape().clone();
				in[0] = 1;
				NdArray out = m.run(NdArray.zeros(in), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT);
				assertTrue(out.size() > 0 && Float.isFinite(out.data()[0]), n);
			}
		}
	}
}
