package org.convlens.model.tf;

import java.util.HashMap;
import java.util.Map;

import org.convlens.model.ModelException;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;

/** The OpDefs registered in the running TensorFlow, read once through the C API. */
final class OpRegistry {

	private static Map<String, OpDef> ops;

	private OpRegistry() {}

	static synchronized Map<String, OpDef> all() {
		if (ops == null) {
			org.tensorflow.TensorFlow.version(); // loads the native library
			TF_Buffer buf = org.tensorflow.internal.c_api.global.tensorflow.TF_GetAllOpList();
			try {
				OpList list = OpList.parseFrom(buf.dataAsByteBuffer());
				Map<String, OpDef> m = new HashMap<>();
				for (OpDef d : list.getOpList()) m.put(d.getName(), d);
				ops = m;
			}
			catch (com.google.protobuf.InvalidProtocolBufferException e) {
				throw new ModelException("Cannot read TensorFlow's op registry", e);
			}
			finally {
				org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer(buf);
			}
		}
		return ops;
	}
}
