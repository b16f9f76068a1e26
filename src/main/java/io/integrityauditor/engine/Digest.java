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
   * Over the rows of an integer key range: {@code low} is the sum of each row's weight {@code a}
   * (see {@link Weight}), {@code weighted} the sum of {@code a * (key - base)}. When two copies of
   * the range differ by one row (changed, missing or extra), the differences of these sums are
   * {@code Δa} and {@code Δa * (key - base)}: their quotient is the row's offset from {@code base}.
   * With two or more differing rows the quotient is meaningless, which the reader detects by
   * checking that the named row alone accounts for the whole difference of count and sum.
   *
   * <p>{@code low} may be null for {@link Weight#HASH_LOW32}: one differing row's {@code Δa} is
   * then read from the digests' hash sums (see {@link Digest#decodeKey}), and the query saves one
   * of its four sums per row.
   */
  public record Decode(long base, BigInteger low, BigInteger weighted, Weight weight) {
    public Decode {
      weighted = weighted == null ? BigInteger.ZERO : weighted;
    }

    public Decode(long base, BigInteger low, BigInteger weighted) {
      this(base, low, weighted, Weight.HASH_LOW32);
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
      if (other == null
          || other.base != base
          || other.weight != weight
          || low == null
          || other.low == null) {
        return null;
      }
      return offsetKey(low.subtract(other.low), other);
    }

    /** base + Δweighted / da when that is a whole offset in [0, 2^32), else null. */
    Long offsetKey(BigInteger da, Decode other) {
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

  private static final BigInteger TWO_32 = BigInteger.ONE.shiftLeft(32);

  /**
   * The key of the one row by which this digest (of one copy) differs from {@code other}, or null
   * when the decode sums cannot name one. Without {@code low} sums (HASH_LOW32): one differing
   * row's Δa = low(h1) - low(h2) (or ±low(h)) is congruent to the hash sums' difference modulo 2^32
   * and lies in (-2^32, 2^32), so it is d or d - 2^32 (d = that difference mod 2^32); the first
   * whose quotient is a whole in-range offset names the key. The caller reads that row on both
   * sides and keeps it only if it accounts for the whole difference of count and sum.
   */
  public Long decodeKey(Digest other) {
    if (decode == null || other.decode == null) {
      return null;
    }
    Decode a = decode;
    Decode b = other.decode;
    if (a.low != null || b.low != null) {
      return a.key(b);
    }
    if (a.base != b.base || a.weight != b.weight || a.weight != Weight.HASH_LOW32) {
      return null;
    }
    BigInteger d = sum.subtract(other.sum).mod(TWO_32);
    Long k = a.offsetKey(d, b);
    return k != null ? k : a.offsetKey(d.subtract(TWO_32), b);
  }

  /** The digest of both sets of rows together (decode sums dropped). */
  public Digest plus(Digest other) {
    return new Digest(count + other.count, sum.add(other.sum));
  }

  public boolean matches(Digest other) {
    return count == other.count && sum.equals(other.sum);
  }

  /** What the decode sums weigh a row by, and how the digest's hash sum reads a row hash. */
  public enum Weight {
    /**
     * a = the row hash's low 32 bits, so a changed row can be named too; hashes are summed as
     * signed 64-bit values (PostgreSQL, whose subquery computes the hash once for all sums).
     */
    HASH_LOW32(false),
    /**
     * a = 1: the sums are the row count and the sum of key offsets, so only a missing or an extra
     * row can be named (a changed row leaves both equal); hashes are summed as unsigned 64-bit
     * values (MariaDB/MySQL, where a second use of the row hash would compute it again).
     */
    ONE(true);

    private final boolean unsignedHashes;

    Weight(boolean unsignedHashes) {
      this.unsignedHashes = unsignedHashes;
    }

    /** The weight a of a row with this hash. */
    public BigInteger of(long hash) {
      return this == HASH_LOW32 ? BigInteger.valueOf(Decode.low(hash)) : BigInteger.ONE;
    }

    /** A row hash as the digest's sum adds it. */
    public BigInteger hashValue(long hash) {
      return unsignedHashes
          ? new BigInteger(Long.toUnsignedString(hash))
          : BigInteger.valueOf(hash);
    }
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
