/**
 * The headless parts of the batch tool (no SciJava commands): the batched stream over a folder
 * ({@link org.convlens.imagej.batch.BatchStream}, {@link org.convlens.imagej.batch.BatchSink}),
 * the report and the refusal to overwrite, run tables, input lists and output names, the shard rule
 * and the merging of shard outputs, and a fast writer of ImageJ's PNG files.
 */
package org.convlens.imagej.batch;
