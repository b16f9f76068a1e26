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
 * Regression: a copy that lost most of its rows ran a small heap out of memory and failed (exit 2,
 * partial counts, users at risk 0): every unmatched row was held back (up to 500,000 per side, ~270
 * bytes each) and every lost row kept for the users-at-risk roll-up (up to 2,000,000), whatever the
 * heap. An empty copy of a 1,000,000-row table failed under -Xmx128m; here 400,000 rows under
 * -Xmx64m. The held rows are now bounded by the heap: the counts stay exact, findings are capped as
 * configured, and users at risk is a lower bound marked incomplete.
 */
class HeapBoundIT {
  @TempDir static Path dir;

  @Test
  void anEmptyCopyOfALargeTableIsReportedWithinASmallHeap() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"heap_p", "heap_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE big (id bigint PRIMARY KEY, user_id int NOT NULL, v text)");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "heap_p"),
        "INSERT INTO big SELECT g, g % 100000, 'value ' || g FROM generate_series(1, 400000) g",
        "ANALYZE big");
    Path cfg = dir.resolve("heap.yml");
    Files.writeString(
        cfg,
        "endpoints:\n"
            + "  p: { url: \""
            + TestDatabases.pgUrl(port, "heap_p")
            + "\", user: postgres }\n"
            + "  c: { url: \""
            + TestDatabases.pgUrl(port, "heap_c")
            + "\", user: postgres }\n"
            + "datasets:\n"
            + "  ds:\n"
            + "    primary: p\n"
            + "    replicas: [c]\n"
            + "    tables:\n"
            + "      - { name: public.big, key: [id], owner: user_id }\n"
            + "logging: { level: WARN }\n");
    JsonNode r = auditUnder64m(cfg, "out");
    JsonNode copy = r.get("tables").get(0).get("copies").get(0);
    assertThat(copy.get("error").isNull()).as(copy.get("error").asText()).isTrue();
    assertThat(copy.get("missing").asLong()).isEqualTo(400_000);
    assertThat(copy.get("extra").asLong()).isZero();
    assertThat(copy.get("changed").asLong()).isZero();
    assertThat(copy.get("usersAffected").asLong()).isEqualTo(100_000);
    assertThat(copy.get("findings")).hasSize(1000);
    assertThat(r.get("usersAtRisk").asLong()).isBetween(1_000L, 100_000L);
    assertThat(r.get("usersAtRiskComplete").asBoolean()).isFalse();
  }

  /**
   * Regression (review 4 of session 24): a copy whose key sorts differently (another collation) is
   * compared as one range and, when it differs, matched by key in memory: up to 500,000 rows a side
   * whatever the heap. One row missing from a 250,000-row table failed under -Xmx128m ("out of
   * memory in the auditor"); here 200,000 rows under -Xmx64m. The rows matched at once are now the
   * heap's share, and a larger table is matched through key buckets.
   */
  @Test
  void aCopyInAnotherKeyOrderIsMatchedWithinASmallHeap() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[][] dbs = {{"heapo_p", "C"}, {"heapo_c", "und-x-icu"}};
    for (String[] db : dbs) {
      TestDatabases.recreatePgDatabase(port, db[0]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db[0]),
          "CREATE TABLE t (k text COLLATE \""
              + db[1]
              + "\" PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO t SELECT CASE WHEN g % 2 = 0 THEN upper(md5(g::text)) ELSE md5(g::text)"
              + " END, g % 1000, 'value ' || g FROM generate_series(1, 200000) g",
          "ANALYZE t");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "heapo_c"), "DELETE FROM t WHERE k = md5('77777')");
    Path cfg = dir.resolve("heapo.yml");
    Files.writeString(
        cfg,
        "endpoints:\n"
            + "  p: { url: \""
            + TestDatabases.pgUrl(port, "heapo_p")
            + "\", user: postgres }\n"
            + "  c: { url: \""
            + TestDatabases.pgUrl(port, "heapo_c")
            + "\", user: postgres }\n"
            + "datasets:\n"
            + "  ds:\n"
            + "    primary: p\n"
            + "    replicas: [c]\n"
            + "    tables:\n"
            + "      - { name: public.t, key: [k], owner: user_id }\n"
            + "logging: { level: WARN }\n");
    JsonNode r = auditUnder64m(cfg, "outo");
    JsonNode copy = r.get("tables").get(0).get("copies").get(0);
    assertThat(copy.get("error").isNull()).as(copy.get("error").asText()).isTrue();
    assertThat(copy.get("missing").asLong()).isEqualTo(1);
    assertThat(copy.get("extra").asLong()).isZero();
    assertThat(copy.get("changed").asLong()).isZero();
    assertThat(copy.get("findings").get(0).get("key").get("k").asText())
        .isEqualTo("22a4d9b04fe95c9893b41e2fde83a427");
    assertThat(r.get("usersAtRiskSample").get(0).asText()).isEqualTo("777");
    assertThat(r.get("usersAtRisk").asLong()).isEqualTo(1);
  }

  /** {@code audit --json} of the config by the packaged jar under -Xmx64m: exit 1, its report. */
  private static JsonNode auditUnder64m(Path cfg, String name) throws Exception {
    File out = dir.resolve(name + ".json").toFile();
    File err = dir.resolve(name + ".err").toFile();
    Process p =
        new ProcessBuilder(
                List.of(
                    System.getProperty("java.home") + "/bin/java",
                    "-Xmx64m",
                    "-jar",
                    new File("target/integrity-auditor.jar").getAbsolutePath(),
                    "audit",
                    cfg.toString(),
                    "--json"))
            .redirectOutput(out)
            .redirectError(err)
            .start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stderr).isEqualTo(1);
    return new ObjectMapper().readTree(out);
  }
}
