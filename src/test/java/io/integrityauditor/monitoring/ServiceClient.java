package io.integrityauditor.monitoring;

import static io.integrityauditor.ServiceConfigFile.ADMIN_TOKEN;
import static io.integrityauditor.ServiceConfigFile.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/** The API of a running service, as the tests of monitoring/ use it: trigger, wait, scrape. */
final class ServiceClient {
  static final Set<String> ENDED = Set.of("CONSISTENT", "FINDINGS", "FAILED", "CANCELLED");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int port;

  ServiceClient(int port) {
    this.port = port;
  }

  HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
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
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POST /api/audits with the admin token; returns the run id. */
  String trigger(String dataset) throws Exception {
    HttpResponse<String> r =
        call("POST", "/api/audits", ADMIN_TOKEN, "{\"dataset\":\"" + dataset + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("id").asText();
  }

  /** Polls GET /api/audits/{id} until the run has ended; returns it. */
  JsonNode awaitEnd(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      HttpResponse<String> r = call("GET", "/api/audits/" + id, VIEWER_TOKEN, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode run = JSON.readTree(r.body());
      if (ENDED.contains(run.get("status").asText())) {
        return run;
      }
      assertThat(System.nanoTime())
          .as("run %s has not ended: %s", id, r.body())
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Triggers an audit of the whole dataset and waits for it; returns the ended run. */
  JsonNode audit(String dataset) throws Exception {
    return awaitEnd(trigger(dataset));
  }

  /** GET /metrics without a token, as Prometheus scrapes it. */
  ScrapedMetrics scrape() throws Exception {
    HttpResponse<String> r = call("GET", "/metrics", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ScrapedMetrics.parse(r.body());
  }
}
