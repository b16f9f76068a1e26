package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.TestDatabases;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large {@code --json} report under the benchmarks' heap (-Xmx128m), through the packaged jar.
 * Regression (review 3 of session 26): 200 tables of 1,100 rows, every row missing on the copy,
 * gave a 27.6 MB report (findingsCap 1,000 per copy); it was built as one string after the audit
 * had finished, which ran out of memory: exit 2 and nothing on stdout.
 */
class LargeReportIT {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;
  private static final int TABLES = 200;

  @TempDir static Path dir;

  @Test
  void aReportOfTwoHundredTablesOfFindingsIsPrintedUnderASmallHeap() throws Exception {
    TestDatabases.recreatePgDatabase(PG, "bigrep_p");
    TestDatabases.recreatePgDatabase(PG, "bigrep_c");
    String make =
        "DO $$ BEGIN FOR i IN 1.."
            + TABLES
            + " LOOP EXECUTE format('CREATE TABLE t%s"
            + " (id bigint PRIMARY KEY, user_id int NOT NULL, v text)', i);";
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "bigrep_p"),
        make
            + " EXECUTE format('INSERT INTO t%s SELECT g, g, md5(g::text)"
            + " FROM generate_series(1, 1100) g', i); END LOOP; END $$");
    TestDatabases.execute(TestDatabases.pgUrl(PG, "bigrep_c"), make + " END LOOP; END $$");
    StringBuilder yaml = new StringBuilder("endpoints:\n");
    yaml.append("  p: { url: \"").append(TestDatabases.pgUrl(PG, "bigrep_p"));
    yaml.append("\", user: postgres }\n");
    yaml.append("  c: { url: \"").append(TestDatabases.pgUrl(PG, "bigrep_c"));
    yaml.append("\", user: postgres }\n");
    yaml.append("datasets:\n  ds:\n    primary: p\n    replicas: [c]\n    tables:\n");
    for (int i = 1; i <= TABLES; i++) {
      yaml.append("      - { name: t").append(i).append(", owner: user_id }\n");
    }
    yaml.append("logging: { level: WARN }\n");
    Path config = dir.resolve("audit.yml");
    Files.writeString(config, yaml);
    File out = dir.resolve("out.json").toFile();
    File err = dir.resolve("err.txt").toFile();
    Process p =
        new ProcessBuilder(
                List.of(
                    System.getProperty("java.home") + "/bin/java",
                    "-Xmx128m",
                    "-jar",
                    new File("target/integrity-auditor.jar").getAbsolutePath(),
                    "audit",
                    config.toString(),
                    "--json"))
            .redirectOutput(out)
            .redirectError(err)
            .start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("finished in time").isTrue();
    String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code; stderr: %s", stderr).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(out);
    assertThat(report.get("tables")).hasSize(TABLES);
    for (JsonNode t : report.get("tables")) {
      JsonNode c = t.get("copies").get(0);
      assertThat(c.get("missing").asLong()).as(t.get("table").asText()).isEqualTo(1100);
      assertThat(c.get("findings")).as(t.get("table").asText()).hasSize(1000);
    }
    assertThat(report.get("usersAtRisk").asLong()).isEqualTo(1100);
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "postgres"),
        "DROP DATABASE bigrep_p WITH (FORCE)",
        "DROP DATABASE bigrep_c WITH (FORCE)");
  }
}
