package io.integrityauditor.engine;

import java.util.List;

/**
 * How a chunk's key range is divided into buckets, each digested separately so that a difference is
 * narrowed to one bucket in the same scan that finds it.
 */
public sealed interface Buckets permits Buckets.Starts, Buckets.Arithmetic {

  int count();

  /** The key range of bucket i within {@code chunk}. */
  KeyRange range(KeyRange chunk, int i);

  /**
   * Buckets that begin at the given keys: bucket 0 holds the keys below starts[0], bucket i the
   * keys in [starts[i-1], starts[i]), the last one the keys from the last start on.
   */
  record Starts(List<Key> starts) implements Buckets {
    @Override
    public int count() {
      return starts.size() + 1;
    }

    @Override
    public KeyRange range(KeyRange chunk, int i) {
      KeyRange r = chunk;
      if (i > 0) {
        r = r.withLower(starts.get(i - 1), true);
      }
      if (i < starts.size()) {
        r = r.withUpper(starts.get(i), false);
      }
      return r;
    }
  }

  /**
   * Parts of a single integer key's range by arithmetic, no key walk needed: part i holds the keys
   * in [base + i·width, base + (i+1)·width); part 0 also holds everything below base and the last
   * part everything above. Each part is digested by its own range query.
   */
  record Arithmetic(long base, long width, int count) implements Buckets {
    public Arithmetic {
      if (width < 1 || count < 1) {
        throw new IllegalArgumentException("width and count must be positive");
      }
      // (key - base) must never overflow for keys below the end: the span has to fit a long
      Math.addExact(base, Math.multiplyExact(width, (long) count));
    }

    /** The first key of bucket i (saturating). */
    public long start(int i) {
      return saturatedAdd(base, saturatedMultiply(width, i));
    }

    /** The key where the last bucket's regular part ends (exclusive, saturating). */
    public long end() {
      return start(count);
    }

    @Override
    public KeyRange range(KeyRange chunk, int i) {
      KeyRange r = chunk;
      if (i > 0) {
        r = r.withLower(Key.of(start(i)), true);
      }
      if (i < count - 1) {
        r = r.withUpper(Key.of(start(i + 1)), false);
      }
      return r;
    }

    static long saturatedAdd(long a, long b) {
      long r = a + b;
      if (((a ^ r) & (b ^ r)) < 0) {
        return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
      }
      return r;
    }

    static long saturatedMultiply(long a, long b) {
      long hi = Math.multiplyHigh(a, b);
      long lo = a * b;
      if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
        return lo;
      }
      return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }
}
