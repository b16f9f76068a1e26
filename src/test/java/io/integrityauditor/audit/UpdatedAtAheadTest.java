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
}
