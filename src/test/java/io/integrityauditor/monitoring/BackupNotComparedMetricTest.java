package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.store.CopyResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A backup the audit did not compare (its restore failed, no backup was found) is reported
 * FINDINGS, "not compared", without the auditor having opened it. Regressions (review of session
 * 17, the service against real databases and Prometheus): such a backup on a port nothing listens
 * on was exported up (1), which resolved IntegrityEndpointDown; it counted the table's rows in
 * integrity_rows_checked_total; and a backup just added to the configuration, not inspected by any
 * audit yet, was exported with a backup time of 0 ("none found"), so IntegrityBackupMissing paged.
 */
class BackupNotComparedMetricTest {
  private static final BackupConfig BACKUP =
      new BackupConfig("backup", "SELECT now()", Duration.hours(26), "restore.sh", null);
  private static final BackupConfig ADDED =
      new BackupConfig("added", "SELECT now()", Duration.hours(26), null, null);

  @Test
  void aBackupNotComparedIsNeitherUpNorCountedAndANewOneHasNoTimeYet() throws Exception {
    Instant t = Instant.parse("2026-12-01T12:00:00Z");
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      String text =
          m
              // 1: the backup could not be opened for its asOf query (no restore command then).
              .run(
                  "r1",
                  t,
                  "FAILED",
                  "backup: cannot open endpoint 'backup' (jdbc:postgresql://127.0.0.1:1/bk):"
                      + " refused",
                  "{\"tables\":[{\"table\":\"public.contacts\",\"error\":null,\"copies\":["
                      + "{\"endpoint\":\"replica\",\"role\":\"REPLICA\",\"status\":\"CONSISTENT\","
                      + "\"hashing\":\"NATIVE\"}]}],\"backups\":[{\"endpoint\":\"backup\","
                      + "\"asOf\":null,\"findings\":[]}],\"replication\":[]}")
              .table(
                  "r1",
                  8000,
                  new CopyResult(
                      "r1",
                      "public.contacts",
                      "replica",
                      "REPLICA",
                      "CONSISTENT",
                      0,
                      0,
                      0,
                      0,
                      0,
                      null))
              // 2: its restore command failed: not compared, never opened by the auditor.
              .run(
                  "r2",
                  t.plusSeconds(60),
                  "FINDINGS",
                  null,
                  "{\"tables\":[{\"table\":\"public.contacts\",\"error\":null,\"copies\":["
                      + "{\"endpoint\":\"replica\",\"role\":\"REPLICA\",\"status\":\"CONSISTENT\","
                      + "\"hashing\":\"NATIVE\"},{\"endpoint\":\"backup\",\"role\":\"BACKUP\","
                      + "\"status\":\"FINDINGS\",\"hashing\":null,\"note\":\"not compared:"
                      + " restore exited with 2\"}]}],\"backups\":[{\"endpoint\":\"backup\","
                      + "\"asOf\":null,\"asOfSource\":null,\"findings\":[{\"kind\":"
                      + "\"RESTORE_FAILED\",\"message\":\"restore exited with 2\"}]}],"
                      + "\"replication\":[]}")
              .table(
                  "r2",
                  8000,
                  new CopyResult(
                      "r2",
                      "public.contacts",
                      "replica",
                      "REPLICA",
                      "CONSISTENT",
                      0,
                      0,
                      0,
                      0,
                      0,
                      null),
                  new CopyResult(
                      "r2", "public.contacts", "backup", "BACKUP", "FINDINGS", 0, 0, 0, 0, 0, null))
              .exported(List.of("replica"), List.of(BACKUP, ADDED));
      assertThat(text)
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"backup\"} 0.0")
          .contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"replica\"} 1.0")
          .contains("integrity_rows_checked_total{dataset=\"users\",endpoint=\"replica\"} 16000.0")
          .contains("integrity_rows_checked_total{dataset=\"users\",endpoint=\"backup\"} 0.0")
          .contains(
              "integrity_backup_last_timestamp_seconds{dataset=\"users\",endpoint=\"backup\"} 0.0")
          .doesNotContain(
              "integrity_backup_last_timestamp_seconds{dataset=\"users\",endpoint=\"added\"}");
    }
  }
}
