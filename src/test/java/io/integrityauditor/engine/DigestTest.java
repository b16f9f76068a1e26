package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DigestTest {
  @Test
  void accumulatesExactlyPastSixtyFourBits() {
    Random rnd = new Random(42);
    Digest.Accumulator acc = new Digest.Accumulator();
    BigInteger exact = BigInteger.ZERO;
    for (int i = 0; i < 100_000; i++) {
      long h = i % 3 == 0 ? Long.MAX_VALUE - rnd.nextInt(5) : rnd.nextLong();
      acc.add(h);
      exact = exact.add(BigInteger.valueOf(h));
    }
    assertThat(acc.digest()).isEqualTo(new Digest(100_000, exact));
  }

  @Test
  void sumDoesNotCancelDuplicatesLikeXor() {
    Digest.Accumulator one = new Digest.Accumulator();
    one.add(7);
    Digest.Accumulator three = new Digest.Accumulator();
    three.add(7);
    three.add(9);
    three.add(9);
    Digest.Accumulator oneAndPair = new Digest.Accumulator();
    oneAndPair.add(7);
    // XOR of {7, 9, 9} equals XOR of {7}; SUM does not, and neither does the count.
    assertThat(three.digest().matches(one.digest())).isFalse();
    assertThat((7 ^ 9 ^ 9)).isEqualTo(7);
  }
}
