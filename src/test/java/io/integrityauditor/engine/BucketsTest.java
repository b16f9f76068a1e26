package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BucketsTest {
  private static boolean contains(KeyRange r, long k) {
    if (r.lower() != null) {
      long lo = (Long) r.lower().get(0);
      if (r.lowerInclusive() ? k < lo : k <= lo) {
        return false;
      }
    }
    if (r.upper() != null) {
      long hi = (Long) r.upper().get(0);
      return r.upperInclusive() ? k <= hi : k < hi;
    }
    return true;
  }

  @Test
  void arithmeticBucketRangesPartitionTheChunk() {
    KeyRange chunk = KeyRange.above(Key.of(-100L)).withUpper(Key.of(1000L), true);
    Buckets.Arithmetic b = new Buckets.Arithmetic(10, 37, 16);
    for (long k = -99; k <= 1000; k++) {
      int owners = 0;
      for (int i = 0; i < b.count(); i++) {
        if (contains(b.range(chunk, i), k)) {
          owners++;
        }
      }
      assertThat(owners).as("key %d", k).isEqualTo(1);
    }
  }

  @Test
  void startBucketsPartitionTheChunk() {
    KeyRange chunk = KeyRange.ALL;
    Buckets.Starts b = new Buckets.Starts(List.of(Key.of(10L), Key.of(20L)));
    assertThat(contains(b.range(chunk, 0), 9)).isTrue();
    assertThat(contains(b.range(chunk, 0), 10)).isFalse();
    assertThat(contains(b.range(chunk, 1), 10)).isTrue();
    assertThat(contains(b.range(chunk, 1), 20)).isFalse();
    assertThat(contains(b.range(chunk, 2), 20)).isTrue();
    assertThat(contains(b.range(chunk, 2), Long.MAX_VALUE)).isTrue();
  }

  @Test
  void refusesASpanThatWouldOverflowTheKeyArithmetic() {
    assertThatThrownBy(() -> new Buckets.Arithmetic(Long.MAX_VALUE - 10, 5, 16))
        .isInstanceOf(ArithmeticException.class);
  }
}
