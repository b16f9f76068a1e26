package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A replica followed at the primary's position reports every difference its re-checks confirm,
 * whatever the rows' updatedAt. Regression (reviewer, MariaDB 10.11, 3 of 3 runs): rows whose
 * updatedAt ran 10 minutes ahead of the database clock (an application clock, or a local time in a
 * UTC column) were counted in flight on a healthy, in-sync replica — a replica-only change and a
 * row missing on the replica went unreported, the audit CONSISTENT, exit 0.
 */
class UpdatedAtAheadTest {
  @Test
  void differencesConfirmedOnAnInSyncReplicaAreReportedWhateverUpdatedAtSays() throws Exception {
    String primary = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS ahead_t",
        "CREATE TABLE ahead_t (id INT PRIMARY KEY, owner INT NOT NULL, v VARCHAR(50),"
            + " updated_at DATETIME(6) NOT NULL)",
        "INSERT INTO ahead_t SELECT seq, seq % 50, CONCAT('val', seq),"
            + " NOW(6) - INTERVAL 1 HOUR FROM seq_1_to_2000",
        // Written by a client whose clock runs 10 minutes ahead.
        "UPDATE ahead_t SET updated_at = NOW(6) + INTERVAL 10 MINUTE WHERE id IN (5, 9)");
    try {
      ReplicaTopologyTest.waitForReplica(primary, replica);
      TestDatabases.execute(
          replica,
          "SET SESSION sql_log_bin = 0",
          "UPDATE ahead_t SET v = 'tampered' WHERE id IN (5, 6)",
          "DELETE FROM ahead_t WHERE id IN (7, 9)");
      AuditReport r =
          new AuditFixture()
              .primary("p", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
              .replica(
                  "replica", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
              .table(new TableConfig("ahead_t", List.of(), "owner", "updated_at", List.of()))
              .run(CompareSettings.defaults());
      assertThat(r.replication().get(0).state()).isEqualTo("STREAMING");
      assertThat(AuditFixture.findings(r, "ahead_t", "replica"))
          .containsExactly("CHANGED 5", "CHANGED 6", "MISSING 7", "MISSING 9");
      assertThat(r.tables().get(0).copies().get(0).inFlight()).isZero();
      assertThat(r.exitCode()).isEqualTo(1);
    } finally {
      TestDatabases.execute(primary, "DROP TABLE IF EXISTS ahead_t");
    }
  }

  /**
   * A copy compared as it is (not followed at a position: here a second database on the primary's
   * server) holding the same future updatedAt as the primary: the copy has the write that stamped
   * the row, so another difference in it is real. Regression (review of session 16, PostgreSQL 15,
   * 2 of 2 runs): updated_at '2099-01-01' (or 'infinity') made a changed row in flight on every
   * audit, CONSISTENT, exit 0. A row stamped after the audit began whose copy holds an older stamp
   * stays in flight, as does a whole-second stamp within a minute of the audit's start.
   */
  @Test
  void aCopyComparedAsItIsHoldingTheSameFutureStampReportsTheDifference() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[] dbs = {"ahead_p", "ahead_c"};
    java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
    String tenMinutesAhead = now.plusMinutes(10).withNano(250_000_000).toString();
    String wholeSecondSoon = now.plusSeconds(20).withNano(0).toString();
    for (String db : dbs) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id int PRIMARY KEY, v text, updated_at timestamptz NOT NULL)",
          "INSERT INTO t SELECT g, 'v', '2026-12-01 00:00:00+00' FROM generate_series(1, 100) g",
          "UPDATE t SET updated_at = '2099-01-01' WHERE id = 5",
          "UPDATE t SET updated_at = 'infinity' WHERE id = 6",
          "UPDATE t SET updated_at = '" + tenMinutesAhead + "' WHERE id = 7",
          // within a minute of the audit, whole seconds: two writes could share this stamp
          "UPDATE t SET updated_at = '" + wholeSecondSoon + "' WHERE id = 8");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "ahead_c"),
        "UPDATE t SET v = 'X' WHERE id IN (5, 6, 7, 8)",
        // a write the copy has not received yet: its stamp on the copy is the older one
        "UPDATE t SET v = 'old' WHERE id = 9");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "ahead_p"),
        "UPDATE t SET updated_at = now() + interval '30.5 seconds' WHERE id = 9");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "ahead_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "ahead_c"))
            .table(
                new io.integrityauditor.config.TableConfig(
                    "public.t", java.util.List.of(), null, "updated_at", java.util.List.of()))
            .run(io.integrityauditor.engine.CompareSettings.defaults());
    assertThat(r.replication().get(0).state()).isEqualTo("NOT_A_REPLICA");
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 5", "CHANGED 6", "CHANGED 7");
    assertThat(AuditFixture.copy(r, "public.t", "c").inFlight()).isEqualTo(2); // 8 and 9
    assertThat(AuditFixture.copy(r, "public.t", "c").findings())
        .allSatisfy(f -> assertThat(f.columns()).containsExactly("v"));
  }
}
