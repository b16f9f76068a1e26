package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.store.CopyResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A backup's table without updatedAt is compared by counts only: its copy is CONSISTENT and its
 * counts are the writes since the backup. Regression (review 2 of session 22): those counts were
 * exported as integrity_divergent_rows (missing 1, changed 1), so IntegrityDivergentRows ("these
 * rows differ for real") fired on a CONSISTENT audit after any write since the newest dump.
 */
class CountsOnlyDivergenceTest {
  private static CopyResult copy(
      String endpoint, String role, String status, long missing, long changed) {
    return new CopyResult(
        "r1", "public.contacts", endpoint, role, status, missing, 0, changed, 0, 0, null);
  }

  @Test
  void aCountsOnlyBackupExportsNoDivergentRows() throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      String text =
          m.run(
                  "r1",
                  Instant.parse("2026-12-01T12:00:00Z"),
                  "FINDINGS",
                  null,
                  "{\"backups\":[{\"endpoint\":\"backup\",\"asOf\":\"2026-12-01T03:00:00Z\","
                      + "\"stale\":false,\"findings\":[]}],\"replication\":[]}")
              .table(
                  "r1",
                  100,
                  copy("replica", "REPLICA", "FINDINGS", 2, 3),
                  copy("backup", "BACKUP", "CONSISTENT", 1, 1))
              .exported(
                  List.of("replica"),
                  List.of(
                      new BackupConfig(
                          "backup", "SELECT now()", Duration.hours(26), null, "/backups/*.dump")));
      String line = "integrity_divergent_rows{dataset=\"users\",endpoint=\"%s\",kind=\"%s\"} ";
      assertThat(text)
          .contains(String.format(line, "backup", "missing") + "0.0")
          .contains(String.format(line, "backup", "changed") + "0.0")
          .contains(String.format(line, "replica", "missing") + "2.0")
          .contains(String.format(line, "replica", "changed") + "3.0");
    }
  }
}
