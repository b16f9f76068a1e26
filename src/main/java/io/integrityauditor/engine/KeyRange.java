package io.integrityauditor.engine;

/**
 * A range of the key space. A null bound is unbounded. Ranges produced by the planner partition the
 * key space: (-inf, b1], (b1, b2], ... (bn, +inf), and bucket ranges split them further at
 * inclusive lower bounds.
 */
public record KeyRange(Key lower, boolean lowerInclusive, Key upper, boolean upperInclusive) {
  public static final KeyRange ALL = new KeyRange(null, false, null, false);

  /** Everything strictly above {@code lower} (all keys when lower is null). */
  public static KeyRange above(Key lower) {
    return new KeyRange(lower, false, null, false);
  }

  public KeyRange withUpper(Key upper, boolean inclusive) {
    return new KeyRange(lower, lowerInclusive, upper, inclusive);
  }

  public KeyRange withLower(Key lower, boolean inclusive) {
    return new KeyRange(lower, inclusive, upper, upperInclusive);
  }

  @Override
  public String toString() {
    return (lower == null ? "(-inf" : (lowerInclusive ? "[" : "(") + lower)
        + ", "
        + (upper == null ? "+inf)" : upper + (upperInclusive ? "]" : ")"));
  }
}
