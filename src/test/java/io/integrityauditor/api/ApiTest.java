package io.integrityauditor.api;

import static io.integrityauditor.ServiceConfigFile.ADMIN_TOKEN;
import static io.integrityauditor.ServiceConfigFile.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every endpoint and status code of the API (README "API"), on the whole application, auditing real
 * PostgreSQL databases with planted differences.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiTest {
  static final String SECRET = "pw-never-shown-4711";
  static final Path DIR = Path.of("target", "api-test");
  static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  static final DropwizardAppExtension<IntegrityAuditorConfiguration> APP =
      new DropwizardAppExtension<>(IntegrityAuditorApplication.class, config().toString());

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  static Path config() {
    try {
      deleteTree(DIR);
      TestDatabases.recreatePgDatabase(PORT, "api_primary");
      TestDatabases.recreatePgDatabase(PORT, "api_copy");
      for (String db : new String[] {"api_primary", "api_copy"}) {
        TestDatabases.execute(
            TestDatabases.pgUrl(PORT, db),
            "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, email text)",
            "INSERT INTO contacts SELECT g, g % 100, 'u' || g || '@example.org'"
                + " FROM generate_series(1, 10000) g",
            "CREATE TABLE big (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
            "INSERT INTO big SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 1500000) g");
      }
      // Planted: 3 rows missing (users 5, 6, 7), 2 changed (user 8), 1 extra.
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, "api_copy"),
          "DELETE FROM contacts WHERE id IN (105, 206, 307)",
          "UPDATE contacts SET email = 'changed' WHERE id IN (408, 508)",
          "INSERT INTO contacts VALUES (20001, 1, 'extra')");
      String pg = "jdbc:postgresql://127.0.0.1:" + PORT + "/";
      return ServiceConfigFile.write(
          DIR,
          null,
          "endpoints:\n"
              + "  primary: {url: \""
              + pg
              + "api_primary\", user: postgres, password: "
              + SECRET
              + "}\n"
              + "  copy: {url: \""
              + pg
              + "api_copy\", user: postgres, password: "
              + SECRET
              + "}\n"
              + "  gone: {url: \"jdbc:postgresql://127.0.0.1:1/app?password="
              + SECRET
              + "\", user: postgres, password: "
              + SECRET
              + "}\n"
              + "datasets:\n"
              + "  users:\n"
              + "    primary: primary\n"
              + "    replicas: [copy]\n"
              + "    tables:\n"
              + "      - {name: public.contacts, owner: user_id}\n"
              + "      - {name: public.big, owner: user_id}\n"
              + "  broken:\n"
              + "    primary: primary\n"
              + "    replicas: [gone]\n"
              + "    tables:\n"
              + "      - {name: public.contacts, owner: user_id}\n");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      // The server may close a kept-alive connection after an error answer just as the client
      // reuses it ("header parser received no bytes"): the request never reached it; send again.
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  static String trigger(String body) throws Exception {
    HttpResponse<String> r = call("POST", "/api/audits", ADMIN_TOKEN, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = JSON.readTree(r.body()).get("id").asText();
    // Exactly the contract's relative path, not absolutized against the request's host.
    assertThat(r.headers().firstValue("Location")).contains("/api/audits/" + id);
    return id;
  }

  static JsonNode waitFor(String id, Set<String> statuses) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (true) {
      HttpResponse<String> r = call("GET", "/api/audits/" + id, VIEWER_TOKEN, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode n = JSON.readTree(r.body());
      if (statuses.contains(n.get("status").asText())) {
        return n;
      }
      assertThat(System.currentTimeMillis())
          .as("run " + id + " stuck: " + r.body())
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void aTriggeredAuditFindsThePlantedRowsAndIsInTheHistory() throws Exception {
    String id = trigger("{\"dataset\":\"users\",\"table\":\"public.contacts\"}");
    JsonNode run = waitFor(id, Set.of("CONSISTENT", "FINDINGS", "FAILED", "CANCELLED"));
    assertThat(run.get("status").asText()).isEqualTo("FINDINGS");
    assertThat(run.get("triggeredBy").asText()).isEqualTo("dba-team");
    assertThat(run.get("progress").get("rowsChecked").asLong()).isEqualTo(10000);
    assertThat(run.get("progress").get("etaSeconds").asLong()).isZero();
    JsonNode report = run.get("report");
    assertThat(report.get("id").asText()).isEqualTo(id);
    assertThat(report.get("status").asText()).isEqualTo("FINDINGS");
    JsonNode copy = report.get("tables").get(0).get("copies").get(0);
    assertThat(copy.get("endpoint").asText()).isEqualTo("copy");
    assertThat(copy.get("missing").asLong()).isEqualTo(3);
    assertThat(copy.get("changed").asLong()).isEqualTo(2);
    assertThat(copy.get("extra").asLong()).isEqualTo(1);
    Set<String> keys = new HashSet<>();
    for (JsonNode f : copy.get("findings")) {
      keys.add(f.get("kind").asText() + " " + f.get("key").get("id").asLong());
    }
    assertThat(keys)
        .containsExactlyInAnyOrder(
            "MISSING 105",
            "MISSING 206",
            "MISSING 307",
            "CHANGED 408",
            "CHANGED 508",
            "EXTRA 20001");
    // Only one copy: every lost row is at risk: users 5, 6, 7 and 8.
    assertThat(report.get("usersAtRisk").asLong()).isEqualTo(4);
    assertThat(run.get("usersAtRisk").asLong()).isEqualTo(4);

    HttpResponse<String> history =
        call("GET", "/api/audits?dataset=users&limit=50", VIEWER_TOKEN, null);
    assertThat(history.statusCode()).isEqualTo(200);
    Set<String> ids = new HashSet<>();
    for (JsonNode n : JSON.readTree(history.body())) {
      ids.add(n.get("id").asText());
      assertThat(n.get("report").isNull()).isTrue();
    }
    assertThat(ids).contains(id);
    assertThat(JSON.readTree(call("GET", "/api/audits?limit=1", VIEWER_TOKEN, null).body()))
        .hasSize(1);
  }

  /** Runs, findings and reports are not cached (review of session 19: no caching header). */
  @Test
  void apiAnswersAreNotStored() throws Exception {
    for (String path : List.of("/api/audits", "/api/datasets", "/api/audits/no-such-run")) {
      assertThat(call("GET", path, VIEWER_TOKEN, null).headers().firstValue("Cache-Control"))
          .as(path)
          .contains("no-store");
    }
  }

  @Test
  void aUserAuditCoversThatUsersRowsOnly() throws Exception {
    String id = trigger("{\"dataset\":\"users\",\"table\":\"public.contacts\",\"user\":8}");
    JsonNode run = waitFor(id, Set.of("CONSISTENT", "FINDINGS", "FAILED"));
    assertThat(run.get("user").asText()).isEqualTo("8");
    JsonNode copy = run.get("report").get("tables").get(0).get("copies").get(0);
    assertThat(copy.get("changed").asLong()).isEqualTo(2);
    assertThat(copy.get("missing").asLong()).isZero();
    assertThat(run.get("progress").get("rowsChecked").asLong()).isEqualTo(100);
  }

  @Test
  void tokensAndRoles() throws Exception {
    String body = "{\"dataset\":\"users\"}";
    assertThat(call("POST", "/api/audits", null, body).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/api/audits", "not-a-token", body).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/api/audits", VIEWER_TOKEN, body).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/api/audits", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/api/datasets", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/api/datasets", VIEWER_TOKEN, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/datasets", ADMIN_TOKEN, null).statusCode()).isEqualTo(200);
    assertThat(call("DELETE", "/api/audits/x", null, null).statusCode()).isEqualTo(401);
    assertThat(call("DELETE", "/api/audits/x", VIEWER_TOKEN, null).statusCode()).isEqualTo(403);
    // Prometheus scrapes without a token.
    assertThat(call("GET", "/metrics", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void theLocationOfATriggeredAuditIsTheRelativePath() throws Exception {
    HttpResponse<String> r =
        call("POST", "/api/audits", ADMIN_TOKEN, "{\"dataset\":\"users\",\"user\":1}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = JSON.readTree(r.body()).get("id").asText();
    assertThat(r.headers().allValues("Location")).containsExactly("/api/audits/" + id);
    waitFor(id, Set.of("CONSISTENT", "FINDINGS", "FAILED", "CANCELLED"));
  }

  @Test
  void unauthorizedIsAJsonErrorWithItsChallenge() throws Exception {
    String body = "{\"dataset\":\"users\"}";
    for (HttpResponse<String> r :
        java.util.List.of(
            call("POST", "/api/audits", null, body),
            call("POST", "/api/audits", "not-a-token", body),
            call("GET", "/api/audits", null, null),
            call("GET", "/api/datasets", "not-a-token", null))) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type"))
          .get()
          .asString()
          .startsWith("application/json");
      JsonNode error = JSON.readTree(r.body());
      assertThat(error.get("code").asInt()).isEqualTo(401);
      assertThat(error.get("message").asText())
          .isEqualTo("Credentials are required to access this resource.");
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .contains("Bearer realm=\"integrity-auditor\"");
    }
  }

  @Test
  void badRequests() throws Exception {
    assertThat(call("POST", "/api/audits", ADMIN_TOKEN, "{\"dataset\":").statusCode())
        .isEqualTo(422);
    assertThat(call("POST", "/api/audits", ADMIN_TOKEN, "[]").statusCode()).isEqualTo(422);
    assertThat(call("POST", "/api/audits", ADMIN_TOKEN, "").statusCode()).isEqualTo(422);
    assertThat(
            call("POST", "/api/audits", ADMIN_TOKEN, "{\"table\":\"public.contacts\"}")
                .statusCode())
        .isEqualTo(422);
    HttpResponse<String> unknownField =
        call("POST", "/api/audits", ADMIN_TOKEN, "{\"dataset\":\"users\",\"tabel\":\"x\"}");
    assertThat(unknownField.statusCode()).isEqualTo(422);
    assertThat(unknownField.body()).contains("tabel");
    HttpResponse<String> ds = call("POST", "/api/audits", ADMIN_TOKEN, "{\"dataset\":\"nope\"}");
    assertThat(ds.statusCode()).isEqualTo(404);
    assertThat(ds.body()).contains("unknown dataset 'nope'");
    HttpResponse<String> table =
        call(
            "POST",
            "/api/audits",
            ADMIN_TOKEN,
            "{\"dataset\":\"users\",\"table\":\"public.nope\"}");
    assertThat(table.statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/audits/no-such-run", VIEWER_TOKEN, null).statusCode())
        .isEqualTo(404);
    assertThat(call("DELETE", "/api/audits/no-such-run", ADMIN_TOKEN, null).statusCode())
        .isEqualTo(404);
    assertThat(call("GET", "/api/audits?dataset=nope", VIEWER_TOKEN, null).statusCode())
        .isEqualTo(404);
    assertThat(call("GET", "/api/audits?limit=abc", VIEWER_TOKEN, null).statusCode())
        .isEqualTo(422);
    assertThat(call("GET", "/api/audits?limit=0", VIEWER_TOKEN, null).statusCode()).isEqualTo(422);
    // Regressions (review of session 19): a body with more after its object ran an audit of the
    // first object's dataset; a field given twice ran the last one; a user longer than the state
    // database's column answered 500; an unknown charset answered 500.
    HttpResponse<String> trailing =
        call("POST", "/api/audits", ADMIN_TOKEN, "{\"dataset\":\"users\"} trailing");
    assertThat(trailing.statusCode()).as(trailing.body()).isEqualTo(422);
    assertThat(
            call(
                    "POST",
                    "/api/audits",
                    ADMIN_TOKEN,
                    "{\"dataset\":\"nope\"}{\"dataset\":\"users\"}")
                .statusCode())
        .isEqualTo(422);
    HttpResponse<String> twice =
        call("POST", "/api/audits", ADMIN_TOKEN, "{\"dataset\":\"users\",\"dataset\":\"nope\"}");
    assertThat(twice.statusCode()).isEqualTo(422);
    assertThat(twice.body()).contains("Duplicate field 'dataset'");
    HttpResponse<String> longUser =
        call(
            "POST",
            "/api/audits",
            ADMIN_TOKEN,
            "{\"dataset\":\"users\",\"table\":\"public.contacts\",\"user\":\""
                + "x".repeat(401)
                + "\"}");
    assertThat(longUser.statusCode()).isEqualTo(422);
    assertThat(longUser.body()).contains("'user' is longer than 400 characters");
    // Regression (review 7 of session 21): U+0000 answered 500, a lone surrogate audited '?'.
    for (String bad : new String[] {"\\u0000", "a\\ud800", "\\udc00b"}) {
      HttpResponse<String> r =
          call(
              "POST",
              "/api/audits",
              ADMIN_TOKEN,
              "{\"dataset\":\"users\",\"table\":\"public.contacts\",\"user\":\"" + bad + "\"}");
      assertThat(r.statusCode()).as(bad).isEqualTo(422);
      assertThat(r.body())
          .contains("'user' must be valid Unicode text: no U+0000, no lone surrogate");
    }
    // and a body past 64 KB is not read (a gzip body inflating to 2 GB ran the heap out)
    HttpResponse<String> huge =
        call(
            "POST",
            "/api/audits",
            ADMIN_TOKEN,
            "{\"dataset\":\"users\",\"user\":\"" + " ".repeat(70_000) + "\"}");
    assertThat(huge.statusCode()).isEqualTo(413);
    HttpResponse<String> charset =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + APP.getLocalPort() + "/api/audits"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json; charset=bogus")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dataset\":\"nope\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(charset.statusCode()).as(charset.body()).isEqualTo(404);
  }

  @Test
  void cancelRunningAndQueuedRuns() throws Exception {
    // One dataset runs one audit at a time: the second request waits QUEUED behind the first.
    // (Another request than the first: the same request, while the first still waits, would be
    // answered with the first's run.)
    String running = trigger("{\"dataset\":\"users\",\"table\":\"public.big\"}");
    String queued = trigger("{\"dataset\":\"users\",\"table\":\"public.contacts\"}");
    waitFor(running, Set.of("RUNNING"));
    assertThat(
            JSON.readTree(call("GET", "/api/audits/" + queued, VIEWER_TOKEN, null).body())
                .get("status")
                .asText())
        .isEqualTo("QUEUED");
    HttpResponse<String> c1 = call("DELETE", "/api/audits/" + queued, ADMIN_TOKEN, null);
    assertThat(c1.statusCode()).as(c1.body()).isEqualTo(202);
    HttpResponse<String> c2 = call("DELETE", "/api/audits/" + running, ADMIN_TOKEN, null);
    assertThat(c2.statusCode()).as(c2.body()).isEqualTo(202);
    JsonNode r = waitFor(running, Set.of("CANCELLED", "CONSISTENT", "FINDINGS", "FAILED"));
    assertThat(r.get("status").asText()).isEqualTo("CANCELLED");
    assertThat(r.get("cancelledBy").asText()).isEqualTo("dba-team");
    JsonNode q = waitFor(queued, Set.of("CANCELLED", "CONSISTENT", "FINDINGS", "FAILED"));
    assertThat(q.get("status").asText()).isEqualTo("CANCELLED");
    assertThat(q.get("startedAt").isNull()).as("a cancelled queued run never starts").isTrue();
    // Ended: cancelling again is a conflict.
    assertThat(call("DELETE", "/api/audits/" + running, ADMIN_TOKEN, null).statusCode())
        .isEqualTo(409);
    // Every trigger and cancel is recorded with the token's name.
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(
                "jdbc:h2:file:" + DIR.resolve("state").toAbsolutePath(), "postgres", "");
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT action || ' ' || actor FROM audit_events WHERE run_id = ? ORDER BY id")) {
      for (String id : new String[] {running, queued}) {
        ps.setString(1, id);
        java.util.List<String> events = new java.util.ArrayList<>();
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            events.add(rs.getString(1));
          }
        }
        assertThat(events).containsExactly("TRIGGER dba-team", "CANCEL dba-team");
      }
    }
  }

  /**
   * At DEBUG (the README's {@code /tasks/log-level} turns it on) no log line shows a token or a
   * password. Regression (review of session 19): Jetty logged {@code parsedHeader(Authorization:
   * Bearer <token>)} for every request, and pgjdbc {@code Connecting with URL: ...?password=...}.
   */
  @Test
  void atDebugNoLogLineShowsATokenOrAPassword() throws Exception {
    ch.qos.logback.classic.LoggerContext ctx =
        (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root =
        ctx.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level before = root.getLevel();
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.setContext(ctx);
    seen.start();
    root.addAppender(seen);
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    java.util.logging.Logger pgjdbc = java.util.logging.Logger.getLogger("org.postgresql");
    java.util.logging.Level pgBefore = pgjdbc.getLevel();
    pgjdbc.setLevel(java.util.logging.Level.ALL);
    try {
      String id = trigger("{\"dataset\":\"broken\"}");
      waitFor(id, Set.of("CONSISTENT", "FINDINGS", "FAILED"));
      call("GET", "/api/audits/" + id, VIEWER_TOKEN, null);
    } finally {
      root.setLevel(before);
      pgjdbc.setLevel(pgBefore);
      root.detachAppender(seen);
    }
    List<String> lines = new java.util.ArrayList<>();
    for (ch.qos.logback.classic.spi.ILoggingEvent e : List.copyOf(seen.list)) {
      lines.add(
          e.getLoggerName()
              + ": "
              + e.getFormattedMessage()
              + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()));
    }
    // DEBUG was on: other libraries' DEBUG lines are there, Jetty's are not (its buffer dumps
    // printed tokens in pieces: review 3 of session 20), and none shows a secret.
    assertThat(lines).anyMatch(l -> l.startsWith("jdk.internal.httpclient"));
    assertThat(
            List.copyOf(seen.list).stream()
                .filter(e -> e.getLoggerName().startsWith("org.eclipse.jetty"))
                .filter(e -> !e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO))
                .toList())
        .isEmpty();
    assertThat(lines)
        .noneMatch(l -> l.contains(ADMIN_TOKEN))
        .noneMatch(l -> l.contains(VIEWER_TOKEN))
        .noneMatch(l -> l.contains(SECRET));
  }

  @Test
  void anUnreachableCopyFailsTheRunWithoutShowingTheSecret() throws Exception {
    String id = trigger("{\"dataset\":\"broken\"}");
    JsonNode run = waitFor(id, Set.of("CONSISTENT", "FINDINGS", "FAILED"));
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("error").asText()).contains("gone");
    String all =
        call("GET", "/api/audits/" + id, VIEWER_TOKEN, null).body()
            + call("GET", "/api/audits", VIEWER_TOKEN, null).body()
            + call("GET", "/api/datasets", VIEWER_TOKEN, null).body()
            + call("GET", "/metrics", null, null).body();
    assertThat(all).doesNotContain(SECRET).doesNotContain(ADMIN_TOKEN).doesNotContain(VIEWER_TOKEN);
    HttpResponse<String> metrics = call("GET", "/metrics", null, null);
    assertThat(metrics.body())
        .contains("integrity_endpoint_up{dataset=\"broken\",endpoint=\"gone\"} 0.0");
    assertThat(metrics.body())
        .contains("integrity_endpoint_up{dataset=\"broken\",endpoint=\"primary\"} 1.0");
    // The service is still healthy: an audited endpoint being down is a finding, not our health.
    HttpResponse<String> health =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    String log = Files.readString(DIR.resolve("service.log"));
    assertThat(log).contains(id).doesNotContain(SECRET);
  }

  @Test
  void datasetsShowTheirLastRunAndMetricsTheirFindings() throws Exception {
    String id = trigger("{\"dataset\":\"users\"}");
    waitFor(id, Set.of("FINDINGS"));
    JsonNode list = JSON.readTree(call("GET", "/api/datasets", VIEWER_TOKEN, null).body());
    JsonNode users = null;
    for (JsonNode d : list) {
      if (d.get("name").asText().equals("users")) {
        users = d;
      }
    }
    assertThat(users).isNotNull();
    assertThat(users.get("primary").asText()).isEqualTo("primary");
    assertThat(users.get("replicas").get(0).asText()).isEqualTo("copy");
    assertThat(users.get("usersAtRisk").asLong()).isEqualTo(4);
    assertThat(users.get("lastRun").get("status").asText()).isEqualTo("FINDINGS");
    String metrics = call("GET", "/metrics", null, null).body();
    assertThat(metrics)
        .contains(
            "integrity_divergent_rows{dataset=\"users\",endpoint=\"copy\",kind=\"missing\"} 3.0")
        .contains(
            "integrity_divergent_rows{dataset=\"users\",endpoint=\"copy\",kind=\"changed\"} 2.0")
        .contains(
            "integrity_divergent_rows{dataset=\"users\",endpoint=\"copy\",kind=\"extra\"} 1.0")
        .contains("integrity_users_at_risk{dataset=\"users\"} 4.0")
        .contains("integrity_audit_runs_total{dataset=\"users\",result=\"FINDINGS\"}")
        .contains("jvm_memory_used_bytes");
  }
}
