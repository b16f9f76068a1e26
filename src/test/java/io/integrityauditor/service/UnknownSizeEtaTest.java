package io.integrityauditor.service;

import static io.integrityauditor.ServiceConfigFile.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.DropwizardTestSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.ServiceConfigFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A running audit of a table whose size the database cannot estimate (H2 here; a PostgreSQL table
 * never analysed) has no ETA. Regression (review): its etaSeconds read 0 and chunksTotal equalled
 * chunksDone with most of the table still to go.
 */
class UnknownSizeEtaTest {
  @Test
  void noEtaWhileATablesSizeIsUnknown() throws Exception {
    String table =
        "CREATE TABLE IF NOT EXISTS contacts(id INT PRIMARY KEY, user_id INT, v VARCHAR(20)) AS"
            + " SELECT X, MOD(X, 100), CONCAT('v', X) FROM SYSTEM_RANGE(1, 400000)";
    Path config =
        ServiceConfigFile.write(
            Path.of("target", "unknown-size-eta-test"),
            null,
            "endpoints:\n"
                + "  p: {url: \"jdbc:h2:mem:eta_p;DB_CLOSE_DELAY=-1;INIT="
                + table
                + "\"}\n"
                + "  c: {url: \"jdbc:h2:mem:eta_c;DB_CLOSE_DELAY=-1;INIT="
                + table
                + "\"}\n"
                + "datasets:\n"
                + "  users: {primary: p, replicas: [c], tables: [{name: public.contacts, owner:"
                + " user_id}]}\n"
                + "audit: {chunkTarget: 5ms}\n"
                + "service: {heartbeatInterval: 100ms}\n"
                + "report: {enabled: false}\n");
    var app = new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
    app.before();
    try {
      HttpClient http = HttpClient.newHttpClient();
      ObjectMapper json = new ObjectMapper();
      String base = "http://127.0.0.1:" + app.getLocalPort();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/audits"))
                  .header("Authorization", "Bearer " + ADMIN_TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"dataset\":\"users\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      String location = r.headers().firstValue("Location").orElseThrow();
      int seenRunning = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < deadline) {
        JsonNode run =
            json.readTree(
                http.send(
                        HttpRequest.newBuilder(URI.create(base + location))
                            .header("Authorization", "Bearer " + ADMIN_TOKEN)
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        String status = run.get("status").asText();
        if (status.equals("RUNNING") && run.get("progress").get("rowsChecked").asLong() > 0) {
          seenRunning++;
          assertThat(run.get("progress").get("etaSeconds").isNull()).as(run.toString()).isTrue();
        }
        if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
          assertThat(status).isEqualTo("CONSISTENT");
          break;
        }
        Thread.sleep(20);
      }
      assertThat(seenRunning).as("progress seen while running").isPositive();
    } finally {
      app.after();
    }
  }
}
