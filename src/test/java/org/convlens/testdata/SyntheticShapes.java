package org.convlens.testdata;

import java.util.Random;

/**
 * Deterministic generator of small synthetic single-channel images, each holding exactly one
 * bright object on a textured background. Plain Java: no TensorFlow and no ImageJ types, so tests
 * can use it anywhere.
 *
 * <p>Every image is {@code size x size} floats in [0, 1], row-major ({@code pixels[y * size + x]}).
 * The background is smoothed random noise of amplitude about 0.25 around 0.3; the object's pixels
 * are about 0.9 (0.85 to 0.95). The object lies fully inside the image and is one of
 * {@link #CLASS_NAMES}:
 *
 * <ul>
 *   <li>0 "disc": filled circle, radius 4 to 6, pixels with {@code dx*dx + dy*dy <= r*r};
 *   <li>1 "ring": annulus, outer radius 5 to 7, thickness 2, pixels with {@code (r-2)^2 <
 *       dx*dx + dy*dy <= r*r};
 *   <li>2 "cross": plus sign, arm length 5 to 7, thickness 2: pixels with {@code |dx| <= L} and
 *       {@code dy} in {0, 1}, or {@code |dy| <= L} and {@code dx} in {0, 1}.
 * </ul>
 *
 * <p>(dx, dy are offsets from the object centre {@code (cx, cy)}.) The same seed and size always
 * give the same sequence of samples ({@link java.util.Random} is specified bit for bit, and only
 * float/double arithmetic that Java defines exactly is used).
 */
public final class SyntheticShapes {

  /** Class names, indexed by label. */
  public static final String[] CLASS_NAMES = {"disc", "ring", "cross"};

  /** Mean background level. */
  public static final float BACKGROUND_MEAN = 0.3f;

  /** Largest deviation of the background from its mean. */
  public static final float BACKGROUND_AMPLITUDE = 0.25f;

  /** Nominal object intensity (each sample's object is uniform, drawn from 0.85 to 0.95). */
  public static final float OBJECT_INTENSITY = 0.9f;

  /** One generated image with its ground truth. */
  public static final class Sample {
    /** Image width and height. */
    public final int size;
    /** Pixel values in [0, 1], row-major: {@code pixels[y * size + x]}. */
    public final float[] pixels;
    /** Class label, index into {@link SyntheticShapes#CLASS_NAMES}. */
    public final int label;
    /** Object centre (integer pixel coordinates). */
    public final int cx, cy;
    /** Size parameter: radius (disc), outer radius (ring) or arm length (cross). */
    public final int radius;
    /** True where the pixel belongs to the object, same layout as {@link #pixels}. */
    public final boolean[] mask;
    /** Inclusive bounding box of the object pixels. */
    public final int x0, y0, x1, y1;

    Sample(int size, float[] pixels, int label, int cx, int cy, int radius, boolean[] mask) {
      this.size = size;
      this.pixels = pixels;
      this.label = label;
      this.cx = cx;
      this.cy = cy;
      this.radius = radius;
      this.mask = mask;
      int bx0 = size, by0 = size, bx1 = -1, by1 = -1;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          if (mask[y * size + x]) {
            bx0 = Math.min(bx0, x);
            by0 = Math.min(by0, y);
            bx1 = Math.max(bx1, x);
            by1 = Math.max(by1, y);
          }
        }
      }
      this.x0 = bx0;
      this.y0 = by0;
      this.x1 = bx1;
      this.y1 = by1;
    }

    /** The class name of {@link #label}. */
    public String className() {
      return CLASS_NAMES[label];
    }

    /** Pixel value at (x, y). */
    public float get(int x, int y) {
      return pixels[y * size + x];
    }

    /** Whether (x, y) belongs to the object. */
    public boolean inObject(int x, int y) {
      return mask[y * size + x];
    }

    /** One-hot encoding of the label, length {@code CLASS_NAMES.length}. */
    public float[] oneHot() {
      float[] v = new float[CLASS_NAMES.length];
      v[label] = 1f;
      return v;
    }
  }

  private final Random random;
  private final int size;

  /**
   * @param seed seed of the sequence
   * @param size image width and height; at least 16 (the largest object spans 15 pixels)
   */
  public SyntheticShapes(long seed, int size) {
    if (size < 16) {
      throw new IllegalArgumentException("size must be at least 16: " + size);
    }
    this.random = new Random(seed);
    this.size = size;
  }

  /** Image width and height. */
  public int size() {
    return size;
  }

  /** Next sample, of a random class. */
  public Sample next() {
    return next(random.nextInt(CLASS_NAMES.length));
  }

  /** Next sample, of the given class (0 disc, 1 ring, 2 cross). */
  public Sample next(int label) {
    if (label < 0 || label >= CLASS_NAMES.length) {
      throw new IllegalArgumentException("label out of range: " + label);
    }
    float[] pixels = background();
    int r;
    switch (label) {
      case 0:
        r = 4 + random.nextInt(3);
        break;
      case 1:
        r = 5 + random.nextInt(3);
        break;
      default:
        r = 5 + random.nextInt(3);
        break;
    }
    // Object spans cx - r .. cx + r (the cross: cx - r .. cx + r as well, its bars' second
    // row/column is at +1, inside that range), so cx in [r, size - 1 - r] keeps it inside.
    int cx = r + random.nextInt(size - 2 * r);
    int cy = r + random.nextInt(size - 2 * r);
    float intensity = OBJECT_INTENSITY - 0.05f + 0.1f * random.nextFloat();
    boolean[] mask = new boolean[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int dx = x - cx, dy = y - cy;
        int d2 = dx * dx + dy * dy;
        boolean in;
        switch (label) {
          case 0:
            in = d2 <= r * r;
            break;
          case 1:
            in = d2 <= r * r && d2 > (r - 2) * (r - 2);
            break;
          default:
            in =
                (Math.abs(dx) <= r && (dy == 0 || dy == 1))
                    || (Math.abs(dy) <= r && (dx == 0 || dx == 1));
            break;
        }
        if (in) {
          mask[y * size + x] = true;
          pixels[y * size + x] = intensity;
        }
      }
    }
    return new Sample(size, pixels, label, cx, cy, r, mask);
  }

  /** Smoothed uniform noise, rescaled to BACKGROUND_MEAN +- BACKGROUND_AMPLITUDE. */
  private float[] background() {
    int n = size * size;
    float[] noise = new float[n];
    for (int i = 0; i < n; i++) {
      noise[i] = random.nextFloat() - 0.5f;
    }
    // two passes of a 3x3 box blur (edges clamped) give a soft texture of ~3 px grain
    float[] smooth = boxBlur(boxBlur(noise));
    float mean = 0f;
    for (float v : smooth) {
      mean += v;
    }
    mean /= n;
    float maxAbs = 1e-6f;
    for (float v : smooth) {
      maxAbs = Math.max(maxAbs, Math.abs(v - mean));
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = BACKGROUND_MEAN + BACKGROUND_AMPLITUDE * (smooth[i] - mean) / maxAbs;
    }
    return out;
  }

  private float[] boxBlur(float[] in) {
    float[] out = new float[in.length];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        float s = 0f;
        for (int dy = -1; dy <= 1; dy++) {
          int yy = Math.min(size - 1, Math.max(0, y + dy));
          for (int dx = -1; dx <= 1; dx++) {
            int xx = Math.min(size - 1, Math.max(0, x + dx));
            s += in[yy * size + xx];
          }
        }
        out[y * size + x] = s / 9f;
      }
    }
    return out;
  }
}
