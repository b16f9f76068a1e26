package io.integrityauditor.service;

import static io.integrityauditor.ServiceConfigFile.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.DropwizardTestSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TcpProxy;
import io.integrityauditor.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service under trouble, scheduled every two seconds with its state in PostgreSQL (clustered
 * Quartz): an audited database that goes down and comes back, a hung one, and the state database
 * restarting under it. The service keeps running; the affected runs are FAILED with their error;
 * later runs succeed; nothing is left RUNNING.
 */
class ServiceResilienceTest {
  static final Path DIR = Path.of("target", "resilience-test");
  static final String SECRET = "state-pw-never-logged-99";
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  static TcpProxy copyProxy;
  static TcpProxy stateProxy;
  static DropwizardTestSupport<IntegrityAuditorConfiguration> app;

  @BeforeAll
  static void start() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "svc_state");
    for (String db : new String[] {"svc_primary", "svc_copy"}) {
      TestDatabases.recreatePgDatabase(pg, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(pg, db),
          "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO contacts SELECT g, g % 50, 'v' || g FROM generate_series(1, 5000) g");
    }
    copyProxy = new TcpProxy(pg);
    stateProxy = new TcpProxy(pg);
    Path config =
        ServiceConfigFile.write(
            DIR,
            "jdbc:postgresql://127.0.0.1:" + stateProxy.port() + "/svc_state?password=" + SECRET,
            "endpoints:\n"
                + "  primary: {url: \"jdbc:postgresql://127.0.0.1:"
                + pg
                + "/svc_primary\", user: postgres}\n"
                + "  copy: {url: \"jdbc:postgresql://127.0.0.1:"
                + copyProxy.port()
                + "/svc_copy\", user: postgres, password: "
                + SECRET
                + "}\n"
                + "datasets:\n"
                + "  users:\n"
                + "    primary: primary\n"
                + "    replicas: [copy]\n"
                + "    schedule: \"0/2 * * * * ?\"\n"
                + "    tables:\n"
                + "      - {name: public.contacts, owner: user_id}\n"
                + "audit:\n"
                + "  statementTimeout: 2s\n"
                + "  connectTimeout: 2s\n"
                + "service:\n"
                + "  heartbeatInterval: 300ms\n"
                + "  heartbeatTimeout: 5s\n"
                + "  stuckAfter: 6s\n"
                + "  watchdogInterval: 500ms\n"
                + "  clusterCheckinInterval: 2s\n");
    app = new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
    app.before();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.after();
    }
    if (copyProxy != null) {
      copyProxy.close();
    }
    if (stateProxy != null) {
      stateProxy.close();
    }
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
            .header("Authorization", "Bearer " + VIEWER_TOKEN)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static List<JsonNode> history() throws Exception {
    HttpResponse<String> r = get("/api/audits?dataset=users&limit=1000");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).forEach(out::add);
    return out;
  }

  /** Waits for a run created after {@code after} that matches, and returns it. */
  static JsonNode awaitRun(String after, Predicate<JsonNode> p, int seconds, String what)
      throws Exception {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (true) {
      try {
        for (JsonNode n : history()) {
          if (n.get("createdAt").asText().compareTo(after) > 0 && p.test(n)) {
            return n;
          }
        }
      } catch (AssertionError | java.io.IOException e) {
        // state database still coming back
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no run " + what + " within " + seconds + " s: " + history());
      }
      Thread.sleep(200);
    }
  }

  static Predicate<JsonNode> status(String s) {
    return n -> n.get("status").asText().equals(s);
  }

  static String now() {
    return java.time.Instant.now().toString();
  }

  static int health() throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.getAdminPort() + "/healthcheck"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void theServiceRidesOutDatabasesGoingAwayAndComingBack() throws Exception {
    String t0 = now();
    awaitRun(t0, status("CONSISTENT"), 30, "CONSISTENT at start");

    // 1. The audited copy goes down: the run fails with its error, the service stays healthy.
    copyProxy.down();
    String t1 = now();
    JsonNode failed = awaitRun(t1, status("FAILED"), 30, "FAILED while the copy is down");
    assertThat(failed.get("error").asText()).contains("copy").doesNotContain(SECRET);
    assertThat(health()).isEqualTo(200);
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.getLocalPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics).contains("integrity_endpoint_up{dataset=\"users\",endpoint=\"copy\"} 0.0");
    copyProxy.up();
    awaitRun(now(), status("CONSISTENT"), 30, "CONSISTENT after the copy is back");

    // 2. The copy hangs (connections open, nothing answers): its sessions cannot log in, and the
    // run fails within the connect timeout (its sessions open together, ~5 s here; on a slower
    // machine the watchdog may stop it first: FAILED either way).
    copyProxy.hang(true);
    JsonNode hung = awaitRun(now(), status("FAILED"), 30, "FAILED while the copy hangs");
    assertThat(hung.get("error").asText()).doesNotContain(SECRET);
    copyProxy.hang(false);
    copyProxy.down();
    copyProxy.up();
    awaitRun(now(), status("CONSISTENT"), 60, "CONSISTENT after the hang");

    // 2b. The copy logs in and then never answers its digest statement (a stalled disk, a lock
    // outside the statement timeout's reach): only the watchdog can end that run, and once the
    // copy answers again the schedule goes on.
    copyProxy.hangOn("COUNT(*)");
    String t2 = now();
    JsonNode stuck =
        awaitRun(
            t2,
            n -> status("FAILED").test(n) && n.get("error").asText().contains("no progress"),
            40,
            "failed by the watchdog while the copy's statement hangs");
    assertThat(stuck.get("error").asText()).contains("stopped by the watchdog");
    copyProxy.hangOn(null);
    copyProxy.down();
    copyProxy.up();
    awaitRun(now(), status("CONSISTENT"), 60, "CONSISTENT after the hang");

    // 3. The state database goes away for 4 s under the service, then comes back.
    stateProxy.down();
    Thread.sleep(4000);
    stateProxy.up();
    awaitRun(now(), status("CONSISTENT"), 60, "CONSISTENT after the state database came back");
    assertThat(health()).isEqualTo(200);

    // Nothing is left RUNNING: every run older than a few seconds has ended.
    Thread.sleep(6000);
    String cutoff = java.time.Instant.now().minusSeconds(8).toString();
    for (JsonNode n : history()) {
      if (n.get("createdAt").asText().compareTo(cutoff) < 0) {
        assertThat(n.get("status").asText())
            .as("run %s", n)
            .isIn("CONSISTENT", "FINDINGS", "FAILED", "CANCELLED");
      }
    }
    String log = Files.readString(DIR.resolve("service.log"));
    assertThat(log).doesNotContain(SECRET);
  }
}
