/**
 * Filter patterns by activation maximisation: the optimiser
 * ({@link org.convlens.explain.patterns.FilterPatterns}), its image parametrisations (pixel, Fourier,
 * decorrelated colour) and transformations, the options that steer it
 * ({@link org.convlens.explain.patterns.PatternOptions}, {@link org.convlens.explain.patterns.InputRange}),
 * what to maximise ({@link org.convlens.explain.patterns.PatternTarget},
 * {@link org.convlens.explain.patterns.FilterSelection}), turning results into viewable images
 * ({@link org.convlens.explain.patterns.Deprocess}) and first-layer kernel images
 * ({@link org.convlens.explain.patterns.KernelImages}).
 */
package org.convlens.explain.patterns;
