package io.integrityauditor.engine;

import java.math.BigInteger;

/**
 * The digest of a set of rows: how many there are and the exact (unbounded) sum of their 64-bit row
 * hashes. SUM, not XOR: XOR cancels pairs of equal rows and repeated bit edits.
 */
public record Digest(long count, BigInteger sum) {
  public static final Digest EMPTY = new Digest(0, BigInteger.ZERO);

  public Digest {
    if (sum == null) {
      sum = BigInteger.ZERO;
    }
  }

  public boolean matches(Digest other) {
    return count == other.count && sum.equals(other.sum);
  }

  /** Exact 128-bit accumulation of signed 64-bit hashes without allocating per row. */
  public static final class Accumulator {
    private long count;
    private long lo;
    private long hi;

    public void add(long hash) {
      long r = lo + hash;
      if (((lo ^ r) & (hash ^ r)) < 0) {
        hi += hash < 0 ? -1 : 1;
      }
      lo = r;
      count++;
    }

    public Digest digest() {
      BigInteger sum = BigInteger.valueOf(hi).shiftLeft(64).add(BigInteger.valueOf(lo));
      return new Digest(count, sum);
    }

    public long count() {
      return count;
    }
  }
}
