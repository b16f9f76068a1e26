package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (review 5 of session 24): with the in-memory job store a restart starts the schedule
 * anew, and integrity_audit_schedule_start_timestamp_seconds with it, so a dataset that never
 * completed an audit was aged from the restart: its age fell from 318 s to 51 s and
 * IntegrityAuditStaleCritical resolved; restarted more often than the rules' `for:`, it never
 * paged. Such a dataset is aged from its first attempt kept in the state database when that is
 * older; a dataset that completed one, or never tried, keeps the scheduler's start.
 */
class ScheduleStartAfterRestartTest {
  private static final String START =
      "integrity_audit_schedule_start_timestamp_seconds{dataset=\"users\"} ";

  @Test
  void aDatasetThatNeverCompletedIsStaleFromItsFirstAttempt() throws Exception {
    Instant firstTry = Instant.parse("2026-12-01T12:00:00Z");
    Instant restart = Instant.parse("2026-12-01T12:05:00Z");
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      String text =
          m.run("r1", firstTry, "FAILED", "cannot open endpoint 'primary'", "{}")
              .run("r2", firstTry.plusSeconds(60), "FAILED", "cannot open endpoint 'primary'", "{}")
              .exported(List.of("copy"), List.of(), "0 * * * * ?", d -> restart);
      assertThat(text).contains(START + (double) firstTry.getEpochSecond());
    }
  }

  @Test
  void otherwiseTheSchedulersStartStands() throws Exception {
    Instant at = Instant.parse("2026-12-01T12:00:00Z");
    Instant restart = Instant.parse("2026-12-01T12:05:00Z");
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      assertThat(m.exported(List.of("copy"), List.of(), "0 * * * * ?", d -> restart))
          .contains(START + (double) restart.getEpochSecond());
      String text =
          m.run("r1", at, "CONSISTENT", null, "{\"backups\":[],\"replication\":[]}")
              .run("r2", at.plusSeconds(60), "FAILED", "cannot open endpoint 'primary'", "{}")
              .exported(List.of("copy"), List.of(), "0 * * * * ?", d -> restart);
      assertThat(text).contains(START + (double) restart.getEpochSecond());
    }
  }
}
