package io.integrityauditor.report;

import static io.integrityauditor.ServiceConfigFile.ADMIN_TOKEN;
import static io.integrityauditor.ServiceConfigFile.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The weekly Quartz job on the whole application, with a cron every two seconds: each fire stores a
 * report, POSTs its JSON twin to a webhook (a JDK HttpServer here) and mails its HTML page through
 * SMTP with authentication (a small SMTP server here). Neither carries a token or password.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class WeeklyReportDeliveryTest {
  static final Path DIR = Path.of("target", "weekly-report-delivery-test");
  static final String SMTP_PASSWORD = "smtp-pw-8812";
  static final String HOOK_SECRET = "hook-secret-3391";
  static final ObjectMapper JSON = new ObjectMapper();

  /** What the webhook received: content type and body. */
  record Post(String contentType, String body) {}

  static final LinkedBlockingQueue<Post> POSTS = new LinkedBlockingQueue<>();
  static final HttpServer HOOK = webhook();
  static final SmtpTestServer SMTP = smtp();

  static final DropwizardAppExtension<IntegrityAuditorConfiguration> APP =
      new DropwizardAppExtension<>(IntegrityAuditorApplication.class, config().toString());

  static HttpServer webhook() {
    try {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      s.createContext(
          "/hook",
          ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            POSTS.add(
                new Post(
                    ex.getRequestHeaders().getFirst("Content-Type"),
                    new String(body, StandardCharsets.UTF_8)));
            ex.sendResponseHeaders("POST".equals(ex.getRequestMethod()) ? 204 : 405, -1);
            ex.close();
          });
      s.start();
      return s;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static SmtpTestServer smtp() {
    try {
      return new SmtpTestServer();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Path config() {
    try {
      WeeklyReportApiTest.deleteTree(DIR);
      return ServiceConfigFile.write(
          DIR,
          null,
          "endpoints:\n"
              + "  primary: {url: 'jdbc:h2:mem:rp_dprimary;INIT=CREATE TABLE IF NOT EXISTS contacts(id INT PRIMARY KEY, user_id INT)'}\n"
              + "  replica: {url: \"jdbc:h2:mem:rp_dreplica\"}\n"
              + "datasets:\n"
              + "  users:\n"
              + "    primary: primary\n"
              + "    replicas: [replica]\n"
              + "    tables: [{name: public.contacts, owner: user_id}]\n"
              + "report:\n"
              + "  cron: \"*/2 * * * * ?\"\n"
              + "  timeZone: Europe/Berlin\n"
              + "  webhookUrl: \"http://127.0.0.1:"
              + HOOK.getAddress().getPort()
              + "/hook/"
              + HOOK_SECRET
              + "\"\n"
              + "  smtp:\n"
              + "    host: 127.0.0.1\n"
              + "    port: "
              + SMTP.port()
              + "\n"
              + "    from: auditor@example.org\n"
              + "    to: [oncall@example.org, dba@example.org]\n"
              + "    username: auditor\n"
              + "    password: "
              + SMTP_PASSWORD
              + "\n");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    HOOK.stop(0);
    SMTP.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
                .header("Authorization", "Bearer " + VIEWER_TOKEN)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  static void assertNoSecret(String text) {
    assertThat(text)
        .doesNotContain(SMTP_PASSWORD)
        .doesNotContain(HOOK_SECRET)
        .doesNotContain(VIEWER_TOKEN)
        .doesNotContain(ADMIN_TOKEN);
  }

  @Test
  void theWeeklyJobStoresPostsAndMailsTheReport() throws Exception {
    Post post = POSTS.poll(30, TimeUnit.SECONDS);
    assertThat(post).as("no webhook call within 30 s").isNotNull();
    assertThat(post.contentType()).startsWith("application/json");
    JsonNode twin = JSON.readTree(post.body());
    String id = twin.get("id").asText();
    assertThat(twin.get("timeZone").asText()).isEqualTo("Europe/Berlin");
    // the scheduled report: the seven full days before today
    assertThat(twin.get("partial").asBoolean()).isFalse();
    assertThat(twin.get("days")).hasSize(7);
    assertThat(twin.get("datasets").get(0).get("name").asText()).isEqualTo("users");
    assertNoSecret(post.body());

    // It is the stored report, served by id.
    HttpResponse<String> stored = get("/api/reports/weekly/" + id + ".json");
    assertThat(stored.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(stored.body())).isEqualTo(twin);

    SmtpTestServer.Mail mail = SMTP.await(30);
    assertThat(mail).as("no mail within 30 s").isNotNull();
    assertThat(mail.user()).isEqualTo("auditor");
    assertThat(mail.password()).isEqualTo(SMTP_PASSWORD);
    assertThat(mail.from()).isEqualTo("auditor@example.org");
    assertThat(mail.to()).containsExactly("oncall@example.org", "dba@example.org");
    MimeMessage m =
        new MimeMessage(
            Session.getInstance(new Properties()),
            new ByteArrayInputStream(mail.data().getBytes(StandardCharsets.UTF_8)));
    assertThat(m.getSubject()).startsWith("Integrity Auditor weekly report, week of ");
    assertThat(((InternetAddress) m.getFrom()[0]).getAddress()).isEqualTo("auditor@example.org");
    assertThat(m.getContentType()).startsWith("text/html");
    String html = (String) m.getContent();
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("Dataset users");
    WeeklyReportTest.assertSelfContained(html);
    assertNoSecret(mail.data());
    assertNoSecret(html);
    Files.writeString(DIR.resolve("mail.eml"), mail.data());
  }
}
