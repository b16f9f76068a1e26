package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Topologies a failover leaves behind, on three small clusters of this test's own (ports 5461 -
 * 5463, under /tmp; the topology's are not touched): a primary P and two standbys A and B of it.
 * Regressions (review 1 of session 22): with a standby configured as the primary (a cascade's
 * middle, or a name still pointing at a demoted node) every copy read UNKNOWN ("recovery is in
 * progress") and nothing said the primary was a standby; two standbys both promoted (a split brain
 * on one timeline) read NOT_A_REPLICA "on the primary's own server", CONSISTENT, exit 0.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class PostgresTopologyDriftTest {
  private static final String BIN = "/usr/lib/postgresql/" + pgVersion() + "/bin/";
  private static final int P = 5461;
  private static final int A = 5462;
  private static final int B = 5463;
  private static Path root;

  private static String pgVersion() {
    return System.getenv().getOrDefault("IA_PG_VERSION", "15");
  }

  private static void run(String... cmd) throws Exception {
    List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    c.addAll(List.of(cmd));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
  }

  private static Path dir(String name) {
    return root.resolve(name);
  }

  private static void start(String name, int port) throws Exception {
    run(
        BIN + "pg_ctl",
        "-D",
        dir(name).toString(),
        "-w",
        "-l",
        dir(name + ".log").toString(),
        "-o",
        "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "start");
  }

  private static void standby(String name, int port) throws Exception {
    run(
        BIN + "pg_basebackup",
        "-h",
        "127.0.0.1",
        "-p",
        String.valueOf(P),
        "-U",
        "postgres",
        "-D",
        dir(name).toString(),
        "-R",
        "-X",
        "stream",
        "-c",
        "fast");
    start(name, port);
  }

  @BeforeAll
  static void primaryAndTwoStandbys() throws Exception {
    root = Files.createTempDirectory("ia-drift");
    run("true"); // runuser works
    new ProcessBuilder("chown", "postgres", root.toString()).start().waitFor();
    for (int port : new int[] {P, A, B}) {
      // a cluster left running by an interrupted earlier run
      new ProcessBuilder("sh", "-c", "fuser -k " + port + "/tcp >/dev/null 2>&1 || true")
          .start()
          .waitFor();
    }
    run(BIN + "initdb", "-D", dir("p").toString(), "-A", "trust", "-U", "postgres", "--no-sync");
    start("p", P);
    TestDatabases.execute(
        TestDatabases.pgUrl(P, "postgres"),
        "CREATE TABLE drift (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
        "INSERT INTO drift SELECT g, g % 10, 'v' || g FROM generate_series(1, 2000) g");
    standby("a", A);
    standby("b", B);
  }

  @AfterAll
  static void stop() throws Exception {
    for (String name : new String[] {"a", "b", "p"}) {
      try {
        run(BIN + "pg_ctl", "-D", dir(name).toString(), "-m", "immediate", "stop");
      } catch (IllegalStateException e) {
        // not running
      }
    }
    new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
  }

  private static AuditFixture fixture(int primary, int replica) {
    return new AuditFixture()
        .primary("primary", TestDatabases.pgEndpoint(primary, "postgres"))
        .replica("replica", TestDatabases.pgEndpoint(replica, "postgres"))
        .table("drift", "user_id");
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void aStandbyAsThePrimaryIsFollowedAndSaidToBeOne() throws Exception {
    // A sibling of the standby configured as the primary (a cascade is followed the same way)
    TestDatabases.execute(
        TestDatabases.pgUrl(P, "postgres"), "UPDATE drift SET v = 'x' WHERE id = 7");
    AuditReport r = fixture(A, B).run(CompareSettings.defaults());
    assertThat(r.replication().get(0).state()).isEqualTo("STREAMING");
    assertThat(r.replication().get(0).message())
        .contains("the primary is itself a standby in recovery");
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    // the real primary configured as the standby's replica: said so, not "recovery is in progress"
    AuditReport swapped = fixture(A, P).run(CompareSettings.defaults());
    assertThat(swapped.replication().get(0).state()).isEqualTo("UNKNOWN");
    assertThat(swapped.replication().get(0).message())
        .startsWith(
            "the primary is a standby in recovery and this copy is a writable server of"
                + " the same system: probably the real primary");
  }

  @Test
  @org.junit.jupiter.api.Order(2) // after the standbys' test: it promotes them
  void twoPromotedStandbysAreASplitBrain() throws Exception {
    for (int port : new int[] {A, B}) {
      TestDatabases.execute(TestDatabases.pgUrl(port, "postgres"), "SELECT pg_promote(true, 60)");
    }
    AuditReport r = fixture(A, B).run(CompareSettings.defaults());
    assertThat(r.replication().get(0).state()).isEqualTo("FORKED");
    assertThat(r.replication().get(0).message())
        .startsWith(
            "another writable server of the primary's system on the same timeline 00000002");
    assertThat(r.exitCode()).isEqualTo(1);
    // another database of one server is still that server's own
    TestDatabases.execute(TestDatabases.pgUrl(A, "postgres"), "CREATE DATABASE other");
    AuditReport own =
        new AuditFixture()
            .primary("primary", TestDatabases.pgEndpoint(A, "postgres"))
            .replica("replica", TestDatabases.pgEndpoint(A, "other"))
            .table("drift", "user_id")
            .run(CompareSettings.defaults());
    assertThat(own.replication().get(0).state()).isEqualTo("NOT_A_REPLICA");
  }
}
