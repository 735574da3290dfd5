package org.convlens.commands;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convlens.model.ConvModel;
import org.convlens.model.LayerInfo;
import org.convlens.model.LoadOptions;
import org.convlens.model.ModelInfo;
import org.convlens.model.ModelService;
import org.convlens.model.TensorInfo;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.service.AbstractService;

import ij.ImagePlus;
import ij.process.ByteProcessor;

/** A model with only dense layers: the commands say so instead of failing obscurely. */
class NoSpatialLayersTest {

	/** A dense-only model (input [-1, 16], one dense layer); a proxy, so the test follows ConvModel's changes. */
	static ConvModel denseOnly() {
		ModelInfo info = new ModelInfo(Path.of("/models/dense-only"), "serving_default",
			List.of(new TensorInfo("x", "x:0", "DT_FLOAT", new int[] { -1, 16 })),
			List.of(new TensorInfo("y", "y:0", "DT_FLOAT", new int[] { -1, 2 })),
			List.of(new LayerInfo(0, "dense", "dense/MatMul", "MatMul", new int[] { -1, 2 })), List.of(), null, "none", "NHWC", false);
		return (ConvModel) java.lang.reflect.Proxy.newProxyInstance(ConvModel.class.getClassLoader(), new Class<?>[] { ConvModel.class },
			(proxy, method, args) -> {
				if (method.getName().equals("info")) return info;
				if (method.getName().equals("close")) return null;
				throw new AssertionError("must not be called: " + method.getName());
			});
	}

	static final class FakeService extends AbstractService implements ModelService {
		public ConvModel get(Path path, LoadOptions options) { return denseOnly(); }
		public void clear() {}
		public int size() { return 1; }
	}

	@Test
	void activationsAndOverviewExplainThatThereIsNoFeatureMap() {
		Context ctx = Contexts.get();
		ImagePlus imp = new ImagePlus("x", new ByteProcessor(8, 8));
		for (Class<? extends org.scijava.command.Command> c : List.of(ShowActivations.class, AllLayersOverview.class)) {
			RuntimeException e = assertThrows(RuntimeException.class, () -> CommandRunner.run(ctx, CommandRunner.create(ctx, c),
				Map.of("image", imp, "model", new File("/models/dense-only"), "modelService", new FakeService()), false));
			String m = ConvLensCommand.message(e);
			assertTrue(m.startsWith("The model has no spatial (feature-map) layer") && m.contains("dense"), m);
		}
	}
}
