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
}
