package org.convlens.explain.core;

import java.util.List;
import java.util.Map;

import org.convlens.model.ConvModel;
import org.convlens.model.GradientResult;
import org.convlens.model.ModelInfo;
import org.convlens.model.NdArray;
import org.convlens.model.OpNode;

/** A model that passes every call on, for tests that change one answer; closing it closes nothing. */
public class ForwardingModel implements ConvModel {

	final ConvModel inner;

	public ForwardingModel(ConvModel inner) {
		this.inner = inner;
	}

	@Override
	public ModelInfo info() { return inner.info(); }

	@Override
	public Map<String, NdArray> run(NdArray input, List<String> fetches) { return inner.run(input, fetches); }

	@Override
	public GradientResult gradients(NdArray input, String target, NdArray weights, List<String> wrt) {
		return inner.gradients(input, target, weights, wrt);
	}

	@Override
	public NdArray kernel(String layer) { return inner.kernel(layer); }

	@Override
	public ConvModel randomizedCopy(List<String> layers, long seed) { return inner.randomizedCopy(layers, seed); }

	@Override
	public double compareWithSignature(NdArray input) { return inner.compareWithSignature(input); }

	@Override
	public Map<String, Object> diagnostics() { return inner.diagnostics(); }

	@Override
	public Map<String, NdArray> run(Map<String, NdArray> feeds, List<String> fetches) { return inner.run(feeds, fetches); }

	@Override
	public GradientResult gradients(Map<String, NdArray> feeds, String target, NdArray weights, List<String> wrt) {
		return inner.gradients(feeds, target, weights, wrt);
	}

	@Override
	public List<OpNode> graphPath() { return inner.graphPath(); }

	@Override
	public void close() {}
}
