package org.convlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Files beside a model are read as data from inside its folder, and label lists must fit the
 * output; model zips are extracted once, within limits, and cleaned up after a failure.
 */
class ModelFilesAndZipTest {

	@TempDir
	Path tmp;

	private Path copy(String name) throws IOException {
		return HostileModelsTest.copyModel(TestPaths.model(name), tmp.resolve(name));
	}

	// ------------------------------------------------------------------ labels and preprocessing

	@Test
	void labelsLinkedOutOfTheModelFolderAreIgnoredWithAWarning() throws IOException {
		Path dir = copy("shapes-tf1");
		Path secret = tmp.resolve("secret.txt");
		Files.write(secret, List.of("root:x:0:0", "daemon:x:1:1", "bin:x:2:2"));
		Files.delete(dir.resolve("labels.txt"));
		Files.createSymbolicLink(dir.resolve("labels.txt"), secret);
		try (ConvModel m = Models.open(dir)) {
			ModelInfo info = m.info();
			assertEquals(List.of(), info.classNames());
			assertEquals("class 0", info.className(0));
			assertEquals(1, info.warnings().size(), info.warnings().toString());
			assertTrue(info.warnings().get(0).contains("outside the model folder"), info.warnings().get(0));
			assertFalse(info.describe().contains("root:x"), "the linked file's contents never reach an output");
			assertTrue(info.describe().contains("Warning: class names ignored"));
		}
	}

	@Test
	void labelsLinkedInsideTheFolderAreRead() throws IOException {
		Path dir = copy("shapes-tf1");
		Files.write(dir.resolve("names.txt"), List.of("a", "b", "c"));
		Files.delete(dir.resolve("labels.txt"));
		Files.createSymbolicLink(dir.resolve("labels.txt"), Paths.get("names.txt"));
		try (ConvModel m = Models.open(dir)) {
			assertEquals(List.of("a", "b", "c"), m.info().classNames());
			assertEquals(List.of(), m.info().warnings());
		}
	}

	@Test
	void labelsThatDoNotFitTheOutputAreIgnored() throws IOException {
		Path dir = copy("shapes-tf1");
		List<String> twenty = new ArrayList<>();
		for (int i = 0; i < 20; i++) twenty.add("name " + i);
		Files.write(dir.resolve("labels.txt"), twenty);
		try (ConvModel m = Models.open(dir)) {
			assertEquals(List.of(), m.info().classNames());
			String w = m.info().warnings().get(0);
			assertTrue(w.contains("20 names") && w.contains("3 classes") && w.contains("labels.txt"), w);
		}
		// not a file, or far too large: ignored the same way
		Files.delete(dir.resolve("labels.txt"));
		Files.createDirectory(dir.resolve("labels.txt"));
		try (ConvModel m = Models.open(dir)) {
			assertEquals(List.of(), m.info().classNames());
			assertTrue(m.info().warnings().get(0).contains("not a regular file"), m.info().warnings().toString());
		}
		Files.delete(dir.resolve("labels.txt"));
		Files.write(dir.resolve("labels.txt"), new byte[(int) ModelFiles.MAX_LABELS_BYTES + 10]);
		try (ConvModel m = Models.open(dir)) {
			assertTrue(m.info().warnings().get(0).contains("larger than"), m.info().warnings().toString());
		}
	}

	@Test
	void classesTxtIsReadWhenThereIsNoLabelsTxt() throws IOException {
		Path dir = copy("shapes-tf1");
		Files.delete(dir.resolve("labels.txt"));
		Files.write(dir.resolve("classes.txt"), List.of("one", "two", "three"));
		try (ConvModel m = Models.open(dir)) {
			assertEquals(List.of("one", "two", "three"), m.info().classNames());
		}
	}

