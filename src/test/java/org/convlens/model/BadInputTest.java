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
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.convlens.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad model input ends in a ModelException with a message a user can act on. */
class BadInputTest {

	@TempDir
	Path tmp;

	private Path copyModel(String name) throws IOException {
		Path src = TestPaths.model(name);
		Path dst = tmp.resolve(name);
		try (Stream<Path> s = Files.walk(src)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = dst.resolve(src.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		return dst;
	}

	private static void truncate(Path f) throws IOException {
		byte[] b = Files.readAllBytes(f);
		Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
	}

	private static String fails(Path p, LoadOptions o) {
		ModelException e = assertThrows(ModelException.class, () -> Models.open(p, o).close());
		return e.getMessage();
	}

	@Test
	void nonexistentPath() {
		String m = fails(Paths.get("/no/such/model"), LoadOptions.DEFAULT);
		assertTrue(m.contains("does not exist") && m.contains("/no/such/model"), m);
	}

	@Test
	void folderWithoutSavedModel() throws IOException {
		Files.createDirectories(tmp.resolve("empty"));
		String m = fails(tmp.resolve("empty"), LoadOptions.DEFAULT);
		assertTrue(m.contains("No saved_model.pb"), m);
	}

	@Test
	void truncatedSavedModel() throws IOException {
		Path d = copyModel("shapes-keras");
		truncate(d.resolve("saved_model.pb"));
		String m = fails(d, LoadOptions.DEFAULT);
		assertTrue(m.contains("saved_model.pb") && (m.contains("truncated") || m.contains("corrupt")), m);
	}

	@Test
	void missingVariables() throws IOException {
		Path d = copyModel("shapes-keras");
		try (Stream<Path> s = Files.walk(d.resolve("variables"))) {
			s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		String m = fails(d, LoadOptions.DEFAULT);
		assertTrue(m.contains("variables are missing"), m);
	}

	@Test
	void truncatedVariables() throws IOException {
		Path d = copyModel("shapes-tf1");
		try (Stream<Path> s = Files.list(d.resolve("variables"))) {
			for (Path p : (Iterable<Path>) s::iterator) if (p.getFileName().toString().startsWith("variables.data")) truncate(p);
		}
		String m = fails(d, LoadOptions.DEFAULT);
		assertTrue(m.contains("Cannot restore the model's variables"), m);
	}

	@Test
	void noFloatImageInput() {
		String m = fails(TestPaths.model("string-input"), LoadOptions.DEFAULT);
		assertTrue(m.contains("no float image input") && m.contains("DT_STRING"), m);
	}

	@Test
	void channelsFirstModelIsRecognisedAndRefused() {
		String m = fails(TestPaths.model("nchw"), LoadOptions.DEFAULT);
		assertTrue(m.contains("NCHW") && m.contains("channels_last"), m);
	}

	@Test
	void wrongTagSet() {
		String m = fails(TestPaths.model("shapes-keras"), LoadOptions.DEFAULT.withTags("train"));
		assertTrue(m.contains("no meta graph tagged [train]") && m.contains("[serve]"), m);
	}

	@Test
	void wrongSignature() {
		String m = fails(TestPaths.model("shapes-keras"), LoadOptions.DEFAULT.withSignature("nope"));
		assertTrue(m.contains("no signature 'nope'"), m);
	}

	@Test
	void unknownLayer() {
		try (ConvModel model = Models.open(TestPaths.model("shapes-keras"))) {
			ModelException e = assertThrows(ModelException.class, () -> model.info().layer("conv2d_99"));
			assertTrue(e.getMessage().contains("conv2d_99") && e.getMessage().contains("conv2d_1"), e.getMessage());
			NdArray x = NdArray.zeros(1, 32, 32, 1);
			e = assertThrows(ModelException.class, () -> model.run(x, List.of("conv2d_99")));
			assertTrue(e.getMessage().contains("no layer or tensor 'conv2d_99'"), e.getMessage());
			// a wrongly shaped input is refused before TensorFlow sees it
			e = assertThrows(ModelException.class, () -> model.run(NdArray.zeros(1, 30, 32, 1), List.of("conv2d")));
			assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
		}
	}

	@Test
	void variablesFromAnotherModelAreRefusedAtLoad() throws IOException {
		// Keras-style resource variables take any shape the checkpoint gives them
		Path keras = copyModel("shapes-keras");
		deleteTree(keras.resolve("variables"));
		copyTree(TestPaths.model("shapes-gap").resolve("variables"), keras.resolve("variables"));
		String m = fails(keras, LoadOptions.DEFAULT);
		assertTrue(m.contains("do not fit the model's graph") && m.contains("sequential/dense/kernel is [16, 3] in the checkpoint but [1024, 3]"), m);
		// TF1 variables are checked by TensorFlow's own Assign
		Path tf1 = copyModel("shapes-tf1");
		deleteTree(tf1.resolve("variables"));
		copyTree(TestPaths.model("wide-224").resolve("variables"), tf1.resolve("variables"));
		m = fails(tf1, LoadOptions.DEFAULT);
		assertTrue(m.contains("Cannot restore the model's variables") && m.contains("from another model?"), m);
	}

	private static void deleteTree(Path p) throws IOException {
		try (Stream<Path> s = Files.walk(p)) {
			for (Path f : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.delete(f);
		}
	}

	private static void copyTree(Path src, Path dst) throws IOException {
		try (Stream<Path> s = Files.walk(src)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = dst.resolve(src.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	@Test
	void unsafeModelIsRefusedUnlessAllowed() throws IOException {
		Path marker = Paths.get("/tmp/convlens-should-never-exist.txt");
		Files.deleteIfExists(marker);
		String m = fails(TestPaths.model("unsafe-writefile"), LoadOptions.DEFAULT);
		assertTrue(m.contains("WriteFile") && m.contains("Refusing"), m);
		assertFalse(Files.exists(marker), "loading must not run the model");
		try (ConvModel model = Models.open(TestPaths.model("unsafe-writefile"), LoadOptions.DEFAULT.withUnsafeOpsAllowed(true))) {
			assertTrue(model.info().inputs().size() > 0);
		}
		// the real (safe) Keras models pass the scan despite their saver's SaveV2/RestoreV2 functions
		try (ConvModel model = Models.open(TestPaths.model("shapes-keras"))) {
			assertTrue(model.info().inlined());
		}
	}

	@Test
	void zipLoadsAndZipSlipIsRefused() throws IOException {
		Path src = TestPaths.model("shapes-keras");
		Path zip = tmp.resolve("model.zip");
		try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> s = Files.walk(src)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				if (Files.isDirectory(p)) continue;
				z.putNextEntry(new ZipEntry("shapes-keras/" + src.relativize(p).toString().replace('\\', '/')));
				Files.copy(p, z);
				z.closeEntry();
			}
		}
		try (ConvModel m = Models.open(zip)) {
			assertEquals(3, m.info().numClasses());
			assertEquals(List.of("disc", "ring", "cross"), m.info().classNames());
		}
		Path evil = tmp.resolve("evil.zip");
		try (OutputStream o = Files.newOutputStream(evil); ZipOutputStream z = new ZipOutputStream(o)) {
			z.putNextEntry(new ZipEntry("../../escaped.txt"));
			z.write("x".getBytes());
			z.closeEntry();
		}
		String m = fails(evil, LoadOptions.DEFAULT);
		assertTrue(m.contains("zip slip"), m);
	}
}
