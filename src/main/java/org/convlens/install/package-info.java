/**
 * Installing ConvLens into ImageJ 1.x or Fiji ({@link org.convlens.install.Installer}): JDK only, run
 * as {@code java -jar ConvLens_.jar FOLDER}. Not one of the four rooms: it reads the TensorFlow jar
 * list from {@code org.convlens.model.TfJars} and nothing else of ConvLens.
 */
package org.convlens.install;
