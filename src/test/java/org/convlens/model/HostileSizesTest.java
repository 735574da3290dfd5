package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * SavedModels that pass the op allowlist but ask for more memory than any machine has, or are
 * deep enough to overflow a thread's stack in TensorFlow's native code, built from the TF1 shapes
 * model with protobuf. Before the checks, the huge ones loaded and then made TensorFlow allocate
 * (and write) their tensors at every run, or failed each image after a minute with "Cannot parse
 * tensor from proto"; the deep one killed the JVM with a segmentation fault at its first run.
 */
class HostileSizesTest {

	static final String PROPERTY = "convlens.maxTensorBytes";
	/** 2^40 floats: 4 TiB, more than half of any machine's memory. */
	static final long HUGE = 1L << 40;

	@TempDir
	Path tmp;

	@AfterEach
	void clearLimit() {
		System.clearProperty(PROPERTY);
	}

	// ------------------------------------------------------------------ building blocks

	private Path craft(String name, UnaryOperator<GraphDef> change) throws IOException {
		Path dir = HostileModelsTest.copyModel(TestPaths.model("shapes-tf1"), tmp.resolve(name));
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
		MetaGraphDef m = sm.getMetaGraphs(0);
		m = m.toBuilder().setGraphDef(change.apply(m.getGraphDef())).build();
		Files.write(dir.resolve("saved_model.pb"), sm.toBuilder().setMetaGraphs(0, m).build().toByteArray());
		return dir;
	}

	static TensorShapeProto shape(long... dims) {
		TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
		for (long d : dims) b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
		return b.build();
	}

	static AttrValue type(DataType t) {
		return HostileModelsTest.type(t);
	}

