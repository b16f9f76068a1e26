package io.integrityauditor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.util.Duration;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.store.AuditRun;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StateStore;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GET /api/datasets shows the newest backup of the last complete run, and when no backup has a
 * time, the first one with what was wrong with it. Regression (review of session 17): a backup
 * whose restore failed or that was missing was left out (newestBackup null), so the findings the
 * README promises there (MISSING_BACKUP, RESTORE_FAILED) never appeared, while
 * IntegrityBackupMissing fired.
 */
class NewestBackupViewTest {
  private static DatasetResource.NewestBackup newest(String backupsJson) throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-newest").resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant at = Instant.parse("2026-12-01T12:00:00Z");
      dao.insert(AuditRun.queued("r1", "users", null, null, "API", "dba", null, at));
      dao.claim("r1", "a", at);
      dao.finish(
          "r1",
          "a",
          "FINDINGS",
          at.plusSeconds(5),
          10,
          1,
          0L,
          null,
          "{\"tables\":[],\"replication\":[],\"backups\":" + backupsJson + "}");
      DatasetConfig ds =
          new DatasetConfig(
              "primary",
              List.of(),
              List.of(
                  new BackupConfig("b1", "SELECT now()", Duration.hours(26), "restore.sh", null),
                  new BackupConfig("b2", "SELECT now()", Duration.hours(26), null, null)),
              null,
              List.of(new TableConfig("t", List.of("id"), null, null, List.of())));
      return new DatasetResource(Map.of("users", ds), dao, new ObjectMapper())
          .list()
          .get(0)
          .newestBackup();
    } finally {
      store.close();
    }
  }

  @Test
  void aBackupWithoutATimeShowsWhatWasWrongWithIt() throws Exception {
    DatasetResource.NewestBackup failed =
        newest(
            "[{\"endpoint\":\"b1\",\"asOf\":null,\"stale\":false,\"findings\":[{\"kind\":"
                + "\"RESTORE_FAILED\",\"message\":\"restore exited with 2\"}]},"
                + "{\"endpoint\":\"b2\",\"asOf\":null,\"stale\":false,\"findings\":[{\"kind\":"
                + "\"MISSING_BACKUP\",\"message\":\"the asOf query returned no time\"}]}]");
    assertThat(failed).isNotNull();
    assertThat(failed.endpoint()).isEqualTo("b1");
    assertThat(failed.asOf()).isNull();
    assertThat(failed.findings()).containsExactly("RESTORE_FAILED");

    DatasetResource.NewestBackup timed =
        newest(
            "[{\"endpoint\":\"b1\",\"asOf\":null,\"stale\":false,\"findings\":[{\"kind\":"
                + "\"RESTORE_FAILED\",\"message\":\"restore exited with 2\"}]},"
                + "{\"endpoint\":\"b2\",\"asOf\":\"2026-12-01T03:00:00Z\",\"ageSeconds\":32400,"
                + "\"stale\":false,\"findings\":[]}]");
    assertThat(timed.endpoint()).isEqualTo("b2");
    assertThat(timed.asOf()).isEqualTo("2026-12-01T03:00:00Z");
    assertThat(timed.findings()).isEmpty();
  }
}
