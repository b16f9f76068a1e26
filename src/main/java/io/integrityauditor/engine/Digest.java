package io.integrityauditor.engine;

import java.math.BigInteger;

/**
 * The digest of a set of rows: how many there are and the exact (unbounded) sum of their 64-bit row
 * hashes. SUM, not XOR: XOR cancels pairs of equal rows and repeated bit edits.
 *
 * <p>A digest of an integer key range may also carry {@link Decode} sums, from which a range that
 * differs by exactly one row names that row's key without being read again.
 */
public record Digest(long count, BigInteger sum, Decode decode) {
  public static final Digest EMPTY = new Digest(0, BigInteger.ZERO);

  public Digest {
    if (sum == null) {
      sum = BigInteger.ZERO;
    }
  }

  public Digest(long count, BigInteger sum) {
    this(count, sum, null);
  }

  /**
   * Over the rows of an integer key range: {@code low} is the sum of each row hash's low 32 bits
   * {@code a}, {@code weighted} the sum of {@code a * (key - base)}. When two copies of the range
   * differ by one row (changed, missing or extra), the differences of these sums are {@code Δa} and
   * {@code Δa * (key - base)}: their quotient is the row's offset from {@code base}. With two or
   * more differing rows the quotient is meaningless, which the reader detects by checking that the
   * named row alone accounts for the whole difference of count and sum.
   */
  public record Decode(long base, BigInteger low, BigInteger weighted) {
    public Decode {
      low = low == null ? BigInteger.ZERO : low;
      weighted = weighted == null ? BigInteger.ZERO : weighted;
    }

    /** The low 32 bits of a row hash, as the digest query sums them. */
    public static long low(long hash) {
      return hash & 0xFFFFFFFFL;
    }

    /**
     * The key of the one row by which {@code this} (one copy) differs from {@code other}, or null
     * when the sums cannot name one (no row, or more than one, or another base).
     */
    public Long key(Decode other) {
      if (other == null || other.base != base) {
        return null;
      }
      BigInteger da = low.subtract(other.low);
      if (da.signum() == 0) {
        return null;
      }
      BigInteger[] qr = weighted.subtract(other.weighted).divideAndRemainder(da);
      if (qr[1].signum() != 0 || qr[0].signum() < 0 || qr[0].bitLength() > 32) {
        return null;
      }
      try {
        return Math.addExact(base, qr[0].longValue());
      } catch (ArithmeticException e) {
        return null;
      }
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
