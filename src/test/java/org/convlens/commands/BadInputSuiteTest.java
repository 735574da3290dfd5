package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.prefs.Preferences;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convlens.imagej.Provenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;

/**
 * Bad input through {@link Batch#run(String[], PrintStream, PrintStream)}, all in one JVM: each
 * case checks the exit code (2 for wrong usage, 1 for a failed image or model), that the error is
 * one line naming the problem with no stack trace, and that no input file changed.
 */
class BadInputSuiteTest {

	@TempDir
	static Path tmp;
	static Path in, model, demo;
	static int outs;

	/** A call: its arguments ($M model, $IN inputs, $OUT a fresh output folder), exit code and a piece of the message. */
	static final class Case {
		final String name, expect;
		final int code;
		final String[] args;
		/** Lines allowed on standard error (the message, the summary). */
		int maxLines = 2;

		Case(String name, int code, String expect, String... args) {
			this.name = name;
			this.code = code;
			this.expect = expect;
			this.args = args;
		}

		Case lines(int n) {
			maxLines = n;
			return this;
		}

		@Override
		public String toString() {
			return name;
		}
	}

	@BeforeAll
	static void workspace() throws Exception {
		model = org.convlens.TestPaths.model("shapes-keras");
		demo = org.convlens.TestPaths.testData().resolve("images").resolve("demo-ring.tif");
		in = Files.createDirectories(tmp.resolve("in"));
		Path one = Files.createDirectories(in.resolve("one"));
		Files.copy(demo, one.resolve("demo.tif"));
		FloatProcessor nan = new FloatProcessor(32, 32);
		nan.setf(40, Float.NaN);
		new FileSaver(new ImagePlus("nan", nan)).saveAsTiff(in.resolve("nan.tif").toString());
		FloatProcessor inf = new FloatProcessor(32, 32);
		inf.setf(3, Float.POSITIVE_INFINITY);
		inf.setf(5, Float.NEGATIVE_INFINITY);
		new FileSaver(new ImagePlus("inf", inf)).saveAsTiff(in.resolve("inf.tif").toString());
		ByteProcessor big = new ByteProcessor(64, 64);
		for (int i = 0; i < 64 * 64; i++) big.set(i, i % 251);
		Path full = in.resolve("full.tif");
		new FileSaver(new ImagePlus("full", big)).saveAsTiff(full.toString());
		byte[] b = Files.readAllBytes(full);
		Files.write(in.resolve("truncated.tif"), Arrays.copyOf(b, b.length / 2));
		Files.delete(full);
		Files.createFile(in.resolve("zero.tif"));
		Path jpg = in.resolve("whole.jpg"), png = in.resolve("whole.png");
		ImagePlus rgb = new ImagePlus("rgb", big.convertToRGB());
		new FileSaver(rgb).saveAsJpeg(jpg.toString());
		new FileSaver(rgb).saveAsPng(png.toString());
		for (Path p : new Path[] { jpg, png }) {
			byte[] all = Files.readAllBytes(p);
			Files.write(in.resolve("truncated" + p.getFileName().toString().substring(5)), Arrays.copyOf(all, all.length * 2 / 3));
			Files.delete(p);
		}
		Files.writeString(in.resolve("notes.txt"), "not an image");
		Files.writeString(one.resolve("notes.txt"), "not an image, and not looked at");
		Files.writeString(in.resolve("fake.png"), "this is text, not a PNG");
		Files.writeString(in.resolve("a-file"), "a file where a folder is expected");
		Files.createDirectories(in.resolve("empty"));
		Files.writeString(Files.createDirectories(in.resolve("textonly")).resolve("readme.txt"), "no images here");
		// a good image and a NaN image: the good one is still analysed
		Path mixed = Files.createDirectories(in.resolve("mixed"));
		Files.copy(in.resolve("nan.tif"), mixed.resolve("a-nan.tif"));
		Files.copy(demo, mixed.resolve("b-good.tif"));
		// names that used to give the same output names
		Path coll = Files.createDirectories(in.resolve("collide"));
		ImagePlus d = IJ.openImage(demo.toString());
		for (String n : new String[] { "a.tif", "a.png.tif", "cell 1.tif", "cell_1.tif", "a.png" }) {
			if (n.endsWith(".png")) new FileSaver(d).saveAsPng(coll.resolve(n).toString());
			else Files.copy(demo, coll.resolve(n));
		}
		Path many = Files.createDirectories(in.resolve("many-empty"));
		for (int i = 0; i < 150; i++) Files.createFile(many.resolve(String.format("e%03d.tif", i)));
		Path dataset = Files.createDirectories(in.resolve("junk-dataset"));
		Files.createFile(dataset.resolve("zero.tif"));
		Files.writeString(dataset.resolve("x.png"), "text");
		Files.copy(in.resolve("truncated.tif"), dataset.resolve("truncated.tif"));
		Files.createDirectories(in.resolve("not-a-model"));
		Files.write(in.resolve("broken.zip"), new byte[] { 'P', 'K', 3, 4, 1, 2, 3 });
		// a copy of the demo model whose preprocessing.txt is misspelt
		Path bad = in.resolve("model-bad-prep");
		try (Stream<Path> s = Files.walk(model)) {
			for (Path p : s.collect(Collectors.toList())) {
				Path t = bad.resolve(model.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
		Files.writeString(bad.resolve("preprocessing.txt"), "normalisation=none\n");
		// an earlier result in an output folder
		Path existing = Files.createDirectories(tmp.resolve("existing"));
		Files.writeString(existing.resolve("demo_predictions.csv"), "someone else's table\n");
	}

	static final String M = "$M", IN = "$IN", OUT = "$OUT";

	static String[] a(String... s) {
		return s;
	}

	/** A call of {@code command} on {@code input} with the demo model and extra arguments. */
	static String[] on(String command, String input, String... extra) {
		List<String> l = new ArrayList<>(List.of(command, "--model", M, "--input", IN + "/" + input, "--output", OUT));
		l.addAll(Arrays.asList(extra));
		return l.toArray(new String[0]);
	}

	static List<Case> cases() {
		List<Case> c = new ArrayList<>();
		// wrong usage: exit 2
		c.add(new Case("no arguments", 2, "no command", a()));
		c.add(new Case("unknown command", 2, "Unknown command 'nosuch'", on("nosuch", "one/demo.tif")));
		c.add(new Case("unknown flag", 2, "Unknown option '--fast'", on("predictions", "one/demo.tif", "--fast")));
		c.add(new Case("flag without value", 2, "--output needs a value", a("predictions", "--model", M, "--input", IN + "/one/demo.tif", "--output")));
		c.add(new Case("missing --output", 2, "--output is required", a("predictions", "--model", M, "--input", IN + "/one/demo.tif")));
		c.add(new Case("missing --input", 2, "--input is required", a("predictions", "--model", M, "--output", OUT)));
		c.add(new Case("missing --model", 2, "--model is required", a("predictions", "--input", IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("input does not exist", 2, "does not exist", on("predictions", "nothing.tif")));
		c.add(new Case("model does not exist", 2, "--model", a("predictions", "--model", IN + "/no-model", "--input", IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("output is a file", 2, "is a file", a("predictions", "--model", M, "--input", IN + "/one/demo.tif", "--output", IN + "/a-file")));
		c.add(new Case("unknown key", 2, "Unknown option 'layr'", on("activations", "one/demo.tif", "layr=x")));
		c.add(new Case("duplicate key", 2, "given twice", on("predictions", "one/demo.tif", "top=1", "top=2")));
		c.add(new Case("model given twice", 2, "given twice", on("predictions", "one/demo.tif", "model=" + M)));
		c.add(new Case("threads zero", 2, "--threads must be a whole number of threads from 1 to 1024, not '0'", on("predictions", "one/demo.tif", "--threads", "0")));
		c.add(new Case("threads not a number", 2, "not 'all'", on("predictions", "one/demo.tif", "--threads=all")));
		c.add(new Case("threads without value", 2, "--threads needs a value", on("predictions", "one/demo.tif", "--threads")));
		c.add(new Case("threads twice", 2, "--threads is given twice", on("predictions", "one/demo.tif", "--threads", "1", "--threads", "2")));
		c.add(new Case("threads empty after =", 2, "--threads needs a value", on("predictions", "one/demo.tif", "--threads=")));
		c.add(new Case("threads in Arabic-Indic digits", 2, "not '\u0662'", on("predictions", "one/demo.tif", "--threads", "\u0662")));
		c.add(new Case("shard empty after =", 2, "--shard needs a value", on("predictions", "one", "--shard=")));
		c.add(new Case("embedding shard refused before the model loads", 2, "cannot be sharded", a("embedding", "--model", IN + "/not-a-model", "--input",
			IN + "/one", "--output", OUT, "--shard", "1/2")));
		c.add(new Case("help of an unknown command", 2, "Unknown command 'nosuch'", a("nosuch", "--help")));
		c.add(new Case("help of a command", 0, "", a("cam", "--help")));
		c.add(new Case("merge with --threads", 2, "--threads does not apply: merge runs no model", a("merge", "--input", IN, "--threads", "2")));
		c.add(new Case("merge with --shard", 2, "--shard does not apply", a("merge", "--input", IN, "--shard=1/2")));
		c.add(new Case("merge --input= form read", 2, "is a file", a("merge", "--input=" + IN + "/a-file")));
		c.add(new Case("merge input twice", 2, "--input is given twice", a("merge", "--input", IN, "--input", IN + "/one")));
		c.add(new Case("merge input without value", 2, "--input needs a value", a("merge", "--input", "--output", OUT)));
		c.add(new Case("input given twice", 2, "given twice", on("predictions", "one/demo.tif", "--input", IN + "/one/demo.tif")));
		c.add(new Case("bare word", 2, "Cannot read argument 'montage'", on("activations", "one/demo.tif", "montage")));
		c.add(new Case("key without name", 2, "no name", on("predictions", "one/demo.tif", "=5")));
		c.add(new Case("list with extras", 2, "--list takes no", a("--list", "x")));
		c.add(new Case("top negative", 2, "'top' is -3", on("predictions", "one/demo.tif", "top=-3")));
		c.add(new Case("top zero", 2, "use 1 to 1000", on("predictions", "one/demo.tif", "top=0")));
		c.add(new Case("top text", 2, "needs a whole number", on("predictions", "one/demo.tif", "top=abc")));
		c.add(new Case("top fraction", 2, "needs a whole number", on("predictions", "one/demo.tif", "top=2.5")));
		c.add(new Case("top huge", 2, "'top'", on("predictions", "one/demo.tif", "top=1e12")));
		c.add(new Case("top NaN", 2, "'top'", on("predictions", "one/demo.tif", "top=NaN")));
		c.add(new Case("patch negative", 2, "'patch' is -4", on("occlusion", "one/demo.tif", "patch=-4")));
		c.add(new Case("stride negative", 2, "'stride' is -1", on("occlusion", "one/demo.tif", "stride=-1")));
		c.add(new Case("occlusion batch zero", 2, "'batch' is 0", on("occlusion", "one/demo.tif", "batch=0")));
		c.add(new Case("zoom huge", 2, "'zoom' is 100000", a("weights", "--model", M, "--output", OUT, "zoom=100000")));
		c.add(new Case("zoom zero", 2, "use 1 to 64", a("weights", "--model", M, "--output", OUT, "zoom=0")));
		c.add(new Case("noise infinite", 2, "'noise' is Infinity", on("saliency", "one/demo.tif", "method=smoothgrad", "noise=Infinity")));
		c.add(new Case("noise NaN", 2, "'noise' is NaN", on("saliency", "one/demo.tif", "noise=NaN")));
		c.add(new Case("noise negative", 2, "'noise' is -5", on("saliency", "one/demo.tif", "noise=-5")));
		c.add(new Case("steps zero", 2, "'steps' is 0", on("saliency", "one/demo.tif", "steps=0")));
		c.add(new Case("samples negative", 2, "'samples' is -1", on("saliency", "one/demo.tif", "samples=-1")));
		c.add(new Case("opacity above 1", 2, "'opacity' is 2", on("cam", "one/demo.tif", "opacity=2")));
		c.add(new Case("opacity negative", 2, "use 0 to 1", on("cam", "one/demo.tif", "opacity=-0.1")));
		c.add(new Case("threshold NaN", 2, "'threshold' is NaN", on("cam", "one/demo.tif", "threshold=NaN")));
		c.add(new Case("cam batch negative", 2, "'batch' is -5", on("cam", "one/demo.tif", "batch=-5")));
		c.add(new Case("faithfulness steps huge", 2, "'steps' is 100000", on("faithfulness", "one/demo.tif", "steps=100000")));
		c.add(new Case("perplexity zero", 2, "'perplexity' is 0", on("embedding", "one", "perplexity=0")));
		c.add(new Case("iterations negative", 2, "'iterations' is -1", on("embedding", "one", "iterations=-1")));
		c.add(new Case("maxact top zero", 2, "'top' is 0", on("maxact", "one", "top=0")));
		c.add(new Case("check box not boolean", 2, "true or false", on("activations", "one/demo.tif", "predict=maybe")));
		c.add(new Case("preprocessing misspelt key", 2, "Unknown preprocessing key 'normalisation'", on("predictions", "one/demo.tif", "preprocessing=normalisation=none")));
		c.add(new Case("preprocessing misspelt value", 2, "Unknown normalization 'nonee'", on("predictions", "one/demo.tif", "preprocessing=[normalization=nonee]")));
		c.add(new Case("preprocessing channel 0", 2, "channels count from 1", on("predictions", "one/demo.tif", "preprocessing=channel=0")));
		c.add(new Case("preprocessing channel text", 2, "channel=x", on("predictions", "one/demo.tif", "preprocessing=channel=x")));
		c.add(new Case("preprocessing resize maybe", 2, "use true or false", on("predictions", "one/demo.tif", "preprocessing=resize=maybe")));
		c.add(new Case("preprocessing percentiles reversed", 2, "0 <= low < high <= 100", on("predictions", "one/demo.tif", "preprocessing=[normalization=percentile low=50 high=10]")));
		c.add(new Case("preprocessing std zero", 2, "std must not be 0", on("predictions", "one/demo.tif", "preprocessing=[normalization=mean-std mean=0 std=0]")));
		c.add(new Case("preprocessing mean NaN", 2, "not a finite number", on("predictions", "one/demo.tif", "preprocessing=[normalization=mean-std mean=NaN std=1]")));
		c.add(new Case("preprocessing half bracket", 2, "Unknown preprocessing key '[normalization'", on("predictions", "one/demo.tif", "preprocessing=[normalization=none")));
		c.add(new Case("preprocessing no value", 2, "expected key=value", on("predictions", "one/demo.tif", "preprocessing=normalization")));
		c.add(new Case("preprocessing nonfinite junk", 2, "nonfinite=maybe", on("predictions", "one/demo.tif", "preprocessing=nonfinite=maybe")));
		// failures: exit 1, one line for the file and the summary
		c.add(new Case("model is a file", 1, "", a("predictions", "--model", IN + "/one/demo.tif", "--input", IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("model folder without a model", 1, "", a("predictions", "--model", IN + "/not-a-model", "--input", IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("model zip broken", 1, "", a("predictions", "--model", IN + "/broken.zip", "--input", IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("model unsafe", 1, "", a("predictions", "--model", org.convlens.TestPaths.model("unsafe-writefile").toString(), "--input",
			IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("model not for images", 1, "", a("predictions", "--model", org.convlens.TestPaths.model("string-input").toString(), "--input",
			IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("model preprocessing.txt misspelt", 1, "preprocessing.txt", a("predictions", "--model", IN + "/model-bad-prep", "--input",
			IN + "/one/demo.tif", "--output", OUT)));
		c.add(new Case("image folder empty", 1, "No images", on("predictions", "empty")));
		c.add(new Case("folder of text files", 1, "No images", on("predictions", "textonly")));
		c.add(new Case("input is a text file", 1, "not an image file", on("predictions", "notes.txt")));
		c.add(new Case("png that is text", 1, "not an image file", on("predictions", "fake.png")));
		c.add(new Case("zero-byte tif", 1, "empty file", on("predictions", "zero.tif")));
		c.add(new Case("truncated tif", 1, "truncated", on("predictions", "truncated.tif")));
		c.add(new Case("truncated jpg", 1, "truncated", on("predictions", "truncated.jpg")));
		c.add(new Case("truncated png", 1, "truncated", on("predictions", "truncated.png")));
		c.add(new Case("NaN image", 1, "NaN or infinite", on("predictions", "nan.tif")));
		c.add(new Case("Inf image", 1, "2 NaN or infinite", on("cam", "inf.tif")));
		c.add(new Case("NaN image, integrated gradients", 1, "NaN or infinite", on("saliency", "nan.tif", "method=integrated-gradients")));
		c.add(new Case("NaN image replaced on request", 0, "", on("predictions", "nan.tif", "preprocessing=nonfinite=zero")));
		c.add(new Case("NaN image before a good one", 1, "a-nan.tif", on("predictions", "mixed")));
		c.add(new Case("not a feature map", 1, "not a feature map", on("activations", "one/demo.tif", "layer=dense")));
		c.add(new Case("unknown layer", 1, "nosuchlayer", on("activations", "one/demo.tif", "layer=nosuchlayer")));
		c.add(new Case("class out of range", 1, "99", on("cam", "one/demo.tif", "target=99")));
		c.add(new Case("unknown fill", 2, "unknown value 'blurry'", on("occlusion", "one/demo.tif", "fill=blurry")));
		// a class the model lacks, over a folder: one line before any image, not one line per image
		c.add(new Case("class out of range over a folder", 1, "Class 7 is out of range", on("cam", "collide", "target=7")));
		c.add(new Case("unknown class name over a folder", 1, "has no class 'zebra'", on("saliency", "collide", "target=zebra")));
		c.add(new Case("occlusion class out of range over a folder", 1, "Class 3 is out of range", on("occlusion", "collide", "target=3")));
		c.add(new Case("unknown CAM method", 2, "unknown value 'gradcamx'", on("cam", "one", "method=gradcamx")));
		c.add(new Case("unknown LUT", 2, "unknown value 'rainbowz'", on("cam", "one", "lut=rainbowz")));
		c.add(new Case("unknown pooling", 2, "unknown value 'avg'", on("codes", "one", "pooling=avg")));
		c.add(new Case("unknown colouring", 2, "unknown value 'foo'", on("embedding", "junk-dataset", "color=foo")));
		c.add(new Case("unknown normalization", 2, "unknown value 'percentle'", on("predictions", "one", "normalization=percentle")));
		c.add(new Case("folder= beside --input", 2, "--input only", on("codes", "one", "folder=" + IN)));
		c.add(new Case("output inside a file", 1, "output folder", a("predictions", "--model", M, "--input", IN + "/one/demo.tif", "--output", IN + "/a-file/sub")));
		c.add(new Case("existing output kept", 1, "would overwrite", a("predictions", "--model", M, "--input", IN + "/one/demo.tif", "--output", "$EXISTING")));
		c.add(new Case("10,000-style many empty files", 1, "more failures", on("predictions", "many-empty")).lines(Batch.MAX_FAILURE_LINES + 2));
		c.add(new Case("dataset of junk", 1, "truncated.tif: truncated", on("codes", "junk-dataset")));
		c.add(new Case("dataset with bad option", 2, "'iterations' is 0", on("embedding", "junk-dataset", "iterations=0")));
		// what users do right must keep working
		c.add(new Case("bracketed preprocessing as in macros", 0, "", on("predictions", "one/demo.tif", "preprocessing=[normalization=none]")));
		c.add(new Case("debug flag on success", 0, "", on("predictions", "one/demo.tif", "--debug")));
		c.add(new Case("folder with a text file beside the image", 0, "", on("predictions", "one")));
		c.add(new Case("CAM method in another spelling", 0, "", on("cam", "one/demo.tif", "method=gradcam++")));
		c.add(new Case("normalization alias with a dash", 0, "", on("predictions", "one/demo.tif", "normalization=[-1,1]")));
		c.add(new Case("score alias", 0, "", on("occlusion", "one/demo.tif", "score=logit", "patch=16", "stride=16")));
		c.add(new Case("saliency method in capitals", 0, "", on("saliency", "one/demo.tif", "method=SmoothGrad", "samples=2")));
		// a choice in another spelling reaches the command in the list's own (some compare literally)
		c.add(new Case("normalization model-default", 0, "", on("predictions", "one/demo.tif", "normalization=model-default")));
		c.add(new Case("contrast in camel case", 0, "", a("weights", "--model", M, "--output", OUT, "contrast=perKernel")));
		return c;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void refusedWithOneLineAndInputsUnchanged(Case c) throws Exception {
		Map<String, String> before = checksums(in, model);
		Path out = tmp.resolve("out-" + (outs++));
		String[] args = Arrays.stream(c.args).map(s -> s.replace(M, model.toString()).replace("$EXISTING", tmp.resolve("existing").toString())
			.replace(IN, in.toString()).replace(OUT, out.toString())).toArray(String[]::new);
		ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
		int rc = Batch.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
		String err = e.toString(StandardCharsets.UTF_8), stdout = o.toString(StandardCharsets.UTF_8);
		System.out.println("CASE " + c.name + " -> " + rc + ": " + err.replace("\n", " | "));
		assertEquals(c.code, rc, c.name + ": " + err);
		List<String> lines = err.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
		for (String l : (err + stdout).split("\n")) {
			assertFalse(l.matches("\\s+at .*") || l.contains("Exception") || l.contains("[ERROR]") || l.contains("at org."), c.name + ": a trace line: " + l);
		}
		if (c.code != 0) {
			assertFalse(lines.isEmpty(), c.name);
			assertTrue(lines.size() <= c.maxLines, c.name + ": " + lines.size() + " lines:\n" + err);
			assertTrue(err.toLowerCase().contains(c.expect.toLowerCase()), c.name + ": expected '" + c.expect + "' in " + err);
		}
		else assertTrue(lines.isEmpty(), c.name + ": " + err);
		// a failed image does not stop the run: the next one is analysed
		// (over a folder, predictions of all images go to the run's table, issue 15)
		if (c.name.startsWith("NaN image before")) {
			assertTrue(Files.readAllLines(out.resolve("mixed_predictions.csv")).stream().anyMatch(l -> l.startsWith("b-good.tif,")), c.name);
		}
		assertEquals(before, checksums(in, model), c.name + ": an input file changed");
		// wrong usage leaves no trace: not even an empty output folder (--threads 0 made one)
		if (c.code == 2) assertFalse(Files.exists(out), c.name + ": made the output folder or wrote outputs on wrong usage");
		// nor does a model that does not load (the folder was made before the model was read)
		if (c.name.startsWith("model ")) assertFalse(Files.exists(out), c.name + ": left an output folder behind");
	}

	@Test
	void aFolderRunIntoAnEarlierRunsFolderIsOneLineBeforeAnyWork() throws Exception {
		Path out = tmp.resolve("rerun-out");
		String[] args = { "cam", "--model", model.toString(), "--input", in.resolve("collide").toString(), "--output", out.toString() };
		ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
		assertEquals(0, Batch.run(args, new PrintStream(o, true), new PrintStream(e, true)), e.toString());
		Map<String, String> first = checksums(out);
		ByteArrayOutputStream e2 = new ByteArrayOutputStream();
		assertEquals(1, Batch.run(args, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(e2, true)));
		List<String> lines = e2.toString().lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
		assertEquals(1, lines.size(), e2.toString());
		assertTrue(lines.get(0).contains("already holds results") && lines.get(0).contains("--overwrite"), lines.get(0));
		assertEquals(first, checksums(out), "the earlier results are kept");
		String[] again = Arrays.copyOf(args, args.length + 1);
		again[args.length] = "--overwrite";
		assertEquals(0, Batch.run(again, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(new ByteArrayOutputStream(), true)));
	}

	@Test
	void aWrongThreadsPropertyIsWrongUsageBeforeTheModelLoads() throws Exception {
		Path out = tmp.resolve("bad-property-out");
		String[] args = { "predictions", "--model", in.resolve("not-a-model").toString(), "--input", in.resolve("one/demo.tif").toString(),
			"--output", out.toString() };
		ByteArrayOutputStream e = new ByteArrayOutputStream();
		System.setProperty(org.convlens.model.TfThreads.PROPERTY, "lots");
		int rc;
		try {
			rc = Batch.run(args, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(e, true, StandardCharsets.UTF_8));
		}
		finally {
			System.clearProperty(org.convlens.model.TfThreads.PROPERTY);
		}
		String err = e.toString(StandardCharsets.UTF_8);
		// 2 and the property named, not 1 for the folder that holds no model: the setting was checked first
		assertEquals(2, rc, err);
		assertTrue(err.contains("-Dconvlens.tf.threads must be a whole number of threads from 1 to 1024, not 'lots'"), err);
		assertEquals(1, err.lines().filter(l -> !l.isBlank()).count(), err);
		// --threads on the command line wins over the property
		System.setProperty(org.convlens.model.TfThreads.PROPERTY, "lots");
		ByteArrayOutputStream e2 = new ByteArrayOutputStream();
		try {
			String[] withFlag = Arrays.copyOf(args, args.length + 2);
			withFlag[args.length] = "--threads";
			withFlag[args.length + 1] = "1";
			rc = Batch.run(withFlag, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(e2, true, StandardCharsets.UTF_8));
		}
		finally {
			System.clearProperty(org.convlens.model.TfThreads.PROPERTY);
		}
		assertFalse(e2.toString(StandardCharsets.UTF_8).contains("-Dconvlens.tf.threads"), e2.toString(StandardCharsets.UTF_8));
		assertEquals(1, rc, "the folder without a model: " + e2);
	}

	@Test
	void threadsInAJvmWhereTensorFlowRunsIsOneWarningSayingWhatIsUsed() throws Exception {
		String[] first = { "predictions", "--model", model.toString(), "--input", in.resolve("one/demo.tif").toString(), "--output",
			tmp.resolve("threads-first").toString() };
		assertEquals(0, Batch.run(first, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(new ByteArrayOutputStream(), true)));
		int now = org.convlens.model.TfThreads.inEffect();
		assertTrue(now >= 0, "TensorFlow started");
		int other = now == 1 ? 2 : 1;
		String[] again = { "predictions", "--model", model.toString(), "--input", in.resolve("one/demo.tif").toString(), "--output",
			tmp.resolve("threads-again").toString(), "--threads", Integer.toString(other) };
		ByteArrayOutputStream e = new ByteArrayOutputStream();
		assertEquals(0, Batch.run(again, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(e, true, StandardCharsets.UTF_8)));
		List<String> lines = e.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
		assertEquals(1, lines.size(), lines.toString());
		String w = lines.get(0);
		String used = now == 0 ? "its own choice of threads" : now == 1 ? "with 1 thread," : "with " + now + " threads,";
		assertTrue(w.startsWith("Warning: --threads " + other + " has no effect") && w.contains(used) && w.contains("new JVM"), w);
		assertEquals(Integer.toString(now == 0 ? 0 : now), Integer.toString(org.convlens.model.TfThreads.inEffect()), "unchanged");
	}

	@Test
	void aCommandsHelpListsItsOptionsAndTheFlags() {
		ByteArrayOutputStream o = new ByteArrayOutputStream();
		assertEquals(0, Batch.run(new String[] { "cam", "--model", "m", "--help" }, new PrintStream(o, true, StandardCharsets.UTF_8),
			new PrintStream(new ByteArrayOutputStream(), true)));
		String help = o.toString(StandardCharsets.UTF_8);
		assertTrue(help.contains("--threads N") && help.contains("cam  (Plugins>ConvLens>Class Activation Map...)") && help.contains("    method=String"), help);
		assertFalse(help.contains("\ncodes  ("), "only cam's options: " + help);
	}

	@Test
	void theSuiteIsLargeEnough() {
		assertTrue(cases().size() >= 60, cases().size() + " cases");
		Set<String> names = new HashSet<>();
		for (Case c : cases()) assertTrue(names.add(c.name), "duplicate case " + c.name);
	}

	@Test
	void collidingNamesGiveDistinctResultsAndOverwriteIsExplicit() throws Exception {
		Path out = tmp.resolve("collide-out");
		ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
		// one activations stack per image (a folder's tables go to one CSV per run)
		String[] args = { "activations", "--model", model.toString(), "--input", in.resolve("collide").toString(), "--output", out.toString(), "predict=true" };
		assertEquals(0, Batch.run(args, new PrintStream(o, true), new PrintStream(e, true)), e.toString());
		List<String> csv;
		try (Stream<Path> s = Files.list(out)) {
			csv = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("_activations.tif")).sorted().collect(Collectors.toList());
		}
		assertEquals(5, csv.size(), csv.toString());
		// each result keeps its source name readable
		assertTrue(csv.contains("a.tif_activations.tif") && csv.contains("a.png.tif_activations.tif"), csv.toString());
		assertTrue(csv.stream().anyMatch(n -> n.startsWith("a.png-")), csv.toString());
		assertEquals(2, csv.stream().filter(n -> n.startsWith("cell_1.tif-")).count(), csv.toString());
		// the same run again refuses to replace them, then replaces them when asked
		e.reset();
		assertEquals(1, Batch.run(args, new PrintStream(o, true), new PrintStream(e, true)));
		assertTrue(e.toString().contains("would overwrite"), e.toString());
		String[] again = Arrays.copyOf(args, args.length + 1);
		again[args.length] = "--overwrite";
		e.reset();
		assertEquals(0, Batch.run(again, new PrintStream(o, true), new PrintStream(e, true)), e.toString());
	}

	@Test
	void batchWritesNoPreferencesAndTheControlDoes() throws Exception {
		Path out = tmp.resolve("prefs-out");
		Map<String, String> before = convlensPrefs();
		ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
		assertEquals(0, Batch.run(new String[] { "cam", "--model", model.toString(), "--input", demo.toString(), "--output", out.toString(), "opacity=0.25",
			"threshold=0.3", "top=2" }, new PrintStream(o, true), new PrintStream(e, true)), e.toString());
		assertEquals(before, convlensPrefs(), "Batch changed the user's SciJava preferences");
		// control: the same command run the way dialogs run it does persist its inputs, so the check above can fail
		ImagePlus imp = IJ.openImage(demo.toString());
		// a threshold the stored preferences cannot hold yet (they persist between test runs)
		String stored = String.valueOf(before.get("/org/convlens/commands/ClassActivationMap/threshold"));
		double threshold = 0.001 * (1 + System.nanoTime() % 997);
		if (stored.equals(Double.toString(threshold))) threshold += 0.0005;
		CommandRunner.run(Contexts.get(), CommandRunner.create(Contexts.get(), ClassActivationMap.class),
			Map.of("model", model.toFile(), "image", imp, "opacity", 0.25, "threshold", threshold, "top", 2), false, true);
		assertFalse(before.equals(convlensPrefs()), "the control run should have saved its inputs");
	}

	@Test
	void bracketedPreprocessingIsApplied() throws Exception {
		Path out = tmp.resolve("bracket-out");
		ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
		assertEquals(0, Batch.run(new String[] { "activations", "--model", model.toString(), "--input", demo.toString(), "--output", out.toString(),
			"preprocessing=[normalization=none resize=true]" }, new PrintStream(o, true), new PrintStream(e, true)), e.toString());
		ImagePlus maps = IJ.openImage(out.resolve("demo-ring_activations.tif").toString());
		assertNotNull(maps);
		assertTrue(Provenance.get(maps, "preprocessing").startsWith("normalization=none "), Provenance.get(maps, "preprocessing"));
	}

	@Test
	void macroOptionsGetTheSameChecks() {
		org.scijava.module.Module m = CommandRunner.create(Contexts.get(), OcclusionMap.class);
		for (String[] c : new String[][] { { "patch=-4", "'patch' is -4" }, { "stride=-1", "'stride' is -1" }, { "batch=0", "'batch' is 0" },
			{ "patch=6 patch=7", "given twice" }, { "patchsize=6", "Unknown option 'patchsize'" }, { "fill=zero batch=1e10", "'batch' is 1e10, too large" } }) {
			UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, () -> IJ1Bridge.fromMacro(m, c[0]), c[0]);
			assertTrue(e.getMessage().contains(c[1]), e.getMessage());
		}
		// values set by other routes (SciJava's own dialogs, scripts) are checked when the command runs
		ImagePlus imp = IJ.openImage(demo.toString());
		IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> CommandRunner.run(Contexts.get(),
			CommandRunner.create(Contexts.get(), SaliencyMap.class), Map.of("model", model.toFile(), "image", imp, "noise", Double.POSITIVE_INFINITY), false, false));
		assertTrue(ConvLensCommand.message(e).contains("'noise' is Infinity"), ConvLensCommand.message(e));
	}

	@Test
	void userErrorsOfCommandsRunLikeMacrosLogNoTrace() throws Exception {
		java.io.PrintStream saved = System.err;
		ByteArrayOutputStream e = new ByteArrayOutputStream();
		System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
		String message;
		try {
			// a dataset command on a folder without images, as a headless macro runs it (SciJava's log left on)
			RuntimeException x = org.junit.jupiter.api.Assertions.assertThrows(org.convlens.explain.dataset.DatasetException.class, () -> CommandRunner.run(Contexts.get(),
				CommandRunner.create(Contexts.get(), CnnCodesExport.class), Map.of("model", model.toFile(), "source", "folder", "folder",
					in.resolve("junk-dataset").toFile()), false, false));
			message = ConvLensCommand.message(x);
			org.junit.jupiter.api.Assertions.assertThrows(org.convlens.model.ModelException.class, () -> CommandRunner.run(Contexts.get(),
				CommandRunner.create(Contexts.get(), ShowActivations.class), Map.of("model", model.toFile(), "image", IJ.openImage(demo.toString()),
					"layer", "dense"), false, false));
		}
		finally {
			System.setErr(saved);
		}
		assertTrue(message.startsWith("None of the 3 files"), message);
		String log = e.toString(StandardCharsets.UTF_8);
		assertFalse(log.contains("[ERROR]") || log.contains("Command errored") || log.contains("\tat "), log);
	}

	/** Every key under the preferences nodes whose path names ConvLens, with its value. */
	static Map<String, String> convlensPrefs() throws Exception {
		Map<String, String> m = new TreeMap<>();
		collect(Preferences.userRoot(), m);
		return m;
	}

	private static void collect(Preferences node, Map<String, String> m) throws Exception {
		node.sync();
		if (node.absolutePath().toLowerCase().contains("convlens")) for (String k : node.keys()) m.put(node.absolutePath() + "/" + k, node.get(k, null));
		for (String c : node.childrenNames()) collect(node.node(c), m);
	}

	static Map<String, String> checksums(Path... roots) throws Exception {
		Map<String, String> m = new TreeMap<>();
		for (Path r : roots) {
			try (Stream<Path> s = Files.walk(r)) {
				for (Path p : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
					MessageDigest md = MessageDigest.getInstance("SHA-256");
					m.put(p.toString(), new java.math.BigInteger(1, md.digest(Files.readAllBytes(p))).toString(16));
				}
			}
		}
		return m;
	}
}
