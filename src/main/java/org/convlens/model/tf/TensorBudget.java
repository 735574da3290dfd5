package org.convlens.model.tf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.convlens.model.ModelException;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Refuses, at load, a model whose graph declares a tensor larger than the memory ConvLens may
 * give one tensor: a {@code Const} whose shape asks for terabytes with a few bytes of content
 * (TensorFlow fills it in at the first run), a variable declared that large, or a {@code Fill},
 * {@code Range}, {@code Tile}, {@code BroadcastTo}, ... whose constant inputs make its output
 * that large, or a checkpoint ({@code variables.index}) declaring a variable that large (its
 * restore allocates the whole variable before reading it). TensorFlow would allocate and write
 * such a tensor (all of the machine's memory, then the system kills Fiji) or fail deep in every
 * run with "Cannot parse tensor from proto".
 * Sizes that depend on the image (the batch dimension) count as 1: what only the input can make
 * large is not judged here.
 *
 * <p>The limit is half the machine's physical memory (at least 1 GiB), or the system property
 * {@value #PROPERTY} in bytes (suffixes k, m, g, t allowed).
 */
final class TensorBudget {

	/** The system property that sets the limit. */
	static final String PROPERTY = "convlens.maxTensorBytes";

	private static final long GIB = 1L << 30;

	private TensorBudget() {}

	/** The most bytes one tensor of a model may take: {@value #PROPERTY}, else half the physical memory. */
	static long limit() {
		String v = System.getProperty(PROPERTY);
		if (v != null && !v.isBlank()) return parse(v.trim());
		long physical = physicalMemory();
		return physical > 0 ? Math.max(GIB, physical / 2) : 8 * GIB;
	}

	@SuppressWarnings("deprecation") // getTotalMemorySize is Java 14+; this code runs on Java 11 too
	private static long physicalMemory() {
		try {
			java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
			if (os instanceof com.sun.management.OperatingSystemMXBean) {
				return ((com.sun.management.OperatingSystemMXBean) os).getTotalPhysicalMemorySize();
			}
		}
		catch (RuntimeException | LinkageError e) {
			// a JVM without the management extension: the fixed default
		}
		return -1;
	}

	static long parse(String v) {
		String s = v.toLowerCase(java.util.Locale.ROOT);
		int shift = 0;
		char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
		int unit = "kmgt".indexOf(last);
		if (unit >= 0) {
			shift = 10 * (unit + 1);
			s = s.substring(0, s.length() - 1).trim();
		}
		try {
			long n = Long.parseLong(s);
			if (n > 0 && n <= Long.MAX_VALUE >> shift) return n << shift;
		}
		catch (NumberFormatException e) {
			// reported below
		}
		throw new ModelException("System property " + PROPERTY + " must be a positive number of bytes (e.g. 8g), not '" + v + "'.");
	}

	/**
	 * Checks the constants and variables the GraphDef declares (before TensorFlow sees them: it
	 * parses a constant's value when it first runs, allocating its full shape).
	 *
	 * @throws ModelException naming the largest offenders, their sizes, the limit and how to raise it
	 */
	static void checkDeclared(GraphDef def, Path dir) {
		long limit = limit();
		List<String> bad = new ArrayList<>();
		for (NodeDef n : def.getNodeList()) declared(n, "the graph", limit, bad);
		for (FunctionDef f : def.getLibrary().getFunctionList()) {
			for (NodeDef n : f.getNodeDefList()) declared(n, "function " + f.getSignature().getName(), limit, bad);
		}
		checkpoint(dir.resolve("variables").resolve("variables.index"), limit, bad);
		if (!bad.isEmpty()) throw refusal(dir, bad, limit);
	}

	/** The shapes the checkpoint declares: its restore allocates each variable whole before reading it. */
	private static void checkpoint(Path index, long limit, List<String> bad) {
		if (!java.nio.file.Files.isRegularFile(index)) return;
		List<CheckpointIndex.Entry> entries;
		try {
			entries = CheckpointIndex.read(index);
		}
		catch (java.io.IOException e) {
			return; // the restore says why it cannot read the file
		}
		for (CheckpointIndex.Entry e : entries) {
			long[] dims = dims(e.entry.getShape());
			long bytes = bytes(e.entry.getDtype(), dims);
			if (bytes > limit) bad.add("the checkpoint " + index + " declares variable '" + e.name + "' as " + describe(e.entry.getDtype(), dims, bytes));
		}
	}

	private static void declared(NodeDef n, String where, long limit, List<String> bad) {
		AttrValue v = n.getAttrMap().get("value");
		if (n.getOp().equals("Const") && v != null && v.hasTensor()) {
			check(n, where, v.getTensor().getDtype(), v.getTensor().getTensorShape(), limit, bad);
		}
		AttrValue shape = n.getAttrMap().get("shape");
		// the shape attribute of Placeholder, VariableV2, VarHandleOp, ... is the shape they hold
		AttrValue dtype = n.getAttrMap().get("dtype");
		if (shape != null && shape.hasShape() && dtype != null) check(n, where, dtype.getType(), shape.getShape(), limit, bad);
	}

	private static void check(NodeDef n, String where, DataType dt, TensorShapeProto shape, long limit, List<String> bad) {
		if (shape.getUnknownRank()) return;
		long[] dims = dims(shape);
		long bytes = bytes(dt, dims);
		if (bytes > limit) bad.add(n.getOp() + " '" + n.getName() + "' in " + where + " declares " + describe(dt, dims, bytes));
	}

	/**
	 * Checks every output of the imported graph whose static shape TensorFlow worked out (its
	 * shape inference evaluates small constant inputs: a {@code Fill} of constant dimensions has
	 * a known shape).
	 */
	static void checkInferred(Graph g, Path dir) {
		long limit = limit();
		List<String> bad = new ArrayList<>();
		for (Iterator<GraphOperation> it = g.operations(); it.hasNext();) {
			GraphOperation op = it.next();
			for (int i = 0; i < op.numOutputs(); i++) {
				Output<?> o = op.output(i);
				Shape s = o.shape();
				if (s.isUnknown()) continue;
				long[] dims = s.asArray();
				DataType dt = o.dataType();
				long bytes = bytes(dt, dims);
				if (bytes > limit) bad.add(op.type() + " '" + op.name() + "' would make " + describe(dt, dims, bytes));
			}
		}
		if (!bad.isEmpty()) throw refusal(dir, bad, limit);
	}

	private static long[] dims(TensorShapeProto shape) {
		long[] dims = new long[shape.getDimCount()];
		for (int i = 0; i < dims.length; i++) dims[i] = shape.getDim(i).getSize();
		return dims;
	}

	/** Bytes of a tensor; unknown dimensions count as 1, overflow as {@link Long#MAX_VALUE}. */
	static long bytes(DataType dt, long[] dims) {
		long n = elementBytes(dt);
		for (long d : dims) {
			if (d <= 0) {
				if (d == 0) return 0;
				continue;
			}
			if (n > Long.MAX_VALUE / d) return Long.MAX_VALUE;
			n *= d;
		}
		return n;
	}

	private static long elementBytes(DataType dt) {
		switch (dt) {
			case DT_BOOL: case DT_INT8: case DT_UINT8: case DT_QINT8: case DT_QUINT8:
				return 1;
			case DT_HALF: case DT_BFLOAT16: case DT_INT16: case DT_UINT16: case DT_QINT16: case DT_QUINT16:
				return 2;
			case DT_DOUBLE: case DT_INT64: case DT_UINT64: case DT_COMPLEX64:
				return 8;
			case DT_COMPLEX128:
				return 16;
			case DT_STRING:
				return 24; // TensorFlow's tstring, before any characters
			default:
				return 4;
		}
	}

	private static String describe(DataType dt, long[] dims, long bytes) {
		String type = dt.name().startsWith("DT_") ? dt.name().substring(3).toLowerCase(java.util.Locale.ROOT) : dt.name();
		return "a " + type + " tensor of shape " + java.util.Arrays.toString(dims) + " (" + size(bytes) + ")";
	}

	static String size(long bytes) {
		if (bytes == Long.MAX_VALUE) return "more than 8 EiB";
		String[] units = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
		double v = bytes;
		int u = 0;
		while (v >= 1024 && u < units.length - 1) {
			v /= 1024;
			u++;
		}
		return u == 0 ? bytes + " bytes" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
	}

	private static ModelException refusal(Path dir, List<String> bad, long limit) {
		return new ModelException("Refusing to load " + dir + ": " + String.join("; ", bad.subList(0, Math.min(3, bad.size()))) +
			(bad.size() > 3 ? " (and " + (bad.size() - 3) + " more)" : "") + ", more than the " + size(limit) +
			" ConvLens allows one tensor (" +
			(System.getProperty(PROPERTY) == null ? "half this machine's memory" : PROPERTY) + ") - TensorFlow would try to allocate it. The file is damaged " +
			"or crafted; if the model is genuine and this machine has the memory, raise the limit with -D" + PROPERTY + "=<bytes, e.g. 64g>.");
	}
}
