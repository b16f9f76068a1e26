package io.integrityauditor.report;

import static io.integrityauditor.report.ReportHistory.SCHEDULE;
import static io.integrityauditor.report.ReportHistory.WEEK;
import static io.integrityauditor.report.ReportHistory.ZONE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.ReportConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.store.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Expected scheduled audits count from the fire of a dataset's first scheduled run. Regression: a
 * service whose first scheduled run was Wednesday 12:00 reported 14 audits expected that week (5 of
 * them before it ran anything) and 14 the week before, when it did not exist.
 */
class WeeklyReportFirstFireTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void firesBeforeTheFirstScheduledRunAreNotExpected() throws Exception {
    Path dir = Path.of("target", "report-test");
    Files.createDirectories(dir);
    StateStore store =
        ReportHistory.store(
            "jdbc:h2:file:" + dir.resolve("first-fire-" + UUID.randomUUID()).toAbsolutePath());
    try {
      store.migrate();
      // Wednesday 12:00 and Thursday 00:00 fires, each run created a little after its fire.
      Instant wed = WEEK.plusDays(2).plusHours(12).toInstant();
      Instant thu = WEEK.plusDays(3).toInstant();
      scheduledRun(store, "late", wed, wed.plusMillis(350));
      scheduledRun(store, "late", thu, thu.plusMillis(20));

      Map<String, DatasetConfig> datasets = new LinkedHashMap<>();
      datasets.put("late", dataset());
      datasets.put("never-ran", dataset());
      datasets.put("started-friday", dataset());
      WeeklyReportBuilder builder =
          new WeeklyReportBuilder(
                  datasets,
                  store.jdbi().onDemand(io.integrityauditor.store.ReportDao.class),
                  store.runs(),
                  JSON,
                  ZONE,
                  100,
                  List.of())
              .withScheduleStart(
                  ds ->
                      ds.equals("started-friday")
                          ? WEEK.plusDays(4).plusHours(9).toInstant()
                          : ds.equals("late") ? WEEK.plusDays(5).toInstant() : null);
      Instant fire = WEEK.plusDays(7).plusHours(6).toInstant();
      WeeklyReports reports =
          new WeeklyReports(
              builder,
              store.jdbi().onDemand(io.integrityauditor.store.ReportDao.class),
              new ReportDelivery(new ReportConfig()),
              JSON,
              Clock.fixed(fire, ZONE),
              ZONE);
      JsonNode r = JSON.readTree(reports.generateScheduled(fire).json());

      JsonNode late = r.get("datasets").get(0);
      assertThat(late.get("name").asText()).isEqualTo("late");
      // Wednesday 12:00, then Thursday to Sunday at 00:00 and 12:00
      assertThat(late.get("coverage").get("scheduledExpected").asLong()).isEqualTo(9);
      assertThat(late.get("coverage").get("scheduledRan").asLong()).isEqualTo(2);
      assertThat(late.get("thisWeek").get("scheduledExpected").asLong()).isEqualTo(9);
      assertThat(late.get("previousWeek").get("scheduledExpected").asLong()).isZero();

      // Nothing says when a dataset that never ran on schedule started: the whole week.
      JsonNode never = r.get("datasets").get(1);
      assertThat(never.get("coverage").get("scheduledExpected").asLong()).isEqualTo(14);
      // Not run on schedule yet, its schedule started Friday 09:00 in the running service:
      // Friday 12:00, then Saturday and Sunday at 00:00 and 12:00. (For "late", a schedule
      // started Saturday, after its first scheduled run, changes nothing: a restart.)
      JsonNode friday = r.get("datasets").get(2);
      assertThat(friday.get("coverage").get("scheduledExpected").asLong()).isEqualTo(5);
      assertThat(r.get("thisWeek").get("scheduledExpected").asLong()).isEqualTo(28);
    } finally {
      store.close();
    }
  }

  /**
   * A report asked for half a second after a fire counts that fire and its run alike. Regression
   * (review 3 of session 21): the fires were cut at the whole second before the report and the runs
   * were not, so a report at 12:00:00.53 counted the 12:00 fire's run (created at 12:00:00.005) as
   * run but not the fire as expected: 6 run of 5 expected.
   */
  @Test
  void aReportJustAfterAFireCountsTheFireAndItsRunAlike() throws Exception {
    Path dir = Path.of("target", "report-test");
    Files.createDirectories(dir);
    StateStore store =
        ReportHistory.store(
            "jdbc:h2:file:" + dir.resolve("just-after-" + UUID.randomUUID()).toAbsolutePath());
    try {
      store.migrate();
      Instant wedNoon = WEEK.plusDays(2).plusHours(12).toInstant();
      for (Instant f = WEEK.toInstant(); !f.isAfter(wedNoon); f = f.plusSeconds(12 * 3600)) {
        scheduledRun(store, "d", f, f.plusMillis(5));
      }
      WeeklyReportBuilder builder =
          new WeeklyReportBuilder(
              Map.of("d", dataset()),
              store.jdbi().onDemand(io.integrityauditor.store.ReportDao.class),
              store.runs(),
              JSON,
              ZONE,
              100,
              List.of());
      WeeklyReports reports =
          new WeeklyReports(
              builder,
              store.jdbi().onDemand(io.integrityauditor.store.ReportDao.class),
              new ReportDelivery(new ReportConfig()),
              JSON,
              Clock.fixed(wedNoon.plusMillis(530), ZONE),
              ZONE);
      JsonNode d = JSON.readTree(reports.generateNow().json()).get("datasets").get(0);
      assertThat(d.get("coverage").get("scheduledExpected").asLong()).isEqualTo(6);
      assertThat(d.get("coverage").get("scheduledRan").asLong()).isEqualTo(6);
    } finally {
      store.close();
    }
  }

  private static DatasetConfig dataset() {
    return new DatasetConfig(
        "primary",
        List.of("replica"),
        List.of(),
        SCHEDULE,
        List.of(new TableConfig("public.contacts", List.of("id"), "user_id", null, null)));
  }

  /** A scheduled run as the audit job creates it: its fire key names the fire. */
  private static void scheduledRun(
      StateStore store, String dataset, Instant fire, Instant created) {
    store
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "INSERT INTO audit_runs (id, dataset, trigger_kind, triggered_by, fire_key,"
                            + " status, created_at, started_at, finished_at, attempts)"
                            + " VALUES (:id, :dataset, 'SCHEDULE', 'schedule', :fireKey,"
                            + " 'CONSISTENT', :created, :created, :created, 1)")
                    .bind("id", UUID.randomUUID().toString())
                    .bind("dataset", dataset)
                    .bind("fireKey", dataset + "@" + fire)
                    .bind("created", created)
                    .execute());
  }
}
