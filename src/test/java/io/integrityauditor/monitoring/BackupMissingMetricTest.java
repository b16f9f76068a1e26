package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.util.Duration;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.metrics.AuditMetrics;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.StateStore;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * integrity_backup_last_timestamp_seconds is 0 ("none found", which IntegrityBackupMissing alerts
 * on) when the last audit found no backup file. Regression: the asOf of the copy restored earlier
 * was exported, so a backup whose dumps had stopped appearing never raised IntegrityBackupMissing.
 */
class BackupMissingMetricTest {
  static String exported(String findings) throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-metric").resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      var dao = store.runs();
      Instant t = Instant.parse("2026-12-01T12:00:00Z");
      dao.insert(AuditRun.queued("r1", "users", null, null, "API", "dba", null, t));
      dao.claim("r1", "a", t);
      dao.finish(
          "r1",
          "a",
          "FINDINGS",
          t.plusSeconds(5),
          10,
          1,
          0L,
          null,
          "{\"backups\":[{\"endpoint\":\"backup\",\"asOf\":\"2026-12-01T03:00:00Z\","
              + "\"stale\":false,\"findings\":"
              + findings
              + "}],\"replication\":[]}");
      DatasetConfig ds =
          new DatasetConfig(
              "primary",
              List.of(),
              List.of(
                  new BackupConfig(
                      "backup", "SELECT now()", Duration.hours(26), null, "/backups/*.dump")),
              null,
              List.of(
                  new TableConfig("public.contacts", List.of("id"), "user_id", null, List.of())));
      AuditMetrics metrics =
          new AuditMetrics(Map.of("users", ds), store, new ObjectMapper(), "UTC", 30);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, metrics.collect());
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      store.close();
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
}
