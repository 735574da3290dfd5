package org.convlens.model.tf;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SaverDef;

/**
 * A SavedModel is a program: this finds ops that touch the file system or the outside world,
 * anywhere in the graph or in the functions it calls, except inside the saver's own
 * save/restore subgraph.
 */
final class SafetyScanner {

	static final Set<String> UNSAFE = Set.of("ReadFile", "WriteFile", "MatchingFiles", "DeleteFile",
		"Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice", "MergeV2Checkpoints",
		"ShardedFilename", "ShardedFilespec", "WholeFileReader", "WholeFileReaderV2", "TextLineReader",
		"TextLineReaderV2", "FixedLengthRecordReader", "FixedLengthRecordReaderV2", "TFRecordReader",
		"TFRecordReaderV2", "TFRecordDataset", "TFRecordDatasetV2", "TextLineDataset", "FixedLengthRecordDataset",
		"FixedLengthRecordDatasetV2", "ImmutableConst", "LoadAndRemapMatrix", "InitializeTableFromTextFile",
		"InitializeTableFromTextFileV2", "CreateSummaryFileWriter", "WriteSummary", "WriteScalarSummary",
		"WriteImageSummary", "WriteAudioSummary", "WriteHistogramSummary", "WriteGraphSummary",
		"WriteRawProtoSummary", "FlushSummaryWriter", "PyFunc", "PyFuncStateless", "EagerPyFunc",
		"DebugIdentity", "DebugIdentityV2", "DebugNanCount", "DebugNumericSummary", "DebugNumericSummaryV2",
		"Rpc", "TryRpc", "DecodeProtoV2", "EncodeProto", "SnapshotDataset", "SaveDataset", "SaveDatasetV2",
		"LoadDataset", "DatasetToTFRecord", "ExperimentalDatasetToTFRecord", "FileSystemSetConfiguration");

	private SafetyScanner() {}

	/** Op types (with a node name each) of unsafe ops; empty when the graph is safe. */
	static Set<String> scan(GraphDef graph, SaverDef saver) {
		Map<String, NodeDef> byName = new HashMap<>();
		for (NodeDef n : graph.getNodeList()) byName.put(n.getName(), n);
		Set<String> saverNodes = new HashSet<>();
		if (saver != null) {
			java.util.List<String> roots = new java.util.ArrayList<>();
			if (!saver.getRestoreOpName().isEmpty()) roots.add(saver.getRestoreOpName());
			if (!saver.getSaveTensorName().isEmpty()) roots.add(saver.getSaveTensorName());
			saverNodes = GraphInliner.backwardClosure(byName, roots);
		}
		Map<String, FunctionDef> lib = new HashMap<>();
		for (FunctionDef f : graph.getLibrary().getFunctionList()) lib.put(f.getSignature().getName(), f);

		Set<String> found = new TreeSet<>();
		Deque<String> funcs = new ArrayDeque<>();
		for (NodeDef n : graph.getNodeList()) {
			if (saverNodes.contains(n.getName())) continue;
			check(n, found, funcs, lib);
		}
		Set<String> seenFuncs = new HashSet<>();
		while (!funcs.isEmpty()) {
			String fn = funcs.poll();
			if (!seenFuncs.add(fn)) continue;
			FunctionDef f = lib.get(fn);
			if (f == null) continue;
			for (NodeDef n : f.getNodeDefList()) check(n, found, funcs, lib);
		}
		return found;
	}

	private static void check(NodeDef n, Set<String> found, Deque<String> funcs, Map<String, FunctionDef> lib) {
		if (UNSAFE.contains(n.getOp())) found.add(n.getOp() + " (" + n.getName() + ")");
		if (n.getOp().equals("PrintV2")) {
			AttrValue s = n.getAttrMap().get("output_stream");
			if (s != null && s.getS().toStringUtf8().startsWith("file://")) found.add("PrintV2 to a file (" + n.getName() + ")");
		}
		if (lib.containsKey(n.getOp())) funcs.add(n.getOp());
		for (AttrValue v : n.getAttrMap().values()) {
			if (v.hasFunc()) funcs.add(v.getFunc().getName());
			if (v.hasList()) v.getList().getFuncList().forEach(f -> funcs.add(f.getName()));
		}
	}
}
