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

  /**
   * Regression (session 13 review): a numeric(20,0) key read as BigDecimal stayed BigDecimal from
   * 19 digits on, and matched no bigint (Long) or BIGINT UNSIGNED (BigInteger) key of the same
   * value: a false MISSING and EXTRA for each such row.
   */
  @Test
  void wholeNumbersOfNineteenAndTwentyDigitsMatchWhateverTheirJavaType() {
    assertThat(Key.of(new BigDecimal("1000000000000000000")))
        .isEqualTo(Key.of(1_000_000_000_000_000_000L));
    assertThat(Key.of(new BigDecimal("1E+18"))).isEqualTo(Key.of(1_000_000_000_000_000_000L));
    assertThat(Key.of(new BigDecimal("1234567890123456789")))
        .isEqualTo(Key.of(1_234_567_890_123_456_789L));
    assertThat(Key.of(new BigDecimal("9223372036854775807"))).isEqualTo(Key.of(Long.MAX_VALUE));
    assertThat(Key.of(new BigDecimal("-9223372036854775808"))).isEqualTo(Key.of(Long.MIN_VALUE));
    assertThat(Key.of(new BigDecimal("18446744073709551615")))
        .isEqualTo(Key.of(new BigInteger("18446744073709551615")))
        .isNotEqualTo(Key.of(new BigInteger("18446744073709551614")));
    assertThat(Key.of(new BigDecimal("9223372036854775808")))
        .isEqualTo(Key.of(new BigInteger("9223372036854775808")));
    // Fractions stay fractions.
    assertThat(Key.of(new BigDecimal("1.5"))).isNotEqualTo(Key.of(1L)).isNotEqualTo(Key.of(2L));
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
