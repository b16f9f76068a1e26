package io.integrityauditor.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TestDatabases;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole monitoring chain with a real Prometheus: it scrapes the running service's /metrics
 * (job="integrity-auditor") and evaluates alerts/integrity-auditor.rules.yml, with every {@code
 * for:} shortened to {@value #FOR}. After an audit that finds rows missing on the only copy, the
 * divergent-rows and users-at-risk alerts fire with the expected labels; the replica-lag alert,
 * whose series is there, does not.
 *
 * <p>Needs {@code /usr/bin/prometheus} (the Debian package; scripts/install-deps.sh installs it);
 * the test fails without it. Another binary can be given in the environment variable {@code
 * IA_PROMETHEUS}.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class PrometheusEndToEndTest {
  static final Path DIR = Path.of("target", "prometheus-e2e-test");
  static final int PG = TestDatabases.PG_PRIMARY_PORT;
  static final int STANDBY = TestDatabases.PG_STANDBY_PORT;
  static final String FOR = "2s";
  static final Duration ALERT_TIMEOUT = Duration.ofSeconds(60);
  static final String JOB = "integrity-auditor";

  static final DropwizardAppExtension<IntegrityAuditorConfiguration> APP =
      new DropwizardAppExtension<>(IntegrityAuditorApplication.class, config().toString());

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  static Path config() {
    try {
      MetricsExportTest.deleteTree(DIR);
      for (String db : List.of("mx_prom_primary", "mx_prom_copy")) {
        TestDatabases.recreatePgDatabase(PG, db);
        TestDatabases.execute(
            TestDatabases.pgUrl(PG, db),
            "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, email text)",
            "INSERT INTO contacts SELECT g, g % 100, 'u' || g || '@example.org'"
                + " FROM generate_series(1, 10000) g");
      }
      // Users 5 and 6 lose a row each on the only copy of dataset "users": 2 users at risk.
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, "mx_prom_copy"), "DELETE FROM contacts WHERE id IN (105, 206)");
      Standby.awaitReplay();
      return ServiceConfigFile.write(
          DIR,
          null,
          "endpoints:\n"
              + MetricsExportTest.endpoint("primary", PG, "mx_prom_primary")
              + MetricsExportTest.endpoint("copy", PG, "mx_prom_copy")
              + MetricsExportTest.endpoint("standby", STANDBY, "mx_prom_primary")
              + "datasets:\n"
              + "  users:\n"
              + "    primary: primary\n"
              + "    replicas: [copy]\n"
              + "    tables: [{name: public.contacts, owner: user_id}]\n"
              + "  mirrored:\n"
              + "    primary: primary\n"
              + "    replicas: [standby]\n"
              + "    tables: [{name: public.contacts, owner: user_id}]\n");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void divergenceFoundByAnAuditFiresTheAlertsInPrometheus() throws Exception {
    Path binary = Path.of(System.getenv().getOrDefault("IA_PROMETHEUS", "/usr/bin/prometheus"));
    assertThat(Files.isExecutable(binary))
        .as(binary + " is missing: install Prometheus with scripts/install-deps.sh")
        .isTrue();
    ServiceClient service = new ServiceClient(APP.getLocalPort());
    // Warm the service up: a cold first scrape can take longer than the 1 s scrape timeout.
    service.scrape();
    int port = freePort();
    Path rules = DIR.resolve("integrity-auditor.rules.yml");
    Files.writeString(rules, shortenFor(MonitoringFiles.ruleFiles()));
    Path config = DIR.resolve("prometheus.yml");
    Files.writeString(
        config,
        "global:\n"
            + "  scrape_interval: 1s\n"
            + "  scrape_timeout: 1s\n"
            + "  evaluation_interval: 1s\n"
            + "rule_files: ['"
            + rules.toAbsolutePath()
            + "']\n"
            + "scrape_configs:\n"
            + "  - job_name: "
            + JOB
            + "\n"
            + "    metrics_path: /metrics\n"
            + "    static_configs: [{targets: ['127.0.0.1:"
            + APP.getLocalPort()
            + "']}]\n");
    Path log = DIR.resolve("prometheus.log");
    Process prometheus =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config.toAbsolutePath(),
                "--storage.tsdb.path=" + DIR.resolve("tsdb").toAbsolutePath(),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=info")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      Prometheus p = new Prometheus(port, prometheus, log);
      p.awaitReady();
      // Before any audit: the series are 0 and have been evaluated for longer than `for`. (The
      // first scrape comes about 5 s after the start: service discovery's first update.)
      p.awaitQuery("integrity_users_at_risk{dataset=\"users\"} == 0");
      Thread.sleep(Duration.parse("PT" + FOR).toMillis() + 2000);
      assertThat(p.alerts(a -> true)).as("alerts before any audit").isEmpty();

      JsonNode users = service.audit("users");
      assertThat(users.get("status").asText()).as(users.toString()).isEqualTo("FINDINGS");
      assertThat(users.get("usersAtRisk").asLong()).isEqualTo(2);
      JsonNode mirrored = service.audit("mirrored");
      assertThat(mirrored.get("status").asText()).as(mirrored.toString()).isEqualTo("CONSISTENT");

      List<JsonNode> firing =
          p.awaitAlerts(
              "IntegrityDivergentRows and IntegrityUsersAtRisk firing",
              all ->
                  all.stream().filter(a -> a.path("state").asText().equals("firing")).count() >= 2
                      && all.stream().anyMatch(a -> isFiring(a, "IntegrityDivergentRows"))
                      && all.stream().anyMatch(a -> isFiring(a, "IntegrityUsersAtRisk")));
      assertThat(firing.stream().map(PrometheusEndToEndTest::labels).toList())
          .as("the alerts, with their labels")
          .containsExactlyInAnyOrder(
              Map.of(
                  "alertname", "IntegrityDivergentRows",
                  "dataset", "users",
                  "endpoint", "copy",
                  "kind", "missing",
                  "job", JOB,
                  "severity", "warning"),
              Map.of(
                  "alertname", "IntegrityUsersAtRisk",
                  "dataset", "users",
                  "job", JOB,
                  "severity", "critical"));
      for (JsonNode a : firing) {
        assertThat(a.path("state").asText()).isEqualTo("firing");
        assertThat(a.path("value").asDouble()).isEqualTo(2.0);
        assertThat(a.path("annotations").path("runbook_url").asText())
            .endsWith("#" + a.path("labels").path("alertname").asText().toLowerCase());
      }
      JsonNode divergent =
          firing.stream().filter(a -> isFiring(a, "IntegrityDivergentRows")).findFirst().get();
      assertThat(divergent.path("annotations").path("summary").asText())
          .isEqualTo("Copy copy of dataset users has missing rows.");

      // Not alerts: the standby's lag is exported and below its bound, every endpoint is up.
      assertThat(
              p.query("integrity_replica_lag_seconds{dataset=\"mirrored\",endpoint=\"standby\"}"))
          .as("replica lag series in Prometheus")
          .hasSize(1);
      assertThat(p.query("integrity_endpoint_up == 1")).hasSize(4);
      assertThat(p.alerts(a -> !a.path("state").asText().isEmpty()))
          .as("no other alert pending or firing")
          .hasSize(2)
          .noneMatch(a -> labels(a).get("alertname").equals("IntegrityReplicaLag"))
          .noneMatch(a -> labels(a).get("alertname").equals("IntegrityEndpointDown"))
          .noneMatch(a -> labels(a).get("alertname").equals("IntegrityAuditorDown"));
    } finally {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The rule files as one, every {@code for:} set to {@link #FOR}. */
  static String shortenFor(List<Path> ruleFiles) throws IOException {
    assertThat(ruleFiles).as("alerts/*.yml").hasSize(1);
    String yaml = Files.readString(ruleFiles.get(0));
    Matcher m = Pattern.compile("(?m)^(\\s+)for:\\s*\\S+\\s*$").matcher(yaml);
    int n = 0;
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "for: " + FOR));
      n++;
    }
    m.appendTail(out);
    long alerts = Pattern.compile("(?m)^\\s+- alert:").matcher(yaml).results().count();
    assertThat(n).as("`for:` lines rewritten, one per alert").isEqualTo(alerts).isPositive();
    return out.toString();
  }

  static boolean isFiring(JsonNode alert, String name) {
    return alert.path("labels").path("alertname").asText().equals(name)
        && alert.path("state").asText().equals("firing");
  }

  static Map<String, String> labels(JsonNode alert) {
    Map<String, String> out = new TreeMap<>();
    alert.path("labels").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The HTTP API of the Prometheus the test started. */
  record Prometheus(int port, Process process, Path log) {
    JsonNode get(String path) throws Exception {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
      return JSON.readTree(r.body());
    }

    void awaitReady() throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        if (!process.isAlive()) {
          fail("Prometheus exited with " + process.exitValue() + ":\n" + logTail());
        }
        try {
          HttpResponse<String> r =
              HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        if (System.nanoTime() > deadline) {
          fail("Prometheus not ready within 30 s:\n" + logTail());
        }
        Thread.sleep(100);
      }
    }

    /** The result vector of an instant query. */
    List<JsonNode> query(String promql) throws Exception {
      JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
      List<JsonNode> out = new ArrayList<>();
      r.path("data").path("result").forEach(out::add);
      return out;
    }

    void awaitQuery(String promql) throws Exception {
      long deadline = System.nanoTime() + ALERT_TIMEOUT.toNanos();
      while (query(promql).isEmpty()) {
        if (System.nanoTime() > deadline) {
          fail("no result for " + promql + " within " + ALERT_TIMEOUT + ":\n" + logTail());
        }
        Thread.sleep(200);
      }
    }

    /** GET /api/v1/alerts: the pending and firing alerts that match. */
    List<JsonNode> alerts(Predicate<JsonNode> filter) throws Exception {
      List<JsonNode> out = new ArrayList<>();
      get("/api/v1/alerts")
          .path("data")
          .path("alerts")
          .forEach(
              a -> {
                if (filter.test(a)) {
                  out.add(a);
                }
              });
      return out;
    }

    /** Polls the alerts until {@code done} holds for them; returns them. */
    List<JsonNode> awaitAlerts(String what, Predicate<List<JsonNode>> done) throws Exception {
      long deadline = System.nanoTime() + ALERT_TIMEOUT.toNanos();
      while (true) {
        List<JsonNode> all = alerts(a -> true);
        if (done.test(all)) {
          return all;
        }
        if (System.nanoTime() > deadline) {
          fail(
              "not within "
                  + ALERT_TIMEOUT
                  + ": "
                  + what
                  + "\nalerts: "
                  + all
                  + "\nintegrity_ series: "
                  + query("{__name__=~\"integrity_.+\"}")
                  + "\n"
                  + logTail());
        }
        Thread.sleep(250);
      }
    }

    String logTail() {
      try {
        List<String> lines = Files.readAllLines(log);
        return "Prometheus log ("
            + log
            + "), last lines:\n"
            + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(no Prometheus log: " + e.getMessage() + ")";
      }
    }
  }
}
