package io.integrityauditor.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.DropwizardTestSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * When the schedules ask for more audits than the threads can run, every dataset gets its turn in
 * the order its fires were due, and a dataset's backlog of late fires ends in one run. Regression
 * (review 7 of session 22, a documented limitation until session 23): with Quartz's misfire
 * threshold at 60 s, late fires lost their place and the datasets first in name order took every
 * free thread (in Quartz alone, scaled down to a 2 s threshold: 4 jobs of 1.5 s due every second on
 * 1 thread ran 8, 7, 3 and 2 times in 30 s); below the threshold, every late fire ran, each an
 * audit of what a newer run had already covered (this test's failure on that code).
 */
class ScheduleFairnessTest {
  static final Path DIR = Path.of("target", "schedule-fairness-test");
  static final String[] DATASETS = {"a_users", "b_users", "c_users", "d_users"};

  @Test
  void lateFiresRunInTheOrderTheyWereDueAndABacklogEndsInOneRun() throws Exception {
    if (java.nio.file.Files.exists(DIR)) {
      try (var files = java.nio.file.Files.walk(DIR)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    int pg = TestDatabases.PG_PRIMARY_PORT;
    StringBuilder endpoints = new StringBuilder("endpoints:\n");
    StringBuilder datasets = new StringBuilder("datasets:\n");
    for (String d : DATASETS) {
      for (String side : new String[] {"p", "c"}) {
        String db = "fair_" + d + "_" + side;
        TestDatabases.recreatePgDatabase(pg, db);
        TestDatabases.execute(
            TestDatabases.pgUrl(pg, db),
            "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
            "INSERT INTO contacts SELECT g, g % 50, md5(g::text) FROM generate_series(1, 30000) g");
        endpoints.append(
            "  " + db + ": {url: \"" + TestDatabases.pgUrl(pg, db) + "\", user: postgres}\n");
      }
      datasets.append(
          "  "
              + d
              + ":\n    primary: fair_"
              + d
              + "_p\n    replicas: [fair_"
              + d
              + "_c]\n    schedule: \"* * * * * ?\"\n"
              + "    tables:\n      - {name: public.contacts, owner: user_id}\n");
    }
    Path config =
        ServiceConfigFile.write(DIR, null, "service:\n  threads: 1\n" + endpoints + datasets);
    DropwizardTestSupport<IntegrityAuditorConfiguration> app =
        new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
    app.before();
    try {
      Thread.sleep(25_000);
    } finally {
      app.after();
    }

    // per dataset, its scheduled runs' {fire due, run created}, oldest first
    Map<String, List<Instant[]>> runs = new TreeMap<>();
    for (String d : DATASETS) {
      runs.put(d, new ArrayList<>());
    }
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:h2:file:" + DIR.resolve("state").toAbsolutePath(), "postgres", "");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT dataset, fire_key, created_at FROM audit_runs"
                        + " WHERE trigger_kind = 'SCHEDULE' ORDER BY created_at, id")) {
      while (rs.next()) {
        String key = rs.getString(2);
        runs.get(rs.getString(1))
            .add(
                new Instant[] {
                  Instant.parse(key.substring(key.lastIndexOf('@') + 1)),
                  rs.getObject(3, OffsetDateTime.class).toInstant()
                });
      }
    }
    Map<String, Integer> counts = new TreeMap<>();
    runs.forEach((d, r) -> counts.put(d, r.size()));
    int least = counts.values().stream().min(Integer::compare).orElseThrow();
    int most = counts.values().stream().max(Integer::compare).orElseThrow();
    // Fires due in the same second run in name order, so the first names run more often when the
    // schedules ask for far more than the threads can do (14, 12, 12 and 10 runs here), but none
    // falls behind for good.
    assertThat(least).as("runs per dataset: %s", counts).isGreaterThanOrEqualTo(2);
    assertThat(least * 3).as("runs per dataset: %s", counts).isGreaterThanOrEqualTo(most);
    // No run for a fire due before the dataset's previous run was created: it would audit what
    // that newer run already did.
    for (var e : runs.entrySet()) {
      List<Instant[]> r = e.getValue();
      for (int i = 1; i < r.size(); i++) {
        assertThat(r.get(i)[0])
            .as(
                "%s: run %d due %s, the one before created %s",
                e.getKey(), i, r.get(i)[0], r.get(i - 1)[1])
            .isAfter(r.get(i - 1)[1]);
      }
    }
    for (String d : DATASETS) {
      for (String side : new String[] {"p", "c"}) {
        TestDatabases.execute(
            TestDatabases.pgUrl(pg, "postgres"),
            "DROP DATABASE IF EXISTS fair_" + d + "_" + side + " WITH (FORCE)");
      }
    }
  }
}
