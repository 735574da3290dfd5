package org.convlens.testdata;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Generates the committed test data under {@code test-data/}: tiny CNN SavedModels trained on
 * {@link SyntheticShapes}, plus sample images with ground truth. Tests never run this; rerun it
 * only to change the data, then commit the outputs.
 *
 * <p>Regenerate (from the project root; well under a minute on 2 cores):
 *
 * <pre>
 * mvn -Pgenerate-test-data process-test-classes
 * </pre>
 *
 * <p>(equivalently {@code mvn -Pgenerate-test-data test-compile exec:java}). The profile, in
 * pom.xml, runs this class with exec-maven-plugin (goal java, classpathScope test, headless) and
 * passes the output directory {@code ${project.basedir}/test-data}; {@code main(args)} takes it
 * as {@code args[0]}, default {@code test-data}.
 *
 * <p>Outputs:
 *
 * <ul>
 *   <li>{@code models/shapes-tf1}: TF1-style graph (every op at top level, VariableV2 variables
 *       read through {@code <var>/read} Identity ops), signature {@code serving_default}: input
 *       {@code input_1} = {@code input_1:0} float [-1,32,32,1], output {@code dense} = {@code
 *       sequential/dense/Softmax:0} float [-1,3].
 *   <li>{@code models/shapes-keras}: the same trained network laid out like a Keras/TF2 export:
 *       top level holds {@code serving_default_input_1}, one VarHandleOp per variable and a {@code
 *       StatefulPartitionedCall}; the network lives in the function library ({@code
 *       __inference_signature_wrapper_*} calling {@code __inference__wrapped_model_*}); output
 *       {@code dense} = {@code StatefulPartitionedCall:0}. Same checkpoint as shapes-tf1.
 *   <li>{@code models/shapes-gap}: variant with global average pooling before the dense layer,
 *       Keras style like shapes-keras.
 *   <li>{@code models/wide-224}: UNTRAINED (seeded random weights) Keras-style network of a
 *       realistic input size, for timings: input [-1,224,224,3], conv2d (16) - max_pooling2d -
 *       conv2d_1 (32) - max_pooling2d_1 - conv2d_2 (56x56x64) - global average pooling - dense (10
 *       classes, softmax); no labels.txt.
 *   <li>{@code models/unsafe-writefile}: TF1 model whose output depends (control edge) on a
 *       WriteFile op; running it would write {@value #UNSAFE_PATH}.
 *   <li>{@code models/string-input}: TF1 model whose only input is a DT_STRING vector.
 *   <li>{@code models/last-1x1}: UNTRAINED TF1 model whose last spatial layer is a 1x1 max-pool
 *       (a constant class activation map there); see {@link #exportLastOneByOne}.
 *   <li>{@code images/demo-ring.tif}, {@code images/localization/shape_NNN.tif} and {@code
 *       images/localization/ground-truth.csv}.
 *   <li>{@code models/fashion-plain}, {@code models/fashion-resnet} and {@code images/fashion/}:
 *       trained on real Fashion-MNIST by {@link FashionMnistModels} (when Debian's {@code
 *       dataset-fashion-mnist} is installed; see there to regenerate only these).
 * </ul>
 *
 * <p>Everything is seeded: data and initial weights come from {@link java.util.Random}, and
 * training runs single threaded, so reruns give the same numbers and files.
 */
public final class TestModelGenerator {

  static final int SIZE = 32;
  static final int CLASSES = SyntheticShapes.CLASS_NAMES.length;

  static final long TRAIN_DATA_SEED = 1001L;
  static final long TEST_DATA_SEED = 2002L;
  static final long INIT_SEED = 3003L;
  static final long SHUFFLE_SEED = 4004L;
  static final long VERIFY_SEED = 5005L;
  static final long DEMO_SEED = 6006L;
  static final long LOCALIZATION_SEED = 7007L;

  static final int TRAIN_SAMPLES = 2400;
  static final int TEST_SAMPLES = 600;
  static final int BATCH = 32;
  static final int STEPS = 1500;
  static final float LEARNING_RATE = 0.002f;
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPSILON = 1e-7f;
  static final double MIN_ACCURACY = 0.95;
  static final int LOCALIZATION_IMAGES = 60;

  static final int WIDE_SIZE = 224;
  static final int WIDE_CHANNELS = 3;
  static final int[] WIDE_FILTERS = {16, 32, 64};
  static final int WIDE_CLASSES = 10;
  static final long WIDE_SEED = 8008L;
  /**
   * {@code wide-codes}: a flatten model whose classifier input is wide (64 x 64 x 32 = 131,072
   * values from a 256 x 256 grey input), for the dataset commands' defaults on wide layers.
   */
  static final int WIDE_CODES_SIZE = 256;
  static final int[] WIDE_CODES_FILTERS = {4, 8, 32};
  static final int WIDE_CODES_CLASSES = 2;
  static final long WIDE_CODES_SEED = 9119L;

  static final String UNSAFE_PATH = "/tmp/convlens-should-never-exist.txt";
  static final String SERVE = "serve";
  static final String SIGNATURE_KEY = "serving_default";
  static final String PREDICT_METHOD = "tensorflow/serving/predict";

  static final ConfigProto CONFIG =
      ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(1)
          .setInterOpParallelismThreads(1)
          .build();

  private TestModelGenerator() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--wide-codes")) {
      // this model alone (the others need training and take minutes)
      writeWideCodes(Paths.get(args[1]).toAbsolutePath());
      return;
    }
    if (args.length == 4 && args[0].equals("--untrained224")) {
      // a benchmark's model, made in its own JVM (TensorFlow's natives load once per class loader)
      String[] f = args[2].split(",");
      writeUntrained224(
          Paths.get(args[1]),
          new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2])},
          Long.parseLong(args[3]));
      return;
    }
    if (args.length == 2 && args[0].equals("--last-1x1")) {
      // only the small model whose last spatial layer is 1x1 (test-data/models/last-1x1)
      exportLastOneByOne(Paths.get(args[1]));
      return;
    }
    Path out = Paths.get(args.length > 0 ? args[0] : "test-data").toAbsolutePath();
    long t0 = System.nanoTime();
    System.out.println("TensorFlow " + TensorFlow.version() + ", writing to " + out);
    Path models = out.resolve("models");
    Files.createDirectories(models);
    boolean unsafeExistedBefore = Files.exists(Paths.get(UNSAFE_PATH));

    Path tmp = Files.createTempDirectory("convlens-testdata");
    try {
      // (a) + (b): the "shapes" network
      float[][] trainX = new float[1][];
      int[][] trainY = new int[1][];
      makeData(TRAIN_DATA_SEED, TRAIN_SAMPLES, trainX, trainY);
      float[][] testX = new float[1][];
      int[][] testY = new int[1][];
      makeData(TEST_DATA_SEED, TEST_SAMPLES, testX, testY);

      Path shapesTf1 = models.resolve("shapes-tf1");
      trainAndExportTf1(false, trainX[0], trainY[0], testX[0], testY[0], tmp, shapesTf1);
      writeLabels(shapesTf1);
      Path shapesKeras = models.resolve("shapes-keras");
      KerasWrapper.wrap(shapesTf1, shapesKeras, 1183, 1257);
      writeLabels(shapesKeras);
      verifySame(shapesTf1, shapesKeras);

      // (c): the "gap" network, Keras style only
      Path gapTf1 = tmp.resolve("shapes-gap-tf1");
      trainAndExportTf1(true, trainX[0], trainY[0], testX[0], testY[0], tmp, gapTf1);
      Path shapesGap = models.resolve("shapes-gap");
      KerasWrapper.wrap(gapTf1, shapesGap, 2211, 2285);
      writeLabels(shapesGap);
      verifySame(gapTf1, shapesGap);

      // (f): an untrained network of a realistic input size, for timings; Keras style
      Path wideTf1 = tmp.resolve("wide-224-tf1");
      exportUntrainedTf1(tmp, wideTf1);
      Path wide = models.resolve("wide-224");
      KerasWrapper.wrap(wideTf1, wide, 3311, 3385);
      verifySameRandom(wideTf1, wide, WIDE_SIZE, WIDE_CHANNELS);

      // (g): a wide classifier input (flatten of 131,072 values), untrained
      writeWideCodes(models.resolve("wide-codes"));

      // (d), (e)
      exportUnsafeWriteFile(models.resolve("unsafe-writefile"));
      exportStringInput(models.resolve("string-input"));
      exportNchw(models.resolve("nchw"));
      exportLastOneByOne(models.resolve("last-1x1"));

      // images
      writeImages(out.resolve("images"), shapesTf1);

      // real data: Fashion-MNIST models and images (needs Debian's dataset-fashion-mnist)
      if (FashionMnistModels.dataAvailable()) {
        FashionMnistModels.generate(out);
      } else {
        System.out.println("skipping fashion-plain/fashion-resnet: " + FashionMnistModels.DATA_DIR + " is missing (apt-get install dataset-fashion-mnist)");
      }
    } finally {
      deleteRecursively(tmp);
    }

    if (!unsafeExistedBefore && Files.exists(Paths.get(UNSAFE_PATH))) {
      throw new IllegalStateException("WriteFile ran during generation: " + UNSAFE_PATH);
    }
    System.out.println();
    printSizes(out);
    System.out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /**
   * An untrained Keras-style network like {@code wide-224} with {@code filters} per conv layer,
   * written to {@code dir} (not part of test-data: benchmarks make it when they need it, e.g.
   * {96, 192, 384} for about the compute of ResNet-50 at 224x224, with 3.3 MB of weights).
   */
  public static void writeUntrained224(Path dir, int[] filters, long seed) throws IOException {
    Path tmp = Files.createTempDirectory("convlens-untrained");
    try {
      Path tf1 = tmp.resolve(dir.getFileName() + "-tf1");
      exportUntrainedTf1(tmp, tf1, filters, seed);
      KerasWrapper.wrap(tf1, dir, 3311, 3385);
      verifySameRandom(tf1, dir, WIDE_SIZE, WIDE_CHANNELS);
    } finally {
      deleteRecursively(tmp);
    }
  }

  /**
   * The untrained {@code wide-codes} network: conv-pool-conv-pool-conv on a 256 x 256 grey input,
   * flatten (64 x 64 x 32 = 131,072 values), dense with two classes; about 1 MB of weights.
   */
  public static void writeWideCodes(Path dir) throws IOException {
    Path tmp = Files.createTempDirectory("convlens-widecodes");
    try {
      Path tf1 = tmp.resolve("wide-codes-tf1");
      exportUntrainedTf1(
          tmp, tf1, false, WIDE_CODES_SIZE, 1, WIDE_CODES_FILTERS, WIDE_CODES_CLASSES, WIDE_CODES_SEED);
      KerasWrapper.wrap(tf1, dir, 4411, 4485);
      verifySameRandom(tf1, dir, WIDE_CODES_SIZE, 1);
      Files.write(dir.resolve("labels.txt"), "left\nright\n".getBytes(StandardCharsets.UTF_8));
    } finally {
      deleteRecursively(tmp);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // data

  static void makeData(long seed, int n, float[][] xOut, int[][] yOut) {
    SyntheticShapes gen = new SyntheticShapes(seed, SIZE);
    float[] x = new float[n * SIZE * SIZE];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      SyntheticShapes.Sample s = gen.next();
      System.arraycopy(s.pixels, 0, x, i * SIZE * SIZE, SIZE * SIZE);
      y[i] = s.label;
    }
    xOut[0] = x;
    yOut[0] = y;
  }

  static TFloat32 images(float[] x, int from, int count) {
    int px = SIZE * SIZE;
    float[] data = Arrays.copyOfRange(x, from * px, (from + count) * px);
    return TFloat32.tensorOf(Shape.of(count, SIZE, SIZE, 1), DataBuffers.of(data, true, false));
  }

  static float[] toArray(Tensor t) {
    float[] a = new float[(int) t.shape().size()];
    ((TFloat32) t).copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  // ---------------------------------------------------------------------------------------------
  // network

  /** The network ops of one graph, named like a Keras Sequential model. */
  static final class Net {
    Output<TFloat32> input;
    Output<TFloat32> logits;
    Output<TFloat32> softmax;
    /** variable name -> VariableV2 output, in creation order. */
    final Map<String, Output<TFloat32>> vars = new LinkedHashMap<>();
    /** variable name -> shape. */
    final Map<String, long[]> shapes = new LinkedHashMap<>();
  }

  /** Raw op building with exact, fully qualified names. */
  static final class B {
    final Graph g;
    final Scope scope;

    B(Graph g) {
      this.g = g;
      this.scope = Ops.create(g).scope();
    }

    GraphOperationBuilder op(String type, String name, Operand<?>... inputs) {
      GraphOperationBuilder b = g.opBuilder(type, name, scope);
      for (Operand<?> in : inputs) {
        b.addInput(in.asOutput());
      }
      return b;
    }

    @SuppressWarnings("unchecked")
    static <T extends org.tensorflow.types.family.TType> Output<T> out(GraphOperation op) {
      return (Output<T>) op.output(0);
    }

    Output<TFloat32> placeholder(String name, long... shape) {
      return out(
          op("Placeholder", name)
              .setAttr("dtype", DataType.DT_FLOAT)
              .setAttr("shape", Shape.of(shape))
              .build());
    }

    Output<TFloat32> constFloat(String name, long[] shape, float[] values) {
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false))) {
        return out(op("Const", name).setAttr("dtype", DataType.DT_FLOAT).setAttr("value", t).build());
      }
    }

    <T extends org.tensorflow.types.family.TType> Output<T> constInt(String name, int... values) {
      try (org.tensorflow.types.TInt32 t = org.tensorflow.types.TInt32.vectorOf(values)) {
        return out(op("Const", name).setAttr("dtype", DataType.DT_INT32).setAttr("value", t).build());
      }
    }

    <T extends org.tensorflow.types.family.TType> Output<T> constString(String name, String value) {
      try (TString t = TString.scalarOf(value)) {
        return out(op("Const", name).setAttr("dtype", DataType.DT_STRING).setAttr("value", t).build());
      }
    }

    /** VariableV2 plus its TF1-style {@code <name>/read} Identity; returns the read output. */
    Output<TFloat32> variable(Net net, String name, long... shape) {
      Output<TFloat32> v =
          out(
              op("VariableV2", name)
                  .setAttr("dtype", DataType.DT_FLOAT)
                  .setAttr("shape", Shape.of(shape))
                  .setAttr("container", "")
                  .setAttr("shared_name", "")
                  .build());
      if (net != null) {
        net.vars.put(name, v);
        net.shapes.put(name, shape);
      }
      return out(op("Identity", name + "/read", v).setAttr("T", DataType.DT_FLOAT).build());
    }

    Output<TFloat32> conv(Net net, String layer, Output<TFloat32> in, long cin, long cout) {
      String p = "sequential/" + layer + "/";
      Output<TFloat32> k = variable(net, p + "kernel", 3, 3, cin, cout);
      Output<TFloat32> b = variable(net, p + "bias", cout);
      Output<TFloat32> c =
          out(
              op("Conv2D", p + "Conv2D", in, k)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("strides", new long[] {1, 1, 1, 1})
                  .setAttr("padding", "SAME")
                  .setAttr("data_format", "NHWC")
                  .setAttr("dilations", new long[] {1, 1, 1, 1})
                  .build());
      Output<TFloat32> ba =
          out(
              op("BiasAdd", p + "BiasAdd", c, b)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("data_format", "NHWC")
                  .build());
      return out(op("Relu", p + "Relu", ba).setAttr("T", DataType.DT_FLOAT).build());
    }

    /** MaxPool (v1: ksize/strides as attrs; MaxPoolV2 from Ops has no gradient). */
    Output<TFloat32> maxPool(String layer, Output<TFloat32> in) {
      return out(
          op("MaxPool", "sequential/" + layer + "/MaxPool", in)
              .setAttr("T", DataType.DT_FLOAT)
              .setAttr("ksize", new long[] {1, 2, 2, 1})
              .setAttr("strides", new long[] {1, 2, 2, 1})
              .setAttr("padding", "VALID")
              .setAttr("data_format", "NHWC")
              .build());
    }
  }

  /**
   * Builds the "shapes" (flatten) or "gap" (global average pooling) network with Keras-like
   * names. Variables are uninitialized VariableV2 ops.
   */
  static Net buildNet(Graph g, boolean gap) {
    return buildNet(g, gap, SIZE, 1, new int[] {8, 16, 16}, CLASSES);
  }

  /**
   * conv (3x3, ReLU) - max-pool - conv - max-pool - conv, then global average pooling ({@code
   * gap}) or flatten, then a dense layer with {@code classes} logits and a softmax.
   */
  static Net buildNet(Graph g, boolean gap, int size, int channels, int[] filters, int classes) {
    B b = new B(g);
    Net net = new Net();
    net.input = b.placeholder("input_1", -1, size, size, channels);
    Output<TFloat32> x = b.conv(net, "conv2d", net.input, channels, filters[0]);
    x = b.maxPool("max_pooling2d", x);
    x = b.conv(net, "conv2d_1", x, filters[0], filters[1]);
    x = b.maxPool("max_pooling2d_1", x);
    x = b.conv(net, "conv2d_2", x, filters[1], filters[2]);
    long features;
    if (gap) {
      Output<?> axes = b.constInt("sequential/global_average_pooling2d/Mean/reduction_indices", 1, 2);
      x =
          B.out(
              b.op("Mean", "sequential/global_average_pooling2d/Mean", x, axes)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("Tidx", DataType.DT_INT32)
                  .setAttr("keep_dims", false)
                  .build());
      features = filters[2];
    } else {
      features = (size / 4) * (size / 4) * filters[2];
      Output<?> shape = b.constInt("sequential/flatten/Const", -1, (int) features);
      x =
          B.out(
              b.op("Reshape", "sequential/flatten/Reshape", x, shape)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("Tshape", DataType.DT_INT32)
                  .build());
    }
    Output<TFloat32> k = b.variable(net, "sequential/dense/kernel", features, classes);
    Output<TFloat32> bias = b.variable(net, "sequential/dense/bias", classes);
    Output<TFloat32> mm =
        B.out(
            b.op("MatMul", "sequential/dense/MatMul", x, k)
                .setAttr("T", DataType.DT_FLOAT)
                .setAttr("transpose_a", false)
                .setAttr("transpose_b", false)
                .build());
    net.logits =
        B.out(
            b.op("BiasAdd", "sequential/dense/BiasAdd", mm, bias)
                .setAttr("T", DataType.DT_FLOAT)
                .setAttr("data_format", "NHWC")
                .build());
    net.softmax =
        B.out(b.op("Softmax", "sequential/dense/Softmax", net.logits).setAttr("T", DataType.DT_FLOAT).build());
    return net;
  }

  /** Keras defaults: Glorot-uniform kernels, zero biases; from a seeded java.util.Random. */
  static float[] initialValues(String name, long[] shape, Random rnd) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    if (name.endsWith("/kernel")) {
      long receptive = 1;
      for (int i = 0; i < shape.length - 2; i++) {
        receptive *= shape[i];
      }
      double fanIn = receptive * shape[shape.length - 2];
      double fanOut = receptive * shape[shape.length - 1];
      double limit = Math.sqrt(6.0 / (fanIn + fanOut));
      for (int i = 0; i < n; i++) {
        v[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
      }
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------
  // training and TF1 export

  static void trainAndExportTf1(
      boolean gap,
      float[] trainX,
      int[] trainY,
      float[] testX,
      int[] testY,
      Path tmp,
      Path exportDir)
      throws IOException {
    String variant = gap ? "shapes-gap" : "shapes";
    System.out.println();
    System.out.println("== training " + variant);
    long t0 = System.nanoTime();
    Path ckpt = tmp.resolve(variant + "-train").resolve("ckpt");
    Files.createDirectories(ckpt.getParent());

    try (Graph g = new Graph()) {
      Net net = buildNet(g, gap);
      Ops tf = Ops.create(g).withSubScope("training");
      Placeholder<TFloat32> labels =
          tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CLASSES)));
      Operand<TFloat32> xent = tf.nn.softmaxCrossEntropyWithLogits(net.logits, labels).loss();
      Operand<TFloat32> loss = tf.withName("loss").math.mean(xent, tf.constant(0));
      List<Op> inits = new ArrayList<>();
      Random initRnd = new Random(INIT_SEED + (gap ? 1 : 0));
      for (Map.Entry<String, Output<TFloat32>> e : net.vars.entrySet()) {
        long[] shape = net.shapes.get(e.getKey());
        float[] v = initialValues(e.getKey(), shape, initRnd);
        inits.add(tf.assign(e.getValue(), tf.constant(Shape.of(shape), DataBuffers.of(v, true, false))));
      }
      // Adam, hand-built: tensorflow-framework's optimizers name slots "<var>-m" through
      // Ops.withName(), which rejects variable names containing '/'. Slots are TF1-style
      // "<var>/Adam" and "<var>/Adam_1"; beta1^t and beta2^t are fed each step.
      B b = new B(g);
      Placeholder<TFloat32> beta1Power =
          tf.withName("beta1_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TFloat32> beta2Power =
          tf.withName("beta2_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Operand<TFloat32> lr = tf.constant(LEARNING_RATE);
      Operand<TFloat32> beta1 = tf.constant(BETA1);
      Operand<TFloat32> beta2 = tf.constant(BETA2);
      Operand<TFloat32> epsilon = tf.constant(EPSILON);
      List<String> varNames = new ArrayList<>(net.vars.keySet());
      Output<?>[] varOutputs = new Output<?>[varNames.size()];
      for (int i = 0; i < varOutputs.length; i++) {
        varOutputs[i] = net.vars.get(varNames.get(i));
      }
      Output<?>[] grads = g.addGradients(loss.asOutput(), varOutputs);
      // Every update waits for every gradient: the VariableV2 "/read" Identities alias the
      // variable buffers, so an early ApplyAdam would change weights that later backprop ops
      // still read (a race that makes training nondeterministic).
      List<Op> allGrads = new ArrayList<>(Arrays.asList(grads));
      Ops afterGrads = tf.withControlDependencies(allGrads);
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < varOutputs.length; i++) {
        String name = varNames.get(i);
        long[] shape = net.shapes.get(name);
        float[] zeros = new float[(int) Shape.of(shape).size()];
        Output<TFloat32> m = slot(b, tf, inits, name + "/Adam", shape, zeros);
        Output<TFloat32> v = slot(b, tf, inits, name + "/Adam_1", shape, zeros);
        @SuppressWarnings("unchecked")
        Output<TFloat32> grad = (Output<TFloat32>) grads[i];
        updates.add(
            afterGrads.train.applyAdam(
                net.vars.get(name), m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad));
      }
      Op minimize = tf.withControlDependencies(updates).withName("minimize").noOp();

      try (Session s = new Session(g, CONFIG)) {
        Session.Runner init = s.runner();
        inits.forEach(init::addTarget);
        init.run().close();

        int n = trainY.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        Random shuffle = new Random(SHUFFLE_SEED);
        int pos = n;
        float[] bx = new float[BATCH * SIZE * SIZE];
        float[] by = new float[BATCH * CLASSES];
        double lossSum = 0;
        for (int step = 1; step <= STEPS; step++) {
          if (pos + BATCH > n) {
            for (int i = n - 1; i > 0; i--) {
              int j = shuffle.nextInt(i + 1);
              int t = order[i];
              order[i] = order[j];
              order[j] = t;
            }
            pos = 0;
          }
          Arrays.fill(by, 0f);
          for (int i = 0; i < BATCH; i++) {
            int idx = order[pos++];
            System.arraycopy(trainX, idx * SIZE * SIZE, bx, i * SIZE * SIZE, SIZE * SIZE);
            by[i * CLASSES + trainY[idx]] = 1f;
          }
          try (TFloat32 xt =
                  TFloat32.tensorOf(Shape.of(BATCH, SIZE, SIZE, 1), DataBuffers.of(bx, true, false));
              TFloat32 yt = TFloat32.tensorOf(Shape.of(BATCH, CLASSES), DataBuffers.of(by, true, false));
              TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(BETA1, step));
              TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(BETA2, step));
              Result r =
                  s.runner()
                      .feed(net.input, xt)
                      .feed(labels, yt)
                      .feed(beta1Power, b1)
                      .feed(beta2Power, b2)
                      .addTarget(minimize)
                      .fetch(loss)
                      .run()) {
            lossSum += ((TFloat32) r.get(0)).getFloat();
          }
          if (step % 100 == 0) {
            System.out.printf(Locale.ROOT, "step %4d  mean loss %.4f%n", step, lossSum / 100);
            lossSum = 0;
          }
        }
        s.save(ckpt.toString());
      }
    }
    System.out.printf(Locale.ROOT, "trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);

    // fresh inference-only graph, restored from the training checkpoint (by variable name)
    deleteRecursively(exportDir);
    try (Graph g = new Graph()) {
      Net net = buildNet(g, gap);
      try (Session s = new Session(g, CONFIG)) {
        s.restore(ckpt.toString());
        double trainAcc = accuracy(s, net, trainX, trainY);
        double testAcc = accuracy(s, net, testX, testY);
        System.out.printf(
            Locale.ROOT,
            "%s accuracy: train %.4f (%d samples), test %.4f (%d fresh samples)%n",
            variant,
            trainAcc,
            trainY.length,
            testAcc,
            testY.length);
        if (testAcc < MIN_ACCURACY) {
          throw new IllegalStateException(variant + " test accuracy below " + MIN_ACCURACY);
        }
        SavedModelBundle.exporter(exportDir.toString())
            .withTags(SERVE)
            .withSession(s)
            .withSignature(
                Signature.builder()
                    .key(SIGNATURE_KEY)
                    .methodName(PREDICT_METHOD)
                    .input("input_1", net.input)
                    .output("dense", net.softmax)
                    .build())
            .export();
      }
    }
    canonicalize(exportDir);
  }

  /**
   * The untrained {@code wide-224} network (random Glorot-uniform weights from {@link #WIDE_SEED},
   * no training): initialized, checkpointed, then exported from a fresh graph restored from the
   * checkpoint, as {@link #trainAndExportTf1} does.
   */
  static void exportUntrainedTf1(Path tmp, Path exportDir) throws IOException {
    exportUntrainedTf1(tmp, exportDir, WIDE_FILTERS, WIDE_SEED);
  }

  /** As {@link #exportUntrainedTf1(Path, Path)} with other filter counts and seed. */
  static void exportUntrainedTf1(Path tmp, Path exportDir, int[] filters, long seed) throws IOException {
    exportUntrainedTf1(tmp, exportDir, true, WIDE_SIZE, WIDE_CHANNELS, filters, WIDE_CLASSES, seed);
  }

  /** An untrained {@link #buildNet} network of any size, exported as {@link #exportUntrainedTf1(Path, Path)} does. */
  static void exportUntrainedTf1(
      Path tmp, Path exportDir, boolean gap, int size, int channels, int[] filters, int classes, long seed)
      throws IOException {
    Path ckpt = tmp.resolve(exportDir.getFileName() + "-init").resolve("ckpt");
    Files.createDirectories(ckpt.getParent());
    try (Graph g = new Graph()) {
      Net net = buildNet(g, gap, size, channels, filters, classes);
      Ops tf = Ops.create(g).withSubScope("init");
      Random rnd = new Random(seed);
      try (Session s = new Session(g, CONFIG)) {
        Session.Runner init = s.runner();
        for (Map.Entry<String, Output<TFloat32>> e : net.vars.entrySet()) {
          long[] shape = net.shapes.get(e.getKey());
          float[] v = initialValues(e.getKey(), shape, rnd);
          init.addTarget(tf.assign(e.getValue(), tf.constant(Shape.of(shape), DataBuffers.of(v, true, false))));
        }
        init.run().close();
        s.save(ckpt.toString());
      }
    }
    deleteRecursively(exportDir);
    try (Graph g = new Graph()) {
      Net net = buildNet(g, gap, size, channels, filters, classes);
      try (Session s = new Session(g, CONFIG)) {
        s.restore(ckpt.toString());
        SavedModelBundle.exporter(exportDir.toString())
            .withTags(SERVE)
            .withSession(s)
            .withSignature(
                Signature.builder()
                    .key(SIGNATURE_KEY)
                    .methodName(PREDICT_METHOD)
                    .input("input_1", net.input)
                    .output("dense", net.softmax)
                    .build())
            .export();
      }
    }
    canonicalize(exportDir);
    System.out.println("exported " + exportDir.getFileName() + " (untrained)");
  }

  /** A zero-initialized VariableV2 optimizer slot; its initializer is added to {@code inits}. */
  static Output<TFloat32> slot(B b, Ops tf, List<Op> inits, String name, long[] shape, float[] zeros) {
    Output<TFloat32> v =
        B.out(
            b.op("VariableV2", name)
                .setAttr("dtype", DataType.DT_FLOAT)
                .setAttr("shape", Shape.of(shape))
                .setAttr("container", "")
                .setAttr("shared_name", "")
                .build());
    inits.add(tf.assign(v, tf.constant(Shape.of(shape), DataBuffers.of(zeros, true, false))));
    return v;
  }

  static double accuracy(Session s, Net net, float[] x, int[] y) {
    int correct = 0;
    int n = y.length;
    for (int from = 0; from < n; from += 200) {
      int count = Math.min(200, n - from);
      try (TFloat32 xt = images(x, from, count);
          Result r = s.runner().feed(net.input, xt).fetch(net.softmax).run()) {
        float[] p = toArray(r.get(0));
        for (int i = 0; i < count; i++) {
          if (argMax(p, i * CLASSES, CLASSES) == y[from + i]) {
            correct++;
          }
        }
      }
    }
    return correct / (double) n;
  }

  static int argMax(float[] a, int off, int len) {
    int best = 0;
    for (int i = 1; i < len; i++) {
      if (a[off + i] > a[off + best]) {
        best = i;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------------------------------------
  // verification

  /** Loads both SavedModels and checks they give the same output on the same batch. */
  static void verifySame(Path a, Path b) {
    SyntheticShapes gen = new SyntheticShapes(VERIFY_SEED, SIZE);
    int n = 16;
    float[] x = new float[n * SIZE * SIZE];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      SyntheticShapes.Sample s = gen.next();
      System.arraycopy(s.pixels, 0, x, i * SIZE * SIZE, SIZE * SIZE);
      y[i] = s.label;
    }
    float[] pa = predict(a, x, n);
    float[] pb = predict(b, x, n);
    double maxDiff = 0;
    int agree = 0;
    for (int i = 0; i < pa.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(pa[i] - pb[i]));
    }
    for (int i = 0; i < n; i++) {
      if (argMax(pb, i * CLASSES, CLASSES) == y[i]) {
        agree++;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "verify %s vs %s: max |diff| = %.3g over %d images (%d/%d correct)%n",
        a.getFileName(),
        b.getFileName(),
        maxDiff,
        n,
        agree,
        n);
    if (!(maxDiff < 1e-6)) {
      throw new IllegalStateException("outputs differ: " + maxDiff);
    }
  }

  /** As {@link #verifySame} for random images of {@code size x size x channels}. */
  static void verifySameRandom(Path a, Path b, int size, int channels) {
    Random rnd = new Random(VERIFY_SEED);
    int n = 2;
    float[] x = new float[n * size * size * channels];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat();
    }
    float[] pa = predict(a, x, n, size, channels);
    float[] pb = predict(b, x, n, size, channels);
    double maxDiff = 0;
    for (int i = 0; i < pa.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(pa[i] - pb[i]));
    }
    System.out.printf(
        Locale.ROOT, "verify %s vs %s: max |diff| = %.3g%n", a.getFileName(), b.getFileName(), maxDiff);
    if (!(maxDiff < 1e-6)) {
      throw new IllegalStateException("outputs differ: " + maxDiff);
    }
  }

  /** Runs the serving_default signature of a SavedModel on a batch. */
  static float[] predict(Path model, float[] x, int n) {
    return predict(model, x, n, SIZE, 1);
  }

  static float[] predict(Path model, float[] x, int n, int size, int channels) {
    try (SavedModelBundle m =
        SavedModelBundle.loader(model.toString()).withTags(SERVE).withConfigProto(CONFIG).load()) {
      Signature sig = m.function(SIGNATURE_KEY).signature();
      String in = sig.inputNames().iterator().next();
      String out = sig.outputNames().iterator().next();
      Map<String, Tensor> feed = new HashMap<>();
      try (TFloat32 xt =
          TFloat32.tensorOf(
              Shape.of(n, size, size, channels),
              DataBuffers.of(Arrays.copyOf(x, n * size * size * channels), true, false))) {
        feed.put(in, xt);
        try (Result r = m.function(SIGNATURE_KEY).call(feed)) {
          return toArray(r.get(out).get());
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // (d) and (e)

  /** Tiny TF1 model: output = Identity(input_1 * scale) with a control edge from a WriteFile op. */
  static void exportUnsafeWriteFile(Path dir) throws IOException {
    deleteRecursively(dir);
    try (Graph g = new Graph()) {
      B b = new B(g);
      Output<TFloat32> input = b.placeholder("input_1", -1, SIZE, SIZE, 1);
      Output<TFloat32> scale = b.variable(null, "scale");
      Output<?> scaleVar = g.operation("scale").output(0);
      Output<TFloat32> initial = b.constFloat("scale/initial_value", new long[0], new float[] {1f});
      GraphOperation assign =
          b.op("Assign", "scale/Assign", scaleVar, initial)
              .setAttr("T", DataType.DT_FLOAT)
              .setAttr("validate_shape", true)
              .setAttr("use_locking", true)
              .build();
      Output<TFloat32> mul = B.out(b.op("Mul", "mul", input, scale).setAttr("T", DataType.DT_FLOAT).build());
      Output<?> filename = b.constString("write_file/filename", UNSAFE_PATH);
      Output<?> contents =
          b.constString("write_file/contents", "ConvLens test: this model's WriteFile op was executed\n");
      GraphOperation write = b.op("WriteFile", "write_file", filename, contents).build();
      Output<TFloat32> output =
          B.out(
              b.op("Identity", "output", mul)
                  .addControlInput(write)
                  .setAttr("T", DataType.DT_FLOAT)
                  .build());
      try (Session s = new Session(g, CONFIG)) {
        s.runner().addTarget(assign).run().close();
        SavedModelBundle.exporter(dir.toString())
            .withTags(SERVE)
            .withSession(s)
            .withSignature(
                Signature.builder()
                    .key(SIGNATURE_KEY)
                    .methodName(PREDICT_METHOD)
                    .input("input_1", input)
                    .output("output", output)
                    .build())
            .export();
      }
    }
    canonicalize(dir);
    System.out.println("exported " + dir.getFileName());
  }

  /** Tiny channels-first (NCHW) conv model: ConvLens must recognise the layout and refuse it clearly. */
  static void exportNchw(Path dir) throws IOException {
    deleteRecursively(dir);
    try (Graph g = new Graph()) {
      B b = new B(g);
      Output<TFloat32> input = b.placeholder("input_1", -1, 1, SIZE, SIZE);
      Output<TFloat32> k = b.variable(null, "conv2d/kernel", 3, 3, 1, 4);
      Output<?> kVar = g.operation("conv2d/kernel").output(0);
      float[] init = new float[36];
      Random rnd = new Random(INIT_SEED);
      for (int i = 0; i < init.length; i++) init[i] = (float) rnd.nextGaussian() * 0.3f;
      Output<TFloat32> initial = b.constFloat("conv2d/kernel/initial_value", new long[] {3, 3, 1, 4}, init);
      GraphOperation assign =
          b.op("Assign", "conv2d/kernel/Assign", kVar, initial)
              .setAttr("T", DataType.DT_FLOAT)
              .setAttr("validate_shape", true)
              .setAttr("use_locking", true)
              .build();
      Output<TFloat32> conv =
          B.out(
              b.op("Conv2D", "conv2d/Conv2D", input, k)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("strides", new long[] {1, 1, 1, 1})
                  .setAttr("padding", "SAME")
                  .setAttr("data_format", "NCHW")
                  .setAttr("dilations", new long[] {1, 1, 1, 1})
                  .build());
      Output<TFloat32> output =
          B.out(b.op("Identity", "output", conv).setAttr("T", DataType.DT_FLOAT).build());
      try (Session s = new Session(g, CONFIG)) {
        s.runner().addTarget(assign).run().close();
        SavedModelBundle.exporter(dir.toString())
            .withTags(SERVE)
            .withSession(s)
            .withSignature(
                Signature.builder()
                    .key(SIGNATURE_KEY)
                    .methodName(PREDICT_METHOD)
                    .input("input_1", input)
                    .output("output", output)
                    .build())
            .export();
      }
    }
    canonicalize(dir);
    System.out.println("exported " + dir.getFileName());
  }

  /**
   * UNTRAINED (seeded) TF1 model whose last spatial layer is a 1x1 map, the case where "the last
   * spatial layer" makes a constant class activation map: input [-1,32,32,1], conv2d (8, ReLU) -
   * conv2d_1 (8, ReLU) - max_pooling2d (2x2, 16x16) - max_pooling2d_1 (16x16 window: 1x1x8) -
   * flatten - dense (3, softmax); labels.txt as the shapes models.
   */
  static void exportLastOneByOne(Path dir) throws IOException {
    deleteRecursively(dir);
    try (Graph g = new Graph()) {
      B b = new B(g);
      Net net = new Net();
      net.input = b.placeholder("input_1", -1, SIZE, SIZE, 1);
      Output<TFloat32> x = b.conv(net, "conv2d", net.input, 1, 8);
      x = b.conv(net, "conv2d_1", x, 8, 8);
      x = b.maxPool("max_pooling2d", x);
      x =
          B.out(
              b.op("MaxPool", "sequential/max_pooling2d_1/MaxPool", x)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("ksize", new long[] {1, SIZE / 2, SIZE / 2, 1})
                  .setAttr("strides", new long[] {1, SIZE / 2, SIZE / 2, 1})
                  .setAttr("padding", "VALID")
                  .setAttr("data_format", "NHWC")
                  .build());
      Output<?> shape = b.constInt("sequential/flatten/Const", -1, 8);
      x =
          B.out(
              b.op("Reshape", "sequential/flatten/Reshape", x, shape)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("Tshape", DataType.DT_INT32)
                  .build());
      Output<TFloat32> k = b.variable(net, "sequential/dense/kernel", 8, CLASSES);
      Output<TFloat32> bias = b.variable(net, "sequential/dense/bias", CLASSES);
      Output<TFloat32> mm =
          B.out(
              b.op("MatMul", "sequential/dense/MatMul", x, k)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("transpose_a", false)
                  .setAttr("transpose_b", false)
                  .build());
      net.logits =
          B.out(
              b.op("BiasAdd", "sequential/dense/BiasAdd", mm, bias)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("data_format", "NHWC")
                  .build());
      net.softmax =
          B.out(b.op("Softmax", "sequential/dense/Softmax", net.logits).setAttr("T", DataType.DT_FLOAT).build());
      Ops tf = Ops.create(g).withSubScope("init");
      Random rnd = new Random(INIT_SEED + 11);
      try (Session s = new Session(g, CONFIG)) {
        Session.Runner init = s.runner();
        for (Map.Entry<String, Output<TFloat32>> e : net.vars.entrySet()) {
          long[] sh = net.shapes.get(e.getKey());
          float[] v = initialValues(e.getKey(), sh, rnd);
          if (e.getKey().endsWith("/bias")) {
            // small positive biases keep the ReLUs alive on the random weights
            Arrays.fill(v, 0.05f);
          }
          init.addTarget(tf.assign(e.getValue(), tf.constant(Shape.of(sh), DataBuffers.of(v, true, false))));
        }
        init.run().close();
        SavedModelBundle.exporter(dir.toString())
            .withTags(SERVE)
            .withSession(s)
            .withSignature(
                Signature.builder()
                    .key(SIGNATURE_KEY)
                    .methodName(PREDICT_METHOD)
                    .input("input_1", net.input)
                    .output("dense", net.softmax)
                    .build())
            .export();
      }
    }
    canonicalize(dir);
    writeLabels(dir);
    System.out.println("exported " + dir.getFileName());
  }

  /** Tiny TF1 model whose only input is a string vector: output = StringToNumber(text) * scale. */
  static void exportStringInput(Path dir) throws IOException {
    deleteRecursively(dir);
    try (Graph g = new Graph()) {
      B b = new B(g);
      Output<TString> text =
          B.out(
              b.op("Placeholder", "input_text")
                  .setAttr("dtype", DataType.DT_STRING)
                  .setAttr("shape", Shape.of(-1))
                  .build());
      Output<TFloat32> num =
          B.out(b.op("StringToNumber", "StringToNumber", text).setAttr("out_type", DataType.DT_FLOAT).build());
      Output<?> shape = b.constInt("Reshape/shape", -1, 1);
      Output<TFloat32> col =
          B.out(
              b.op("Reshape", "Reshape", num, shape)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("Tshape", DataType.DT_INT32)
                  .build());
      Output<TFloat32> scale = b.variable(null, "scale");
      Output<?> scaleVar = g.operation("scale").output(0);
      Output<TFloat32> initial = b.constFloat("scale/initial_value", new long[0], new float[] {2f});
      GraphOperation assign =
          b.op("Assign", "scale/Assign", scaleVar, initial)
              .setAttr("T", DataType.DT_FLOAT)
              .setAttr("validate_shape", true)
              .setAttr("use_locking", true)
              .build();
      Output<TFloat32> mul = B.out(b.op("Mul", "mul", col, scale).setAttr("T", DataType.DT_FLOAT).build());
      Output<TFloat32> output = B.out(b.op("Identity", "output", mul).setAttr("T", DataType.DT_FLOAT).build());
      try (Session s = new Session(g, CONFIG)) {
        s.runner().addTarget(assign).run().close();
        SavedModelBundle.exporter(dir.toString())
            .withTags(SERVE)
            .withSession(s)
            .withSignature(
                Signature.builder()
                    .key(SIGNATURE_KEY)
                    .methodName(PREDICT_METHOD)
                    .input("text", text)
                    .output("output", output)
                    .build())
            .export();
      }
    }
    canonicalize(dir);
    // sanity check: "1.5" -> 3.0
    try (SavedModelBundle m =
            SavedModelBundle.loader(dir.toString()).withTags(SERVE).withConfigProto(CONFIG).load();
        TString t = TString.vectorOf("1.5", "-2");
        Result r = m.function(SIGNATURE_KEY).call(Map.of("text", t))) {
      float[] v = toArray(r.get("output").get());
      if (v.length != 2 || v[0] != 3f || v[1] != -4f) {
        throw new IllegalStateException("string-input gave " + Arrays.toString(v));
      }
    }
    System.out.println("exported " + dir.getFileName());
  }

  // ---------------------------------------------------------------------------------------------
  // images

  static void writeImages(Path imagesDir, Path model) throws IOException {
    System.out.println();
    Files.createDirectories(imagesDir);
    // demo: a large, centred ring that the model classifies confidently
    SyntheticShapes demoGen = new SyntheticShapes(DEMO_SEED, SIZE);
    for (int tries = 0; ; tries++) {
      SyntheticShapes.Sample s = demoGen.next(1);
      if (s.radius == 7 && Math.abs(s.cx - SIZE / 2) <= 1 && Math.abs(s.cy - SIZE / 2) <= 1) {
        float[] p = predict(model, s.pixels, 1);
        if (p[1] > 0.95f) {
          writeTiff(imagesDir.resolve("demo-ring.tif"), s.pixels, "demo-ring");
          System.out.printf(
              Locale.ROOT,
              "demo-ring.tif: ring r=7 at (%d,%d), p(ring)=%.4f (candidate %d)%n",
              s.cx,
              s.cy,
              p[1],
              tries);
          break;
        }
      }
      if (tries > 100000) {
        throw new IllegalStateException("no demo ring found");
      }
    }

    Path loc = imagesDir.resolve("localization");
    deleteRecursively(loc);
    Files.createDirectories(loc);
    SyntheticShapes gen = new SyntheticShapes(LOCALIZATION_SEED, SIZE);
    StringBuilder csv = new StringBuilder("file,label,class,cx,cy,x0,y0,x1,y1\n");
    float[] all = new float[LOCALIZATION_IMAGES * SIZE * SIZE];
    int[] labels = new int[LOCALIZATION_IMAGES];
    for (int i = 0; i < LOCALIZATION_IMAGES; i++) {
      SyntheticShapes.Sample s = gen.next();
      String file = String.format(Locale.ROOT, "shape_%03d.tif", i);
      writeTiff(loc.resolve(file), s.pixels, file.substring(0, file.length() - 4));
      csv.append(
          String.format(
              Locale.ROOT,
              "%s,%d,%s,%d,%d,%d,%d,%d,%d%n",
              file,
              s.label,
              s.className(),
              s.cx,
              s.cy,
              s.x0,
              s.y0,
              s.x1,
              s.y1));
      // what the model sees: the 8-bit quantized image, scaled back to [0, 1]
      float[] q = quantized(s.pixels);
      System.arraycopy(q, 0, all, i * SIZE * SIZE, SIZE * SIZE);
      labels[i] = s.label;
    }
    Files.write(loc.resolve("ground-truth.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
    float[] p = predict(model, all, LOCALIZATION_IMAGES);
    int correct = 0;
    for (int i = 0; i < LOCALIZATION_IMAGES; i++) {
      if (argMax(p, i * CLASSES, CLASSES) == labels[i]) {
        correct++;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "localization: %d images, shapes-tf1 accuracy on the 8-bit images (/255) %d/%d%n",
        LOCALIZATION_IMAGES,
        correct,
        LOCALIZATION_IMAGES);
  }

  static byte[] toBytes(float[] pixels) {
    byte[] b = new byte[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      float v = Math.max(0f, Math.min(1f, pixels[i]));
      b[i] = (byte) Math.round(255f * v);
    }
    return b;
  }

  static float[] quantized(float[] pixels) {
    byte[] b = toBytes(pixels);
    float[] q = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      q[i] = (b[i] & 0xff) / 255f;
    }
    return q;
  }

  static void writeTiff(Path file, float[] pixels, String title) {
    ImagePlus imp = new ImagePlus(title, new ByteProcessor(SIZE, SIZE, toBytes(pixels)));
    if (!new FileSaver(imp).saveAsTiff(file.toString())) {
      throw new UncheckedIOException(new IOException("could not write " + file));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // files

  /**
   * Rewrites saved_model.pb with deterministic protobuf serialization (map entries, e.g. node
   * attrs, sorted by key). TF's C++ side emits map entries in hash order, which varies between
   * runs, so without this the same graph gives different bytes.
   */
  static void canonicalize(Path modelDir) throws IOException {
    Path pb = modelDir.resolve("saved_model.pb");
    writeDeterministic(pb, SavedModel.parseFrom(Files.readAllBytes(pb)));
  }

  static void writeDeterministic(Path file, com.google.protobuf.Message m) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    m.writeTo(out);
    out.flush();
    Files.write(file, bytes.toByteArray());
  }

  static void writeLabels(Path modelDir) throws IOException {
    Files.write(
        modelDir.resolve("labels.txt"),
        (String.join("\n", SyntheticShapes.CLASS_NAMES) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static void copyDirectory(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(q);
      }
    }
  }

  static void printSizes(Path out) throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(out.resolve("models"))) {
      s.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    for (Path f : files) {
      String sha = "";
      if (f.getFileName().toString().startsWith("variables.")
          || f.getFileName().toString().equals("saved_model.pb")) {
        sha = "  sha256 " + sha256(f).substring(0, 16);
      }
      System.out.printf(Locale.ROOT, "%9d  %s%s%n", Files.size(f), out.relativize(f), sha);
    }
  }

  static String sha256(Path f) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] d = md.digest(Files.readAllBytes(f));
    StringBuilder sb = new StringBuilder();
    for (byte x : d) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Keras/TF2-style wrapping by proto manipulation

  /**
   * Rewrites a TF1-style SavedModel of {@link #buildNet} into the layout Keras (TF2) exports:
   *
   * <pre>
   * serving_default_input_1 (Placeholder)   sequential/.../kernel, ... (VarHandleOp, shared_name = name)
   *            \                             /
   *             StatefulPartitionedCall (f = __inference_signature_wrapper_W)   -> output :0
   *               function __inference_signature_wrapper_W(input_1, unknown, unknown_0, ...)
   *                 StatefulPartitionedCall (f = __inference__wrapped_model_M) -> Identity
   *               function __inference__wrapped_model_M(input_1, *_readvariableop_resource ...)
   *                 ReadVariableOp + the network ops, NoOp, Identity
   * saver_filename, saver/RestoreV2 + saver/AssignVariableOp_* -> saver/restore_all (top level)
   * NoOp (the __saved_model_init_op signature)
   * </pre>
   *
   * The variables/ checkpoint is copied: names are the same.
   */
  static final class KerasWrapper {

    private static Map<String, OpDef> opDefs;

    static synchronized Map<String, OpDef> opDefs() {
      if (opDefs == null) {
        opDefs = new HashMap<>();
        OpList list = TensorFlow.registeredOpList();
        for (OpDef d : list.getOpList()) {
          opDefs.put(d.getName(), d);
        }
      }
      return opDefs;
    }

    static OpDef opDef(String op) {
      OpDef d = opDefs().get(op);
      if (d == null) {
        throw new IllegalArgumentException("unknown op " + op);
      }
      return d;
    }

    static void wrap(Path tf1Dir, Path outDir, int wrappedModelId, int signatureWrapperId)
        throws IOException {
      SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(tf1Dir.resolve("saved_model.pb")));
      MetaGraphDef mg = sm.getMetaGraphs(0);
      GraphDef gd = mg.getGraphDef();
      SignatureDef sig = mg.getSignatureDefOrThrow(SIGNATURE_KEY);
      Map.Entry<String, TensorInfo> inEntry = sig.getInputsMap().entrySet().iterator().next();
      Map.Entry<String, TensorInfo> outEntry = sig.getOutputsMap().entrySet().iterator().next();
      String inKey = inEntry.getKey();
      String inNode = nodeName(inEntry.getValue().getName());
      String outNode = nodeName(outEntry.getValue().getName());

      Map<String, NodeDef> byName = new LinkedHashMap<>();
      for (NodeDef n : gd.getNodeList()) {
        byName.put(n.getName(), n);
      }
      // VariableV2 nodes and their <var>/read identities
      Map<String, String> varOf = new HashMap<>();
      for (NodeDef n : gd.getNodeList()) {
        if (n.getOp().equals("VariableV2")) {
          varOf.put(n.getName(), n.getName());
        }
      }
      for (NodeDef n : gd.getNodeList()) {
        if (n.getOp().equals("Identity")
            && n.getInputCount() == 1
            && varOf.containsKey(nodeName(n.getInput(0)))) {
          varOf.put(n.getName(), nodeName(n.getInput(0)));
        }
      }
      // network nodes: everything the output depends on, except input and variables
      Set<String> needed = new HashSet<>();
      List<String> stack = new ArrayList<>(List.of(outNode));
      while (!stack.isEmpty()) {
        String name = stack.remove(stack.size() - 1);
        if (!needed.add(name)) {
          continue;
        }
        NodeDef n = byName.get(name);
        if (n == null) {
          throw new IllegalStateException("missing node " + name);
        }
        for (String in : n.getInputList()) {
          stack.add(nodeName(in));
        }
      }

      // --- function body of __inference__wrapped_model
      String wrappedName = "__inference__wrapped_model_" + wrappedModelId;
      String wrapperName = "__inference_signature_wrapper_" + signatureWrapperId;
      List<NodeDef> body = new ArrayList<>();
      List<String> resourceArgs = new ArrayList<>();
      List<String> resourceVars = new ArrayList<>();
      List<String> readOps = new ArrayList<>();
      for (NodeDef n : gd.getNodeList()) {
        String name = n.getName();
        if (!needed.contains(name) || name.equals(inNode) || varOf.containsKey(name)) {
          continue;
        }
        NodeDef.Builder nb = n.toBuilder().clearInput().setDevice("");
        nb.removeAttr("_class");
        int reads = 0;
        for (String in : n.getInputList()) {
          if (in.startsWith("^")) {
            String c = in.substring(1);
            if (!varOf.containsKey(c) && !c.equals(inNode)) {
              nb.addInput(in);
            }
            continue;
          }
          String src = nodeName(in);
          int idx = outputIndex(in);
          if (src.equals(inNode)) {
            nb.addInput(inKey);
          } else if (varOf.containsKey(src)) {
            String var = varOf.get(src);
            String suffix = reads == 0 ? "" : "_" + reads;
            reads++;
            String rvName = name + "/ReadVariableOp" + suffix;
            String arg =
                name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_")
                    + "_readvariableop"
                    + suffix
                    + "_resource";
            resourceArgs.add(arg);
            resourceVars.add(var);
            readOps.add(rvName);
            body.add(
                withDefaults(
                    NodeDef.newBuilder()
                        .setName(rvName)
                        .setOp("ReadVariableOp")
                        .addInput(arg)
                        .putAttr("dtype", byName.get(var).getAttrOrThrow("dtype"))
                        .build()));
            nb.addInput(rvName + ":value:0");
          } else {
            NodeDef srcNode = byName.get(src);
            nb.addInput(src + ":" + outputArg(srcNode, idx));
          }
        }
        body.add(nb.build());
      }
      NodeDef.Builder noOp = NodeDef.newBuilder().setName("NoOp").setOp("NoOp");
      for (String r : readOps) {
        noOp.addInput("^" + r);
      }
      body.add(noOp.build());
      DataType outType = outEntry.getValue().getDtype();
      body.add(
          NodeDef.newBuilder()
              .setName("Identity")
              .setOp("Identity")
              .addInput(outNode + ":" + outputArg(byName.get(outNode), outputIndex(outEntry.getValue().getName())))
              .addInput("^NoOp")
              .putAttr("T", type(outType))
              .build());

      DataType inType = inEntry.getValue().getDtype();
      OpDef.Builder wrappedSig =
          OpDef.newBuilder()
              .setName(wrappedName)
              .addInputArg(OpDef.ArgDef.newBuilder().setName(inKey).setType(inType))
              .addOutputArg(OpDef.ArgDef.newBuilder().setName("identity").setType(outType))
              .setIsStateful(true)
              .addControlOutput("NoOp");
      for (String arg : resourceArgs) {
        wrappedSig.addInputArg(OpDef.ArgDef.newBuilder().setName(arg).setType(DataType.DT_RESOURCE));
      }
      FunctionDef.Builder wrapped =
          FunctionDef.newBuilder()
              .setSignature(wrappedSig)
              .addAllNodeDef(body)
              .putRet("identity", "Identity:output:0")
              .putControlRet("NoOp", "NoOp");
      addUserSpecifiedNames(wrapped, inKey, resourceArgs.size());

      // --- __inference_signature_wrapper: forwards to the wrapped model
      List<String> outerArgs = new ArrayList<>();
      for (int i = 0; i < resourceArgs.size(); i++) {
        outerArgs.add(i == 0 ? "unknown" : "unknown_" + (i - 1));
      }
      OpDef.Builder wrapperSig =
          OpDef.newBuilder()
              .setName(wrapperName)
              .addInputArg(OpDef.ArgDef.newBuilder().setName(inKey).setType(inType))
              .addOutputArg(OpDef.ArgDef.newBuilder().setName("identity").setType(outType))
              .setIsStateful(true);
      List<String> innerInputs = new ArrayList<>(List.of(inKey));
      for (String arg : outerArgs) {
        wrapperSig.addInputArg(OpDef.ArgDef.newBuilder().setName(arg).setType(DataType.DT_RESOURCE));
        innerInputs.add(arg);
      }
      FunctionDef.Builder wrapper =
          FunctionDef.newBuilder()
              .setSignature(wrapperSig)
              .addNodeDef(call("StatefulPartitionedCall", wrappedName, innerInputs, inType, outType))
              .addNodeDef(
                  NodeDef.newBuilder()
                      .setName("Identity")
                      .setOp("Identity")
                      .addInput("StatefulPartitionedCall:output:0")
                      .addInput("^StatefulPartitionedCall")
                      .putAttr("T", type(outType)))
              .putRet("identity", "Identity:output:0");
      addUserSpecifiedNames(wrapper, inKey, outerArgs.size());

      // --- top level graph
      GraphDef.Builder top = GraphDef.newBuilder().setVersions(gd.getVersions());
      String servingInput = "serving_default_" + inKey;
      NodeDef inDef = byName.get(inNode);
      top.addNode(
          withDefaults(
              NodeDef.newBuilder()
                  .setName(servingInput)
                  .setOp("Placeholder")
                  .putAttr("dtype", inDef.getAttrOrThrow("dtype"))
                  .putAttr("shape", inDef.getAttrOrThrow("shape"))
                  .build()));
      // unique variables in the order their handles are passed
      List<String> vars = new ArrayList<>(new java.util.LinkedHashSet<>(resourceVars));
      for (String v : vars) {
        NodeDef vd = byName.get(v);
        top.addNode(
            withDefaults(
                NodeDef.newBuilder()
                    .setName(v)
                    .setOp("VarHandleOp")
                    .putAttr("dtype", vd.getAttrOrThrow("dtype"))
                    .putAttr("shape", vd.getAttrOrThrow("shape"))
                    .putAttr("container", str(""))
                    .putAttr("shared_name", str(v))
                    .build()));
      }
      List<String> topInputs = new ArrayList<>(List.of(servingInput));
      topInputs.addAll(resourceVars);
      top.addNode(call("StatefulPartitionedCall", wrapperName, topInputs, inType, outType));

      // saver: filename placeholder, SaveV2 and RestoreV2 + AssignVariableOp
      top.addNode(
          withDefaults(
              NodeDef.newBuilder()
                  .setName("saver_filename")
                  .setOp("Placeholder")
                  .putAttr("dtype", type(DataType.DT_STRING))
                  .putAttr("shape", AttrValue.newBuilder().setShape(TensorShapeProto.newBuilder()).build())
                  .build()));
      List<String> empties = new ArrayList<>();
      AttrValue.ListValue.Builder dtypes = AttrValue.ListValue.newBuilder();
      for (String v : vars) {
        empties.add("");
        dtypes.addType(byName.get(v).getAttrOrThrow("dtype").getType());
      }
      top.addNode(stringConst("saver/tensor_names", vars));
      top.addNode(stringConst("saver/shape_and_slices", empties));
      NodeDef.Builder save =
          NodeDef.newBuilder()
              .setName("saver/SaveV2")
              .setOp("SaveV2")
              .addInput("saver_filename")
              .addInput("saver/tensor_names")
              .addInput("saver/shape_and_slices")
              .putAttr("dtypes", AttrValue.newBuilder().setList(dtypes).build());
      for (int i = 0; i < vars.size(); i++) {
        String rv = "saver/ReadVariableOp" + (i == 0 ? "" : "_" + i);
        top.addNode(
            withDefaults(
                NodeDef.newBuilder()
                    .setName(rv)
                    .setOp("ReadVariableOp")
                    .addInput(vars.get(i))
                    .putAttr("dtype", byName.get(vars.get(i)).getAttrOrThrow("dtype"))
                    .build()));
        save.addInput(rv);
      }
      top.addNode(withDefaults(save.build()));
      top.addNode(
          NodeDef.newBuilder()
              .setName("saver/Identity")
              .setOp("Identity")
              .addInput("saver_filename")
              .addInput("^saver/SaveV2")
              .putAttr("T", type(DataType.DT_STRING)));
      top.addNode(
          withDefaults(
              NodeDef.newBuilder()
                  .setName("saver/RestoreV2")
                  .setOp("RestoreV2")
                  .addInput("saver_filename")
                  .addInput("saver/tensor_names")
                  .addInput("saver/shape_and_slices")
                  .putAttr("dtypes", AttrValue.newBuilder().setList(dtypes).build())
                  .build()));
      NodeDef.Builder restoreAll = NodeDef.newBuilder().setName("saver/restore_all").setOp("NoOp");
      for (int i = 0; i < vars.size(); i++) {
        String av = "saver/AssignVariableOp" + (i == 0 ? "" : "_" + i);
        top.addNode(
            withDefaults(
                NodeDef.newBuilder()
                    .setName(av)
                    .setOp("AssignVariableOp")
                    .addInput(vars.get(i))
                    .addInput("saver/RestoreV2:" + i)
                    .putAttr("dtype", byName.get(vars.get(i)).getAttrOrThrow("dtype"))
                    .build()));
        restoreAll.addInput("^" + av);
      }
      top.addNode(restoreAll);
      top.addNode(NodeDef.newBuilder().setName("NoOp").setOp("NoOp"));
      top.setLibrary(FunctionDefLibrary.newBuilder().addFunction(wrapper).addFunction(wrapped));

      // stripped op list: every op type used, without docs
      Set<String> used = new TreeSet<>();
      for (NodeDef n : top.getNodeList()) {
        used.add(n.getOp());
      }
      for (FunctionDef f : top.getLibrary().getFunctionList()) {
        for (NodeDef n : f.getNodeDefList()) {
          used.add(n.getOp());
        }
      }
      OpList.Builder stripped = OpList.newBuilder();
      for (String op : used) {
        stripped.addOp(stripDocs(opDef(op)));
      }

      SignatureDef.Builder serving =
          SignatureDef.newBuilder()
              .setMethodName(PREDICT_METHOD)
              .putInputs(inKey, inEntry.getValue().toBuilder().setName(servingInput + ":0").build())
              .putOutputs(
                  outEntry.getKey(),
                  outEntry.getValue().toBuilder().setName("StatefulPartitionedCall:0").build());
      SignatureDef.Builder initSig =
          SignatureDef.newBuilder()
              .putOutputs(
                  "__saved_model_init_op",
                  TensorInfo.newBuilder()
                      .setName("NoOp")
                      .setTensorShape(TensorShapeProto.newBuilder().setUnknownRank(true))
                      .build());
      MetaGraphDef.Builder meta =
          MetaGraphDef.newBuilder()
              .setMetaInfoDef(
                  MetaGraphDef.MetaInfoDef.newBuilder()
                      .addTags(SERVE)
                      .setTensorflowVersion(TensorFlow.version())
                      .setStrippedOpList(stripped))
              .setGraphDef(top)
              .setSaverDef(
                  SaverDef.newBuilder()
                      .setFilenameTensorName("saver_filename:0")
                      .setSaveTensorName("saver/Identity:0")
                      .setRestoreOpName("saver/restore_all")
                      .setVersion(SaverDef.CheckpointFormatVersion.V2))
              .putSignatureDef(SIGNATURE_KEY, serving.build())
              .putSignatureDef("__saved_model_init_op", initSig.build());

      deleteRecursively(outDir);
      Files.createDirectories(outDir);
      copyDirectory(tf1Dir.resolve("variables"), outDir.resolve("variables"));
      writeDeterministic(
          outDir.resolve("saved_model.pb"),
          SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build());
      System.out.printf(
          Locale.ROOT,
          "wrapped %s -> %s (%d function-body nodes, %d variables)%n",
          tf1Dir.getFileName(),
          outDir.getFileName(),
          body.size(),
          vars.size());
    }

    /** A StatefulPartitionedCall node as Keras writes it (with defaults filled in). */
    static NodeDef call(String name, String function, List<String> inputs, DataType in, DataType out) {
      AttrValue.ListValue.Builder tin = AttrValue.ListValue.newBuilder().addType(in);
      AttrValue.ListValue.Builder readOnly = AttrValue.ListValue.newBuilder();
      for (int i = 1; i < inputs.size(); i++) {
        tin.addType(DataType.DT_RESOURCE);
        readOnly.addI(i);
      }
      return withDefaults(
          NodeDef.newBuilder()
              .setName(name)
              .setOp("StatefulPartitionedCall")
              .addAllInput(inputs)
              .putAttr("Tin", AttrValue.newBuilder().setList(tin).build())
              .putAttr(
                  "Tout",
                  AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addType(out)).build())
              .putAttr(
                  "f",
                  AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(function)).build())
              .putAttr("_collective_manager_ids", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()).build())
              .putAttr("_read_only_resource_inputs", AttrValue.newBuilder().setList(readOnly).build())
              .build());
    }

    static void addUserSpecifiedNames(FunctionDef.Builder f, String inKey, int resources) {
      f.putArgAttr(
          0,
          FunctionDef.ArgAttrs.newBuilder().putAttr("_user_specified_name", str(inKey)).build());
      for (int i = 1; i <= resources; i++) {
        f.putArgAttr(
            i,
            FunctionDef.ArgAttrs.newBuilder().putAttr("_user_specified_name", str("resource")).build());
      }
    }

    static NodeDef stringConst(String name, List<String> values) {
      TensorProto.Builder t =
          TensorProto.newBuilder()
              .setDtype(DataType.DT_STRING)
              .setTensorShape(
                  TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(values.size())));
      for (String v : values) {
        t.addStringVal(com.google.protobuf.ByteString.copyFromUtf8(v));
      }
      return NodeDef.newBuilder()
          .setName(name)
          .setOp("Const")
          .putAttr("dtype", type(DataType.DT_STRING))
          .putAttr("value", AttrValue.newBuilder().setTensor(t).build())
          .build();
    }

    /** Adds every attr of the op's definition that has a default and is not set. */
    static NodeDef withDefaults(NodeDef n) {
      OpDef d = opDef(n.getOp());
      NodeDef.Builder b = n.toBuilder();
      for (OpDef.AttrDef a : d.getAttrList()) {
        if (!n.containsAttr(a.getName())) {
          if (!a.hasDefaultValue()) {
            throw new IllegalArgumentException(n.getName() + ": attr " + a.getName() + " not set");
          }
          b.putAttr(a.getName(), a.getDefaultValue());
        }
      }
      return b.build();
    }

    static OpDef stripDocs(OpDef d) {
      OpDef.Builder b = d.toBuilder().clearSummary().clearDescription();
      for (OpDef.ArgDef.Builder a : b.getInputArgBuilderList()) {
        a.clearDescription();
      }
      for (OpDef.ArgDef.Builder a : b.getOutputArgBuilderList()) {
        a.clearDescription();
      }
      for (OpDef.AttrDef.Builder a : b.getAttrBuilderList()) {
        a.clearDescription();
      }
      return b.build();
    }

    /** "name:arg:i" tail for output {@code index} of a node, per its op's output args. */
    static String outputArg(NodeDef n, int index) {
      OpDef d = opDef(n.getOp());
      int start = 0;
      for (OpDef.ArgDef a : d.getOutputArgList()) {
        int count = 1;
        if (!a.getNumberAttr().isEmpty()) {
          count = (int) n.getAttrOrThrow(a.getNumberAttr()).getI();
        } else if (!a.getTypeListAttr().isEmpty()) {
          count = n.getAttrOrThrow(a.getTypeListAttr()).getList().getTypeCount();
        }
        if (index < start + count) {
          return a.getName() + ":" + (index - start);
        }
        start += count;
      }
      throw new IllegalArgumentException(n.getName() + " has no output " + index);
    }

    static String nodeName(String tensor) {
      String s = tensor.startsWith("^") ? tensor.substring(1) : tensor;
      int colon = s.indexOf(':');
      return colon < 0 ? s : s.substring(0, colon);
    }

    static int outputIndex(String tensor) {
      int colon = tensor.lastIndexOf(':');
      return colon < 0 ? 0 : Integer.parseInt(tensor.substring(colon + 1));
    }

    static AttrValue str(String s) {
      return AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8(s)).build();
    }

    static AttrValue type(DataType t) {
      return AttrValue.newBuilder().setType(t).build();
    }
  }
}
