package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyTest {
  @Test
  void equalKeysFromDifferentDriversMatch() {
    assertThat(Key.of(42L)).isEqualTo(Key.of(42)).isEqualTo(Key.of(new BigDecimal("42.000")));
    assertThat(Key.of(BigInteger.valueOf(7))).isEqualTo(Key.of(7L));
  }

  @Test
  void longKeysKeepEveryDigit() {
    // 10^18+3 and 10^18+5 are the same double; they must stay different keys.
    assertThat(Key.of(1_000_000_000_000_000_003L)).isNotEqualTo(Key.of(1_000_000_000_000_000_005L));
    assertThat(Key.of(1_000_000_000_000_000_003L).toMap(List.of("id")))
        .containsEntry("id", 1_000_000_000_000_000_003L);
  }

  @Test
  void textKeysAreCaseSensitive() {
    assertThat(Key.of("Bob", 1)).isNotEqualTo(Key.of("bob", 1));
  }
}
