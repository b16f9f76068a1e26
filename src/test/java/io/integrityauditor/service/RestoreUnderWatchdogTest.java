package io.integrityauditor.service;

import static io.integrityauditor.ServiceConfigFile.ADMIN_TOKEN;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restore drills in the service. Regressions: (1) a restore longer than {@code stuckAfter} (legal:
 * it is bounded by its own restoreTimeout) had its run failed by the watchdog ("no progress"),
 * while the restore went on; (2) a run cancelled (or failed by the watchdog) during a restore left
 * the restore running until its restoreTimeout.
 */
class RestoreUnderWatchdogTest {
  static final Path DIR = Path.of("target", "restore-under-watchdog-test").toAbsolutePath();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  static DropwizardTestSupport<IntegrityAuditorConfiguration> app;

  @BeforeAll
  static void start() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"rw_primary", "rw_backup", "rw_backup2"}) {
      TestDatabases.recreatePgDatabase(pg, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(pg, db),
          "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO contacts SELECT g, g % 50, 'v' || g FROM generate_series(1, 2000) g");
    }
    Files.createDirectories(DIR);
    Path config =
        ServiceConfigFile.write(
            DIR,
            null,
            "endpoints:\n"
                + "  primary: {url: \""
                + TestDatabases.pgUrl(pg, "rw_primary")
                + "\", user: postgres}\n"
                + "  backup: {url: \""
                + TestDatabases.pgUrl(pg, "rw_backup")
                + "\", user: postgres}\n"
                + "  backup2: {url: \""
                + TestDatabases.pgUrl(pg, "rw_backup2")
                + "\", user: postgres}\n"
                + "datasets:\n"
                + "  slow:\n"
                + "    primary: primary\n"
                + "    backups: [{endpoint: backup, asOf: \"SELECT now()\", restoreTimeout: 60s,"
                // a restore rewrites the table it restores (RestoredTables): VACUUM FULL does
                + " restoreCommand: \"sleep 7; psql -X -q -h {host} -p {port} -U {user}"
                + " -d {database} -c 'VACUUM FULL contacts' && echo restored\"}]\n"
                + "    tables: [{name: public.contacts, owner: user_id}]\n"
                + "  hung:\n"
                + "    primary: primary\n"
                + "    backups: [{endpoint: backup2, asOf: \"SELECT now()\", restoreTimeout: 10m,"
                + " restoreCommand: \"echo $$ > "
                + DIR.resolve("restore.pid")
                + "; (sleep 300.0417 &); sleep 301\"}]\n"
                + "    tables: [{name: public.contacts, owner: user_id}]\n"
                + "service:\n"
                + "  heartbeatInterval: 300ms\n"
                + "  heartbeatTimeout: 2s\n"
                + "  stuckAfter: 3s\n"
                + "  watchdogInterval: 500ms\n");
    app = new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
    app.before();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.after();
    }
  }

  static HttpResponse<String> call(String method, String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode awaitEnd(String location, int seconds) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (true) {
      JsonNode run = JSON.readTree(call("GET", location, null).body());
      String status = run.get("status").asText();
      if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
        return run;
      }
      assertThat(System.nanoTime()).as("run ended in time: " + run).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @Test
  void aRestoreLongerThanStuckAfterIsNotFailedByTheWatchdog() throws Exception {
    var r = call("POST", "/api/audits", "{\"dataset\":\"slow\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode run = awaitEnd(r.headers().firstValue("Location").orElseThrow(), 40);
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("CONSISTENT");
    assertThat(run.toString()).contains("restored");
  }

  @Test
  void aCancelledRunKillsItsRestoreAndEverythingItStarted() throws Exception {
    Path pidFile = DIR.resolve("restore.pid");
    Files.deleteIfExists(pidFile);
    var r = call("POST", "/api/audits", "{\"dataset\":\"hung\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String location = r.headers().firstValue("Location").orElseThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      assertThat(System.nanoTime()).as("the restore started").isLessThan(deadline);
      Thread.sleep(100);
    }
    long shell = Long.parseLong(Files.readString(pidFile).trim());
    var cancel = call("DELETE", location, null);
    assertThat(cancel.statusCode()).as(cancel.body()).isIn(200, 202);
    JsonNode run = awaitEnd(location, 15);
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("CANCELLED");
    Thread.sleep(500);
    assertThat(ProcessHandle.of(shell).map(ProcessHandle::isAlive).orElse(false))
        .as("the restore's shell")
        .isFalse();
    // The double-forked sleep left the shell's tree; it is gone with its session. (A duration no
    // other process on the machine sleeps: a plain `sleep 300` elsewhere failed this test.)
    var p = new ProcessBuilder("pgrep", "-f", "^sleep 300.0417$").start();
    String left = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    assertThat(left).as("processes left: " + left).isEmpty();
  }
}
