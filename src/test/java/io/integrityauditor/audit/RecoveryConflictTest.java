package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A hot standby cancels the auditor's queries (conflicts with recovery): with {@code
 * max_standby_streaming_delay = 0}, every ACCESS EXCLUSIVE lock the primary takes on the table
 * cancels the standby queries holding a lock on it the moment it is replayed. The cancelled chunk
 * queries are run again; the audit completes, consistent, with every row checked.
 */
class RecoveryConflictTest {
  static final int ROWS = 1_000_000;

  static long lockConflicts(String standby) throws Exception {
    try (Connection c = TestDatabases.admin(standby);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT confl_lock FROM pg_stat_database_conflicts WHERE datname = 'app'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void queriesCancelledByReplayAreRunAgainAndTheAuditCompletes() throws Exception {
    String primary = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app");
    String standby = TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS rc_contacts",
        "CREATE TABLE rc_contacts (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
        "INSERT INTO rc_contacts SELECT g, g % 100, md5(g::text) FROM generate_series(1, "
            + ROWS
            + ") g");
    ReplicaTopologyTest.waitForStandby(primary, standby);
    TestDatabases.execute(
        standby, "ALTER SYSTEM SET max_standby_streaming_delay = 0", "SELECT pg_reload_conf()");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong locks = new AtomicLong();
    Thread locker =
        new Thread(
            () -> {
              try (Connection c = TestDatabases.admin(primary);
                  Statement s = c.createStatement()) {
                while (!stop.get()) {
                  c.setAutoCommit(false);
                  s.execute("LOCK TABLE rc_contacts IN ACCESS EXCLUSIVE MODE");
                  c.commit();
                  locks.incrementAndGet();
                  Thread.sleep(5);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "primary-locker");
    long before = lockConflicts(standby);
    try {
      Thread.sleep(300); // the new setting is loaded
      locker.start();
      // Conflicts depend on timing: audit until the standby has cancelled some (at most 10 times:
      // 4 were once not enough, where 2 or 3 usually are); every audit must complete, consistent.
      long conflicts = 0;
      for (int audit = 1; audit <= 10 && conflicts == 0; audit++) {
        AuditReport r =
            new AuditFixture()
                .primary("p", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app"))
                .replica("standby", TestDatabases.pgEndpoint(TestDatabases.PG_STANDBY_PORT, "app"))
                .table("public.rc_contacts", "user_id")
                .run(CompareSettings.defaults());
        conflicts = lockConflicts(standby) - before;
        System.out.printf(
            "recovery conflicts: audit %d, %d standby queries cancelled so far, %d primary locks%n",
            audit, conflicts, locks.get());
        assertThat(r.error()).isNull();
        assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
        assertThat(r.tables().get(0).rowsChecked()).isEqualTo(ROWS);
      }
      assertThat(conflicts).as("the standby cancelled some of the auditor's queries").isPositive();
    } finally {
      stop.set(true);
      locker.join();
      TestDatabases.execute(
          standby, "ALTER SYSTEM RESET max_standby_streaming_delay", "SELECT pg_reload_conf()");
    }
  }
}
