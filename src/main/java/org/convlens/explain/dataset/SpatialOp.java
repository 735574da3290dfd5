package org.convlens.explain.dataset;

import java.util.Locale;

/**
 * One operation on the way from the image input to a spatial layer that changes how output
 * positions map to input pixels: a convolution, a pooling or an explicit padding. Everything
 * else on the way (bias, activation, batch normalisation, ...) keeps positions and is left out.
 * Receptive fields are computed from a list of these (see {@link ReceptiveField#spatialPath}).
 *
 * <p>Sizes are along height (H) and width (W). {@link #padTop()} and {@link #padLeft()} are the
 * zero rows/columns actually added before the first input row/column, whatever the padding mode:
 * TensorFlow's {@code SAME} puts the smaller half of the padding before the data.
 */
public final class SpatialOp {

	/** Padding mode of the op. */
	public enum Padding {
		VALID, SAME, EXPLICIT
	}

	private final String opName;
	private final String opType;
	private final int kernelH, kernelW;
	private final int strideH, strideW;
	private final int dilationH, dilationW;
	private final Padding padding;
	private final int padTop, padLeft;
	private final int inH, inW;

	/**
	 * @param inH input height, -1 if unknown (needed for SAME padding with stride &gt; 1)
	 * @param padTop padding before the first row for {@link Padding#EXPLICIT}; ignored otherwise
	 */
	public SpatialOp(String opName, String opType, int kernelH, int kernelW, int strideH, int strideW, int dilationH,
		int dilationW, Padding padding, int padTop, int padLeft, int inH, int inW)
	{
		if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
			throw new IllegalArgumentException("Kernel, stride and dilation must be positive in " + opName);
		}
		this.opName = opName;
		this.opType = opType;
		this.kernelH = kernelH;
		this.kernelW = kernelW;
		this.strideH = strideH;
		this.strideW = strideW;
		this.dilationH = dilationH;
		this.dilationW = dilationW;
		this.padding = padding;
		this.inH = inH;
		this.inW = inW;
		switch (padding) {
			case VALID:
				this.padTop = 0;
				this.padLeft = 0;
				break;
			case SAME:
				this.padTop = samePadBefore(inH, kernelH, strideH, dilationH);
				this.padLeft = samePadBefore(inW, kernelW, strideW, dilationW);
				break;
			default:
				this.padTop = padTop;
				this.padLeft = padLeft;
		}
	}

	/** An explicit zero (or mirror) padding op, such as Keras' ZeroPadding2D. */
	public static SpatialOp pad(String opName, String opType, int top, int left, int inH, int inW) {
		return new SpatialOp(opName, opType, 1, 1, 1, 1, 1, 1, Padding.EXPLICIT, top, left, inH, inW);
	}

	/**
	 * TensorFlow's SAME padding before the data: half of the total, rounded down. With an unknown
	 * input size the size is taken as a multiple of the stride.
	 */
	public static int samePadBefore(int in, int kernel, int stride, int dilation) {
		int k = (kernel - 1) * dilation + 1;
		int total;
		if (in < 0) {
			total = Math.max(k - stride, 0);
		}
		else {
			int out = (in + stride - 1) / stride;
			total = Math.max((out - 1) * stride + k - in, 0);
		}
		return total / 2;
	}

	/** Full op name in the model's graph. */
	public String opName() { return opName; }
	/** TensorFlow op type, e.g. {@code Conv2D}, {@code MaxPool}, {@code Pad}. */
	public String opType() { return opType; }
	public int kernelH() { return kernelH; }
	public int kernelW() { return kernelW; }
	public int strideH() { return strideH; }
	public int strideW() { return strideW; }
	public int dilationH() { return dilationH; }
	public int dilationW() { return dilationW; }
	/** Kernel extent with dilation: {@code (k - 1) * d + 1}. */
	public int effectiveKernelH() { return (kernelH - 1) * dilationH + 1; }
	public int effectiveKernelW() { return (kernelW - 1) * dilationW + 1; }
	public Padding padding() { return padding; }
	/** Zero rows added above the input. */
	public int padTop() { return padTop; }
	/** Zero columns added left of the input. */
	public int padLeft() { return padLeft; }
	/** Input height, -1 if unknown. */
	public int inH() { return inH; }
	public int inW() { return inW; }

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "%s %dx%d stride %dx%d dilation %dx%d %s pad %d,%d (%s)", opType, kernelH, kernelW,
			strideH, strideW, dilationH, dilationW, padding, padTop, padLeft, opName);
	}
}
