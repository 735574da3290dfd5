/**
 * Views over a whole set of images: the streaming runner
 * ({@link org.convlens.explain.dataset.DatasetRunner}) over an
 * {@link org.convlens.explain.dataset.ImageSource}, maximally activating images and their receptive
 * fields ({@link org.convlens.explain.dataset.MaxActivating},
 * {@link org.convlens.explain.dataset.ReceptiveField}), CNN codes and their CSV export
 * ({@link org.convlens.explain.dataset.CnnCodes}), PCA / t-SNE embeddings and their image grid
 * ({@link org.convlens.explain.dataset.Embedding}), and the same-class warning for a misconfigured
 * preprocessing ({@link org.convlens.explain.dataset.SameClassCheck}).
 */
package org.convlens.explain.dataset;
