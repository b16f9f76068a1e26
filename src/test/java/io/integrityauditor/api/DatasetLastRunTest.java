package io.integrityauditor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * A dataset's {@code lastRun} in GET /api/datasets (the console's status column) is its last audit
 * of the whole dataset. Regression (review 1 of session 23): after a whole-dataset audit with 5
 * users at risk, a CONSISTENT one-user audit (and a one-table audit) became the lastRun: the
 * dataset showed green beside "5 users at risk".
 */
class DatasetLastRunTest {
  @Test
  void aOneUserOrOneTableAuditIsNotTheDatasetsLastRun() throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-lastrun").resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      RunDao dao = store.runs();
      Instant at = Instant.parse("2026-12-01T12:00:00Z");
      finish(
          dao,
          AuditRun.queued("whole", "users", null, null, "API", "dba", null, at),
          "FINDINGS",
          5L);
      finish(
          dao,
          AuditRun.queued("one-user", "users", null, "1", "API", "dba", null, at.plusSeconds(60)),
          "CONSISTENT",
          0L);
      finish(
          dao,
          AuditRun.queued(
              "one-table", "users", "public.events", null, "API", "dba", null, at.plusSeconds(120)),
          "CONSISTENT",
          0L);
      DatasetResource api =
          new DatasetResource(
              Map.of(
                  "users",
                  new DatasetConfig(
                      "primary",
                      List.of(),
                      List.of(),
                      null,
                      List.of(new TableConfig("t", List.of("id"), null, null, List.of())))),
              dao,
              new ObjectMapper());
      DatasetResource.DatasetView view = api.list().get(0);
      assertThat(view.lastRun().id()).isEqualTo("whole");
      assertThat(view.lastRun().status()).isEqualTo("FINDINGS");
      assertThat(view.usersAtRisk()).isEqualTo(5L);

      // a whole-dataset audit that failed is the dataset's status, users at risk still the last
      // complete run's
      finish(
          dao,
          AuditRun.queued(
              "failed", "users", null, null, "SCHEDULE", "schedule", null, at.plusSeconds(180)),
          "FAILED",
          null);
      view = api.list().get(0);
      assertThat(view.lastRun().id()).isEqualTo("failed");
      assertThat(view.lastRun().status()).isEqualTo("FAILED");
      assertThat(view.usersAtRisk()).isEqualTo(5L);
    } finally {
      store.close();
    }
  }

  private static void finish(RunDao dao, AuditRun run, String status, Long usersAtRisk) {
    dao.insert(run);
    dao.claim(run.id(), "a", run.createdAt());
    dao.finish(
        run.id(),
        "a",
        status,
        run.createdAt().plusSeconds(5),
        10,
        1,
        usersAtRisk,
        null,
        "{\"tables\":[],\"replication\":[],\"backups\":[]}");
  }
}
