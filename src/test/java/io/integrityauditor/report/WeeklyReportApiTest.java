package io.integrityauditor.report;

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
import io.integrityauditor.config.ReportConfig;
import io.integrityauditor.store.ReportDao;
import io.integrityauditor.store.StateStore;
import io.integrityauditor.store.StoredReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The weekly report endpoints and the console's files on the whole application: on-demand
 * generation, by id, the list, the JSON twin, tokens and roles (401/403/404), and that serving the
 * console at / leaves /api and /metrics alone.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WeeklyReportApiTest {
  static final Path DIR = Path.of("target", "weekly-report-api-test");
  static final String PASSWORD = "endpoint-pw-5521";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static final DropwizardAppExtension<IntegrityAuditorConfiguration> APP =
      new DropwizardAppExtension<>(IntegrityAuditorApplication.class, config().toString());

  static String onDemandId;
  static String olderId;

  static Path config() {
    try {
      deleteTree(DIR);
      return ServiceConfigFile.write(
          DIR,
          null,
          "endpoints:\n"
              + "  primary: {url: 'jdbc:h2:mem:rp_primary;INIT=CREATE TABLE IF NOT EXISTS contacts(id INT PRIMARY KEY, user_id INT)\\;CREATE TABLE IF NOT EXISTS orders(id INT PRIMARY KEY, user_id INT)', password: "
              + PASSWORD
              + "}\n"
              + "  replica: {url: \"jdbc:h2:mem:rp_replica\"}\n"
              + "  backup: {url: \"jdbc:h2:mem:rp_backup\"}\n"
              + "  replica2: {url: \"jdbc:h2:mem:rp_replica2\"}\n"
              + "datasets:\n"
              + "  users:\n"
              + "    primary: primary\n"
              + "    replicas: [replica]\n"
              + "    backups: [{endpoint: backup, asOf: \"SELECT now()\", maxAge: 14h}]\n"
              + "    tables: [{name: public.contacts, owner: user_id}]\n"
              + "  orders:\n"
              + "    primary: primary\n"
              + "    replicas: [replica2]\n"
              + "    tables: [{name: public.orders, owner: user_id}]\n"
              + "report:\n"
              + "  enabled: false\n");
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

  static HttpResponse<String> call(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.body())
        .doesNotContain(VIEWER_TOKEN)
        .doesNotContain(ADMIN_TOKEN)
        .doesNotContain(PASSWORD);
    return r;
  }

  static HttpResponse<String> get(String path) throws Exception {
    return call("GET", path, VIEWER_TOKEN);
  }

  @Test
  @Order(1)
  void theLatestReportIsGeneratedOnDemandWhenNoneExists() throws Exception {
    HttpResponse<String> empty = get("/api/reports/weekly");
    assertThat(empty.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(empty.body())).isEmpty();

    HttpResponse<String> html = get("/api/reports/weekly/latest");
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
    assertThat(html.headers().firstValue("Content-Security-Policy"))
        .get()
        .asString()
        .contains("default-src 'none'");
    assertThat(html.body()).startsWith("<!DOCTYPE html>").contains("<svg").contains("partial week");
    WeeklyReportTest.assertSelfContained(html.body());
    onDemandId = html.headers().firstValue("X-Report-Id").orElseThrow();

    HttpResponse<String> json = get("/api/reports/weekly/latest.json");
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(json.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/json");
    JsonNode twin = JSON.readTree(json.body());
    assertThat(twin.get("id").asText()).isEqualTo(onDemandId);
    assertThat(twin.get("partial").asBoolean()).isTrue();
    assertThat(twin.get("datasets"))
        .extracting(n -> n.get("name").asText())
        .containsExactly("users", "orders");

    // Asking again serves the same report: none is generated while one exists.
    assertThat(get("/api/reports/weekly/latest").headers().firstValue("X-Report-Id"))
        .contains(onDemandId);
    JsonNode list = JSON.readTree(get("/api/reports/weekly").body());
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("id").asText()).isEqualTo(onDemandId);
    assertThat(list.get(0).get("html").asText()).isEqualTo("/api/reports/weekly/" + onDemandId);
    assertThat(list.get(0).get("json").asText())
        .isEqualTo("/api/reports/weekly/" + onDemandId + ".json");
  }

  @Test
  @Order(2)
  void olderWeeksAreServedById() throws Exception {
    // A known week in the application's own state database, rendered as the weekly job would.
    StateStore store =
        ReportHistory.store("jdbc:h2:file:" + DIR.resolve("state").toAbsolutePath(), "postgres");
    try {
      ReportHistory.insert(store);
      ReportDao dao = store.jdbi().onDemand(ReportDao.class);
      Instant fire = ReportHistory.WEEK.plusDays(7).plusHours(6).toInstant();
      WeeklyReports reports =
          new WeeklyReports(
              new WeeklyReportBuilder(
                  ReportHistory.datasets(),
                  dao,
                  store.runs(),
                  JSON,
                  ReportHistory.ZONE,
                  100,
                  List.of()),
              dao,
              new ReportDelivery(new ReportConfig()),
              JSON,
              Clock.fixed(fire, ReportHistory.ZONE),
              ReportHistory.ZONE);
      StoredReport older = reports.generateScheduled(fire);
      olderId = older.id();
    } finally {
      store.close();
    }
    HttpResponse<String> html = get("/api/reports/weekly/" + olderId);
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
    assertThat(html.body())
        .contains("Week of <b>2025-03-03</b>")
        .contains(WeeklyReportTest.row("users at risk", ReportHistory.USERS_AT_RISK_PER_DAY));
    JsonNode twin = JSON.readTree(get("/api/reports/weekly/" + olderId + ".json").body());
    assertThat(twin.get("id").asText()).isEqualTo(olderId);
    assertThat(twin.get("thisWeek").get("usersAtRisk").asLong()).isEqualTo(6);
    assertThat(twin.get("change").get("usersAtRisk").asLong()).isEqualTo(4);

    // The newest generated stays the latest; the list holds both, newest first.
    assertThat(get("/api/reports/weekly/latest").headers().firstValue("X-Report-Id"))
        .contains(onDemandId);
    JsonNode list = JSON.readTree(get("/api/reports/weekly").body());
    assertThat(list).extracting(n -> n.get("id").asText()).containsExactly(onDemandId, olderId);
    assertThat(list.get(1).get("weekStart").asText()).isEqualTo("2025-03-03");
    assertThat(JSON.readTree(get("/api/reports/weekly?limit=1").body())).hasSize(1);
  }

  @Test
  @Order(3)
  void tokensRolesAndUnknownReports() throws Exception {
    for (String path :
        List.of(
            "/api/reports/weekly",
            "/api/reports/weekly/latest",
            "/api/reports/weekly/latest.json",
            "/api/reports/weekly/" + onDemandId,
            "/api/reports/weekly/" + onDemandId + ".json",
            "/api/whoami")) {
      assertThat(call("GET", path, null).statusCode()).as(path).isEqualTo(401);
      assertThat(call("GET", path, "not-a-token").statusCode()).as(path).isEqualTo(401);
      assertThat(call("GET", path, ADMIN_TOKEN).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(call("POST", "/api/reports/weekly", null).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/api/reports/weekly", VIEWER_TOKEN).statusCode()).isEqualTo(403);
    HttpResponse<String> created = call("POST", "/api/reports/weekly", ADMIN_TOKEN);
    assertThat(created.statusCode()).isEqualTo(201);
    String id = JSON.readTree(created.body()).get("id").asText();
    assertThat(created.headers().firstValue("Location"))
        .get()
        .asString()
        .endsWith("/api/reports/weekly/" + id);
    assertThat(get("/api/reports/weekly/latest.json").headers().firstValue("X-Report-Id"))
        .contains(id);

    HttpResponse<String> missing = get("/api/reports/weekly/no-such-report");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("no weekly report 'no-such-report'");
    assertThat(get("/api/reports/weekly/no-such-report.json").statusCode()).isEqualTo(404);
    assertThat(get("/api/reports/weekly?limit=0").statusCode()).isEqualTo(422);

    JsonNode me = JSON.readTree(get("/api/whoami").body());
    assertThat(me.get("name").asText()).isEqualTo("oncall-bot");
    assertThat(me.get("role").asText()).isEqualTo("viewer");
    assertThat(JSON.readTree(call("GET", "/api/whoami", ADMIN_TOKEN).body()).get("role").asText())
        .isEqualTo("admin");
  }

  @Test
  @Order(4)
  void theConsoleIsServedAtTheRootAndTheApiStaysWhereItWas() throws Exception {
    HttpResponse<String> index = call("GET", "/", null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
    assertThat(index.headers().firstValue("Content-Security-Policy"))
        .get()
        .asString()
        .contains("script-src 'self'");
    assertThat(index.body())
        .contains("<title>Integrity Auditor</title>")
        .contains("<script src=\"/console/console.js\" defer></script>")
        .doesNotContainIgnoringCase("http://")
        .doesNotContainIgnoringCase("https://");
    HttpResponse<String> js = call("GET", "/console/console.js", null);
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("text/javascript");
    assertThat(js.body()).contains("sessionStorage").doesNotContain("innerHTML");
    assertThat(call("GET", "/console/console.css", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/console/../config.yml", null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/console/nope.js", null).statusCode()).isEqualTo(404);

    assertThat(call("GET", "/metrics", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/datasets", null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/api/datasets", VIEWER_TOKEN).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/audits", VIEWER_TOKEN).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/nothing-here", VIEWER_TOKEN).statusCode()).isEqualTo(404);
  }
}
