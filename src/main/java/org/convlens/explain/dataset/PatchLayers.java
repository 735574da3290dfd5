package org.convlens.explain.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.ModelInfo;

/** The default layer of the max-activating images: see {@link MaxActivating#defaultLayer}. */
final class PatchLayers {

	private PatchLayers() {}

	static String defaultLayer(ConvModel model) {
		ModelInfo info = model.info();
		int[] in = info.imageInput().shape();
		int inH = in.length == 4 ? in[1] : -1, inW = in.length == 4 ? in[2] : -1;
		Map<String, LayerInfo> byConv = new LinkedHashMap<>(); // last conv op -> its deepest layer
		Map<String, ReceptiveField> fields = new LinkedHashMap<>();
		for (LayerInfo l : info.spatialLayers()) {
			List<SpatialOp> path;
			try {
				path = ReceptiveField.spatialPath(model, l.name());
			}
			catch (RuntimeException e) {
				continue; // a layer the field cannot be traced to: not a candidate
			}
			if (path.isEmpty()) continue;
			SpatialOp last = path.get(path.size() - 1);
			if (!last.opType().equals("Conv2D") && !last.opType().equals("DepthwiseConv2dNative")) continue;
			byConv.remove(last.opName()); // re-insert: keeps graph order of the deepest layer
			byConv.put(last.opName(), l);
			fields.put(last.opName(), ReceptiveField.of(path));
		}
		if (byConv.isEmpty()) {
			List<LayerInfo> sp = info.spatialLayers();
			return sp.isEmpty() ? null : sp.get(sp.size() - 1).name();
		}
		List<String> convs = new ArrayList<>(byConv.keySet());
		if (inH <= 0 || inW <= 0) return byConv.get(convs.get(convs.size() - 1)).name();
		for (int i = convs.size() - 1; i >= 0; i--) {
			ReceptiveField f = fields.get(convs.get(i));
			if (f.sizeH() <= inH / 2.0 && f.sizeW() <= inW / 2.0) return byConv.get(convs.get(i)).name();
		}
		return byConv.get(convs.get(0)).name();
	}
}
