package io.integrityauditor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.DropwizardTestSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Regression (review): Dropwizard's OAuth filter accepted a token as {@code ?access_token=}, and
 * the default request log printed it in clear ({@code "GET /api/datasets?access_token=... HTTP/1.1"
 * 200}). Such requests are refused now, and the request log leaves the query string out.
 */
class TokenInUrlTest {
  static final String VIEWER = "viewer-token-in-url-1234";

  @Test
  void aTokenInTheUrlIsRefusedAndNeverLogged() throws Exception {
    Path dir = Path.of("target", "token-in-url-test").toAbsolutePath();
    Files.createDirectories(dir);
    Path log = dir.resolve("requests.log");
    Files.deleteIfExists(log);
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        "server:\n"
            + "  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n"
            + "  adminConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n"
            + "  requestLog: {appenders: [{type: file, currentLogFilename: "
            + log
            + ", archive: false}]}\n"
            + "logging: {level: WARN}\n"
            + "stateDatabase: {url: 'jdbc:h2:mem:token_in_url_state'}\n"
            + "auth: {tokens: [{name: bot, role: viewer, token: "
            + VIEWER
            + "}]}\n"
            + "endpoints:\n"
            + "  p: {url: 'jdbc:h2:mem:tiu_p;INIT=CREATE TABLE IF NOT EXISTS contacts(id INT"
            + " PRIMARY KEY, user_id INT)'}\n"
            + "  c: {url: 'jdbc:h2:mem:tiu_c'}\n"
            + "datasets:\n"
            + "  users: {primary: p, replicas: [c], tables: [{name: public.contacts, owner:"
            + " user_id}]}\n"
            + "report: {enabled: false}\n");
    var app = new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
    app.before();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + app.getLocalPort();
      HttpResponse<String> inUrl =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/datasets?access_token=" + VIEWER))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(inUrl.statusCode()).isEqualTo(401);
      assertThat(inUrl.body()).contains("Authorization: Bearer");
      HttpResponse<String> inHeader =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/datasets?limit=5"))
                  .header("Authorization", "Bearer " + VIEWER)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(inHeader.statusCode()).isEqualTo(200);
    } finally {
      app.after();
    }
    String logged = Files.readString(log);
    assertThat(logged).contains("\"GET /api/datasets HTTP/1.1\" 401").doesNotContain(VIEWER);
  }
}
