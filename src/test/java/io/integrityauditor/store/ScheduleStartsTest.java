package io.integrityauditor.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.StateDatabaseConfig;
import io.integrityauditor.config.TableConfig;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression (review 5 of session 24): with the in-memory job store a restart starts the schedule
 * anew, and integrity_audit_schedule_start_timestamp_seconds with it, so a dataset that never
 * completed an audit was aged from the restart: its age fell from 318 s to 51 s and
 * IntegrityAuditStaleCritical resolved; restarted more often than the rules' {@code for:}, it never
 * paged. The start is kept in the state database per dataset and cron; a changed cron starts it
 * anew (review 9: aging from a failed attempt 20 days before a reschedule would page at once).
 */
class ScheduleStartsTest {
  private static DatasetConfig dataset(String cron) {
    return new DatasetConfig(
        "p",
        List.of("c"),
        List.of(),
        cron,
        List.of(new TableConfig("public.t", List.of("id"), null, null, List.of())));
  }

  @Test
  void aRestartKeepsTheStartAndAChangedCronResetsIt() throws Exception {
    StateDatabaseConfig c = new StateDatabaseConfig();
    var f = StateDatabaseConfig.class.getDeclaredField("url");
    f.setAccessible(true);
    f.set(c, "jdbc:h2:file:" + Files.createTempDirectory("ia-starts").resolve("state"));
    StateStore store = new StateStore(c);
    try {
      store.migrate();
      Instant first = Instant.parse("2026-12-01T12:00:00Z");
      Instant restart = Instant.parse("2026-12-01T12:05:00Z");
      Instant later = Instant.parse("2026-12-03T09:00:00Z");
      Map<String, DatasetConfig> every15 = Map.of("users", dataset("0 */15 * * * ?"));
      assertThat(new ScheduleStarts(store, every15, d -> first).start("users")).isEqualTo(first);
      // the service restarted: its scheduler starts anew, the kept start stands
      assertThat(new ScheduleStarts(store, every15, d -> restart).start("users")).isEqualTo(first);
      // the cron changed: a new schedule, from this start
      Map<String, DatasetConfig> daily = Map.of("users", dataset("0 0 3 * * ?"));
      assertThat(new ScheduleStarts(store, daily, d -> later).start("users")).isEqualTo(later);
      assertThat(new ScheduleStarts(store, daily, d -> later.plusSeconds(60)).start("users"))
          .isEqualTo(later);
      // a dataset without a schedule (or one not scheduled yet) has none
      assertThat(new ScheduleStarts(store, daily, d -> null).start("users")).isNull();
      assertThat(
              new ScheduleStarts(store, Map.of("users", dataset(null)), d -> restart)
                  .start("users"))
          .isEqualTo(restart);
    } finally {
      store.close();
    }
  }
}
