package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link TableComparator#arithmeticSplit}: parts of a bounded integer range. */
class ArithmeticSplitTest {
  private static KeyRange range(long lo, boolean loIncl, long hi, boolean hiIncl) {
    return new KeyRange(Key.of(lo), loIncl, Key.of(hi), hiIncl);
  }

  private static boolean contains(KeyRange r, Key k) {
    boolean aboveLower =
        r.lower() == null
            || k.compareTo(r.lower()) > 0
            || r.lowerInclusive() && k.compareTo(r.lower()) == 0;
    boolean belowUpper =
        r.upper() == null
            || k.compareTo(r.upper()) < 0
            || r.upperInclusive() && k.compareTo(r.upper()) == 0;
    return aboveLower && belowUpper;
  }

  /** Regression: keys -2^62 .. 2^62 - 1 overflowed the span and divided by zero. */
  @Test
  void aRangeOfTwoToTheSixtyThreeKeysIsNotSplitByArithmetic() {
    KeyRange r = range(-(1L << 62) - 1, false, 1L << 62, false);
    assertThat(TableComparator.arithmeticSplit(r, 16)).isNull();
    assertThat(TableComparator.arithmeticSplit(range(Long.MIN_VALUE, true, -1, true), 16)).isNull();
    assertThat(TableComparator.arithmeticSplit(range(-1, false, Long.MAX_VALUE, true), 16))
        .isNull();
  }

  /**
   * Regression: keys 1 .. 5 in 4 parts of width 2 gave a third part [5, 7), past the range's end
   * (key 6 belonged to the next range and was located, and reported, twice).
   */
  @Test
  void everyPartStaysInsideTheRange() {
    KeyRange parent = range(1, true, 6, false);
    Buckets.Arithmetic a = TableComparator.arithmeticSplit(parent, 4);
    assertThat(a.count()).isEqualTo(3);
    assertThat(a.range(parent, 0)).isEqualTo(range(1, true, 3, false));
    assertThat(a.range(parent, 1)).isEqualTo(range(3, true, 5, false));
    assertThat(a.range(parent, 2)).isEqualTo(range(5, true, 6, false));
    // Every range, fanout and bound: each key of the range in exactly one part, none outside it.
    for (int fanout = 2; fanout <= 16; fanout++) {
      for (long lo = -3; lo <= 3; lo++) {
        for (long hi = lo + 1; hi <= lo + 70; hi++) {
          KeyRange r = range(lo, true, hi, true);
          Buckets.Arithmetic b = TableComparator.arithmeticSplit(r, fanout);
          assertThat(b.count()).isBetween(2, fanout);
          for (long k = lo - 2; k <= hi + 2; k++) {
            int in = 0;
            for (int i = 0; i < b.count(); i++) {
              if (contains(b.range(r, i), Key.of(k))) {
                in++;
              }
            }
            assertThat(in)
                .as("key %d of [%d, %d] in %d parts", k, lo, hi, b.count())
                .isEqualTo(k >= lo && k <= hi ? 1 : 0);
          }
        }
      }
    }
  }
}
