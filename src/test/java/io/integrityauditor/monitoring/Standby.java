package io.integrityauditor.monitoring;

import io.integrityauditor.TestDatabases;

/** The topology's PostgreSQL streaming standby, as the monitoring tests use it. */
final class Standby {
  private Standby() {}

  /**
   * Waits until the standby has replayed everything written on the primary so far, so that a
   * database just created there can be opened on the standby.
   */
  static void awaitReplay() throws Exception {
    io.integrityauditor.audit.ReplicaTopologyTest.waitForStandby(
        TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "postgres"),
        TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "postgres"));
  }
}
