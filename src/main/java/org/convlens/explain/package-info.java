/** Explain room: the visualisation algorithms, on plain arrays and {@link org.convlens.model.ConvModel}; no ImageJ types. */
package org.convlens.explain;
