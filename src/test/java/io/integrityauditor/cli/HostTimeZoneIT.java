package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditFixture;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the packaged auditor on a host outside UTC. Rows of a copy in another engine are
 * hashed in the JVM, and timestamps went through java.sql.Timestamp in the JVM's default zone: in
 * Europe/Berlin every PostgreSQL timestamptz row against its MariaDB TIMESTAMP copy was CHANGED
 * (the instant rendered in Berlin time on one side, the copy's UTC text taken as Berlin time on the
 * other), two instants an hour apart in the autumn fold rendered alike (a missed difference), and
 * MariaDB's driver moves a DATETIME in the spring gap by an hour, even through getString. The JVM
 * now runs in UTC (the sessions' zone; schedules keep their configured zones) and timestamps are
 * read as java.time values.
 */
class HostTimeZoneIT {
  @TempDir static Path dir;

  @Test
  void timestampsCompareAlikeWhateverTheHostTimeZone() throws Exception {
    int pgPort = TestDatabases.PG_PRIMARY_PORT;
    int myPort = TestDatabases.MARIADB_PRIMARY_PORT;
    AuditFixture.postgresPrimaryMariaDbCopy(
        "xtz",
        List.of(
            "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, tz timestamptz, ts timestamp)",
            "INSERT INTO t VALUES"
                + " (1, 1, '2024-06-01 12:00:00.123456+00', '2024-06-01 12:00:00.123456'),"
                // 02:30 CEST and 02:30 CET: the autumn fold in Europe/Berlin
                + " (2, 1, '2024-10-27 00:30:00+00', '2024-10-27 02:30:00'),"
                + " (3, 1, '2024-10-27 00:30:00+00', '2024-10-27 02:30:00'),"
                // 02:30 does not exist in Europe/Berlin on 2024-03-31 (the spring gap)
                + " (4, 1, '2024-03-31 01:30:00+00', '2024-03-31 02:30:00'),"
                + " (5, 1, '2024-03-31 01:30:00+00', '2024-03-31 02:30:00')"),
        List.of(
            "SET time_zone = '+00:00'",
            "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, tz timestamp(6) NULL,"
                + " ts datetime(6))",
            "INSERT INTO t VALUES"
                + " (1, 1, '2024-06-01 12:00:00.123456', '2024-06-01 12:00:00.123456'),"
                + " (2, 1, '2024-10-27 00:30:00', '2024-10-27 02:30:00'),"
                + " (3, 1, '2024-10-27 01:30:00', '2024-10-27 02:30:00'),"
                + " (4, 1, '2024-03-31 01:30:00', '2024-03-31 02:30:00'),"
                + " (5, 1, '2024-03-31 01:30:00', '2024-03-31 03:30:00')"));
    Path cfg = dir.resolve("tz.yml");
    Files.writeString(
        cfg,
        "endpoints:\n"
            + "  p: { url: \""
            + TestDatabases.pgUrl(pgPort, "xtz_p")
            + "\", user: postgres }\n"
            + "  c: { url: \""
            + TestDatabases.mariaUrl(myPort, "xtz_c")
            + "\", user: root }\n"
            + "datasets:\n"
            + "  d:\n"
            + "    primary: p\n"
            + "    replicas: [c]\n"
            + "    tables:\n"
            + "      - { name: t, owner: owner }\n");
    for (String zone : List.of("UTC", "Europe/Berlin", "America/New_York")) {
      List<String> cmd = new ArrayList<>();
      cmd.add(System.getProperty("java.home") + "/bin/java");
      cmd.add("-Duser.timezone=" + zone);
      cmd.add("-jar");
      cmd.add(new File("target/integrity-auditor.jar").getAbsolutePath());
      cmd.addAll(List.of("audit", cfg.toString(), "--json"));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("TZ", zone);
      File out = dir.resolve("out-" + System.nanoTime()).toFile();
      pb.redirectOutput(out).redirectError(dir.resolve("err-" + System.nanoTime()).toFile());
      Process p = pb.start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(zone).isEqualTo(1);
      JsonNode copy =
          new ObjectMapper()
              .readTree(Files.readString(out.toPath(), StandardCharsets.UTF_8))
              .path("tables")
              .path(0)
              .path("copies")
              .path(0);
      List<String> found = new ArrayList<>();
      for (JsonNode f : copy.path("findings")) {
        found.add(
            f.path("kind").asText()
                + " "
                + f.path("key").path("id").asText()
                + " "
                + f.path("columns"));
      }
      assertThat(found)
          .as(zone)
          .containsExactlyInAnyOrder("CHANGED 3 [\"tz\"]", "CHANGED 5 [\"ts\"]");
    }
  }
}
