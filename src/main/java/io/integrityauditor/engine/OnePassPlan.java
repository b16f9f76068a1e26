package io.integrityauditor.engine;

/**
 * A single integer key's space cut into ranges for a one-pass digest (one sequential scan per side
 * instead of one index range query per chunk): range 0 holds the keys below {@code base}, range i
 * (1 to {@code parts}) the keys in (base + (i-1)·width - 1, base + i·width - 1], and range parts +
 * 1 the keys above {@link #last()}. Each range is exactly the one the chunked scan would digest, so
 * every other part of the comparison (decode sums, splitting, locating) works on them unchanged.
 * With a unique key a part holds at most {@code width} rows, however sparse the keys.
 */
public record OnePassPlan(long base, long width, int parts) {
  public OnePassPlan {
    if (width < 1 || parts < 1) {
      throw new IllegalArgumentException("width and parts must be positive");
    }
    // base + width·parts - 1 and base - width must be longs: no bound of a range overflows.
    Math.addExact(base, Math.multiplyExact(width, (long) parts));
    Math.subtractExact(base, width);
  }

  /**
   * The plan cutting [min, max] into parts of {@code width} keys, or null when it cannot (a bound
   * of a range or the origin would not be a long).
   */
  public static OnePassPlan of(long min, long max, long width) {
    if (max < min || width < 1) {
      return null;
    }
    try {
      long span = Math.addExact(Math.subtractExact(max, min), 1);
      long parts = (span + width - 1) / width;
      return parts > Integer.MAX_VALUE - 2 ? null : new OnePassPlan(min, width, (int) parts);
    } catch (ArithmeticException e) {
      return null;
    }
  }

  /** One part below the first: key - origin divided by width numbers a key's part. */
  public long origin() {
    return base - width;
  }

  /** How many ranges: the parts, and the ranges below and above them. */
  public int count() {
    return parts + 2;
  }

  /** How many keys the parts cover. */
  public long span() {
    return width * parts;
  }

  /** The largest key of the last part. */
  public long last() {
    return base + width * parts - 1;
  }

  /** The exclusive lower bound of part i (1 to parts). */
  public long lowerOf(int i) {
    return base + (i - 1) * width - 1;
  }

  /** Range i of the plan, 0 to parts + 1. */
  public KeyRange range(int i) {
    if (i < 0 || i > parts + 1) {
      throw new IndexOutOfBoundsException(i);
    }
    if (i == 0) {
      return new KeyRange(null, false, Key.of(base), false);
    }
    if (i == parts + 1) {
      return KeyRange.above(Key.of(last()));
    }
    return KeyRange.above(Key.of(lowerOf(i))).withUpper(Key.of(lowerOf(i) + width), true);
  }
}
