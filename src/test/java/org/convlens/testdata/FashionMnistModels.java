package org.convlens.testdata;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.convlens.testdata.TestModelGenerator.B;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Trains the two real-data test models on Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, MIT
 * licence) in TF Java and writes them, Keras/TF2 style, with {@code labels.txt}, plus 50 real test
 * images. The data come from Debian's {@code dataset-fashion-mnist} package ({@value #DATA_DIR});
 * only this generator reads them, tests use the committed outputs.
 *
 * <ul>
 *   <li>{@code models/fashion-plain}: Sequential-style conv stack fed ÷255 pixels, the shape of the
 *       TensorFlow CNN tutorial with 'same' padding: conv2d (32) - max_pooling2d - conv2d_1 (64) -
 *       max_pooling2d_1 - conv2d_2 (32, 7x7) - flatten - dense ({@value #HIDDEN}, ReLU) - dense_1
 *       (10, softmax). Default preprocessing: ÷ type range. (With flatten straight into the softmax,
 *       Grad-CAM's channel weights at conv2d_2 did not depend on the image and were all negative:
 *       an all-zero map on every image.)
 *   <li>{@code models/fashion-resnet}: functional-style graph ({@code model/...} scopes) that takes
 *       RAW 0..255 pixels: rescaling (Mul 1/255, AddV2 0, as Keras's {@code Rescaling(1/255)}) -
 *       conv2d - batch_normalization (FusedBatchNormV3, inference form) - activation - max_pooling2d
 *       - residual block (conv2d_1, batch_normalization_1, activation_1, conv2d_2,
 *       batch_normalization_2, add, activation_2) - conv2d_3 - batch_normalization_3 - activation_3
 *       - max_pooling2d_1 (7x7) - residual block (conv2d_4 ... add_1, activation_5) -
 *       global_average_pooling2d - dense (10, softmax). Trained with batch statistics (plain ops,
 *       whose gradients TF Java has), exported with the moving mean and variance.
 *   <li>{@code images/fashion/NN-class.tif}: the first {@value #PER_CLASS} test-set (t10k) images of
 *       each class, 8-bit 28x28, and {@code images/fashion/labels.csv} ({@code
 *       file,label,class,t10k_index}).
 * </ul>
 *
 * <p>Regenerate only these (about 2.5 minutes on 2 idle cores; needs {@code apt-get install
 * dataset-fashion-mnist}), from the project root:
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -Djava.awt.headless=true -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     org.convlens.testdata.FashionMnistModels test-data [fashion-plain] [fashion-resnet]
 * </pre>
 *
 * <p>(Naming models retrains only those; the images and their accuracy line are always rewritten.)
 *
 * <p>{@link TestModelGenerator} also calls {@link #generate} when the data are installed. Seeds are
 * fixed and training runs single-threaded, so reruns give the same files.
 */
public final class FashionMnistModels {

  /** Where Debian's {@code dataset-fashion-mnist} puts the IDX files. */
  public static final String DATA_DIR = "/usr/share/datasets/fashion-mnist";
  static final String[] CLASS_NAMES = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
  };
  static final int SIZE = 28;
  static final int PX = SIZE * SIZE;
  static final int CLASSES = 10;
  /** Training images used (the whole training set). */
  static final int TRAIN_SAMPLES = 60000;
  static final int BATCH = 64;
  static final int EPOCHS = 4;
  static final float LEARNING_RATE = 0.001f;
  static final float BN_MOMENTUM = 0.99f;
  static final float BN_EPSILON = 1e-3f;
  static final int PER_CLASS = 5;
  /** Units of fashion-plain's hidden Dense layer. */
  static final int HIDDEN = 32;
  static final long INIT_SEED = 9009L;
  static final long SHUFFLE_SEED = 9109L;
  static final double MIN_PLAIN = 0.85;
  static final double MIN_RESNET = 0.80;

  private FashionMnistModels() {}

  /**
   * {@code [outDir [model ...]]}: with model names ({@code fashion-plain}, {@code fashion-resnet})
   * only those are retrained; the images are rewritten either way.
   */
  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args.length > 0 ? args[0] : "test-data").toAbsolutePath();
    Set<String> only = new LinkedHashSet<>(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
    generate(out, only);
  }

  /** Whether the Fashion-MNIST files are installed. */
  static boolean dataAvailable() {
    return Files.isRegularFile(Paths.get(DATA_DIR, "train-images-idx3-ubyte.gz"));
  }

  /** Trains and writes both models and the test images under {@code out}. */
  static void generate(Path out) throws Exception {
    generate(out, Set.of());
  }

  /** As {@link #generate(Path)}, retraining only the models named in {@code only} (all when empty). */
  static void generate(Path out, Set<String> only) throws Exception {
    long t0 = System.nanoTime();
    byte[] trainX = readIdx(Paths.get(DATA_DIR, "train-images-idx3-ubyte.gz"), 2051);
    byte[] trainY = readIdx(Paths.get(DATA_DIR, "train-labels-idx1-ubyte.gz"), 2049);
    byte[] testX = readIdx(Paths.get(DATA_DIR, "t10k-images-idx3-ubyte.gz"), 2051);
    byte[] testY = readIdx(Paths.get(DATA_DIR, "t10k-labels-idx1-ubyte.gz"), 2049);
    Path models = out.resolve("models");
    Files.createDirectories(models);
    Path tmp = Files.createTempDirectory("convlens-fashion");
    try {
      Path plain = models.resolve("fashion-plain");
      double plainAcc = Double.NaN;
      if (only.isEmpty() || only.contains("fashion-plain")) {
        Path plainTf1 = tmp.resolve("fashion-plain-tf1");
        plainAcc = train(new Plain(), trainX, trainY, testX, testY, tmp, plainTf1);
        TestModelGenerator.KerasWrapper.wrap(plainTf1, plain, 4411, 4485);
        writeLabels(plain);
      }

      Path res = models.resolve("fashion-resnet");
      double resAcc = Double.NaN;
      if (only.isEmpty() || only.contains("fashion-resnet")) {
        Path resTf1 = tmp.resolve("fashion-resnet-tf1");
        resAcc = train(new Resnet(), trainX, trainY, testX, testY, tmp, resTf1);
        TestModelGenerator.KerasWrapper.wrap(resTf1, res, 5511, 5585);
        writeLabels(res);
      }

      writeImages(out.resolve("images").resolve("fashion"), testX, testY, plain, res);
      System.out.printf(Locale.ROOT, "t10k accuracy: fashion-plain %.4f, fashion-resnet %.4f%n", plainAcc, resAcc);
    } finally {
      TestModelGenerator.deleteRecursively(tmp);
    }
    System.out.printf(Locale.ROOT, "fashion models done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  // ---------------------------------------------------------------------------------------------
  // data

  /** The payload of a gzipped IDX file (images: n*28*28 bytes; labels: n bytes). */
  public static byte[] readIdx(Path file, int magic) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
      int m = in.readInt();
      if (m != magic) throw new IOException(file + ": magic " + m + ", expected " + magic);
      int n = in.readInt();
      int size = n;
      if (magic == 2051) {
        int rows = in.readInt();
        int cols = in.readInt();
        if (rows != SIZE || cols != SIZE) throw new IOException(file + ": images are " + rows + "x" + cols);
        size = n * rows * cols;
      }
      byte[] b = new byte[size];
      in.readFully(b);
      return b;
    }
  }

  /** Images {@code idx[from..from+count)} as a [count, 28, 28, 1] tensor, times {@code scale}. */
  static TFloat32 batch(byte[] x, int[] idx, int from, int count, float scale) {
    float[] f = new float[count * PX];
    for (int i = 0; i < count; i++) {
      int src = (idx == null ? from + i : idx[from + i]) * PX;
      for (int p = 0; p < PX; p++) f[i * PX + p] = (x[src + p] & 0xff) * scale;
    }
    return TFloat32.tensorOf(Shape.of(count, SIZE, SIZE, 1), DataBuffers.of(f, true, false));
  }

  // ---------------------------------------------------------------------------------------------
  // networks

  /** One graph of a network: training form (batch statistics, moving-average updates) or inference form. */
  static final class Net {
    Output<TFloat32> input;
    Output<TFloat32> logits;
    Output<TFloat32> softmax;
    /** variable name -> VariableV2 output, in creation order. */
    final Map<String, Output<TFloat32>> vars = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    /** Variables not trained by gradient (BatchNorm moving statistics). */
    final Set<String> frozen = new LinkedHashSet<>();
    /** Moving-statistics updates (training form only). */
    final List<Op> updates = new ArrayList<>();
  }

  interface Arch {
    String name();

    /** What the model's input takes: 1/255 for a model fed ÷255 pixels, 1 for raw pixels. */
    float inputScale();

    double minAccuracy();

    /** The signature's output key: Keras names it after the last layer. */
    String outputName();

    Net build(Graph g, boolean training);
  }

  /** Op helpers with Keras-like names under a model prefix. */
  static final class Layers {
    final B b;
    final Graph g;
    final Net net;
    final String prefix;
    final boolean training;
    final Ops tf;

    Layers(Graph g, Net net, String prefix, boolean training) {
      this.g = g;
      this.b = new B(g);
      this.net = net;
      this.prefix = prefix;
      this.training = training;
      this.tf = Ops.create(g).withSubScope("bn_updates");
    }

    Output<TFloat32> var(String name, long... shape) {
      Output<TFloat32> read = b.variable(null, name, shape);
      net.vars.put(name, B.out(g.operation(name)));
      net.shapes.put(name, shape);
      return read;
    }

    Output<TFloat32> conv(String layer, Output<TFloat32> in, long cin, long cout, boolean bias, boolean relu) {
      String p = prefix + layer + "/";
      Output<TFloat32> k = var(p + "kernel", 3, 3, cin, cout);
      Output<TFloat32> x =
          B.out(
              b.op("Conv2D", p + "Conv2D", in, k)
                  .setAttr("T", DataType.DT_FLOAT)
                  .setAttr("strides", new long[] {1, 1, 1, 1})
                  .setAttr("padding", "SAME")
                  .setAttr("data_format", "NHWC")
                  .setAttr("dilations", new long[] {1, 1, 1, 1})
                  .build());
      if (bias) {
        Output<TFloat32> bb = var(p + "bias", cout);
        x = B.out(b.op("BiasAdd", p + "BiasAdd", x, bb).setAttr("T", DataType.DT_FLOAT).setAttr("data_format", "NHWC").build());
      }
      if (relu) x = B.out(b.op("Relu", p + "Relu", x).setAttr("T", DataType.DT_FLOAT).build());
      return x;
    }

    Output<TFloat32> relu(String layer, Output<TFloat32> in) {
      return B.out(b.op("Relu", prefix + layer + "/Relu", in).setAttr("T", DataType.DT_FLOAT).build());
    }

    Output<TFloat32> maxPool(String layer, Output<TFloat32> in) {
      return B.out(
          b.op("MaxPool", prefix + layer + "/MaxPool", in)
              .setAttr("T", DataType.DT_FLOAT)
              .setAttr("ksize", new long[] {1, 2, 2, 1})
              .setAttr("strides", new long[] {1, 2, 2, 1})
              .setAttr("padding", "VALID")
              .setAttr("data_format", "NHWC")
              .build());
    }

    Output<TFloat32> binary(String type, String name, Operand<?> x, Operand<?> y) {
      return B.out(b.op(type, name, x, y).setAttr("T", DataType.DT_FLOAT).build());
    }

    Output<TFloat32> scalar(String name, float v) {
      return b.constFloat(name, new long[0], new float[] {v});
    }

    /**
     * Keras BatchNormalization: inference form FusedBatchNormV3 (is_training false) on the moving
     * statistics; training form the same arithmetic on the batch's moments, plus moving-average
     * updates of the statistics.
     */
    Output<TFloat32> batchNorm(String layer, Output<TFloat32> x, long c) {
      String p = prefix + layer + "/";
      Output<TFloat32> gamma = var(p + "gamma", c);
      Output<TFloat32> beta = var(p + "beta", c);
      Output<TFloat32> mm = var(p + "moving_mean", c);
      Output<TFloat32> mv = var(p + "moving_variance", c);
      net.frozen.add(p + "moving_mean");
      net.frozen.add(p + "moving_variance");
      if (!training) {
        return B.out(
            b.op("FusedBatchNormV3", p + "FusedBatchNormV3", x, gamma, beta, mm, mv)
                .setAttr("T", DataType.DT_FLOAT)
                .setAttr("U", DataType.DT_FLOAT)
                .setAttr("epsilon", BN_EPSILON)
                .setAttr("exponential_avg_factor", 1f)
                .setAttr("data_format", "NHWC")
                .setAttr("is_training", false)
                .build());
      }
      Output<?> axes = b.constInt(p + "moments/axes", 0, 1, 2);
      Output<TFloat32> mean =
          B.out(b.op("Mean", p + "moments/mean", x, axes).setAttr("T", DataType.DT_FLOAT).setAttr("Tidx", DataType.DT_INT32).setAttr("keep_dims", false).build());
      Output<TFloat32> diff = binary("Sub", p + "moments/sub", x, mean);
      Output<TFloat32> sq = B.out(b.op("Square", p + "moments/Square", diff).setAttr("T", DataType.DT_FLOAT).build());
      Output<TFloat32> var =
          B.out(b.op("Mean", p + "moments/variance", sq, axes).setAttr("T", DataType.DT_FLOAT).setAttr("Tidx", DataType.DT_INT32).setAttr("keep_dims", false).build());
      Output<TFloat32> inv =
          B.out(b.op("Rsqrt", p + "Rsqrt", binary("AddV2", p + "add_eps", var, scalar(p + "epsilon", BN_EPSILON))).setAttr("T", DataType.DT_FLOAT).build());
      Output<TFloat32> y = binary("AddV2", p + "out", binary("Mul", p + "norm", diff, binary("Mul", p + "scale", inv, gamma)), beta);
      net.updates.add(movingAverage(p + "moving_mean", mean));
      net.updates.add(movingAverage(p + "moving_variance", var));
      return y;
    }

    private Op movingAverage(String name, Operand<TFloat32> batchValue) {
      Output<TFloat32> v = net.vars.get(name);
      Operand<TFloat32> next =
          tf.math.add(tf.math.mul(v, tf.constant(BN_MOMENTUM)), tf.math.mul(batchValue, tf.constant(1 - BN_MOMENTUM)));
      return tf.assign(v, next);
    }

    /** A hidden Keras Dense layer with ReLU (MatMul, BiasAdd, Relu). */
    Output<TFloat32> denseRelu(String layer, Output<TFloat32> x, long in, long out) {
      String p = prefix + layer + "/";
      Output<TFloat32> k = var(p + "kernel", in, out);
      Output<TFloat32> bias = var(p + "bias", out);
      Output<TFloat32> mm =
          B.out(b.op("MatMul", p + "MatMul", x, k).setAttr("T", DataType.DT_FLOAT).setAttr("transpose_a", false).setAttr("transpose_b", false).build());
      Output<TFloat32> y = B.out(b.op("BiasAdd", p + "BiasAdd", mm, bias).setAttr("T", DataType.DT_FLOAT).setAttr("data_format", "NHWC").build());
      return B.out(b.op("Relu", p + "Relu", y).setAttr("T", DataType.DT_FLOAT).build());
    }

    /** The classifier: Dense with softmax; sets the net's logits and softmax. */
    Output<TFloat32> dense(String layer, Output<TFloat32> x, long in, long out) {
      String p = prefix + layer + "/";
      Output<TFloat32> k = var(p + "kernel", in, out);
      Output<TFloat32> bias = var(p + "bias", out);
      Output<TFloat32> mm =
          B.out(b.op("MatMul", p + "MatMul", x, k).setAttr("T", DataType.DT_FLOAT).setAttr("transpose_a", false).setAttr("transpose_b", false).build());
      net.logits = B.out(b.op("BiasAdd", p + "BiasAdd", mm, bias).setAttr("T", DataType.DT_FLOAT).setAttr("data_format", "NHWC").build());
      net.softmax = B.out(b.op("Softmax", p + "Softmax", net.logits).setAttr("T", DataType.DT_FLOAT).build());
      return net.softmax;
    }
  }

  /** The plain conv stack, Sequential names, fed ÷255 pixels. */
  static final class Plain implements Arch {
    public String name() { return "fashion-plain"; }
    public float inputScale() { return 1f / 255f; }
    public double minAccuracy() { return MIN_PLAIN; }
    public String outputName() { return "dense_1"; }

    public Net build(Graph g, boolean training) {
      Net net = new Net();
      Layers l = new Layers(g, net, "sequential/", training);
      net.input = l.b.placeholder("input_1", -1, SIZE, SIZE, 1);
      Output<TFloat32> x = l.conv("conv2d", net.input, 1, 32, true, true);
      x = l.maxPool("max_pooling2d", x);
      x = l.conv("conv2d_1", x, 32, 64, true, true);
      x = l.maxPool("max_pooling2d_1", x);
      x = l.conv("conv2d_2", x, 64, 32, true, true);
      int features = 7 * 7 * 32;
      Output<?> shape = l.b.constInt("sequential/flatten/Const", -1, features);
      x = B.out(l.b.op("Reshape", "sequential/flatten/Reshape", x, shape).setAttr("T", DataType.DT_FLOAT).setAttr("Tshape", DataType.DT_INT32).build());
      // a hidden Dense+ReLU as in the TensorFlow CNN tutorial: flatten straight into the softmax
      // would make Grad-CAM's channel weights image-independent (and, here, all negative)
      x = l.denseRelu("dense", x, features, HIDDEN);
      l.dense("dense_1", x, HIDDEN, CLASSES);
      return net;
    }
  }

  /** The functional residual network with BatchNorm, GAP and in-graph rescaling; raw pixels in. */
  static final class Resnet implements Arch {
    public String name() { return "fashion-resnet"; }
    public float inputScale() { return 1f; }
    public double minAccuracy() { return MIN_RESNET; }
    public String outputName() { return "dense"; }

    public Net build(Graph g, boolean training) {
      Net net = new Net();
      String m = "model/";
      Layers l = new Layers(g, net, m, training);
      net.input = l.b.placeholder("input_1", -1, SIZE, SIZE, 1);
      // Keras Rescaling(1/255): cast(inputs) * scale + offset
      Output<TFloat32> x = l.binary("Mul", m + "rescaling/mul", net.input, l.scalar(m + "rescaling/Cast/x", 1f / 255f));
      x = l.binary("AddV2", m + "rescaling/add", x, l.scalar(m + "rescaling/Cast_1/x", 0f));
      x = l.conv("conv2d", x, 1, 16, false, false);
      x = l.batchNorm("batch_normalization", x, 16);
      x = l.relu("activation", x);
      x = l.maxPool("max_pooling2d", x); // 14x14x16
      x = block(l, x, 16, 1, 1);
      x = l.conv("conv2d_3", x, 16, 32, false, false);
      x = l.batchNorm("batch_normalization_3", x, 32);
      x = l.relu("activation_3", x);
      x = l.maxPool("max_pooling2d_1", x); // 7x7x32
      x = block(l, x, 32, 4, 4);
      Output<?> axes = l.b.constInt(m + "global_average_pooling2d/Mean/reduction_indices", 1, 2);
      x = B.out(l.b.op("Mean", m + "global_average_pooling2d/Mean", x, axes).setAttr("T", DataType.DT_FLOAT).setAttr("Tidx", DataType.DT_INT32).setAttr("keep_dims", false).build());
      l.dense("dense", x, 32, CLASSES);
      return net;
    }

    /** conv - BN - ReLU - conv - BN, plus the block's input (add), then ReLU. */
    private static Output<TFloat32> block(Layers l, Output<TFloat32> in, long c, int conv, int act) {
      Output<TFloat32> x = l.conv("conv2d_" + conv, in, c, c, false, false);
      x = l.batchNorm("batch_normalization_" + conv, x, c);
      x = l.relu("activation_" + act, x);
      x = l.conv("conv2d_" + (conv + 1), x, c, c, false, false);
      x = l.batchNorm("batch_normalization_" + (conv + 1), x, c);
      String add = conv == 1 ? "add" : "add_1";
      x = l.binary("AddV2", l.prefix + add + "/add", x, in);
      return l.relu("activation_" + (act + 1), x);
    }
  }

  /** Keras initial values: Glorot-uniform kernels, zero biases/beta/moving mean, gamma and moving variance 1. */
  static float[] initialValue(String name, long[] shape, Random rnd) {
    if (name.endsWith("/gamma") || name.endsWith("/moving_variance")) {
      float[] v = new float[(int) shape[0]];
      Arrays.fill(v, 1f);
      return v;
    }
    return TestModelGenerator.initialValues(name, shape, rnd);
  }

  // ---------------------------------------------------------------------------------------------
  // training

  /** Trains {@code arch}, exports the inference form as a TF1 SavedModel, returns its t10k accuracy. */
  static double train(Arch arch, byte[] trainX, byte[] trainY, byte[] testX, byte[] testY, Path tmp, Path exportDir)
      throws IOException {
    System.out.println();
    System.out.println("== training " + arch.name());
    long t0 = System.nanoTime();
    Path ckpt = tmp.resolve(arch.name() + "-train").resolve("ckpt");
    Files.createDirectories(ckpt.getParent());
    try (Graph g = new Graph()) {
      Net net = arch.build(g, true);
      Ops tf = Ops.create(g).withSubScope("training");
      Placeholder<TFloat32> labels =
          tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CLASSES)));
      Operand<TFloat32> xent = tf.nn.softmaxCrossEntropyWithLogits(net.logits, labels).loss();
      Operand<TFloat32> loss = tf.withName("loss").math.mean(xent, tf.constant(0));
      List<Op> inits = new ArrayList<>();
      Random initRnd = new Random(INIT_SEED + arch.name().hashCode());
      for (Map.Entry<String, Output<TFloat32>> e : net.vars.entrySet()) {
        long[] shape = net.shapes.get(e.getKey());
        float[] v = initialValue(e.getKey(), shape, initRnd);
        inits.add(tf.assign(e.getValue(), tf.constant(Shape.of(shape), DataBuffers.of(v, true, false))));
      }
      B b = new B(g);
      Placeholder<TFloat32> beta1Power =
          tf.withName("beta1_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TFloat32> beta2Power =
          tf.withName("beta2_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Operand<TFloat32> lr = tf.constant(LEARNING_RATE);
      Operand<TFloat32> beta1 = tf.constant(TestModelGenerator.BETA1);
      Operand<TFloat32> beta2 = tf.constant(TestModelGenerator.BETA2);
      Operand<TFloat32> epsilon = tf.constant(TestModelGenerator.EPSILON);
      List<String> trainable = new ArrayList<>();
      for (String v : net.vars.keySet()) if (!net.frozen.contains(v)) trainable.add(v);
      Output<?>[] varOutputs = new Output<?>[trainable.size()];
      for (int i = 0; i < varOutputs.length; i++) varOutputs[i] = net.vars.get(trainable.get(i));
      Output<?>[] grads = g.addGradients(loss.asOutput(), varOutputs);
      // as TestModelGenerator: every update waits for every gradient (the /read identities alias
      // the variables), and so do the moving-statistics updates
      List<Op> allGrads = new ArrayList<>(Arrays.asList(grads));
      Ops afterGrads = tf.withControlDependencies(allGrads);
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < varOutputs.length; i++) {
        String name = trainable.get(i);
        long[] shape = net.shapes.get(name);
        float[] zeros = new float[(int) Shape.of(shape).size()];
        Output<TFloat32> m = TestModelGenerator.slot(b, tf, inits, name + "/Adam", shape, zeros);
        Output<TFloat32> v = TestModelGenerator.slot(b, tf, inits, name + "/Adam_1", shape, zeros);
        @SuppressWarnings("unchecked")
        Output<TFloat32> grad = (Output<TFloat32>) grads[i];
        updates.add(afterGrads.train.applyAdam(net.vars.get(name), m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad));
      }
      Op statsDone = tf.withControlDependencies(net.updates.isEmpty() ? allGrads : net.updates).withName("stats_done").noOp();
      List<Op> all = new ArrayList<>(updates);
      all.add(statsDone);
      // the moving averages read the batch moments computed in this step, then the weights change
      Op minimize = tf.withControlDependencies(all).withName("minimize").noOp();

      try (Session s = new Session(g, TestModelGenerator.CONFIG)) {
        Session.Runner init = s.runner();
        inits.forEach(init::addTarget);
        init.run().close();
        int n = TRAIN_SAMPLES;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Random shuffle = new Random(SHUFFLE_SEED);
        int steps = EPOCHS * (n / BATCH);
        int pos = n;
        float[] by = new float[BATCH * CLASSES];
        double lossSum = 0;
        for (int step = 1; step <= steps; step++) {
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
          for (int i = 0; i < BATCH; i++) by[i * CLASSES + trainY[order[pos + i]]] = 1f;
          try (TFloat32 xt = batch(trainX, order, pos, BATCH, arch.inputScale());
              TFloat32 yt = TFloat32.tensorOf(Shape.of(BATCH, CLASSES), DataBuffers.of(by, true, false));
              TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(TestModelGenerator.BETA1, step));
              TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(TestModelGenerator.BETA2, step));
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
          pos += BATCH;
          if (step % 100 == 0) {
            System.out.printf(Locale.ROOT, "step %4d/%d  mean loss %.4f  (%.0f s)%n", step, steps, lossSum / 100, (System.nanoTime() - t0) / 1e9);
            lossSum = 0;
          }
        }
        s.save(ckpt.toString());
      }
    }
    System.out.printf(Locale.ROOT, "trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);

    TestModelGenerator.deleteRecursively(exportDir);
    double acc;
    try (Graph g = new Graph()) {
      Net net = arch.build(g, false);
      try (Session s = new Session(g, TestModelGenerator.CONFIG)) {
        s.restore(ckpt.toString());
        acc = accuracy(s, net, testX, testY, arch.inputScale());
        System.out.printf(Locale.ROOT, "%s t10k accuracy %.4f (10000 images)%n", arch.name(), acc);
        if (acc < arch.minAccuracy()) throw new IllegalStateException(arch.name() + " test accuracy below " + arch.minAccuracy());
        SavedModelBundle.exporter(exportDir.toString())
            .withTags(TestModelGenerator.SERVE)
            .withSession(s)
            .withSignature(
                Signature.builder()
                    .key(TestModelGenerator.SIGNATURE_KEY)
                    .methodName(TestModelGenerator.PREDICT_METHOD)
                    .input("input_1", net.input)
                    .output(arch.outputName(), net.softmax)
                    .build())
            .export();
      }
    }
    TestModelGenerator.canonicalize(exportDir);
    return acc;
  }

  static double accuracy(Session s, Net net, byte[] x, byte[] y, float scale) {
    int correct = 0;
    int n = y.length;
    for (int from = 0; from < n; from += 500) {
      int count = Math.min(500, n - from);
      try (TFloat32 xt = batch(x, null, from, count, scale);
          Result r = s.runner().feed(net.input, xt).fetch(net.softmax).run()) {
        float[] p = TestModelGenerator.toArray(r.get(0));
        for (int i = 0; i < count; i++) {
          if (TestModelGenerator.argMax(p, i * CLASSES, CLASSES) == y[from + i]) correct++;
        }
      }
    }
    return correct / (double) n;
  }

  // ---------------------------------------------------------------------------------------------
  // files

  static void writeLabels(Path modelDir) throws IOException {
    Files.write(modelDir.resolve("labels.txt"), (String.join("\n", CLASS_NAMES) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** File-name form of a class name: {@code T-shirt/top} -> {@code t-shirt-top}. */
  static String slug(String cls) {
    return cls.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }

  /** The first {@link #PER_CLASS} t10k images of each class, with their labels and both models' accuracy on them. */
  static void writeImages(Path dir, byte[] testX, byte[] testY, Path plain, Path res) throws IOException {
    TestModelGenerator.deleteRecursively(dir);
    Files.createDirectories(dir);
    int[] count = new int[CLASSES];
    List<Integer> picked = new ArrayList<>();
    for (int i = 0; i < testY.length && picked.size() < PER_CLASS * CLASSES; i++) {
      int c = testY[i];
      if (count[c] < PER_CLASS) {
        count[c]++;
        picked.add(i);
      }
    }
    StringBuilder csv = new StringBuilder("file,label,class,t10k_index\n");
    float[] scaled = new float[picked.size() * PX];
    float[] raw = new float[picked.size() * PX];
    for (int k = 0; k < picked.size(); k++) {
      int i = picked.get(k);
      int c = testY[i];
      String file = String.format(Locale.ROOT, "%02d-%s.tif", k, slug(CLASS_NAMES[c]));
      byte[] px = Arrays.copyOfRange(testX, i * PX, (i + 1) * PX);
      ImagePlus imp = new ImagePlus(file.substring(0, file.length() - 4), new ByteProcessor(SIZE, SIZE, px));
      if (!new FileSaver(imp).saveAsTiff(dir.resolve(file).toString())) {
        throw new UncheckedIOException(new IOException("could not write " + file));
      }
      csv.append(String.format(Locale.ROOT, "%s,%d,%s,%d%n", file, c, CLASS_NAMES[c], i));
      for (int p = 0; p < PX; p++) {
        raw[k * PX + p] = px[p] & 0xff;
        scaled[k * PX + p] = (px[p] & 0xff) / 255f;
      }
    }
    Files.write(dir.resolve("labels.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
    int n = picked.size();
    float[] pp = TestModelGenerator.predict(plain, scaled, n, SIZE, 1);
    float[] pr = TestModelGenerator.predict(res, raw, n, SIZE, 1);
    int cp = 0;
    int cr = 0;
    for (int k = 0; k < n; k++) {
      int c = testY[picked.get(k)];
      if (TestModelGenerator.argMax(pp, k * CLASSES, CLASSES) == c) cp++;
      if (TestModelGenerator.argMax(pr, k * CLASSES, CLASSES) == c) cr++;
    }
    System.out.printf(Locale.ROOT, "images/fashion: %d images; correct: fashion-plain %d, fashion-resnet %d%n", n, cp, cr);
  }
}
