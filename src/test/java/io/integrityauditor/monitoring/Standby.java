package io.integrityauditor.monitoring;

import io.integrityauditor.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/** The topology's PostgreSQL streaming standby, as the monitoring tests use it. */
final class Standby {
  private Standby() {}

  /**
   * Waits until the standby has replayed everything written on the primary so far, so that a
   * database just created there can be opened on the standby.
   */
  static void awaitReplay() throws Exception {
    String lsn;
    try (Connection c =
            TestDatabases.admin(TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "postgres"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CAST(pg_current_wal_insert_lsn() AS text)")) {
      rs.next();
      lsn = rs.getString(1);
    }
    long deadline = System.currentTimeMillis() + 30_000;
    try (Connection c =
            TestDatabases.admin(TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "postgres"));
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
          throw new AssertionError(
              "the standby on port "
                  + TestDatabases.PG_STANDBY_PORT
                  + " did not replay "
                  + lsn
                  + " within 30 s (is replay paused? scripts/topology.sh up)");
        }
        Thread.sleep(50);
      }
    }
  }
}
