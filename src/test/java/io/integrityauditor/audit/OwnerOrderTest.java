package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (review 2 of session 24): owners were numbers only up to 18 digits, so the bigint
 * owners -9000000000000000000, 9000000000000000000 and the numeric 10000000000000000000 sorted as
 * text after every shorter number, and the 100 users sampled from many were not the lowest ids.
 */
class OwnerOrderTest {
  @Test
  void integerOwnersSortNumericallyWhateverTheirLength() {
    List<String> owners =
        List.of(
            "-3",
            "5",
            "-9000000000000000000",
            "10000000000000000000",
            "9000000000000000000",
            "alice",
            "-10",
            "123456789012345678901234567890");
    assertThat(owners.stream().sorted(AuditService::compareOwners).toList())
        .containsExactly(
            "-9000000000000000000",
            "-10",
            "-3",
            "5",
            "9000000000000000000",
            "10000000000000000000",
            "123456789012345678901234567890",
            "alice");
  }
}
