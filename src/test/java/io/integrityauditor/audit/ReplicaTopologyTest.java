package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Audits of the real replication topology (scripts/topology.sh): a PostgreSQL streaming standby and
 * a MariaDB GTID replica, caught up, compare clean; rows written on the replica alone are found.
 */
public class ReplicaTopologyTest {

  @Test
  void postgresStreamingStandbyIsConsistentOnceCaughtUp() throws Exception {
    String primary = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app");
    String standby = TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS it_contacts",
        "CREATE TABLE it_contacts (id bigint PRIMARY KEY, user_id int NOT NULL, email text,"
            + " meta jsonb, updated_at timestamptz NOT NULL DEFAULT now())",
        "INSERT INTO it_contacts (id, user_id, email, meta) SELECT g, g % 100,"
            + " 'u' || g || '@example.com', jsonb_build_object('n', g) FROM generate_series(1, 20000) g");
    waitForStandby(primary, standby);
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app"))
            .replica("standby", TestDatabases.pgEndpoint(TestDatabases.PG_STANDBY_PORT, "app"))
            .table("public.it_contacts", "user_id")
            .run(CompareSettings.defaults());
    assertThat(r.error()).isNull();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(20000);
    assertThat(AuditFixture.copy(r, "public.it_contacts", "standby").hashing()).isEqualTo("NATIVE");
  }

  public static void waitForStandby(String primary, String standby) throws Exception {
    String lsn;
    try (Connection c = TestDatabases.admin(primary);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
      rs.next();
      lsn = rs.getString(1);
    }
    long deadline = System.currentTimeMillis() + 30_000;
    try (Connection c = TestDatabases.admin(standby);
        PreparedStatement ps =
            c.prepareStatement("SELECT pg_last_wal_replay_lsn() >= CAST(? AS pg_lsn)")) {
      ps.setString(1, lsn);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return;
          }
        }
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("standby did not replay " + lsn + " within 30 s");
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void mariadbReplicaRowsWrittenOnTheReplicaAloneAreFoundExactly() throws Exception {
    String primary = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS it_contacts",
        "CREATE TABLE it_contacts (id bigint PRIMARY KEY, user_id int NOT NULL,"
            + " email varchar(200), meta json)",
        "INSERT INTO it_contacts SELECT seq, seq % 100, CONCAT('u', seq, '@example.com'),"
            + " JSON_OBJECT('n', seq) FROM seq_1_to_20000");
    waitForReplica(primary, replica);
    AuditFixture fixture =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
            .replica(
                "replica", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
            .table("it_contacts", "user_id");
    AuditReport clean = fixture.run(CompareSettings.defaults());
    assertThat(clean.error()).isNull();
    assertThat(clean.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    try (Connection c = TestDatabases.mariaUnlogged(replica);
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM it_contacts WHERE id IN (1, 12345)");
      s.execute("UPDATE it_contacts SET meta = JSON_OBJECT('n', -1) WHERE id = 777");
      s.execute("INSERT INTO it_contacts VALUES (20001, 1, 'ghost@example.com', NULL)");
    }
    AuditReport r = fixture.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "it_contacts", "replica"))
        .isEqualTo(Set.of("MISSING 1", "MISSING 12345", "CHANGED 777", "EXTRA 20001"));
    assertThat(r.usersAtRiskSample()).containsExactly("1", "45", "77");
  }

  public static void waitForReplica(String primary, String replica) throws SQLException {
    String pos;
    try (Connection c = TestDatabases.admin(primary);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@gtid_binlog_pos")) {
      rs.next();
      pos = rs.getString(1);
    }
    try (Connection c = TestDatabases.admin(replica);
        PreparedStatement ps = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, 30)")) {
      ps.setString(1, pos);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).as("replica caught up with %s", pos).isZero();
      }
    }
  }
}
