package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A subscriber database whose table comes through a subscription to another server (not the
 * primary's slot) compares that table as it is, while its subscription to the primary stays
 * followed. Regression (review of session 19): the table was waited for against the primary's WAL
 * positions, which the other server's subscription never reaches: LAGGING after the wait, and the
 * row changed on the subscriber counted in flight instead of reported.
 */
class OtherServersSubscriptionTest {
  static final int LOGICAL = TestDatabases.PG_LOGICAL_PORT;
  static final String SUBSCRIBER = TestDatabases.pgUrl(LOGICAL, "app");
  static final String PRIMARY = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app");
  static final String TABLE =
      "CREATE TABLE t_other (id bigint PRIMARY KEY, user_id int NOT NULL, v text)";
  static final String ROWS =
      "INSERT INTO t_other SELECT g, g % 10, 'o' || g FROM generate_series(1, 1000) g";

  @Test
  void aTableFromAnotherServersSubscriptionIsComparedAsItIs() throws Exception {
    TestDatabases.recreatePgDatabase(LOGICAL, "other_src");
    String source = TestDatabases.pgUrl(LOGICAL, "other_src");
    try {
      TestDatabases.execute(
          source,
          TABLE,
          ROWS,
          "CREATE PUBLICATION other_pub FOR TABLE t_other",
          "SELECT pg_create_logical_replication_slot('other_sub', 'pgoutput')");
      TestDatabases.execute(
          SUBSCRIBER,
          "DROP TABLE IF EXISTS t_other",
          TABLE,
          "CREATE SUBSCRIPTION other_sub CONNECTION 'host=127.0.0.1 port="
              + LOGICAL
              + " user=postgres dbname=other_src' PUBLICATION other_pub"
              + " WITH (create_slot = false, slot_name = 'other_sub')");
      TestDatabases.execute(PRIMARY, "DROP TABLE IF EXISTS t_other", TABLE, ROWS);
      awaitCopied();
      TestDatabases.execute(SUBSCRIBER, "UPDATE t_other SET v = 'planted' WHERE id = 5");

      AuditReport r =
          new AuditFixture()
              .primary("p", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app"))
              .replica("sub", TestDatabases.pgEndpoint(LOGICAL, "app"))
              .table("t_other", "user_id")
              .run(
                  CompareSettings.defaults().withReplicaSync(Duration.ofSeconds(3), 2),
                  null,
                  Duration.ofSeconds(3));
      assertThat(r.replication().get(0).state()).isEqualTo("STREAMING");
      assertThat(AuditFixture.findings(r, "t_other", "sub")).containsExactly("CHANGED 5");
      assertThat(AuditFixture.copy(r, "t_other", "sub").inFlight()).isZero();
    } finally {
      TestDatabases.execute(
          SUBSCRIBER,
          "ALTER SUBSCRIPTION other_sub DISABLE",
          "ALTER SUBSCRIPTION other_sub SET (slot_name = NONE)",
          "DROP SUBSCRIPTION other_sub",
          "DROP TABLE IF EXISTS t_other");
      TestDatabases.execute(source, "SELECT pg_drop_replication_slot('other_sub')");
      TestDatabases.execute(
          TestDatabases.pgUrl(LOGICAL, "postgres"), "DROP DATABASE other_src WITH (FORCE)");
      TestDatabases.execute(PRIMARY, "DROP TABLE IF EXISTS t_other");
    }
  }

  /** Until the subscription has copied the table's 1,000 rows. */
  private static void awaitCopied() throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    try (Connection c = TestDatabases.admin(SUBSCRIBER);
        Statement s = c.createStatement()) {
      while (true) {
        try (ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM t_other) = 1000 AND EXISTS (SELECT 1 FROM"
                    + " pg_subscription_rel r JOIN pg_subscription u ON u.oid = r.srsubid"
                    + " WHERE u.subname = 'other_sub' AND r.srsubstate = 'r')")) {
          rs.next();
          if (rs.getBoolean(1)) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("other_sub copies t_other").isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }
}
