package org.convlens.model.tf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convlens.model.ModelException;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Inlines the function calls ({@code StatefulPartitionedCall}, {@code PartitionedCall}, direct
 * calls) that the serving signature reaches into the top-level GraphDef, recursively, so that
 * every layer becomes an addressable node and gradients can flow to feature maps.
 *
 * <p>Each call node {@code C} becomes the function's body with node names prefixed {@code C/},
 * plus an {@code IdentityN} still named {@code C} so that {@code C:i} and {@code ^C} stay valid
 * (signature outputs and control edges). Data consumers of {@code C:i} are rewired straight to
 * the inlined tensors so that gradients do not pass through the IdentityN. Calls not reached from
 * the signature (the saver's save/restore functions) are left untouched.
 */
final class GraphInliner {

	static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");

	/** The inlined graph and what we learned while building it. */
	static final class Result {
		final GraphDef graph;
		/** call output {@code C:i} to the tensor it was rewired to. */
		final Map<String, String> rewired;
		/** Inlined node name to a name with call segments removed, e.g. {@code sequential/conv2d/Relu}. */
		final Map<String, String> cleanNames;
		final int callsInlined;

		Result(GraphDef graph, Map<String, String> rewired, Map<String, String> cleanNames, int callsInlined) {
			this.graph = graph;
			this.rewired = rewired;
			this.cleanNames = cleanNames;
			this.callsInlined = callsInlined;
		}

		/** Where a tensor name of the original graph ended up. */
		String resolve(String tensor) {
			String t = canonical(tensor);
			String seen = t;
			for (int guard = 0; guard < 1000; guard++) {
				String r = rewired.get(seen);
				if (r == null) return seen;
				seen = r;
			}
			throw new ModelException("Cyclic tensor rewiring at " + tensor);
		}
	}

	private final Map<String, FunctionDef> library = new HashMap<>();
	private final Map<String, OpDef> opDefs;
	private final Map<String, String> rewired = new HashMap<>();
	private final Map<String, String> cleanNames = new HashMap<>();
	private int callsInlined;

	GraphInliner(GraphDef graph, Map<String, OpDef> opDefs) {
		for (FunctionDef f : graph.getLibrary().getFunctionList()) {
			library.put(f.getSignature().getName(), f);
		}
		this.opDefs = opDefs;
	}

	boolean isCall(NodeDef n) {
		return CALL_OPS.contains(n.getOp()) && n.containsAttr("f") || library.containsKey(n.getOp());
	}

	private String functionName(NodeDef n) {
		return library.containsKey(n.getOp()) ? n.getOp() : n.getAttrOrThrow("f").getFunc().getName();
	}

	/**
	 * @param graph the top-level graph
	 * @param roots tensor or node names whose backward closure decides which calls get inlined
	 */
	Result inline(GraphDef graph, List<String> roots) {
		Map<String, NodeDef> byName = new LinkedHashMap<>();
		for (NodeDef n : graph.getNodeList()) byName.put(n.getName(), n);
		Set<String> reachable = backwardClosure(byName, roots);

		List<NodeDef> out = new ArrayList<>();
		Deque<NodeDef> work = new ArrayDeque<>();
		for (NodeDef n : graph.getNodeList()) {
			if (reachable.contains(n.getName()) && isCall(n)) {
				work.add(n);
			}
			else {
				out.add(n);
			}
		}
		while (!work.isEmpty()) {
			NodeDef call = work.poll();
			expand(call, out, work);
		}
		// Rewire data inputs that point at call outputs to the inlined tensors.
		List<NodeDef> fixed = new ArrayList<>(out.size());
		Result partial = new Result(null, rewired, cleanNames, callsInlined);
		for (NodeDef n : out) {
			if (n.getOp().equals("IdentityN") && rewired.containsKey(n.getName() + ":0")) {
				fixed.add(n); // the stand-in keeps its own inputs
				continue;
			}
			NodeDef.Builder b = null;
			for (int i = 0; i < n.getInputCount(); i++) {
				String in = n.getInput(i);
				if (in.startsWith("^")) continue;
				String r = partial.resolve(in);
				if (!r.equals(canonical(in))) {
					if (b == null) b = n.toBuilder();
					b.setInput(i, r);
				}
			}
			fixed.add(b == null ? n : b.build());
		}
		GraphDef result = graph.toBuilder().clearNode().addAllNode(fixed).build();
		return new Result(result, rewired, cleanNames, callsInlined);
	}

	private void expand(NodeDef call, List<NodeDef> out, Deque<NodeDef> work) {
		String fname = functionName(call);
		FunctionDef f = library.get(fname);
		if (f == null) throw new ModelException("Function " + fname + " called by " + call.getName() + " is not in the graph's library.");
		callsInlined++;
		String prefix = call.getName() + "/";
		// the clean scope of a call's body: the call's own scope, without the call's name
		String callClean = cleanNames.getOrDefault(call.getName(), call.getName());
		String bodyScope = parentPath(callClean);

		// function arguments -> call inputs
		List<String> dataIn = new ArrayList<>();
		List<String> ctrlIn = new ArrayList<>();
		for (String in : call.getInputList()) {
			if (in.startsWith("^")) ctrlIn.add(in);
			else dataIn.add(in);
		}
		Map<String, String> args = new HashMap<>();
		int k = 0;
		for (OpDef.ArgDef a : f.getSignature().getInputArgList()) {
			int count = argCount(a, call, f);
			if (k + count > dataIn.size()) {
				throw new ModelException("Call " + call.getName() + " passes too few inputs to " + fname);
			}
			if (count == 1) args.put(a.getName(), dataIn.get(k));
			for (int j = 0; j < count; j++) args.put(a.getName() + ":" + j, dataIn.get(k + j));
			k += count;
		}

		Map<String, NodeDef> body = new HashMap<>();
		for (NodeDef n : f.getNodeDefList()) body.put(n.getName(), n);

		for (NodeDef n : f.getNodeDefList()) {
			NodeDef.Builder b = n.toBuilder().setName(prefix + n.getName()).clearInput().clearDevice();
			b.removeAttr("_class");
			boolean hasInput = false;
			for (String in : n.getInputList()) {
				hasInput = true;
				b.addInput(mapBodyInput(in, prefix, args, body, fname));
			}
			if (!hasInput) ctrlIn.forEach(b::addInput);
			for (Map.Entry<String, AttrValue> e : n.getAttrMap().entrySet()) {
				if (!e.getValue().getPlaceholder().isEmpty()) {
					AttrValue v = call.getAttrMap().get(e.getValue().getPlaceholder());
					if (v == null) {
						throw new ModelException("Function " + fname + " uses attribute placeholder " + e.getValue().getPlaceholder() + " that the call does not set.");
					}
					b.putAttr(e.getKey(), v);
				}
			}
			NodeDef nn = b.build();
			String clean = bodyScope.isEmpty() ? n.getName() : bodyScope + "/" + n.getName();
			cleanNames.put(nn.getName(), clean);
			if (isCall(nn)) {
				work.add(nn);
			}
			else {
				out.add(nn);
			}
		}

		// outputs: C:i -> inlined tensor, plus a stand-in IdentityN named C
		NodeDef.Builder stand = NodeDef.newBuilder().setName(call.getName()).setOp("IdentityN");
		AttrValue.ListValue.Builder types = AttrValue.ListValue.newBuilder();
		int i = 0;
		for (OpDef.ArgDef a : f.getSignature().getOutputArgList()) {
			String ret = f.getRetOrThrow(a.getName());
			String t = mapBodyInput(ret, prefix, args, body, fname);
			rewired.put(call.getName() + ":" + i, canonical(t));
			stand.addInput(t);
			types.addType(a.getType());
			i++;
		}
		for (String cr : f.getControlRetMap().values()) stand.addInput("^" + prefix + cr);
		if (i == 0) {
			// a call without outputs: a NoOp keeps ^C valid
			NodeDef.Builder noop = NodeDef.newBuilder().setName(call.getName()).setOp("NoOp");
			for (String cr : f.getControlRetMap().values()) noop.addInput("^" + prefix + cr);
			out.add(noop.build());
		}
		else {
			stand.putAttr("T", AttrValue.newBuilder().setList(types).build());
			out.add(stand.build());
		}
	}

	private int argCount(OpDef.ArgDef a, NodeDef call, FunctionDef f) {
		if (!a.getNumberAttr().isEmpty() || !a.getTypeListAttr().isEmpty()) {
			throw new ModelException("Function " + f.getSignature().getName() + " has list argument " + a.getName() + ", which ConvLens cannot inline yet.");
		}
		return 1;
	}

	/** Maps a function-body input reference to a graph tensor name. */
	private String mapBodyInput(String in, String prefix, Map<String, String> args, Map<String, NodeDef> body, String fname) {
		if (in.startsWith("^")) {
			String n = in.substring(1);
			if (args.containsKey(n)) {
				String a = args.get(n);
				return "^" + nodeOf(a);
			}
			return "^" + prefix + n;
		}
		if (args.containsKey(in)) return args.get(in);
		String[] parts = in.split(":");
		if (parts.length == 1) {
			return prefix + parts[0];
		}
		if (parts.length == 2) {
			// "node:idx" style inside bodies is not standard but appears in old graphs
			return prefix + parts[0] + ":" + parts[1];
		}
		String node = parts[0];
		String outArg = parts[1];
		int idx = Integer.parseInt(parts[2]);
		NodeDef n = body.get(node);
		if (n == null) throw new ModelException("Function " + fname + " refers to unknown node " + node);
		int flat = flatIndex(n, outArg, idx, fname);
		return flat == 0 ? prefix + node : prefix + node + ":" + flat;
	}

	/** Flat output index of {@code node:outArg:idx} from the op's registered OpDef. */
	private int flatIndex(NodeDef n, String outArg, int idx, String fname) {
		List<OpDef.ArgDef> outs;
		FunctionDef called = library.get(n.getOp());
		if (called != null) {
			outs = called.getSignature().getOutputArgList();
		}
		else {
			OpDef def = opDefs.get(n.getOp());
			if (def == null) throw new ModelException("Unknown op type " + n.getOp() + " in function " + fname + ": this TensorFlow runtime does not register it.");
			outs = def.getOutputArgList();
		}
		int base = 0;
		for (OpDef.ArgDef a : outs) {
			if (a.getName().equals(outArg)) return base + idx;
			base += outputCount(n, a);
		}
		throw new ModelException("Op " + n.getOp() + " (" + n.getName() + ") has no output '" + outArg + "'");
	}

	private static int outputCount(NodeDef n, OpDef.ArgDef a) {
		if (!a.getNumberAttr().isEmpty()) {
			return (int) n.getAttrOrThrow(a.getNumberAttr()).getI();
		}
		if (!a.getTypeListAttr().isEmpty()) {
			return n.getAttrOrThrow(a.getTypeListAttr()).getList().getTypeCount();
		}
		return 1;
	}

	static Set<String> backwardClosure(Map<String, NodeDef> byName, List<String> roots) {
		Set<String> seen = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>();
		for (String r : roots) todo.add(nodeOf(r));
		while (!todo.isEmpty()) {
			String n = todo.poll();
			if (!seen.add(n)) continue;
			NodeDef d = byName.get(n);
			if (d == null) continue;
			for (String in : d.getInputList()) todo.add(nodeOf(in));
		}
		return seen;
	}

	/** Node name of a tensor or control reference. */
	static String nodeOf(String ref) {
		String r = ref.startsWith("^") ? ref.substring(1) : ref;
		int c = r.indexOf(':');
		return c < 0 ? r : r.substring(0, c);
	}

	/** {@code x} and {@code x:0} are the same tensor. */
	static String canonical(String tensor) {
		return tensor.indexOf(':') < 0 ? tensor + ":0" : tensor;
	}

	private static String parentPath(String name) {
		int s = name.lastIndexOf('/');
		return s < 0 ? "" : name.substring(0, s);
	}

}
