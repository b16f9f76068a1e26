package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupTimeTest {
  @Test
  void readsTheTimesDatabasesReturn() {
    Instant t = Instant.parse("2026-11-25T18:00:00.123456Z");
    assertThat(BackupTime.parse("2026-11-25 18:00:00.123456+00")).isEqualTo(t); // PG timestamptz
    assertThat(BackupTime.parse("2026-11-25 18:00:00.123456")).isEqualTo(t); // timestamp, DATETIME
    assertThat(BackupTime.parse("2026-11-25T18:00:00.123456Z")).isEqualTo(t);
    assertThat(BackupTime.parse("2026-11-25 20:00:00.123456+02:00")).isEqualTo(t);
    assertThat(BackupTime.parse("2026-11-25 18:00"))
        .isEqualTo(Instant.parse("2026-11-25T18:00:00Z"));
    assertThat(BackupTime.parse("2026-11-25")).isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
    assertThat(BackupTime.parse("1764093600")).isEqualTo(Instant.parse("2025-11-25T18:00:00Z"));
    assertThat(BackupTime.parse(1764093600L)).isEqualTo(Instant.parse("2025-11-25T18:00:00Z"));
  }

  /**
   * Epoch seconds keep their microseconds ({@code extract(epoch from ...)} is numeric). Regression
   * (review 6 of session 22): rounded to the millisecond, a row written 200 µs after the backup was
   * a false MISSING.
   */
  @Test
  void epochSecondsKeepTheirMicroseconds() {
    Instant t = Instant.parse("2025-11-25T18:00:00.000200Z");
    assertThat(BackupTime.parse(new java.math.BigDecimal("1764093600.000200"))).isEqualTo(t);
    assertThat(BackupTime.parse("1764093600.0002")).isEqualTo(t);
    assertThat(BackupTime.parse(1764093600.0002d)).isEqualTo(t);
    assertThat(BackupTime.parse("-1.5")).isEqualTo(Instant.parse("1969-12-31T23:59:58.500Z"));
  }

  @Test
  void refusesWhatIsNotATime() {
    assertThatThrownBy(() -> BackupTime.parse("yesterday"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a time: 'yesterday'");
    assertThatThrownBy(() -> BackupTime.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theWatermarkIsUtcWithMicrosecondsAndNoOffset() {
    assertThat(BackupTime.watermark(Instant.parse("2026-11-25T18:00:00.1234567Z")))
        .isEqualTo("2026-11-25 18:00:00.123456");
  }
}