	static NodeDef constant(String name, TensorProto.Builder t) {
		return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(t.getDtype()))
			.putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
	}

	static NodeDef floats(String name, long[] dims, float... values) {
		TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims));
		for (float v : values) t.addFloatVal(v);
		return constant(name, t);
	}

	static NodeDef longs(String name, long... values) {
		TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_INT64).setTensorShape(shape(values.length));
		for (long v : values) t.addInt64Val(v);
		return constant(name, t);
	}

	static NodeDef op(String name, String op, String... inputs) {
		NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op).putAttr("T", type(DataType.DT_FLOAT));
		for (String in : inputs) b.addInput(in);
		return b.build();
	}

	/**
	 * {@code nodes} (ending in {@code evil}) put on the forward path: the logits plus the minimum of
	 * {@code evil} (a constant added to every logit, which leaves the softmax as it was).
	 */
	static GraphDef onForwardPath(GraphDef g, NodeDef... nodes) {
		GraphDef.Builder b = g.toBuilder();
		for (NodeDef n : nodes) b.addNode(n);
		b.addNode(longs("evil/all", -1)).addNode(longs("evil/axis", 0));
		b.addNode(op("evil/flat", "Reshape", "evil", "evil/all").toBuilder().putAttr("Tshape", type(DataType.DT_INT64)));
		b.addNode(op("evil/min", "Min", "evil/flat", "evil/axis").toBuilder().putAttr("Tidx", type(DataType.DT_INT64))
			.putAttr("keep_dims", AttrValue.newBuilder().setB(false).build()));
		b.addNode(op("evil/add", "AddV2", "sequential/dense/BiasAdd", "evil/min"));
		for (int i = 0; i < b.getNodeCount(); i++) {
			if (b.getNode(i).getName().equals(HostileModelsTest.TF1_OUT)) b.setNode(i, b.getNode(i).toBuilder().setInput(0, "evil/add"));
		}
		return b.build();
	}

	/** The refusal at load, the same through the model service (Inspect's and the commands' way in). */
	static String refusal(Path model) {
		String msg = HostileModelsTest.refusal(model);
		assertTrue(msg.startsWith("Refusing to load " + model + ": "), msg);
		assertTrue(msg.contains("-D" + PROPERTY + "="), "says how to raise the limit: " + msg);
		return msg;
	}

	// ------------------------------------------------------------------ tensors of terabytes

	static Stream<Arguments> hugeTensors() {
		NodeDef one = floats("evil/one", new long[0], 1f);
		return Stream.of(
			Arguments.of("const-no-content", (UnaryOperator<GraphDef>) g -> onForwardPath(g, floats("evil", new long[] { HUGE })),
				"Const 'evil' in the graph declares a float tensor of shape [1099511627776] (4.0 TiB)"),
			Arguments.of("const-splat", (UnaryOperator<GraphDef>) g -> onForwardPath(g, floats("evil", new long[] { 1 << 20, 1 << 20 }, 0.5f)),
				"Const 'evil' in the graph declares a float tensor of shape [1048576, 1048576] (4.0 TiB)"),
			Arguments.of("const-overflowing-shape", (UnaryOperator<GraphDef>) g -> onForwardPath(g, floats("evil", new long[] { HUGE, HUGE }, 0.5f)),
				"Const 'evil' in the graph declares a float tensor of shape [1099511627776, 1099511627776] (more than 8 EiB)"),
			Arguments.of("fill", (UnaryOperator<GraphDef>) g -> onForwardPath(g, one, longs("evil/dims", 1 << 20, 1 << 20),
				op("evil", "Fill", "evil/dims", "evil/one").toBuilder().putAttr("index_type", type(DataType.DT_INT64)).build()),
				"Fill 'evil' would make a float tensor of shape [1048576, 1048576] (4.0 TiB)"),
			Arguments.of("range", (UnaryOperator<GraphDef>) g -> onForwardPath(g, floats("evil/start", new long[0], 0f),
				floats("evil/limit", new long[0], (float) HUGE), floats("evil/delta", new long[0], 1f),
				NodeDef.newBuilder().setName("evil").setOp("Range").addInput("evil/start").addInput("evil/limit").addInput("evil/delta")
					.putAttr("Tidx", type(DataType.DT_FLOAT)).build()),
				"Range 'evil' would make a float tensor of shape [1099511627776] (4.0 TiB)"),
			Arguments.of("tile", (UnaryOperator<GraphDef>) g -> onForwardPath(g, floats("evil/row", new long[] { 1 }, 1f), longs("evil/times", HUGE),
				op("evil", "Tile", "evil/row", "evil/times").toBuilder().putAttr("Tmultiples", type(DataType.DT_INT64)).build()),
				"Tile 'evil' would make a float tensor of shape [1099511627776] (4.0 TiB)"),
			Arguments.of("broadcast", (UnaryOperator<GraphDef>) g -> onForwardPath(g, one, longs("evil/shape", 1 << 20, 1 << 20),
				op("evil", "BroadcastTo", "evil/one", "evil/shape").toBuilder().putAttr("Tidx", type(DataType.DT_INT64)).build()),
				"BroadcastTo 'evil' would make a float tensor of shape [1048576, 1048576] (4.0 TiB)"),
			Arguments.of("variable", (UnaryOperator<GraphDef>) g -> onForwardPath(g, NodeDef.newBuilder().setName("evil").setOp("VariableV2")
				.putAttr("dtype", type(DataType.DT_FLOAT)).putAttr("shape", AttrValue.newBuilder().setShape(shape(1 << 20, 1 << 20)).build())
				.putAttr("container", HostileModelsTest.str("")).putAttr("shared_name", HostileModelsTest.str("")).build()),
				"VariableV2 'evil' in the graph declares a float tensor of shape [1048576, 1048576] (4.0 TiB)"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("hugeTensors")
	void aTensorOfTerabytesIsRefusedAtLoad(String name, UnaryOperator<GraphDef> change, String expected) throws IOException {
		String msg = refusal(craft(name, change));
		assertTrue(msg.contains(expected), msg);
		assertTrue(msg.contains("half this machine's memory"), msg);
	}

	@Test
	void theLimitIsASystemPropertyAndAModelUnderItRunsCorrectly() throws IOException {
		// 2^25 floats of 0.25 (128 MiB) on the forward path: adds 0.25 to every logit
		Path model = craft("const-128mib", g -> onForwardPath(g, floats("evil", new long[] { 1 << 25 }, 0.25f)));
		System.setProperty(PROPERTY, "64m");
		String msg = refusal(model);
		assertTrue(msg.contains("Const 'evil' in the graph declares a float tensor of shape [33554432] (128.0 MiB), more than the 64.0 MiB"), msg);
		assertTrue(msg.contains("(" + PROPERTY + ")"), "names the property that set the limit: " + msg);

		System.setProperty(PROPERTY, "256m");
		NdArray image = testImage();
		try (ConvModel crafted = Models.open(model); ConvModel plain = Models.open(TestPaths.model("shapes-tf1"))) {
			float[] got = crafted.run(image, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
			float[] want = plain.run(image, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
			assertArrayEquals(want, got, 1e-5f, "softmax of logits + 0.25 = softmax of the logits");
		}

		System.setProperty(PROPERTY, "lots");
		ModelException e = assertThrows(ModelException.class, () -> Models.open(model).close());
		assertEquals("System property " + PROPERTY + " must be a positive number of bytes (e.g. 8g), not 'lots'.", e.getMessage());
	}

	/** A 32x32 image with a bright square, which the shapes model classifies with confidence. */
	static NdArray testImage() {
		float[] px = new float[32 * 32];
		for (int y = 8; y < 24; y++) for (int x = 8; x < 24; x++) px[y * 32 + x] = 1f;
		return new NdArray(new int[] { 1, 32, 32, 1 }, px);
	}

	@Test
	void aSavedModelFileOverTwoGibibytesIsRefusedBeforeItIsRead() throws IOException {
		Path model = HostileModelsTest.copyModel(TestPaths.model("shapes-tf1"), tmp.resolve("huge-pb"));
		// sparse: 3 GB of size, no disk space; Java would need one 3 GB array to read it
		try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(model.resolve("saved_model.pb").toFile(), "rw")) {
			f.setLength(3_000_000_000L);
		}
		ModelException e = assertThrows(ModelException.class, () -> Models.open(model).close());
		assertEquals(model.resolve("saved_model.pb") + " has 3000000000 bytes, more than the 2 GiB a SavedModel's graph can have: " +
			"it is damaged or not a SavedModel. Export the model again.", e.getMessage());
	}

	@Test
	void attributesNestedTwoHundredLevelsDeepAreRefusedAsCrafted() throws IOException {
		Path model = craft("nested", g -> {
			AttrValue v = AttrValue.newBuilder().setI(1).build();
			for (int i = 0; i < 200; i++) {
				v = AttrValue.newBuilder().setFunc(org.tensorflow.proto.NameAttrList.newBuilder().setName("f").putAttr("a", v)).build();
			}
			return g.toBuilder().addNode(NodeDef.newBuilder().setName("evil").setOp("NoOp").putAttr("_nested", v)).build();
		});
		ModelException e = assertThrows(ModelException.class, () -> Models.open(model).close());
		assertEquals(model.resolve("saved_model.pb") + " is nested deeper than the 100 levels a model file may have: it is damaged or crafted. " +
			"Export the model again.", e.getMessage());
	}

	// ------------------------------------------------------------------ a checkpoint declaring a huge variable

	private static int masked(java.util.zip.CRC32C c) {
		int crc = (int) c.getValue();
		return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
	}

	private static void varint(java.io.ByteArrayOutputStream o, long v) {
		while ((v & ~0x7fL) != 0) {
			o.write((int) (v & 0x7f) | 0x80);
			v >>>= 7;
		}
		o.write((int) v);
	}

	/** A table block of {@code entries} (sorted keys, no prefix sharing, one restart) and its trailer, appended to {@code file}. */
	private static long[] block(java.io.ByteArrayOutputStream file, java.util.SortedMap<String, byte[]> entries) {
		java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
		for (java.util.Map.Entry<String, byte[]> e : entries.entrySet()) {
			byte[] k = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
			varint(b, 0);
			varint(b, k.length);
			varint(b, e.getValue().length);
			b.writeBytes(k);
			b.writeBytes(e.getValue());
		}
		b.writeBytes(new byte[] { 0, 0, 0, 0, 1, 0, 0, 0 }); // restart at 0; one restart
		long[] handle = { file.size(), b.size() };
		java.util.zip.CRC32C c = new java.util.zip.CRC32C();
		c.update(b.toByteArray());
		c.update(0);
		file.writeBytes(b.toByteArray());
		file.write(0); // not compressed
		file.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(masked(c)).array());
		return handle;
	}

	/**
	 * Writes {@code variables/} for {@code shapes} (float zeros) in TensorFlow's tensor bundle
	 * format, the index declaring {@code hugeName} as {@code hugeShape} with its few real bytes.
	 */
	static void writeCheckpoint(Path vars, java.util.Map<String, long[]> shapes, String hugeName, long[] hugeShape) throws IOException {
		java.util.SortedMap<String, byte[]> index = new java.util.TreeMap<>();
		index.put("", org.tensorflow.proto.BundleHeaderProto.newBuilder().setNumShards(1)
			.setVersion(org.tensorflow.proto.VersionDef.newBuilder().setProducer(1)).build().toByteArray());
		java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
		for (java.util.Map.Entry<String, long[]> v : shapes.entrySet()) {
			long n = 1;
			for (long d : v.getValue()) n *= d;
			byte[] zeros = new byte[(int) n * 4];
			java.util.zip.CRC32C c = new java.util.zip.CRC32C();
			c.update(zeros);
			long[] declared = v.getKey().equals(hugeName) ? hugeShape : v.getValue();
			index.put(v.getKey(), org.tensorflow.proto.BundleEntryProto.newBuilder().setDtype(DataType.DT_FLOAT).setShape(shape(declared))
				.setShardId(0).setOffset(data.size()).setSize(zeros.length).setCrc32C(masked(c)).build().toByteArray());
			data.writeBytes(zeros);
		}
		java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
		long[] dataBlock = block(file, index);
		long[] meta = block(file, new java.util.TreeMap<>());
		java.io.ByteArrayOutputStream h = new java.io.ByteArrayOutputStream();
		varint(h, dataBlock[0]);
		varint(h, dataBlock[1]);
		java.util.SortedMap<String, byte[]> top = new java.util.TreeMap<>();
		top.put(index.lastKey() + "~", h.toByteArray());
		long[] idx = block(file, top);
		java.io.ByteArrayOutputStream footer = new java.io.ByteArrayOutputStream();
		for (long x : new long[] { meta[0], meta[1], idx[0], idx[1] }) varint(footer, x);
		footer.writeBytes(new byte[40 - footer.size()]);
		footer.writeBytes(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0xdb4775248b80fb57L).array());
		file.writeBytes(footer.toByteArray());
		try (java.util.stream.Stream<Path> old = Files.list(vars)) {
			for (Path p : (Iterable<Path>) old::iterator) Files.delete(p);
		}
		Files.write(vars.resolve("variables.index"), file.toByteArray());
		Files.write(vars.resolve("variables.data-00000-of-00001"), data.toByteArray());
	}

	/** The TF1 model's variables and their shapes, from its graph. */
	static java.util.Map<String, long[]> variables(Path model) throws IOException {
		java.util.Map<String, long[]> m = new java.util.LinkedHashMap<>();
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(model.resolve("saved_model.pb")));
		for (NodeDef n : sm.getMetaGraphs(0).getGraphDef().getNodeList()) {
			if (n.getOp().equals("VariableV2")) m.put(n.getName(), n.getAttrOrThrow("shape").getShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray());
		}
		return m;
	}

	@Test
	void aCheckpointDeclaringAVariableOfTerabytesIsRefusedBeforeTheRestore() throws IOException {
		Path good = HostileModelsTest.copyModel(TestPaths.model("shapes-tf1"), tmp.resolve("zeros"));
		java.util.Map<String, long[]> vars = variables(good);
		// control: the writer's checkpoint restores (all weights zero: every class scores the same)
		writeCheckpoint(good.resolve("variables"), vars, null, null);
		try (ConvModel m = Models.open(good)) {
			float[] p = m.run(testImage(), List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
			assertArrayEquals(new float[] { 1 / 3f, 1 / 3f, 1 / 3f }, p, 1e-6f);
		}
		Path model = HostileModelsTest.copyModel(TestPaths.model("shapes-tf1"), tmp.resolve("huge-variable"));
		writeCheckpoint(model.resolve("variables"), vars, "sequential/dense/bias", new long[] { 1 << 20, 1 << 20 });
		String msg = refusal(model);
		assertTrue(msg.contains("the checkpoint " + model.resolve("variables").resolve("variables.index") +
			" declares variable 'sequential/dense/bias' as a float tensor of shape [1048576, 1048576] (4.0 TiB)"), msg);
	}

	// ------------------------------------------------------------------ a graph deeper than a thread's stack

	@Test
	void aGraphTwentyThousandOpsDeepRunsFromAThreadWithASmallStack() throws Exception {
		int depth = 20_000;
		Path model = craft("chain", g -> {
			GraphDef.Builder b = g.toBuilder();
			String prev = "input_1";
			for (int i = 0; i < depth; i++) {
				b.addNode(NodeDef.newBuilder().setName("chain/" + i).setOp("Identity").addInput(prev).putAttr("T", type(DataType.DT_FLOAT)));
				prev = "chain/" + i;
			}
			for (int i = 0; i < b.getNodeCount(); i++) {
				if (b.getNode(i).getName().equals("sequential/conv2d/Conv2D")) b.setNode(i, b.getNode(i).toBuilder().setInput(0, prev));
			}
			return b.build();
		});
		assertTrue(Files.size(model.resolve("saved_model.pb")) < 5 << 20);
		NdArray image = testImage();
		float[] want;
		try (ConvModel plain = Models.open(TestPaths.model("shapes-tf1"))) {
			want = plain.run(image, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data();
		}
		// a thread with Java's default stack, as Fiji's command threads have: the first run of the
		// deep graph overflowed it in TensorFlow's native code, a segmentation fault of the JVM
		AtomicReference<Object> result = new AtomicReference<>();
		Thread t = new Thread(null, () -> {
			try (ConvModel m = Models.open(model)) {
				result.set(m.run(image, List.of(ConvModel.OUTPUT)).get(ConvModel.OUTPUT).data());
			}
			catch (Throwable e) {
				result.set(e);
			}
		}, "small-stack", 1 << 20);
		t.start();
		t.join();
		if (result.get() instanceof Throwable) throw new AssertionError("the deep model failed", (Throwable) result.get());
		assertArrayEquals(want, (float[]) result.get(), 1e-5f, "20,000 Identity ops change nothing");
	}
}
