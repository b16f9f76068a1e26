package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Split brain: a replica that took writes of its own. On PostgreSQL the topology's second standby
 * (ia_fork, rebuilt by scripts/topology.sh up) is promoted and written to while the primary goes
 * on; on MariaDB the replica writes to its binlog in a GTID domain of its own.
 */
class SplitBrainTest {

  @Test
  void promotedStandbyWrittenToIsForkedAndEveryDivergentRowIsFound() throws Exception {
    String primary = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app");
    String fork = TestDatabases.pgUrl(TestDatabases.PG_FORK_PORT, "app");
    try (Connection c = TestDatabases.admin(fork);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      assertThat(rs.getBoolean(1))
          .as("ia_fork must be a standby: run scripts/topology.sh up first")
          .isTrue();
    }
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS fork_contacts",
        "CREATE TABLE fork_contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
        "INSERT INTO fork_contacts SELECT g, g % 10, 'v' FROM generate_series(1, 5000) g");
    ReplicaTopologyTest.waitForStandby(primary, fork);
    TestDatabases.execute(
        fork,
        "SELECT pg_promote(true, 30)",
        "UPDATE fork_contacts SET v = 'fork' WHERE id = 10",
        "DELETE FROM fork_contacts WHERE id = 20",
        "INSERT INTO fork_contacts VALUES (9001, 1, 'fork')");
    TestDatabases.execute(primary, "UPDATE fork_contacts SET v = 'after the fork' WHERE id = 30");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app"))
            .replica("fork", TestDatabases.pgEndpoint(TestDatabases.PG_FORK_PORT, "app"))
            .table("fork_contacts", "user_id")
            .run(CompareSettings.defaults());
    assertThat(r.replication()).hasSize(1);
    assertThat(r.replication().get(0).state()).isEqualTo("FORKED");
    assertThat(r.replication().get(0).message()).contains("timeline");
    assertThat(AuditFixture.findings(r, "fork_contacts", "fork"))
        .isEqualTo(Set.of("CHANGED 10", "MISSING 20", "EXTRA 9001", "CHANGED 30"));
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void mariadbReplicaWithTransactionsOfItsOwnIsForked() throws Exception {
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app"),
        "DROP TABLE IF EXISTS fork_contacts",
        "CREATE TABLE fork_contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
        "INSERT INTO fork_contacts SELECT seq, seq % 10, 'v' FROM seq_1_to_1000");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
            .replica(
                "replica", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
            .table("fork_contacts", "user_id");
    assertThat(f.run(CompareSettings.defaults()).replication().get(0).state())
        .isEqualTo("STREAMING");
    try (Connection c = TestDatabases.admin(replica);
        Statement s = c.createStatement()) {
      // A GTID domain of its own keeps the replica's strict GTID replication running.
      s.execute("SET SESSION gtid_domain_id = 99");
      s.execute("UPDATE fork_contacts SET v = 'written on the replica' WHERE id = 5");
      AuditReport r = f.run(CompareSettings.defaults());
      assertThat(r.replication().get(0).state()).isEqualTo("FORKED");
      assertThat(r.replication().get(0).message()).contains("99-");
      assertThat(AuditFixture.findings(r, "fork_contacts", "replica")).containsExactly("CHANGED 5");
    } finally {
      try (Connection c = TestDatabases.admin(replica);
          Statement s = c.createStatement()) {
        s.execute("SET sql_log_bin = 0");
        s.execute("UPDATE fork_contacts SET v = 'v' WHERE id = 5");
        // Forget the replica's own binlog; its replication position (gtid_slave_pos) is separate.
        s.execute("RESET MASTER");
      }
    }
  }

  /**
   * Regression: the replica's own GTID was looked for in its binlog position, which keeps only the
   * last GTID of each domain: a write on the replica followed by a replicated transaction in the
   * same domain (its 98-2-n, then the primary's 98-1-m) read as STREAMING. The binlog state keeps
   * both; a GTID of the replica's own the primary does not have is a fork.
   */
  @Test
  void mariadbReplicaWriteFollowedByReplicatedOnesInItsDomainIsStillForked() throws Exception {
    String primary = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS fork2_contacts",
        "CREATE TABLE fork2_contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
        "INSERT INTO fork2_contacts SELECT seq, seq % 10, 'v' FROM seq_1_to_1000");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
            .replica(
                "replica", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
            .table("fork2_contacts", "user_id");
    assertThat(f.run(CompareSettings.defaults()).replication().get(0).state())
        .isEqualTo("STREAMING");
    try (Connection r = TestDatabases.admin(replica);
        Statement rs = r.createStatement();
        Connection p = TestDatabases.admin(primary);
        Statement ps = p.createStatement()) {
      rs.execute("SET SESSION gtid_domain_id = 98");
      rs.execute("UPDATE fork2_contacts SET v = 'written on the replica' WHERE id = 5");
      long own;
      try (java.sql.ResultSet q = rs.executeQuery("SELECT @@gtid_binlog_pos")) {
        q.next();
        own =
            java.util.Arrays.stream(q.getString(1).split(","))
                .filter(g -> g.trim().startsWith("98-"))
                .mapToLong(g -> Long.parseLong(g.trim().split("-")[2]))
                .findFirst()
                .orElseThrow();
      }
      long onPrimary = 0;
      try (java.sql.ResultSet q = ps.executeQuery("SELECT @@gtid_binlog_state")) {
        q.next();
        for (String g : q.getString(1).split(",")) {
          if (g.trim().startsWith("98-")) {
            onPrimary = Math.max(onPrimary, Long.parseLong(g.trim().split("-")[2]));
          }
        }
      }
      // The primary's next transaction in that domain, numbered above the replica's own.
      ps.execute("SET SESSION gtid_domain_id = 98");
      ps.execute("SET SESSION gtid_seq_no = " + (Math.max(own, onPrimary) + 1000));
      ps.execute("UPDATE fork2_contacts SET user_id = 3 WHERE id = 6");
      String pos;
      try (java.sql.ResultSet q = ps.executeQuery("SELECT @@gtid_binlog_pos")) {
        q.next();
        pos = q.getString(1);
      }
      try (java.sql.ResultSet q = rs.executeQuery("SELECT MASTER_GTID_WAIT('" + pos + "', 30)")) {
        q.next();
        assertThat(q.getInt(1)).isZero();
      }
      // The position shows only the primary's GTID in that domain now; the state has both.
      try (java.sql.ResultSet q =
          rs.executeQuery("SELECT @@gtid_binlog_pos, @@gtid_binlog_state, @@server_id")) {
        q.next();
        String mine = "98-" + q.getString(3) + "-" + own;
        assertThat(q.getString(1)).doesNotContain(mine);
        assertThat(q.getString(2)).contains(mine);
      }
      AuditReport report = f.run(CompareSettings.defaults());
      assertThat(report.replication().get(0).state()).isEqualTo("FORKED");
      assertThat(report.replication().get(0).message()).contains("98-");
      assertThat(AuditFixture.findings(report, "fork2_contacts", "replica"))
          .containsExactly("CHANGED 5");
    } finally {
      try (Connection c = TestDatabases.admin(replica);
          Statement s = c.createStatement()) {
        s.execute("SET sql_log_bin = 0");
        s.execute("UPDATE fork2_contacts SET v = 'v' WHERE id = 5");
        s.execute("RESET MASTER");
      }
    }
  }
}
