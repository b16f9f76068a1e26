package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A PostgreSQL logical subscriber (ia_logical, subscription ia_sub to publication ia_pub of the
 * primary's app) as a copy: compared at the same point of history under write load, with rows
 * written on the subscriber alone found exactly, and a disabled subscription reported.
 */
class LogicalSubscriberTest {
  static final String PRIMARY = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app");
  static final String SUBSCRIBER = TestDatabases.pgUrl(TestDatabases.PG_LOGICAL_PORT, "app");
  static final String PUBLICATION = "ia_pub";
  static final String SUBSCRIPTION = "ia_sub";

  private static AuditFixture fixture(String table) {
    return new AuditFixture()
        .primary("p", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app"))
        .replica("sub", TestDatabases.pgEndpoint(TestDatabases.PG_LOGICAL_PORT, "app"))
        .table(table, "user_id");
  }

  /**
   * (Re)creates {@code table} (LiveReplicaTest's shape) with rows 1..rows on the primary and empty
   * on the subscriber, publishes it and waits until the subscription has copied it. The old table
   * leaves the publication first, and the subscriber drops its copy only once it has applied
   * everything up to then: a change to a table the subscriber lacks stops its apply worker.
   */
  static void subscribeTable(String table, int rows) throws Exception {
    String ddl =
        "CREATE TABLE "
            + table
            + " (id bigint PRIMARY KEY, user_id int NOT NULL, email varchar(100), n int NOT NULL)";
    TestDatabases.execute(PRIMARY, "DROP TABLE IF EXISTS " + table);
    awaitApplied(60);
    TestDatabases.execute(SUBSCRIBER, "DROP TABLE IF EXISTS " + table, ddl);
    TestDatabases.execute(
        PRIMARY,
        ddl,
        "INSERT INTO "
            + table
            + " SELECT g, g % 100, 'u' || g || '@example.com', 0 FROM generate_series(1, "
            + rows
            + ") g",
        "ALTER PUBLICATION " + PUBLICATION + " ADD TABLE " + table);
    refreshAndAwaitSync(table);
  }

  /** Refreshes the subscription and waits until it has copied {@code table} and caught up. */
  private static void refreshAndAwaitSync(String table) throws Exception {
    TestDatabases.execute(
        SUBSCRIBER,
        "ALTER SUBSCRIPTION " + SUBSCRIPTION + " REFRESH PUBLICATION WITH (copy_data = true)");
    long deadline = System.nanoTime() + 300_000_000_000L;
    try (Connection c = TestDatabases.admin(SUBSCRIBER);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT srsubstate FROM pg_subscription_rel WHERE srrelid = CAST(? AS regclass)")) {
      ps.setString(1, table);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && "r".equals(rs.getString(1))) {
            break;
          }
        }
        assertThat(System.nanoTime()).as("initial sync of " + table).isLessThan(deadline);
        Thread.sleep(100);
      }
    }
    awaitApplied(60);
  }

  /** Waits until the subscriber has applied the primary's current position. */
  static void awaitApplied(int seconds) throws Exception {
    String lsn;
    try (Connection c = TestDatabases.admin(PRIMARY);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CAST(pg_current_wal_insert_lsn() AS text)")) {
      rs.next();
      lsn = rs.getString(1);
    }
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    try (Connection c = TestDatabases.admin(SUBSCRIBER);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COALESCE(GREATEST(w.latest_end_lsn,"
                    + " pg_replication_origin_progress('pg_' || w.subid, false))"
                    + " >= CAST(? AS pg_lsn), false)"
                    + " FROM pg_stat_subscription w WHERE w.subname = ? AND w.relid IS NULL")) {
      ps.setString(1, lsn);
      ps.setString(2, SUBSCRIPTION);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("subscriber applies " + lsn).isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  static void setSubscriptionEnabled(boolean enabled) throws Exception {
    TestDatabases.execute(
        SUBSCRIBER, "ALTER SUBSCRIPTION " + SUBSCRIPTION + (enabled ? " ENABLE" : " DISABLE"));
    // Until the apply worker runs again (or has gone).
    long deadline = System.nanoTime() + 30_000_000_000L;
    try (Connection c = TestDatabases.admin(SUBSCRIBER);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pid IS NOT NULL FROM pg_stat_subscription"
                    + " WHERE subname = ? AND relid IS NULL")) {
      ps.setString(1, SUBSCRIPTION);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1) == enabled) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("apply worker enabled=" + enabled).isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  private static AuditReport.ReplicationReport replication(AuditReport r) {
    assertThat(r.replication()).hasSize(1);
    return r.replication().get(0);
  }

  @Test
  void underWriteLoadNoFalseAlarmsAndSubscriberOnlyWritesFoundExactly() throws Exception {
    String table = "lg_contacts";
    int rows = 30_000;
    subscribeTable(table, rows);
    AuditFixture f = fixture(table);
    try (LiveReplicaTest.Writer w = new LiveReplicaTest.Writer(PRIMARY, table, rows)) {
      Thread.sleep(500);
      for (int i = 0; i < 3; i++) {
        AuditReport r = f.run(CompareSettings.defaults());
        assertThat(r.error()).isNull();
        assertThat(replication(r).state()).as("audit %d", i + 1).isEqualTo("STREAMING");
        assertThat(replication(r).message()).contains("logical subscriber (" + SUBSCRIPTION + ")");
        assertThat(AuditFixture.findings(r, table, "sub"))
            .as("audit %d, replication %s", i + 1, r.replication())
            .isEmpty();
        assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
        assertThat(w.failure).isNull();
      }
      assertThat(w.rate()).as("writer transactions per second").isGreaterThanOrEqualTo(200);

      // Written on the subscriber alone (it is writable), while the writer goes on: keys up to
      // 100 are not touched by the writer.
      try (Connection c = TestDatabases.admin(SUBSCRIBER);
          Statement s = c.createStatement()) {
        s.execute("DELETE FROM " + table + " WHERE id IN (3, 57)");
        s.execute("UPDATE " + table + " SET email = 'split@example.com' WHERE id = 42");
        s.execute("INSERT INTO " + table + " VALUES (-7, 7, 'only-here@example.com', 0)");
      }
      for (int i = 0; i < 2; i++) {
        AuditReport r = f.run(CompareSettings.defaults());
        assertThat(replication(r).state()).isEqualTo("STREAMING");
        assertThat(AuditFixture.findings(r, table, "sub"))
            .as("audit %d after writes on the subscriber", i + 1)
            .isEqualTo(Set.of("MISSING 3", "MISSING 57", "CHANGED 42", "EXTRA -7"));
        assertThat(r.status()).isEqualTo(AuditReport.Status.FINDINGS);
      }
      assertThat(w.failure).isNull();
      assertThat(w.rate()).as("writer transactions per second").isGreaterThanOrEqualTo(200);
      System.out.printf(
          "logical subscriber under load: writer %.0f tx/s, %d transactions%n",
          w.rate(), w.committed.get());
    }
  }

  @Test
  void disabledSubscriptionIsReportedStoppedAndNotWaitedFor() throws Exception {
    String table = "lg_health";
    subscribeTable(table, 5_000);
    AuditReport healthy = fixture(table).run(CompareSettings.defaults());
    assertThat(replication(healthy).state()).isEqualTo("STREAMING");
    assertThat(replication(healthy).lagSeconds()).isLessThan(5.0);
    assertThat(healthy.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    try {
      setSubscriptionEnabled(false);
      TestDatabases.execute(PRIMARY, "UPDATE " + table + " SET email = 'new' WHERE id = 77");
      long t0 = System.nanoTime();
      AuditReport stopped = fixture(table).run(CompareSettings.defaults());
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(replication(stopped).state()).isEqualTo("STOPPED");
      assertThat(replication(stopped).message())
          .isEqualTo(
              "logical subscription "
                  + SUBSCRIPTION
                  + " is disabled (ALTER SUBSCRIPTION ... ENABLE)");
      assertThat(stopped.status()).isEqualTo(AuditReport.Status.FINDINGS);
      assertThat(stopped.exitCode()).isEqualTo(1);
      // The row the subscriber has not received is real divergence: it cannot serve it.
      assertThat(AuditFixture.findings(stopped, table, "sub")).containsExactly("CHANGED 77");
      assertThat(seconds).as("no waiting for a stopped subscriber").isLessThan(8);
    } finally {
      setSubscriptionEnabled(true);
    }
    awaitApplied(60);
    AuditReport again = fixture(table).run(CompareSettings.defaults());
    assertThat(replication(again).state()).isEqualTo("STREAMING");
    assertThat(again.status()).isEqualTo(AuditReport.Status.CONSISTENT);
  }

  /**
   * Audit time of a 1M-row table, idle and under the writer: a measurement, not a check, so it is
   * not part of the test command. Run it with {@code mvn test -Dia.bench=true
   * -Dtest='LogicalSubscriberTest#millionRowsIdleAndUnderLoad'} (README "Benchmark").
   */
  @Test
  @EnabledIfSystemProperty(named = "ia.bench", matches = "true")
  void millionRowsIdleAndUnderLoad() throws Exception {
    String table = "lg_big";
    int rows = 1_000_000;
    long t0 = System.nanoTime();
    subscribeTable(table, rows);
    double setup = (System.nanoTime() - t0) / 1e9;
    AuditFixture f = fixture(table);
    f.run(CompareSettings.defaults()); // warm-up: JIT, buffers
    t0 = System.nanoTime();
    AuditReport idle = f.run(CompareSettings.defaults());
    double idleSeconds = (System.nanoTime() - t0) / 1e9;
    assertThat(AuditFixture.findings(idle, table, "sub")).isEmpty();
    assertThat(idle.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    // The same table reaches the physical standby too: the same audit against it, for scale.
    AuditFixture standby =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app"))
            .replica("sub", TestDatabases.pgEndpoint(TestDatabases.PG_STANDBY_PORT, "app"))
            .table(table, "user_id");
    double loadSeconds;
    double standbySeconds;
    double rate;
    try (LiveReplicaTest.Writer w = new LiveReplicaTest.Writer(PRIMARY, table, rows)) {
      Thread.sleep(500);
      t0 = System.nanoTime();
      AuditReport load = f.run(CompareSettings.defaults());
      loadSeconds = (System.nanoTime() - t0) / 1e9;
      assertThat(AuditFixture.findings(load, table, "sub"))
          .as("replication %s", load.replication())
          .isEmpty();
      assertThat(load.status()).isEqualTo(AuditReport.Status.CONSISTENT);
      t0 = System.nanoTime();
      AuditReport physical = standby.run(CompareSettings.defaults());
      standbySeconds = (System.nanoTime() - t0) / 1e9;
      assertThat(AuditFixture.findings(physical, table, "sub")).isEmpty();
      rate = w.rate();
      assertThat(w.failure).isNull();
    }
    System.out.printf(
        "logical subscriber, %d rows: initial sync %.1f s; audit idle %.2f s, under %.0f tx/s"
            + " %.2f s (the physical standby under the same load: %.2f s)%n",
        rows, setup, idleSeconds, rate, loadSeconds, standbySeconds);
  }

  /**
   * An inheritance parent (read ONLY, without its children) on a logical subscriber. Regression
   * (review of session 16): the subscription lookup cast 'ONLY "public"."t"' to regclass, "invalid
   * name syntax", and the copy failed.
   */
  @Test
  void anInheritanceParentOnASubscriber() throws Exception {
    String table = "lg_parent";
    String ddl = "CREATE TABLE " + table + " (id bigint PRIMARY KEY, user_id int NOT NULL, v text)";
    String child = "CREATE TABLE lg_child () INHERITS (" + table + ")";
    TestDatabases.execute(PRIMARY, "DROP TABLE IF EXISTS " + table + " CASCADE");
    awaitApplied(60);
    TestDatabases.execute(SUBSCRIBER, "DROP TABLE IF EXISTS " + table + " CASCADE", ddl, child);
    TestDatabases.execute(
        PRIMARY,
        ddl,
        child,
        "INSERT INTO " + table + " SELECT g, g % 10, 'v' FROM generate_series(1, 500) g",
        "INSERT INTO lg_child SELECT g, g % 10, 'child' FROM generate_series(1, 50) g",
        "ALTER PUBLICATION " + PUBLICATION + " ADD TABLE ONLY " + table);
    refreshAndAwaitSync(table);
    try {
      AuditReport r = fixture(table).run(CompareSettings.defaults());
      assertThat(AuditFixture.copy(r, table, "sub").error()).isNull();
      assertThat(replication(r).state()).isEqualTo("STREAMING");
      assertThat(AuditFixture.findings(r, table, "sub")).isEmpty();
      TestDatabases.execute(SUBSCRIBER, "UPDATE ONLY " + table + " SET v = 'X' WHERE id = 7");
      AuditReport after = fixture(table).run(CompareSettings.defaults());
      assertThat(AuditFixture.findings(after, table, "sub")).containsExactly("CHANGED 7");
    } finally {
      TestDatabases.execute(
          PRIMARY, "ALTER PUBLICATION " + PUBLICATION + " DROP TABLE ONLY " + table);
    }
  }
}
