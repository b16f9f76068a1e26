package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.integrityauditor.config.BackupConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * integrity_backup_last_timestamp_seconds is 0 ("none found", which IntegrityBackupMissing alerts
 * on) when the last audit found no backup file. Regression: the asOf of the copy restored earlier
 * was exported, so a backup whose dumps had stopped appearing never raised IntegrityBackupMissing.
 */
class BackupMissingMetricTest {
  static String exported(String findings) throws Exception {
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      return m.run(
              "r1",
              Instant.parse("2026-12-01T12:00:00Z"),
              "FINDINGS",
              null,
              "{\"backups\":[{\"endpoint\":\"backup\",\"asOf\":\"2026-12-01T03:00:00Z\","
                  + "\"stale\":false,\"findings\":"
                  + findings
                  + "}],\"replication\":[]}")
          .exported(
              List.of(),
              List.of(
                  new BackupConfig(
                      "backup", "SELECT now()", Duration.hours(26), null, "/backups/*.dump")));
    }
  }

  @Test
  void noBackupFileMeansNoNewestBackup() throws Exception {
    String line = "integrity_backup_last_timestamp_seconds{dataset=\"users\",endpoint=\"backup\"} ";
    assertThat(exported("[]")).contains(line + "1.796094E9");
    assertThat(
            exported(
                "[{\"kind\":\"MISSING_BACKUP\",\"message\":\"no backup file matches"
                    + " /backups/*.dump\"}]"))
        .contains(line + "0.0");
  }

  /**
   * A backup whose asOf is recent but whose newest dump file is older than maxAge is STALE in the
   * report, and its time is the file's. Regression (review of session 17): the asOf (an hour ago)
   * was exported beside dump files three days old, and IntegrityBackupStale never fired.
   */
  @Test
  void theBackupTimeIsTheOlderOfItsAsOfAndItsNewestFile() throws Exception {
    String line = "integrity_backup_last_timestamp_seconds{dataset=\"users\",endpoint=\"backup\"} ";
    try (MetricsOfRuns m = new MetricsOfRuns()) {
      String text =
          m.run(
                  "r1",
                  Instant.parse("2026-12-04T12:00:00Z"),
                  "FINDINGS",
                  null,
                  "{\"backups\":[{\"endpoint\":\"backup\",\"asOf\":\"2026-12-04T11:00:00Z\","
                      + "\"newestFileTime\":\"2026-12-01T12:00:00Z\",\"stale\":true,"
                      + "\"findings\":[{\"kind\":\"STALE\",\"message\":\"newest backup file"
                      + " ... older than maxAge\"}]}],\"replication\":[]}")
              .exported(
                  List.of(),
                  List.of(
                      new BackupConfig(
                          "backup", "SELECT now()", Duration.hours(26), null, "/backups/*.dump")));
      assertThat(text).contains(line + "1.7961264E9");
    }
  }

  /** Each kind of backup finding is a 0/1 series of the backup, SHRUNK included (its alert). */
  @Test
  void anEmptyNewestDumpIsExportedAsAShrunkFinding() throws Exception {
    String text =
        exported(
            "[{\"kind\":\"SHRUNK\",\"message\":\"newest backup file /backups/c.dump is"
                + " empty\"}]");
    assertThat(text)
        .contains(
            "integrity_backup_findings{dataset=\"users\",endpoint=\"backup\",kind=\"SHRUNK\"} 1.0")
        .contains(
            "integrity_backup_findings{dataset=\"users\",endpoint=\"backup\",kind=\"STALE\"} 0.0")
        .contains(
            "integrity_backup_findings{dataset=\"users\",endpoint=\"backup\",kind=\"RESTORE_FAILED\"}"
                + " 0.0");
  }
}
