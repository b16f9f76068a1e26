package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.monitoring.ScrapedMetrics.Sample;
import io.integrityauditor.store.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /metrics of the whole application (ARCHITECTURE.md section 6, README "Monitoring"): every
 * metric the alerts and the dashboard use is exported; series known from the configuration are 0
 * before the first audit; an audit with planted divergence gives the exact values; the values come
 * back unchanged after a restart; labels are config names and enum values only.
 *
 * <p>Runs against real PostgreSQL: {@code mx_primary} with an independent copy {@code mx_copy}, a
 * restored backup {@code mx_backup} (a database compared like a copy), and the topology's streaming
 * standby of {@code mx_primary} (so the replica lag is measured). The tests run in order: the first
 * one sees the state before any audit.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsExportTest {
  static final Path DIR = Path.of("target", "metrics-export-test");
  static final int PG = TestDatabases.PG_PRIMARY_PORT;
  static final int STANDBY = TestDatabases.PG_STANDBY_PORT;
  // Once a year, at a time no test runs: the interval is exported, the schedule never fires.
  static final String SCHEDULE = "0 0 3 1 1 ?";
  static final Set<String> DATASETS = Set.of("users", "mirrored");
  static final Set<String> ENDPOINTS = Set.of("primary", "copy", "backup", "standby");
  static final Set<String> KINDS = Set.of("missing", "extra", "changed");

  /** Every value a kind label may hold: divergence kinds and backup finding kinds, both enums. */
  static final Set<String> KIND_LABELS = new java.util.HashSet<>(KINDS);

  static {
    for (var k : io.integrityauditor.backup.BackupFinding.Kind.values()) {
      KIND_LABELS.add(k.name());
    }
  }

  static final Set<String> RESULTS = Set.of("CONSISTENT", "FINDINGS", "FAILED", "CANCELLED");

  /** The copies of each dataset: replicas and backups, the endpoints that can diverge. */
  static final Map<String, List<String>> COPIES =
      Map.of("users", List.of("copy", "backup"), "mirrored", List.of("standby"));

  /** Exported only once an audit has measured them: unknown is not 0 (nor 1). */
  static final Set<String> AFTER_FIRST_AUDIT =
      Set.of(
          "integrity_endpoint_up",
          "integrity_replica_lag_seconds",
          // a backup's time once an audit inspected it: 0 means none found, not "not looked yet"
          "integrity_backup_last_timestamp_seconds",
          // what an audit found wrong with a backup it inspected
          "integrity_backup_findings");

  static final Path CONFIG = config();
  static final DropwizardAppExtension<IntegrityAuditorConfiguration> APP =
      new DropwizardAppExtension<>(IntegrityAuditorApplication.class, CONFIG.toString());

  static Path config() {
    try {
      deleteTree(DIR);
      for (String db : List.of("mx_primary", "mx_copy", "mx_backup")) {
        TestDatabases.recreatePgDatabase(PG, db);
        TestDatabases.execute(
            TestDatabases.pgUrl(PG, db),
            "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, email text)",
            "INSERT INTO contacts SELECT g, g % 100, 'u' || g || '@example.org'"
                + " FROM generate_series(1, 10000) g");
      }
      // The copy lacks rows of users 5, 6 and 7, holds other values for user 8, and has a row of
      // its own. The backup lacks the rows of users 5 and 6 as well: only those two users have a
      // row that exists on the primary alone.
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, "mx_copy"),
          "DELETE FROM contacts WHERE id IN (105, 206, 307)",
          "UPDATE contacts SET email = 'changed' WHERE id IN (408, 508)",
          "INSERT INTO contacts VALUES (20001, 1, 'extra')");
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, "mx_backup"), "DELETE FROM contacts WHERE id IN (105, 206)");
      Standby.awaitReplay();
      return ServiceConfigFile.write(
          DIR,
          null,
          "endpoints:\n"
              + endpoint("primary", PG, "mx_primary")
              + endpoint("copy", PG, "mx_copy")
              + endpoint("backup", PG, "mx_backup")
              + endpoint("standby", STANDBY, "mx_primary")
              + "datasets:\n"
              + "  users:\n"
              + "    primary: primary\n"
              + "    replicas: [copy]\n"
              + "    backups: [{endpoint: backup, asOf: \"SELECT now()\", maxAge: 1d}]\n"
              + "    schedule: \""
              + SCHEDULE
              + "\"\n"
              + "    tables: [{name: public.contacts, owner: user_id}]\n"
              + "  mirrored:\n"
              + "    primary: primary\n"
              + "    replicas: [standby]\n"
              + "    schedule: \""
              + SCHEDULE
              + "\"\n"
              + "    tables: [{name: public.contacts, owner: user_id}]\n");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String endpoint(String name, int port, String db) {
    return "  " + name + ": {url: \"" + TestDatabases.pgUrl(port, db) + "\", user: postgres}\n";
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static ServiceClient service() {
    return new ServiceClient(APP.getLocalPort());
  }

  @Test
  @Order(1)
  void beforeTheFirstAuditEverySeriesKnownFromConfigIsZero() throws Exception {
    ScrapedMetrics m = service().scrape();
    Set<String> missing = new TreeSet<>(MonitoringFiles.metricNames());
    missing.removeAll(m.names());
    assertThat(missing)
        .as("metrics of alerts/ and dashboards/ not exported before the first audit")
        .isSubsetOf(AFTER_FIRST_AUDIT);
    assertThat(m.value("integrity_state_database_up")).contains(1.0);
    for (String ds : DATASETS) {
      assertThat(m.value("integrity_users_at_risk", "dataset", ds)).as(ds).contains(0.0);
      assertThat(m.value("integrity_audit_last_success_timestamp_seconds", "dataset", ds))
          .as(ds)
          .contains(0.0);
      assertThat(m.value("integrity_audit_duration_seconds", "dataset", ds)).as(ds).contains(0.0);
      assertThat(m.value("integrity_audit_running", "dataset", ds)).as(ds).contains(0.0);
      for (String result : RESULTS) {
        assertThat(m.value("integrity_audit_runs_total", "dataset", ds, "result", result))
            .as(ds + " " + result)
            .contains(0.0);
      }
      for (String copy : COPIES.get(ds)) {
        for (String kind : KINDS) {
          assertThat(
                  m.value(
                      "integrity_divergent_rows", "dataset", ds, "endpoint", copy, "kind", kind))
              .as(ds + " " + copy + " " + kind)
              .contains(0.0);
        }
        assertThat(m.value("integrity_rows_checked_total", "dataset", ds, "endpoint", copy))
            .as(ds + " " + copy)
            .contains(0.0);
      }
      // Yearly: 365 or 366 days, whatever the year.
      assertThat(m.value("integrity_audit_schedule_interval_seconds", "dataset", ds))
          .as(ds)
          .get()
          .isIn(365 * 86400.0, 366 * 86400.0);
      // Scheduled when the service started: a dataset that never succeeded is aged from it.
      assertThat(m.value("integrity_audit_schedule_start_timestamp_seconds", "dataset", ds).get())
          .as(ds)
          .isBetween(
              System.currentTimeMillis() / 1000.0 - 600, System.currentTimeMillis() / 1000.0 + 1);
    }
    assertThat(m.named("integrity_divergent_rows")).hasSize(3 * 3);
    assertThat(
            m.value(
                "integrity_backup_last_timestamp_seconds",
                "dataset",
                "users",
                "endpoint",
                "backup"))
        .isEmpty();
    assertThat(
            m.value("integrity_backup_max_age_seconds", "dataset", "users", "endpoint", "backup"))
        .contains(86400.0);
    assertThat(m.value("integrity_replica_max_lag_seconds", "dataset", "users", "endpoint", "copy"))
        .contains(30.0);
    assertThat(
            m.value(
                "integrity_replica_max_lag_seconds", "dataset", "mirrored", "endpoint", "standby"))
        .contains(30.0);
    assertLabelsBounded(m);
  }

  @Test
  @Order(2)
  void anAuditWithPlantedDivergenceGivesTheExactValues() throws Exception {
    ServiceClient service = service();
    long before = System.currentTimeMillis();
    JsonNode users = service.audit("users");
    JsonNode mirrored = service.audit("mirrored");
    assertThat(users.get("status").asText()).as(users.toString()).isEqualTo("FINDINGS");
    assertThat(mirrored.get("status").asText()).as(mirrored.toString()).isEqualTo("CONSISTENT");
    long after = System.currentTimeMillis();

    ScrapedMetrics m = service.scrape();
    Set<String> missing = new TreeSet<>(MonitoringFiles.metricNames());
    missing.removeAll(m.names());
    assertThat(missing).as("metrics of alerts/ and dashboards/ not exported").isEmpty();
    for (String name : MonitoringFiles.metricNames()) {
      assertThat(m.named(name)).as("samples of " + name).isNotEmpty();
    }

    Map<String, Double> divergent = new HashMap<>();
    for (Sample s : m.named("integrity_divergent_rows")) {
      divergent.put(
          s.labels().get("dataset")
              + "/"
              + s.labels().get("endpoint")
              + "/"
              + s.labels().get("kind"),
          s.value());
    }
    assertThat(divergent)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "users/copy/missing", 3.0,
                "users/copy/changed", 2.0,
                "users/copy/extra", 1.0,
                // the backup's table has no updatedAt: compared by counts only, CONSISTENT, so
                // its 2 missing rows are no divergent rows (they are among the users at risk)
                "users/backup/missing", 0.0,
                "users/backup/changed", 0.0,
                "users/backup/extra", 0.0,
                "mirrored/standby/missing", 0.0,
                "mirrored/standby/changed", 0.0,
                "mirrored/standby/extra", 0.0));
    // Rows 105 and 206 exist on the primary alone; 307 is on the backup, 408 and 508 too.
    assertThat(m.value("integrity_users_at_risk", "dataset", "users")).contains(2.0);
    assertThat(m.value("integrity_users_at_risk", "dataset", "mirrored")).contains(0.0);

    assertThat(m.value("integrity_audit_runs_total", "dataset", "users", "result", "FINDINGS"))
        .contains(1.0);
    assertThat(m.value("integrity_audit_runs_total", "dataset", "users", "result", "CONSISTENT"))
        .contains(0.0);
    assertThat(m.value("integrity_audit_runs_total", "dataset", "mirrored", "result", "CONSISTENT"))
        .contains(1.0);
    for (String ds : DATASETS) {
      assertThat(m.value("integrity_audit_runs_total", "dataset", ds, "result", "FAILED"))
          .contains(0.0);
      assertThat(m.value("integrity_audit_runs_total", "dataset", ds, "result", "CANCELLED"))
          .contains(0.0);
      double success =
          m.value("integrity_audit_last_success_timestamp_seconds", "dataset", ds).orElseThrow();
      assertThat(success * 1000).as(ds).isBetween(before - 1000.0, after + 1000.0);
      assertThat(m.value("integrity_audit_duration_seconds", "dataset", ds))
          .get()
          .satisfies(d -> assertThat(d).isPositive().isLessThan((after - before) / 1000.0 + 1));
      assertThat(m.value("integrity_audit_running", "dataset", ds)).contains(0.0);
    }
    assertThat(m.value("integrity_rows_checked_total", "dataset", "users", "endpoint", "copy"))
        .contains(10000.0);
    assertThat(m.value("integrity_rows_checked_total", "dataset", "users", "endpoint", "backup"))
        .contains(10000.0);
    assertThat(
            m.value("integrity_rows_checked_total", "dataset", "mirrored", "endpoint", "standby"))
        .contains(10000.0);

    // Every endpoint of a dataset, primary included, was reachable.
    Map<String, Double> up = new HashMap<>();
    m.named("integrity_endpoint_up")
        .forEach(
            s -> up.put(s.labels().get("dataset") + "/" + s.labels().get("endpoint"), s.value()));
    assertThat(up)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "users/primary", 1.0,
                "users/copy", 1.0,
                "users/backup", 1.0,
                "mirrored/primary", 1.0,
                "mirrored/standby", 1.0));
    // Measured on the streaming standby only; an independent copy has no replication lag.
    assertThat(m.named("integrity_replica_lag_seconds")).hasSize(1);
    assertThat(
            m.value("integrity_replica_lag_seconds", "dataset", "mirrored", "endpoint", "standby"))
        .get()
        .satisfies(lag -> assertThat(lag).isBetween(0.0, 30.0));
    // Backups are not read yet: the series exists (so IntegrityBackupMissing can fire), >= 0.
    assertThat(
            m.value(
                "integrity_backup_last_timestamp_seconds",
                "dataset",
                "users",
                "endpoint",
                "backup"))
        .get()
        .satisfies(t -> assertThat(t).isGreaterThanOrEqualTo(0.0));
    assertLabelsBounded(m);
  }

  @Test
  @Order(3)
  void theValuesComeBackUnchangedAfterARestart() throws Exception {
    Map<String, Double> before = service().scrape().seriesWithPrefix("integrity_");
    assertThat(before).containsKey("integrity_users_at_risk{dataset=\"users\"}");
    assertThat(before.get("integrity_users_at_risk{dataset=\"users\"}"))
        .as("runs after the audit test")
        .isEqualTo(2.0);
    // A restart: stop this instance, start a new one on the same state file and scrape it; then
    // start the extension's instance again, for the extension to stop after the class.
    APP.after();
    DropwizardTestSupport<IntegrityAuditorConfiguration> second =
        new DropwizardTestSupport<>(IntegrityAuditorApplication.class, CONFIG.toString());
    Map<String, Double> restarted;
    try {
      second.before();
      restarted = new ServiceClient(second.getLocalPort()).scrape().seriesWithPrefix("integrity_");
    } finally {
      second.after();
      APP.before();
    }
    // Except when the schedule started: with the in-memory job store (the embedded default), the
    // schedule starts anew with the service. A clustered job store keeps it.
    for (String ds : DATASETS) {
      String start = "integrity_audit_schedule_start_timestamp_seconds{dataset=\"" + ds + "\"}";
      assertThat(restarted.remove(start)).as(ds).isGreaterThanOrEqualTo(before.remove(start));
    }
    assertThat(restarted).containsExactlyInAnyOrderEntriesOf(before);
  }

  /**
   * The counters never go down: retention purging the runs they counted leaves their values as they
   * were (before, they were a COUNT/SUM over the retained history and fell to 0, which Prometheus
   * reads as a reset), and the next run raises them from there, after a restart too.
   */
  @Test
  @Order(4)
  void purgingRunsNeverLowersTheCounters() throws Exception {
    ServiceClient service = service();
    // A second complete run of users: retention keeps each dataset's newest complete run, so the
    // first is purged below and this one stays.
    service.audit("users");
    Map<String, Double> before = counters(service.scrape());
    assertThat(before.get("integrity_audit_runs_total{dataset=\"users\",result=\"FINDINGS\"}"))
        .isPositive();
    assertThat(before.get("integrity_rows_checked_total{dataset=\"users\",endpoint=\"copy\"}"))
        .isPositive();

    // The purge the watchdog runs past the retention, here of every run ended so far.
    StateStore store = new StateStore(APP.getConfiguration().getStateDatabase());
    try {
      assertThat(store.runs().purgeRuns(java.time.Instant.now().plusSeconds(1))).isPositive();
      var dao = store.runs();
      assertThat(dao.recent(10))
          .isNotEmpty()
          .allSatisfy(
              r ->
                  assertThat(r.id())
                      .isEqualTo(dao.lastCompleteDatasetRun(r.dataset()).orElseThrow().id()));
    } finally {
      store.close();
    }
    assertThat(counters(service.scrape())).containsExactlyInAnyOrderEntriesOf(before);

    JsonNode users = service.audit("users");
    assertThat(users.get("status").asText()).as(users.toString()).isEqualTo("FINDINGS");
    Map<String, Double> after = counters(service.scrape());
    Map<String, Double> expected = new HashMap<>(before);
    expected.merge(
        "integrity_audit_runs_total{dataset=\"users\",result=\"FINDINGS\"}", 1.0, Double::sum);
    expected.merge(
        "integrity_rows_checked_total{dataset=\"users\",endpoint=\"copy\"}", 10000.0, Double::sum);
    expected.merge(
        "integrity_rows_checked_total{dataset=\"users\",endpoint=\"backup\"}",
        10000.0,
        Double::sum);
    assertThat(after).containsExactlyInAnyOrderEntriesOf(expected);

    // Purged and retained history alike come back after a restart.
    APP.after();
    DropwizardTestSupport<IntegrityAuditorConfiguration> second =
        new DropwizardTestSupport<>(IntegrityAuditorApplication.class, CONFIG.toString());
    Map<String, Double> restarted;
    try {
      second.before();
      restarted = counters(new ServiceClient(second.getLocalPort()).scrape());
    } finally {
      second.after();
      APP.before();
    }
    assertThat(restarted).containsExactlyInAnyOrderEntriesOf(expected);
  }

  /** The counter series of the scrape, by series. */
  static Map<String, Double> counters(ScrapedMetrics m) {
    Map<String, Double> out = new HashMap<>();
    m.seriesWithPrefix("integrity_")
        .forEach(
            (series, value) -> {
              if (series.startsWith("integrity_audit_runs_total{")
                  || series.startsWith("integrity_rows_checked_total{")) {
                out.put(series, value);
              }
            });
    assertThat(out).as("counter series").hasSize(2 * 4 + 3);
    return out;
  }

  private static final Pattern UUID =
      Pattern.compile("(?i).*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*");
  private static final Set<String> FORBIDDEN_LABELS =
      Set.of("user", "user_id", "userid", "run", "run_id", "runid", "id", "owner", "key");

  /**
   * Labels come from config names and enums only (never a user id or run id): the integrity_ series
   * use dataset, endpoint, kind and result with known values; no series at all carries a user or
   * run label or a UUID.
   */
  static void assertLabelsBounded(ScrapedMetrics m) {
    List<String> problems = new ArrayList<>();
    for (Sample s : m.samples()) {
      s.labels()
          .forEach(
              (k, v) -> {
                if (FORBIDDEN_LABELS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                  problems.add(s.series() + ": label " + k);
                }
                if (UUID.matcher(v).matches()) {
                  problems.add(s.series() + ": a UUID in " + k);
                }
              });
      if (!s.name().startsWith("integrity_")) {
        continue;
      }
      s.labels()
          .forEach(
              (k, v) -> {
                Set<String> allowed =
                    switch (k) {
                      case "dataset" -> DATASETS;
                      case "endpoint" -> ENDPOINTS;
                      case "kind" -> KIND_LABELS;
                      case "result" -> RESULTS;
                      default -> Set.of();
                    };
                if (!allowed.contains(v)) {
                  problems.add(s.series() + ": " + k + "=\"" + v + "\" is no config name or enum");
                }
              });
    }
    assertThat(problems).as("unbounded labels").isEmpty();
  }
}
