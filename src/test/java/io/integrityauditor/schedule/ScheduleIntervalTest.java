package io.integrityauditor.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * integrity_audit_schedule_interval_seconds is the longest of the last three gaps up to the next
 * fire, so the stale alerts (2x and 3x it) fire only when two or three fires passed without a
 * success. Regression (review): the gap between the next two fires was exported — 900 s at 14:00
 * for a cron firing every 15 minutes from 00:00 to 12:45, which paged "three audits in a row did
 * not complete" every evening; 86400 s on a Sunday for a weekday cron.
 */
class ScheduleIntervalTest {
  @Test
  void unevenSchedulesExportTheirLongestRecentGap() {
    // Saturday 2026-12-05, 14:00 UTC.
    Instant saturday = Instant.parse("2026-12-05T14:00:00Z");
    // Last fires 12:15, 12:30, 12:45; next 00:00 tomorrow: 11 h 15 min.
    assertThat(AuditScheduler.intervalSeconds("0 */15 0-12 * * ?", "UTC", saturday))
        .isEqualTo(11 * 3600 + 15 * 60);
    // During the fires' hours: 15 minutes.
    assertThat(
            AuditScheduler.intervalSeconds(
                "0 */15 0-12 * * ?", "UTC", Instant.parse("2026-12-05T10:05:00Z")))
        .isEqualTo(900);
    // Weekdays at 03:00, seen on a Sunday: Wed, Thu, Fri, then Monday: 3 days.
    assertThat(
            AuditScheduler.intervalSeconds(
                "0 0 3 ? * MON-FRI", "UTC", Instant.parse("2026-12-06T12:00:00Z")))
        .isEqualTo(3 * 86400);
    // Regular schedules are their period.
    assertThat(AuditScheduler.intervalSeconds("0 */5 * * * ?", "UTC", saturday)).isEqualTo(300);
    assertThat(AuditScheduler.intervalSeconds("0 0 3 * * ?", "Europe/Berlin", saturday))
        .isEqualTo(86400);
    // Once a year (a fire four years back at most is looked for).
    assertThat(AuditScheduler.intervalSeconds("0 0 3 1 1 ?", "UTC", saturday))
        .isBetween(365L * 86400, 366L * 86400);
    assertThat(AuditScheduler.intervalSeconds(null, "UTC", saturday)).isEqualTo(-1);
  }
}
