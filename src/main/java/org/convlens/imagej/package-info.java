/** ImageJ room: ImagePlus to arrays, hyperstacks, overlays, tables and plots. */
package org.convlens.imagej;
