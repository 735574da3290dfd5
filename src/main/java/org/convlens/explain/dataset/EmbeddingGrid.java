package org.convlens.explain.dataset;

/**
 * The layout of the CS231n embedding picture: a {@code cols x rows} grid laid over the 2-D map
 * (each axis scaled to fill it), each cell showing the image whose embedded point is nearest to
 * the cell's centre. Cells far from every point can be left empty.
 */
public final class EmbeddingGrid {

	private EmbeddingGrid() {}

	/**
	 * @param xy embedded points
	 * @param maxDistance leave a cell empty when its nearest point is farther than this, in cell
	 *        widths; {@code Double.POSITIVE_INFINITY} fills every cell
	 * @return for each cell, row-major ({@code row * cols + col}, row 0 at the top = largest y),
	 *         the index of its image, or -1
	 */
	public static int[] assign(double[][] xy, int cols, int rows, double maxDistance) {
		if (cols < 1 || rows < 1) throw new IllegalArgumentException("Grid must be at least 1x1: " + cols + "x" + rows);
		int n = xy.length;
		int[] cell = new int[cols * rows];
		java.util.Arrays.fill(cell, -1);
		if (n == 0) return cell;
		double[] b = bounds(xy);
		double minX = b[0], maxX = b[1], minY = b[2], maxY = b[3];
		double sx = maxX > minX ? maxX - minX : 1;
		double sy = maxY > minY ? maxY - minY : 1;
		// points in grid units: x in [0, cols], y in [0, rows] with y pointing down
		double[] gx = new double[n], gy = new double[n];
		for (int i = 0; i < n; i++) {
			gx[i] = (xy[i][0] - minX) / sx * cols;
			gy[i] = (maxY - xy[i][1]) / sy * rows;
		}
		double max2 = maxDistance * maxDistance;
		for (int r = 0; r < rows; r++) {
			for (int c = 0; c < cols; c++) {
				double cx = c + 0.5, cy = r + 0.5;
				int best = -1;
				double bd = Double.POSITIVE_INFINITY;
				for (int i = 0; i < n; i++) {
					double dx = gx[i] - cx, dy = gy[i] - cy;
					double d = dx * dx + dy * dy;
					if (d < bd) {
						bd = d;
						best = i;
					}
				}
				if (bd <= max2) cell[r * cols + c] = best;
			}
		}
		return cell;
	}

	/**
	 * The extent of the points: {@code {min x, max x, min y, max y}}; for no points
	 * {@code {+inf, -inf, +inf, -inf}}.
	 */
	public static double[] bounds(double[][] xy) {
		double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, minY = minX, maxY = maxX;
		for (double[] p : xy) {
			minX = Math.min(minX, p[0]);
			maxX = Math.max(maxX, p[0]);
			minY = Math.min(minY, p[1]);
			maxY = Math.max(maxY, p[1]);
		}
		return new double[] { minX, maxX, minY, maxY };
	}
}
