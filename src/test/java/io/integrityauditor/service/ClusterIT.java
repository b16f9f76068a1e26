package io.integrityauditor.service;

import static io.integrityauditor.ServiceConfigFile.ADMIN_TOKEN;
import static io.integrityauditor.ServiceConfigFile.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TestDatabases;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two {@code server} processes of the packaged jar sharing one PostgreSQL state database: every
 * scheduled fire runs exactly once, never two audits of a dataset at a time, and when one instance
 * is killed with {@code kill -9} in the middle of an audit the other resumes that audit from its
 * last completed table and carries on with the schedule.
 */
class ClusterIT {
  static final Path DIR = Path.of("target", "cluster-it");
  static final int PG = TestDatabases.PG_PRIMARY_PORT;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  static final String STATE = TestDatabases.pgUrl(PG, "cl_state");

  final List<Instance> instances = new ArrayList<>();

  record Instance(String name, Process process, int port, Path log) {}

  @AfterEach
  void stopAll() {
    for (Instance i : instances) {
      i.process().destroyForcibly();
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  Instance start(String name) throws Exception {
    return start(name, name, STATE);
  }

  Instance start(String name, String dirName, String stateUrl) throws Exception {
    int port = freePort();
    int admin = freePort();
    Path dir = DIR.resolve(dirName);
    Path config =
        ServiceConfigFile.write(
            dir,
            stateUrl,
            "endpoints:\n"
                + "  primary: {url: \"jdbc:postgresql://127.0.0.1:"
                + PG
                + "/cl_primary\", user: postgres}\n"
                + "  copy: {url: \"jdbc:postgresql://127.0.0.1:"
                + PG
                + "/cl_copy\", user: postgres}\n"
                + "  bk: {url: \"jdbc:postgresql://127.0.0.1:"
                + PG
                + "/cl_backup\", user: postgres}\n"
                + "datasets:\n"
                + "  users:\n"
                + "    primary: primary\n"
                + "    replicas: [copy]\n"
                + "    schedule: \"0/3 * * * * ?\"\n"
                + "    tables:\n"
                + "      - {name: public.contacts, owner: user_id}\n"
                + "  archive:\n"
                + "    primary: primary\n"
                + "    replicas: [copy]\n"
                + "    tables:\n"
                + "      - {name: public.contacts, owner: user_id}\n"
                + "      - {name: public.photos, owner: user_id}\n"
                // The "restore" logs itself: a run resumed after a kill must not repeat it. It
                // writes a row of each table, as a restore writes the tables it restores
                // (RestoredTables), and waits for that write to reach the statistics.
                + "    backups:\n"
                + "      - endpoint: bk\n"
                + "        asOf: \"SELECT now()\"\n"
                + "        restoreCommand: \"echo {database} >> "
                + dir.resolve("restores.log")
                + " && psql -X -q -h {host} -p {port} -U {user} -d {database} -c 'UPDATE contacts"
                + " SET user_id = user_id WHERE id = 1; UPDATE photos SET user_id = user_id"
                + " WHERE id = 1' && sleep 1\"\n"
                // Chunk by chunk: the instance is killed between chunk checkpoints of photos
                // (one pass would digest it in one statement per side).
                + "audit:\n"
                + "  onePassMaxRows: 0\n"
                + "service:\n"
                + "  heartbeatInterval: 500ms\n"
                + "  heartbeatTimeout: 5s\n"
                + "  watchdogInterval: 1s\n"
                + "  clusterCheckinInterval: 2s\n"
                + "  checkpointInterval: 1s\n");
    String yaml =
        Files.readString(config)
            .replace(
                "applicationConnectors: [{type: http, port: 0",
                "applicationConnectors: [{type: http, port: " + port)
            .replace(
                "adminConnectors: [{type: http, port: 0",
                "adminConnectors: [{type: http, port: " + admin);
    Files.writeString(config, yaml);
    Path out = dir.resolve(name + ".stdout.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    System.getProperty("java.home") + "/bin/java",
                    "-Xmx256m",
                    "-jar",
                    new File("target/integrity-auditor.jar").getAbsolutePath(),
                    "server",
                    config.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    Instance i = new Instance(name, pb.start(), port, dir.resolve("service.log"));
    instances.add(i);
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        if (call(i, "GET", "/api/datasets", null).statusCode() == 200) {
          return i;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      assertThat(i.process().isAlive())
          .as("instance %s died: %s", name, Files.readString(out))
          .isTrue();
      assertThat(System.currentTimeMillis())
          .as("instance %s did not start", name)
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  static HttpResponse<String> call(Instance i, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + (body == null ? VIEWER_TOKEN : ADMIN_TOKEN));
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Scheduled runs of 'users' as (scheduled fire, status, instance, started, finished). */
  static List<String[]> scheduledRuns() throws Exception {
    List<String[]> out = new ArrayList<>();
    try (Connection c = TestDatabases.admin(STATE);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT fire_key, status, instance_id, started_at, finished_at FROM audit_runs"
                    + " WHERE dataset = 'users' AND trigger_kind = 'SCHEDULE' ORDER BY fire_key")) {
      while (rs.next()) {
        out.add(
            new String[] {
              rs.getString(1),
              rs.getString(2),
              rs.getString(3),
              rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant().toString(),
              rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant().toString()
            });
      }
    }
    return out;
  }

  static long count(String sql) throws Exception {
    try (Connection c = TestDatabases.admin(STATE);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @org.junit.jupiter.api.BeforeAll
  static void databases() throws Exception {
    for (String db : new String[] {"cl_primary", "cl_copy"}) {
      TestDatabases.recreatePgDatabase(PG, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, db),
          "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO contacts SELECT g, g % 50, 'v' || g FROM generate_series(1, 5000) g",
          "CREATE TABLE photos (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO photos SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 3000000) g");
    }
    // A differing column type makes photos hash through the canonical text form, ~3x slower than
    // the native row hash: the scan of its 3,000,000 rows must outlast the first chunk checkpoint
    // (1 s) by seconds, or an instance killed after that checkpoint may already have finished.
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "cl_copy"), "ALTER TABLE photos ALTER COLUMN v TYPE varchar(32)");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "postgres"),
        "DROP DATABASE IF EXISTS cl_backup WITH (FORCE)",
        "CREATE DATABASE cl_backup TEMPLATE cl_primary");
  }

  /** Starts an audit of 'archive' and returns its id once it is in its second table. */
  String archiveRunInSecondTable(Instance i) throws Exception {
    HttpResponse<String> posted = call(i, "POST", "/api/audits", "{\"dataset\":\"archive\"}");
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
    String id = JSON.readTree(posted.body()).get("id").asText();
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      JsonNode run = JSON.readTree(call(i, "GET", "/api/audits/" + id, null).body());
      if (run.get("status").asText().equals("RUNNING")
          && run.get("progress").get("rowsChecked").asLong() > 5000) {
        return id;
      }
      assertThat(run.get("status").asText()).isIn("QUEUED", "RUNNING");
      assertThat(System.currentTimeMillis())
          .as("archive run in its second table")
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static JsonNode awaitEnd(Instance i, String id) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (true) {
      JsonNode run = JSON.readTree(call(i, "GET", "/api/audits/" + id, null).body());
      if (!run.get("status").asText().matches("QUEUED|RUNNING")) {
        return run;
      }
      assertThat(System.currentTimeMillis()).as("run %s ends", id).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  @Test
  void aSingleInstanceKilledMidAuditResumesItWhenItComesBack() throws Exception {
    Path dir = DIR.resolve("solo");
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Instance solo = start("solo", "solo", null);
    String id = archiveRunInSecondTable(solo);
    // Killed once a chunk checkpoint inside the 3,000,000-row table has been written.
    long deadline = System.currentTimeMillis() + 60_000;
    while (!Files.readString(solo.log()).contains("chunk checkpoint of public.photos after")) {
      assertThat(System.currentTimeMillis()).as("a chunk checkpoint").isLessThan(deadline);
      Thread.sleep(20);
    }
    new ProcessBuilder("kill", "-9", Long.toString(solo.process().pid())).start().waitFor();
    solo.process().waitFor();
    Instance back = start("solo-restarted", "solo", null);
    JsonNode run = awaitEnd(back, id);
    assertThat(run.get("status").asText()).isEqualTo("CONSISTENT");
    assertThat(run.get("attempts").asInt()).isEqualTo(2);
    assertThat(run.get("instance").asText()).contains(":" + back.process().pid() + ":");
    assertThat(run.get("report").get("tables").get(1).get("rowsChecked").asLong())
        .isEqualTo(3_000_000);
    String log = Files.readString(back.log());
    assertThat(log).contains("run " + id + " resumes after 1 completed table(s)");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "run "
                    + id
                    + " resumes inside table public.photos \\([\\w-]+ scan\\) after (\\d+) compared rows")
            .matcher(log);
    assertThat(m.find()).as("resumed inside the table: %s", log).isTrue();
    long before = Long.parseLong(m.group(1));
    assertThat(before).isBetween(1L, 2_999_999L);
    assertThat(log).contains("table public.photos: resumed after key");
    // The backup was restored once, by the first attempt (before the kill, which came in the
    // second table): the resumed run compared that restore (regression: it restored again).
    assertThat(Files.readAllLines(dir.resolve("restores.log"))).containsExactly("cl_backup");
    JsonNode backup = run.get("report").get("backups").get(0);
    assertThat(backup.get("restore").isNull()).isTrue();
    assertThat(backup.get("restoreSkipped").asText())
        .startsWith("this run restored the backup at ")
        .endsWith(" before it was interrupted; not restored again");
    System.out.printf("solo: resumed inside public.photos after %,d of 3,000,000 rows%n", before);
  }

  @Test
  void twoInstancesShareTheScheduleAndOneTakesOverWhenTheOtherIsKilled() throws Exception {
    TestDatabases.recreatePgDatabase(PG, "cl_state");
    Instance a = start("a");
    Instance b = start("b");

    // 1. At least 10 scheduled fires: each ran exactly once, one at a time, none skipped.
    long deadline = System.currentTimeMillis() + 90_000;
    while (scheduledRuns().stream().filter(r -> "CONSISTENT".equals(r[1])).count() < 10) {
      assertThat(System.currentTimeMillis()).as("10 scheduled runs").isLessThan(deadline);
      Thread.sleep(500);
    }
    List<String[]> runs = scheduledRuns().stream().filter(r -> r[4] != null).toList();
    assertThat(runs).allSatisfy(r -> assertThat(r[1]).isEqualTo("CONSISTENT"));
    // Consecutive fires 3 s apart: no fire lost, none doubled.
    for (int k = 1; k < runs.size(); k++) {
      Instant prev = Instant.parse(runs.get(k - 1)[0].substring("users@".length()));
      Instant cur = Instant.parse(runs.get(k)[0].substring("users@".length()));
      assertThat(Duration.between(prev, cur))
          .as("fire %s after %s", cur, prev)
          .isEqualTo(Duration.ofSeconds(3));
    }
    // Never two audits of the dataset at the same time.
    for (int k = 1; k < runs.size(); k++) {
      assertThat(runs.get(k)[3].compareTo(runs.get(k - 1)[4]))
          .as("run %d starts after run %d ended", k, k - 1)
          .isGreaterThanOrEqualTo(0);
    }
    // Quartz itself never fired one schedule on both instances (the unique fire key would hide it).
    for (Instance i : List.of(a, b)) {
      assertThat(Files.readString(i.log())).doesNotContain("already has its run");
    }
    System.out.printf(
        "cluster: %d scheduled runs, by instance a: %d, b: %d%n",
        runs.size(),
        runs.stream().filter(r -> r[2].contains(":" + a.process().pid() + ":")).count(),
        runs.stream().filter(r -> r[2].contains(":" + b.process().pid() + ":")).count());

    // 2. An audit of 'archive' (5,000 + 3,000,000 rows); the instance running it is killed with
    // kill -9 while it is in the second table.
    HttpResponse<String> posted = call(a, "POST", "/api/audits", "{\"dataset\":\"archive\"}");
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
    String id = JSON.readTree(posted.body()).get("id").asText();
    JsonNode run;
    deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      run = JSON.readTree(call(a, "GET", "/api/audits/" + id, null).body());
      if (run.get("status").asText().equals("RUNNING")
          && count("SELECT count(*) FROM audit_tables WHERE run_id = '" + id + "'") == 1) {
        break;
      }
      assertThat(run.get("status").asText()).isIn("QUEUED", "RUNNING");
      assertThat(System.currentTimeMillis())
          .as("archive run in its second table")
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    String owner = run.get("instance").asText();
    Instance victim = owner.contains(":" + a.process().pid() + ":") ? a : b;
    Instance survivor = victim == a ? b : a;
    new ProcessBuilder("kill", "-9", Long.toString(victim.process().pid())).start().waitFor();
    victim.process().waitFor();
    Instant killedAt = Instant.now();

    deadline = System.currentTimeMillis() + 120_000;
    while (true) {
      run = JSON.readTree(call(survivor, "GET", "/api/audits/" + id, null).body());
      if (!run.get("status").asText().matches("QUEUED|RUNNING")) {
        break;
      }
      assertThat(System.currentTimeMillis())
          .as("the survivor finishes the archive run")
          .isLessThan(deadline);
      Thread.sleep(250);
    }
    assertThat(run.get("status").asText()).isEqualTo("CONSISTENT");
    assertThat(run.get("attempts").asInt()).isEqualTo(2);
    assertThat(run.get("instance").asText()).contains(":" + survivor.process().pid() + ":");
    assertThat(run.get("report").get("tables")).hasSize(2);
    assertThat(run.get("report").get("tables").get(1).get("rowsChecked").asLong())
        .isEqualTo(3_000_000);
    assertThat(Files.readString(survivor.log()))
        .contains("run " + id + " resumes after 1 completed table(s)");

    // The schedule goes on, on the survivor.
    Thread.sleep(7000);
    List<String[]> after =
        scheduledRuns().stream()
            .filter(r -> r[3] != null && r[3].compareTo(killedAt.toString()) > 0)
            .toList();
    assertThat(after).isNotEmpty();
    assertThat(after)
        .allSatisfy(r -> assertThat(r[2]).contains(":" + survivor.process().pid() + ":"));

    // 3. The killed instance comes back: nothing is left RUNNING, and it takes part again.
    Instance back = start(victim.name() + "-restarted");
    Thread.sleep(8000);
    assertThat(
            count(
                "SELECT count(*) FROM audit_runs WHERE status = 'RUNNING' AND started_at < now() - interval '8 seconds'"))
        .isZero();
    assertThat(count("SELECT count(*) FROM audit_runs WHERE status = 'FAILED'")).isZero();
    assertThat(back.process().isAlive()).isTrue();
  }
}
