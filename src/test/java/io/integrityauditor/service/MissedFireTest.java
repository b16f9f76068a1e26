package io.integrityauditor.service;

import static io.integrityauditor.ServiceConfigFile.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.DropwizardTestSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A scheduled fire missed while the service was down runs once at start, with the default H2 state
 * database too (its Quartz job store is in memory, new at every start). Regression (review 3 of
 * session 21): the trigger started afresh at every start, so a deploy across a daily audit's time
 * skipped that day's audit. The schedule here is daily at midnight (UTC): its last three fires were
 * missed since the run of three days ago the state database holds; one run makes them up.
 */
class MissedFireTest {
  static final Path DIR = Path.of("target", "missed-fire-test");
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aFireMissedWhileTheServiceWasDownRunsOnceAtStart() throws Exception {
    Path config = setUp();

    // No scheduled run yet: nothing was missed, nothing runs at start.
    DropwizardTestSupport<IntegrityAuditorConfiguration> app = start(config);
    try {
      Thread.sleep(3000);
      assertThat(history(app)).isEmpty();
    } finally {
      app.after();
    }

    seed(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(3)));

    Instant restarted = Instant.now();
    app = start(config);
    try {
      List<JsonNode> made = List.of();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < deadline) {
        made = scheduledSince(app, restarted);
        if (!made.isEmpty() && made.get(0).get("finishedAt").isTextual()) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(made).as("the run making up the missed fires").hasSize(1);
      assertThat(made.get(0).get("status").asText()).isEqualTo("CONSISTENT");
      Thread.sleep(3000);
      assertThat(scheduledSince(app, restarted)).as("once, not once per missed fire").hasSize(1);
    } finally {
      app.after();
    }
  }

  /** A fresh state directory and the dataset's databases; the configuration file. */
  private static Path setUp() throws Exception {
    if (java.nio.file.Files.exists(DIR)) {
      try (var files = java.nio.file.Files.walk(DIR)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    int pg = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"missed_p", "missed_c"}) {
      TestDatabases.recreatePgDatabase(pg, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(pg, db),
          "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO contacts SELECT g, g % 5, 'v' || g FROM generate_series(1, 100) g");
    }
    Path config =
        ServiceConfigFile.write(
            DIR,
            null,
            "endpoints:\n"
                + "  p: {url: \""
                + TestDatabases.pgUrl(pg, "missed_p")
                + "\", user: postgres}\n"
                + "  c: {url: \""
                + TestDatabases.pgUrl(pg, "missed_c")
                + "\", user: postgres}\n"
                + "datasets:\n"
                + "  users:\n"
                + "    primary: p\n"
                + "    replicas: [c]\n"
                + "    schedule: \"0 0 0 * * ?\"\n"
                + "    tables:\n"
                + "      - {name: public.contacts, owner: user_id}\n");
    return config;
  }

  /** A scheduled run of dataset users for this fire, ended, as the audit job records it. */
  private static void seed(Instant fire) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:h2:file:" + DIR.resolve("state").toAbsolutePath(), "postgres", "");
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO audit_runs (id, dataset, trigger_kind, triggered_by, fire_key,"
                    + " status, created_at, finished_at, attempts, chunks_done, chunks_total,"
                    + " rows_checked) VALUES (?, 'users', 'SCHEDULE', 'schedule',"
                    + " ?, 'CONSISTENT', ?, ?, 1, 1, 1, 100)")) {
      ps.setString(1, "run-" + fire);
      ps.setString(2, "users@" + fire);
      ps.setObject(3, fire.plusSeconds(1).atOffset(java.time.ZoneOffset.UTC));
      ps.setObject(4, fire.plusSeconds(2).atOffset(java.time.ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  /**
   * The fire of the newest scheduled run is not run again at start. Regression (review 5 of session
   * 21): the trigger started 1 ms after that fire, and Quartz took its first fire as the first
   * after the start less one second: that same fire, run again at every restart.
   */
  @Test
  void theFireOfTheNewestScheduledRunIsNotRunAgain() throws Exception {
    Path config = setUp();
    DropwizardTestSupport<IntegrityAuditorConfiguration> app = start(config);
    app.after(); // the state database's schema
    // the last fire due (today 00:00 UTC) ran
    seed(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS));
    Instant restarted = Instant.now();
    app = start(config);
    try {
      Thread.sleep(4000);
      assertThat(scheduledSince(app, restarted)).isEmpty();
    } finally {
      app.after();
    }
  }

  private static DropwizardTestSupport<IntegrityAuditorConfiguration> start(Path config)
      throws Exception {
    DropwizardTestSupport<IntegrityAuditorConfiguration> app =
        new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
    app.before();
    return app;
  }

  private static List<JsonNode> scheduledSince(
      DropwizardTestSupport<IntegrityAuditorConfiguration> app, Instant since) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : history(app)) {
      if ("SCHEDULE".equals(n.get("trigger").asText())
          && Instant.parse(n.get("createdAt").asText()).isAfter(since)) {
        out.add(n);
      }
    }
    return out;
  }

  private static List<JsonNode> history(DropwizardTestSupport<IntegrityAuditorConfiguration> app)
      throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + app.getLocalPort()
                            + "/api/audits?dataset=users&limit=100"))
                .header("Authorization", "Bearer " + VIEWER_TOKEN)
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).forEach(out::add);
    return out;
  }
}
