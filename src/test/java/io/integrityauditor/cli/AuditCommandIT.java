package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.TestDatabases;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, as a user runs it: exit codes, JSON on stdout, errors that name the field. */
class AuditCommandIT {
  static final int PG = TestDatabases.PG_PRIMARY_PORT;
  static final String SECRET = "s3cret-Pw-never-shown";

  @TempDir static Path dir;

  record Run(int code, String out, String err) {}

  static Run run(Map<String, String> env, String... args) throws Exception {
    return run(List.of(), env, args);
  }

  static Run run(List<String> jvmArgs, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + "/bin/java");
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(new File("target/integrity-auditor.jar").getAbsolutePath());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    File out = dir.resolve("out-" + System.nanoTime()).toFile();
    File err = dir.resolve("err-" + System.nanoTime()).toFile();
    pb.redirectOutput(out).redirectError(err);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in time").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  static Path config(String name, String yaml) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  static String endpoints(String copyUrl) {
    return "endpoints:\n"
        + "  p: { url: \""
        + TestDatabases.pgUrl(PG, "cli_p")
        + "\", user: postgres }\n"
        + "  c: { url: \""
        + copyUrl
        + "\", user: postgres, password: \"${IA_TEST_PW}\" }\n";
  }

  static final String DATASET =
      "datasets:\n"
          + "  users:\n"
          + "    primary: p\n"
          + "    replicas: [c]\n"
          + "    tables:\n"
          + "      - { name: public.contacts, key: [id], owner: user_id }\n";

  @BeforeAll
  static void databases() throws Exception {
    for (String db : List.of("cli_p", "cli_c")) {
      TestDatabases.recreatePgDatabase(PG, db);
      try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PG, db));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, email text)");
        s.execute(
            "INSERT INTO contacts SELECT g, g % 10, 'u' || g || '@example.com'"
                + " FROM generate_series(1, 20000) g");
      }
    }
  }

  @Test
  void consistentThenFindingsThenUnreachable() throws Exception {
    Map<String, String> env = Map.of("IA_TEST_PW", SECRET);
    Path cfg = config("ok.yml", endpoints(TestDatabases.pgUrl(PG, "cli_c")) + DATASET);

    Run same = run(env, "audit", cfg.toString());
    assertThat(same.code()).as(same.err()).isZero();
    assertThat(same.out()).contains("CONSISTENT").contains("Users at risk").contains(": 0");

    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PG, "cli_c"));
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM contacts WHERE id IN (17, 19999)");
      s.execute("UPDATE contacts SET email = 'x' WHERE id = 5000");
      s.execute("INSERT INTO contacts VALUES (30000, 3, 'new')");
    }
    Run diff = run(env, "audit", cfg.toString(), "--json");
    assertThat(diff.code()).as(diff.err()).isEqualTo(1);
    JsonNode r = new ObjectMapper().readTree(diff.out());
    assertThat(r.get("status").asText()).isEqualTo("FINDINGS");
    JsonNode copy = r.get("tables").get(0).get("copies").get(0);
    assertThat(copy.get("endpoint").asText()).isEqualTo("c");
    assertThat(copy.get("role").asText()).isEqualTo("REPLICA");
    assertThat(copy.get("missing").asLong()).isEqualTo(2);
    assertThat(copy.get("changed").asLong()).isEqualTo(1);
    assertThat(copy.get("extra").asLong()).isEqualTo(1);
    assertThat(copy.get("findings").toString())
        .contains(
            "{\"kind\":\"CHANGED\",\"key\":{\"id\":5000},\"owner\":\"0\",\"columns\":[\"email\"]}");
    assertThat(r.get("usersAtRisk").asLong()).isEqualTo(3); // owners 7, 9 (missing), 0 (changed)
    assertThat(r.get("usersAtRiskSample").toString()).isEqualTo("[\"0\",\"7\",\"9\"]");
    assertThat(r.get("usersAtRiskComplete").asBoolean()).isTrue();
    assertThat(diff.err()).contains("rows checked").contains("bytes from the databases");

    Run human = run(env, "audit", cfg.toString(), "--user", "7");
    assertThat(human.code()).isEqualTo(1);
    assertThat(human.out()).contains("MISSING  id=17  user 7").doesNotContain("id=5000");

    Path down =
        config(
            "down.yml",
            endpoints("jdbc:postgresql://127.0.0.1:1/nowhere?password=" + SECRET) + DATASET);
    Run failed = run(env, "audit", down.toString(), "--json");
    assertThat(failed.code()).isEqualTo(2);
    JsonNode f = new ObjectMapper().readTree(failed.out());
    assertThat(f.get("status").asText()).isEqualTo("FAILED");
    assertThat(f.get("error").asText()).contains("c").contains("127.0.0.1:1");
    assertThat(failed.out() + failed.err()).doesNotContain(SECRET);
  }

  @Test
  void badConfigurationExitsTwoNamingTheField() throws Exception {
    // a file that is not there: one line and exit 2 from every command (review 1 of session 20:
    // server and db printed a stack trace)
    String missing = dir.resolve("nonexist.yml").toString();
    for (String[] args :
        List.of(
            new String[] {"audit", missing},
            new String[] {"check", missing},
            new String[] {"server", missing},
            new String[] {"db", "status", missing})) {
      Run r = run(Map.of(), args);
      assertThat(r.code()).as(args[0]).isEqualTo(2);
      assertThat(r.err().strip())
          .as(args[0])
          .startsWith("error: cannot read the configuration file:")
          .contains("nonexist.yml")
          .doesNotContain("\tat ");
    }

    Path unknownEndpoint =
        config(
            "bad1.yml",
            endpoints(TestDatabases.pgUrl(PG, "cli_c")) + DATASET.replace("[c]", "[c, ghost]"));
    Run r1 = run(Map.of("IA_TEST_PW", "x"), "audit", unknownEndpoint.toString());
    assertThat(r1.code()).isEqualTo(2);
    assertThat(r1.err()).contains("datasets.users.replicas[1]: unknown endpoint 'ghost'");

    Path typo =
        config(
            "bad2.yml",
            endpoints(TestDatabases.pgUrl(PG, "cli_c")) + DATASET.replace("owner:", "ownr:"));
    Run r2 = run(Map.of("IA_TEST_PW", "x"), "audit", typo.toString());
    assertThat(r2.code()).isEqualTo(2);
    assertThat(r2.err()).contains("ownr");

    Run r3 = run(Map.of(), "audit", typo.toString().replace("bad2", "bad1"));
    assertThat(r3.code()).isEqualTo(2);
    assertThat(r3.err()).contains("IA_TEST_PW");

    Path unknownTable =
        config(
            "bad3.yml",
            endpoints(TestDatabases.pgUrl(PG, "cli_c"))
                + DATASET.replace("public.contacts", "public.contactz"));
    Run r4 = run(Map.of("IA_TEST_PW", "x"), "audit", unknownTable.toString());
    assertThat(r4.code()).isEqualTo(2);
    assertThat(r4.out()).contains("table 'public.contactz' does not exist");

    Run r5 = run(Map.of("IA_TEST_PW", "x"), "audit", unknownTable.toString(), "--dataset", "nope");
    assertThat(r5.code()).isEqualTo(2);
    assertThat(r5.err()).contains("unknown dataset 'nope'");

    // A Bean Validation constraint: the audit command parses the configuration itself (without
    // Dropwizard's logging set-up) and must still validate it before anything runs.
    Path negative =
        config(
            "bad4.yml",
            endpoints(TestDatabases.pgUrl(PG, "cli_c")) + DATASET + "audit: { findingsCap: -5 }\n");
    Run r6 = run(Map.of("IA_TEST_PW", "x"), "audit", negative.toString());
    assertThat(r6.code()).isEqualTo(2);
    assertThat(r6.err()).contains("audit.findingsCap must be greater than or equal to 0");

    // Dropwizard's own sections are validated too (the command parses with a mapper that skips
    // the factory's schema walk, AuditCommand#parsingMapper), and -Ddw.* overrides still apply.
    Path badServer =
        config(
            "bad5.yml",
            endpoints(TestDatabases.pgUrl(PG, "cli_c"))
                + DATASET
                + "server: { applicationConnectors: [ { type: http, port: 70000 } ] }\n");
    Run r7 = run(Map.of("IA_TEST_PW", "x"), "audit", badServer.toString());
    assertThat(r7.code()).isEqualTo(2);
    assertThat(r7.err())
        .contains("server.applicationConnectors[0].port must be between 1 and 65535");
    Path good = config("good.yml", endpoints(TestDatabases.pgUrl(PG, "cli_c")) + DATASET);
    Run r8 =
        run(
            List.of("-Ddw.audit.findingsCap=-7"),
            Map.of("IA_TEST_PW", "x"),
            "audit",
            good.toString());
    assertThat(r8.code()).isEqualTo(2);
    assertThat(r8.err()).contains("audit.findingsCap must be greater than or equal to 0");
  }

  @Test
  void dbMigrateAppliesTheStateSchemaOnceAndABadCronIsRefused() throws Exception {
    String state = "stateDatabase:\n  url: \"jdbc:h2:file:" + dir.resolve("migrate-state") + "\"\n";
    Path cfg = config("migrate.yml", state + endpoints(TestDatabases.pgUrl(PG, "cli_c")) + DATASET);
    Map<String, String> env = Map.of("IA_TEST_PW", SECRET);
    Run first = run(env, "db", "migrate", cfg.toString());
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out())
        .contains(
            "applied V1 audit history, V2 quartz job store, V3 weekly reports, V4 chunk"
                + " checkpoints, V5 purged counts, V6 restored backups, V7 schedule starts")
        .contains("schema version 7");
    Run again = run(env, "db", "migrate", cfg.toString());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("is up to date");
    Run status = run(env, "db", "status", cfg.toString());
    assertThat(status.out()).contains("schema version 7 (this release: 7)");

    // A state database that cannot be opened: one line, no stack trace (review 3 of session 21:
    // 86 lines for an H2 file the service held).
    Path closed =
        config(
            "closed-state.yml",
            "stateDatabase:\n  url: \"jdbc:postgresql://127.0.0.1:1/state?password="
                + SECRET
                + "\"\n"
                + endpoints(TestDatabases.pgUrl(PG, "cli_c"))
                + DATASET);
    // No configuration file: refused (review 4 of session 21: it migrated ./data/auditor).
    Run noFile = run(env, "db", "migrate");
    assertThat(noFile.code()).isEqualTo(2);
    assertThat(noFile.err()).contains("error: no configuration file");

    Run unreachable = run(env, "db", "status", closed.toString());
    assertThat(unreachable.code()).isNotZero();
    assertThat(unreachable.err().strip())
        .startsWith("error: cannot read the state database")
        .doesNotContain("\n")
        .doesNotContain(SECRET);

    Path badCron =
        config(
            "cron.yml",
            state
                + endpoints(TestDatabases.pgUrl(PG, "cli_c"))
                + DATASET
                + "    schedule: \"every 5 minutes\"\n");
    Run server = run(env, "server", badCron.toString());
    assertThat(server.code()).isEqualTo(2);
    assertThat(server.out() + server.err())
        .contains("datasets.users.schedule: not a Quartz cron expression ('every 5 minutes')")
        .doesNotContain(SECRET)
        .doesNotContain("\tat io.integrityauditor"); // the problems, not a stack trace
  }

  /**
   * The demo service's temporary directory (its config holds the demo's tokens, its H2 state) was
   * left behind when the process was stopped by SIGTERM. Now owner-only and removed at exit.
   */
  @Test
  void demoServiceRemovesItsTemporaryDirectoryWhenStopped() throws Exception {
    // the demo serves the API on the port and health checks on the next one: both free
    int port = 0;
    for (int attempt = 0; attempt < 50 && port == 0; attempt++) {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        int candidate = s.getLocalPort();
        try (java.net.ServerSocket next = new java.net.ServerSocket(candidate + 1)) {
          port = candidate;
        } catch (java.io.IOException taken) {
          // try another
        }
      }
    }
    List<String> cmd =
        List.of(
            System.getProperty("java.home") + "/bin/java",
            "-jar",
            new File("target/integrity-auditor.jar").getAbsolutePath(),
            "demo",
            "--port",
            String.valueOf(port));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Path config = null;
    try (var out =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      String line;
      StringBuilder seen = new StringBuilder();
      while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
        seen.append(line).append('\n');
        if (line.trim().startsWith("config:")) {
          config = Path.of(line.trim().substring("config:".length()).trim());
        }
        if (line.startsWith("Stop with Ctrl-C")) {
          break;
        }
      }
      assertThat(config).as("the demo printed its config path; it printed:\n%s", seen).isNotNull();
      assertThat(Files.exists(config)).isTrue();
      assertThat(java.nio.file.Files.getPosixFilePermissions(config))
          .containsExactlyInAnyOrder(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped in time").isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(Files.exists(config.getParent())).as(config.getParent().toString()).isFalse();
  }

  @Test
  void demoOnceFindsThePlantedDivergenceWithNothingInstalled() throws Exception {
    Run demo = run(Map.of(), "demo", "--once");
    assertThat(demo.code()).as(demo.err()).isEqualTo(1);
    assertThat(demo.out())
        .contains("Users at risk (their rows exist on the primary only): 5 - 1, 2, 10, 589, 1999")
        .contains("CHANGED  id=77  user 10  columns [email]")
        .contains("CHANGED  user_id=42, position=3  user 42  columns [done]");
  }
}
