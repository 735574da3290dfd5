/** TensorFlow room: loading, inlining, caching, running and differentiating models. TF types never leave it. */
package org.convlens.model;
