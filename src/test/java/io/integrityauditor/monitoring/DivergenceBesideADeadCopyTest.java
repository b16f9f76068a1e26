package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.store.CopyResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (review 5 of session 24): a run with one copy unreachable ends FAILED, and
 * integrity_divergent_rows read only the last complete run: three rows deleted on a healthy copy
 * were listed in every failed run's report but exported as 0, and IntegrityDivergentRows stayed
 * silent until the dead copy answered again. A copy compared in every table by a later failed run
 * is exported as that run found it; the dead copy keeps what the last complete run found.
 */
class DivergenceBesideADeadCopyTest {
  private static CopyResult copy(String run, String endpoint, String status, long missing) {
    return new CopyResult(
        run,
        "public.contacts",
        endpoint,
        "REPLICA",
        status,
        missing,
        0,
        0,
        0,
        0,
        "FAILED".equals(status) ? "cannot open endpoint 'dead'" : null);
  }

  private static final String LINE =
      "integrity_divergent_rows{dataset=\"users\",endpoint=\"%s\",kind=\"missing\"} ";

  @Test
  void aHealthyCopyOfAFailedRunIsExported() throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      Instant t = Instant.parse("2026-12-01T12:00:00Z");
      String text =
          m.run("r1", t, "FINDINGS", null, "{\"backups\":[],\"replication\":[]}")
              .table(
                  "r1",
                  100,
                  copy("r1", "healthy", "CONSISTENT", 0),
                  copy("r1", "dead", "FINDINGS", 2))
              .run("r2", t.plusSeconds(60), "FAILED", "cannot open endpoint 'dead'", "{}")
              .table(
                  "r2", 100, copy("r2", "healthy", "FINDINGS", 3), copy("r2", "dead", "FAILED", 0))
              .exported(List.of("healthy", "dead"), List.of());
      assertThat(text)
          .contains(String.format(LINE, "healthy") + "3.0")
          .contains(String.format(LINE, "dead") + "2.0");
    }
  }

  @Test
  void aDatasetThatNeverCompletedExportsItsHealthyCopy() throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      Instant t = Instant.parse("2026-12-01T12:00:00Z");
      String text =
          m.run("r2", t, "FAILED", "cannot open endpoint 'dead'", "{}")
              .table(
                  "r2", 100, copy("r2", "healthy", "FINDINGS", 3), copy("r2", "dead", "FAILED", 0))
              .exported(List.of("healthy", "dead"), List.of());
      assertThat(text)
          .contains(String.format(LINE, "healthy") + "3.0")
          .contains(String.format(LINE, "dead") + "0.0");
    }
  }

  @Test
  void aCompleteRunAfterTheFailedOneDecides() throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      Instant t = Instant.parse("2026-12-01T12:00:00Z");
      String text =
          m.run("r2", t, "FAILED", "cannot open endpoint 'dead'", "{}")
              .table(
                  "r2", 100, copy("r2", "healthy", "FINDINGS", 3), copy("r2", "dead", "FAILED", 0))
              .run(
                  "r3",
                  t.plusSeconds(60),
                  "CONSISTENT",
                  null,
                  "{\"backups\":[],\"replication\":[]}")
              .table(
                  "r3",
                  100,
                  copy("r3", "healthy", "CONSISTENT", 0),
                  copy("r3", "dead", "CONSISTENT", 0))
              .exported(List.of("healthy", "dead"), List.of());
      assertThat(text)
          .contains(String.format(LINE, "healthy") + "0.0")
          .contains(String.format(LINE, "dead") + "0.0");
    }
  }

  /**
   * Review 9 of session 24: the healthy copy then failed one table in a newer failed run; only the
   * newest failed run was looked at, and the metric fell back to the last complete run (none: 0)
   * while the rows were still missing. The newest run that compared the copy everywhere counts.
   */
  @Test
  void aCopyThatThenFailedATableKeepsItsLastFullComparison() throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      Instant t = Instant.parse("2026-12-01T12:00:00Z");
      String text =
          m.run("r1", t, "FAILED", "cannot open endpoint 'dead'", "{}")
              .table(
                  "r1", 100, copy("r1", "healthy", "FINDINGS", 3), copy("r1", "dead", "FAILED", 0))
              .run("r2", t.plusSeconds(60), "FAILED", "cannot open endpoint 'dead'", "{}")
              .table("r2", 100, copy("r2", "healthy", "FAILED", 0), copy("r2", "dead", "FAILED", 0))
              .exported(List.of("healthy", "dead"), List.of());
      assertThat(text)
          .contains(String.format(LINE, "healthy") + "3.0")
          .contains(String.format(LINE, "dead") + "0.0");
    }
  }
}