	/** The TF1 shapes model cut down to one sigmoid output: sigmoid(logits[:, 0:1]). */
	private Path sigmoidModel() throws IOException {
		Path dir = copy("shapes-tf1");
		Path pb = dir.resolve("saved_model.pb");
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(pb));
		SavedModel.Builder b = sm.toBuilder();
		GraphDef.Builder g = b.getMetaGraphsBuilder(0).getGraphDefBuilder();
		AttrValue i32 = AttrValue.newBuilder().setType(DataType.DT_INT32).build();
		AttrValue f32 = AttrValue.newBuilder().setType(DataType.DT_FLOAT).build();
		for (String[] c : new String[][] { { "one/begin", "0" }, { "one/size", "-1" } }) {
			int second = c[0].endsWith("begin") ? 0 : 1;
			TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_INT32)
				.setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(2)))
				.addIntVal(Integer.parseInt(c[1])).addIntVal(second).build();
			g.addNode(NodeDef.newBuilder().setName(c[0]).setOp("Const").putAttr("dtype", i32).putAttr("value", AttrValue.newBuilder().setTensor(t).build()));
		}
		g.addNode(NodeDef.newBuilder().setName("one/Slice").setOp("Slice").addInput("sequential/dense/BiasAdd").addInput("one/begin")
			.addInput("one/size").putAttr("T", f32).putAttr("Index", i32));
		g.addNode(NodeDef.newBuilder().setName("one/Sigmoid").setOp("Sigmoid").addInput("one/Slice").putAttr("T", f32));
		SignatureDef s = b.getMetaGraphs(0).getSignatureDefOrThrow("serving_default");
		org.tensorflow.proto.TensorInfo out = s.getOutputsOrThrow("dense").toBuilder().setName("one/Sigmoid:0")
			.setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(-1))
				.addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
			.build();
		b.getMetaGraphsBuilder(0).putSignatureDef("serving_default", s.toBuilder().putOutputs("dense", out).build());
		Files.write(pb, b.build().toByteArray());
		return dir;
	}

	@Test
	void aSingleSigmoidOutputKeepsOneOrTwoNames() throws IOException {
		Path dir = sigmoidModel();
		for (List<String> names : List.of(List.of("no tumour", "tumour"), List.of("tumour"))) {
			Files.write(dir.resolve("labels.txt"), names);
			try (ConvModel m = Models.open(dir)) {
				assertEquals("sigmoid", m.info().outputActivation());
				assertEquals(1, m.info().numClasses());
				assertEquals(names, m.info().classNames());
				assertEquals(List.of(), m.info().warnings());
			}
		}
		Files.write(dir.resolve("labels.txt"), List.of("a", "b", "c"));
		try (ConvModel m = Models.open(dir)) {
			assertEquals(List.of(), m.info().classNames());
			assertTrue(m.info().warnings().get(0).contains("3 names"), m.info().warnings().toString());
		}
	}

	@Test
	void preprocessingLinkedOutOfTheFolderIsRefused() throws IOException {
		Path dir = copy("shapes-tf1");
		ModelInfo info;
		try (ConvModel m = Models.open(dir)) {
			info = m.info();
		}
		Path outside = tmp.resolve("spec.txt");
		Files.write(outside, List.of("normalization=none"));
		Files.createSymbolicLink(dir.resolve("preprocessing.txt"), outside);
		ModelException e = assertThrows(ModelException.class, () -> Preprocessing.forModel(info));
		assertTrue(e.getMessage().contains("outside the model folder") && e.getMessage().contains("preprocessing.txt"), e.getMessage());
		// the same spec as a plain file inside the folder is used
		Files.delete(dir.resolve("preprocessing.txt"));
		Files.copy(outside, dir.resolve("preprocessing.txt"));
		assertEquals(Preprocessing.Normalization.NONE, Preprocessing.forModel(info).normalization());
		Files.write(dir.resolve("preprocessing.txt"), new byte[(int) ModelFiles.MAX_SPEC_BYTES + 1]);
		e = assertThrows(ModelException.class, () -> Preprocessing.forModel(info));
		assertTrue(e.getMessage().contains("larger than"), e.getMessage());
	}

	// ------------------------------------------------------------------ zips

	/** A zip of shapes-keras under a unique top folder, plus extra entries. */
	private Path zip(String marker, int extraEntries, int paddingBytes) throws IOException {
		Path src = TestPaths.model("shapes-keras");
		Path zip = tmp.resolve(marker + ".zip");
		try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o); Stream<Path> s = Files.walk(src)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				if (Files.isDirectory(p)) continue;
				z.putNextEntry(new ZipEntry(marker + "/" + src.relativize(p).toString().replace('\\', '/')));
				Files.copy(p, z);
				z.closeEntry();
			}
			for (int i = 0; i < extraEntries; i++) {
				z.putNextEntry(new ZipEntry(marker + "/extra/" + i + ".txt"));
				z.write(("entry " + i).getBytes());
				z.closeEntry();
			}
			if (paddingBytes > 0) {
				z.putNextEntry(new ZipEntry(marker + "/padding.bin"));
				z.write(new byte[paddingBytes]); // zeros: a few kB compressed
				z.closeEntry();
			}
		}
		return zip;
	}

	/** Extracted folders of this test's zip still in the temp folder. */
	private static List<Path> leftovers(String marker) throws IOException {
		try (Stream<Path> s = Files.list(Paths.get(System.getProperty("java.io.tmpdir")))) {
			return s.filter(p -> p.getFileName().toString().startsWith("convlens-model-") && Files.exists(p.resolve(marker)))
				.collect(Collectors.toList());
		}
	}

	@Test
	void aZipThatInflatesPastTheLimitIsRefusedAndCleanedUp() throws IOException {
		String marker = "m-" + UUID.randomUUID();
		Path zip = zip(marker, 0, 3_000_000);
		assertTrue(Files.size(zip) < 200_000, "small on disk: " + Files.size(zip));
		ModelException e = assertThrows(ModelException.class,
			() -> Models.open(zip, LoadOptions.DEFAULT.withZipLimits(2_000_000, 100)).close());
		assertTrue(e.getMessage().contains("inflates to more than 2000000 bytes") && e.getMessage().contains("padding.bin"), e.getMessage());
		assertEquals(List.of(), leftovers(marker));
		// the system property sets the default limit
		System.setProperty(LoadOptions.ZIP_MAX_BYTES_PROPERTY, "2000000");
		try {
			e = assertThrows(ModelException.class, () -> Models.open(zip).close());
			assertTrue(e.getMessage().contains("inflates to more than 2000000 bytes"), e.getMessage());
		}
		finally {
			System.clearProperty(LoadOptions.ZIP_MAX_BYTES_PROPERTY);
		}
		assertEquals(List.of(), leftovers(marker));
		// within the default limits the same zip loads
		try (ConvModel m = Models.open(zip)) {
			assertEquals(3, m.info().numClasses());
			assertEquals(1, leftovers(marker).size(), "extracted once");
			Models.discard(m.info().path());
		}
		assertEquals(List.of(), leftovers(marker));
	}

	/** Rewrites the declared (uncompressed) size of every entry named {@code *name} in the central directory. */
	private static void understate(Path zip, String name, int declared) throws IOException {
		byte[] b = Files.readAllBytes(zip);
		java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		int patched = 0;
		for (int i = 0; i + 46 < b.length; i++) {
			if (buf.getInt(i) != 0x02014b50) continue; // central directory file header
			int nameLen = buf.getShort(i + 28) & 0xffff;
			String n = new String(b, i + 46, nameLen, java.nio.charset.StandardCharsets.UTF_8);
			if (n.endsWith(name)) {
				buf.putInt(i + 24, declared);
				patched++;
			}
		}
		assertEquals(1, patched);
		Files.write(zip, b);
	}

	@Test
	void declaredSizesAreNotTrusted() throws IOException {
		String marker = "m-" + UUID.randomUUID();
		Path zip = zip(marker, 0, 3_000_000);
		understate(zip, "padding.bin", 10);
		try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
			assertEquals(10, z.getEntry(marker + "/padding.bin").getSize(), "the header now claims 10 bytes");
		}
		ModelException e = assertThrows(ModelException.class,
			() -> Models.open(zip, LoadOptions.DEFAULT.withZipLimits(2_000_000, 100)).close());
		// counted while inflating, not read from the header
		assertTrue(e.getMessage().contains("inflates to more than 2000000 bytes (at entry " + marker + "/padding.bin"), e.getMessage());
		assertEquals(List.of(), leftovers(marker));
	}

	@Test
	void aZipWithTooManyEntriesIsRefusedAndCleanedUp() throws IOException {
		String marker = "m-" + UUID.randomUUID();
		Path zip = zip(marker, 40, 0);
		ModelException e = assertThrows(ModelException.class, () -> Models.open(zip, LoadOptions.DEFAULT.withZipLimits(1L << 32, 20)).close());
		assertTrue(e.getMessage().contains("more than 20 entries"), e.getMessage());
		assertEquals(List.of(), leftovers(marker));
		System.setProperty(LoadOptions.ZIP_MAX_ENTRIES_PROPERTY, "20");
		try {
			assertThrows(ModelException.class, () -> Models.open(zip).close());
		}
		finally {
			System.clearProperty(LoadOptions.ZIP_MAX_ENTRIES_PROPERTY);
		}
		assertThrows(IllegalArgumentException.class, () -> LoadOptions.DEFAULT.withZipLimits(0, 5));
	}

	@Test
	void aZipWhoseModelFailsIsExtractedOnceAndCleanedUp() throws IOException {
		String marker = "m-" + UUID.randomUUID();
		Path src = TestPaths.model("shapes-keras");
		Path zip = tmp.resolve("broken.zip");
		try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o)) {
			z.putNextEntry(new ZipEntry(marker + "/saved_model.pb"));
			byte[] pb = Files.readAllBytes(src.resolve("saved_model.pb"));
			z.write(pb, 0, pb.length / 2); // truncated
			z.closeEntry();
		}
		DefaultModelService svc = new DefaultModelService();
		ModelException e1 = assertThrows(ModelException.class, () -> svc.acquire(zip));
		assertEquals(List.of(), leftovers(marker), "deleted after the failed load");
		// a second request (a command's input callback, then its run) does not extract it again
		ModelException e2 = assertThrows(ModelException.class, () -> svc.acquire(zip));
		assertEquals(e1.getMessage(), e2.getMessage());
		assertSame(e1, e2.getCause(), "answered from the remembered failure");
		assertEquals(List.of(), leftovers(marker));
	}

	private static void assertSame(Object a, Object b, String why) {
		org.junit.jupiter.api.Assertions.assertSame(a, b, why);
	}
}
