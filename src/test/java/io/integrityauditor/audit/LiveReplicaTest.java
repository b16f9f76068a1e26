package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Replicas under write load: a writer doing inserts, updates and deletes over the whole key space
 * runs during consecutive audits; none may report a difference, and rows changed on the replica
 * alone must still be found exactly. Keys 1..100 are left alone by the writer.
 */
class LiveReplicaTest {
  static final int ROWS = 30_000;

  /** Writes at a steady rate until stopped; counts committed transactions. */
  static final class Writer implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong committed = new AtomicLong();
    final Thread thread;
    volatile Throwable failure;
    final long started = System.nanoTime();

    Writer(String url, boolean postgres) {
      this(url, "live_contacts", ROWS);
    }

    /**
     * Writes to {@code table} (id bigint key, user_id, email, n), whose keys 1..rows exist at the
     * start; keys up to 100 are left alone, new rows get keys above {@code rows}.
     */
    Writer(String url, String table, int rows) {
      thread =
          new Thread(
              () -> {
                try (Connection c = TestDatabases.admin(url);
                    PreparedStatement upd =
                        c.prepareStatement(
                            "UPDATE " + table + " SET email = ?, n = n + 1 WHERE id = ?");
                    PreparedStatement ins =
                        c.prepareStatement(
                            "INSERT INTO "
                                + table
                                + " (id, user_id, email, n) VALUES (?, ?, ?, 0)");
                    PreparedStatement del =
                        c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
                  long next = rows + 1L;
                  ThreadLocalRandom rnd = ThreadLocalRandom.current();
                  while (!stop.get()) {
                    int op = rnd.nextInt(10);
                    long id = 101 + rnd.nextLong(rows - 100);
                    if (op < 5) {
                      upd.setString(1, "w" + rnd.nextInt() + "@example.com");
                      upd.setLong(2, id);
                      upd.executeUpdate();
                    } else if (op < 8) {
                      ins.setLong(1, next++);
                      ins.setInt(2, (int) (next % 100));
                      ins.setString(3, "new@example.com");
                      ins.executeUpdate();
                    } else {
                      del.setLong(1, id);
                      del.executeUpdate();
                    }
                    committed.incrementAndGet();
                    Thread.sleep(2); // ~300-400 tx/s: well above 200, leaves CPU for the audit
                  }
                } catch (Throwable t) {
                  failure = t;
                }
              },
              "writer");
      thread.start();
    }

    double rate() {
      return committed.get() / ((System.nanoTime() - started) / 1e9);
    }

    @Override
    public void close() throws Exception {
      stop.set(true);
      thread.join();
    }
  }

  static void createTable(String url, boolean postgres) throws Exception {
    TestDatabases.execute(
        url,
        "DROP TABLE IF EXISTS live_contacts",
        "CREATE TABLE live_contacts (id bigint PRIMARY KEY, user_id int NOT NULL,"
            + " email varchar(100), n int NOT NULL)",
        postgres
            ? "INSERT INTO live_contacts SELECT g, g % 100, 'u' || g || '@example.com', 0"
                + " FROM generate_series(1, "
                + ROWS
                + ") g"
            : "INSERT INTO live_contacts SELECT seq, seq % 100, CONCAT('u', seq, '@example.com'),"
                + " 0 FROM seq_1_to_"
                + ROWS);
  }

  private static AuditFixture fixture(EndpointConfig primary, EndpointConfig replica) {
    return new AuditFixture()
        .primary("p", primary)
        .replica("r", replica)
        .table("live_contacts", "user_id");
  }

  private static void threeCleanAuditsUnderLoad(AuditFixture f, Writer w) throws Exception {
    Thread.sleep(500);
    for (int i = 0; i < 3; i++) {
      AuditReport r = f.run(CompareSettings.defaults());
      assertThat(r.error()).isNull();
      assertThat(AuditFixture.findings(r, "live_contacts", "r"))
          .as("audit %d, replication %s", i + 1, r.replication())
          .isEmpty();
      assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
      assertThat(w.failure).isNull();
    }
    assertThat(w.rate()).as("writer transactions per second").isGreaterThanOrEqualTo(200);
  }

  @Test
  void postgresStandbyUnderWriteLoadNeverReportsInFlightRows() throws Exception {
    String primary = TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app");
    createTable(primary, true);
    AuditFixture f =
        fixture(
            TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app"),
            TestDatabases.pgEndpoint(TestDatabases.PG_STANDBY_PORT, "app"));
    try (Writer w = new Writer(primary, true)) {
      threeCleanAuditsUnderLoad(f, w);
    }
  }

  @Test
  void mariadbReplicaUnderWriteLoadNoFalseAlarmsAndRealDivergenceFoundExactly() throws Exception {
    String primary = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    createTable(primary, false);
    AuditFixture f =
        fixture(
            TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"),
            TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"));
    try (Writer w = new Writer(primary, false)) {
      threeCleanAuditsUnderLoad(f, w);

      // Written on the replica alone, while the writer goes on.
      try (Connection c = TestDatabases.mariaUnlogged(replica);
          Statement s = c.createStatement()) {
        s.execute("DELETE FROM live_contacts WHERE id IN (3, 57)");
        s.execute("UPDATE live_contacts SET email = 'split@example.com' WHERE id = 42");
        s.execute("INSERT INTO live_contacts VALUES (-7, 7, 'only-here@example.com', 0)");
      }
      AuditReport r = f.run(CompareSettings.defaults());
      assertThat(AuditFixture.findings(r, "live_contacts", "r"))
          .isEqualTo(Set.of("MISSING 3", "MISSING 57", "CHANGED 42", "EXTRA -7"));
      assertThat(w.failure).isNull();
    }
  }

  /**
   * Regression: in a table without updatedAt, a row the primary rewrites every 20 ms was CHANGED on
   * a healthy replica in 5 audits of 5 (PostgreSQL), its user counted at risk: a re-check reads the
   * primary, then the replica at that position or later, which already holds a newer version. A row
   * the primary itself changed across a re-check's reads is now in flight; a row changed on the
   * replica alone is still found (MariaDB, where the replica can be written).
   */
  @Test
  void hotRowsWithoutUpdatedAtAreInFlightOnBothEngines() throws Exception {
    for (boolean postgres : new boolean[] {true, false}) {
      String primary =
          postgres
              ? TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "app")
              : TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
      TestDatabases.execute(
          primary,
          "DROP TABLE IF EXISTS live_hot",
          "CREATE TABLE live_hot (id bigint PRIMARY KEY, user_id int NOT NULL, n int NOT NULL)",
          postgres
              ? "INSERT INTO live_hot SELECT g, g % 10, 0 FROM generate_series(1, 1000) g"
              : "INSERT INTO live_hot SELECT seq, seq % 10, 0 FROM seq_1_to_1000");
      AuditFixture f =
          new AuditFixture()
              .primary(
                  "p",
                  postgres
                      ? TestDatabases.pgEndpoint(TestDatabases.PG_PRIMARY_PORT, "app")
                      : TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
              .replica(
                  "r",
                  postgres
                      ? TestDatabases.pgEndpoint(TestDatabases.PG_STANDBY_PORT, "app")
                      : TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
              .table("live_hot", "user_id");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong written = new AtomicLong();
      Thread hot =
          new Thread(
              () -> {
                try (Connection c = TestDatabases.admin(primary);
                    PreparedStatement upd =
                        c.prepareStatement("UPDATE live_hot SET n = n + 1 WHERE id = ?")) {
                  for (long i = 0; !stop.get(); i++) {
                    upd.setLong(1, 7 + i % 3);
                    upd.executeUpdate();
                    written.incrementAndGet();
                    Thread.sleep(20 / 3);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "hot-rows");
      hot.start();
      try {
        Thread.sleep(300);
        for (int i = 0; i < 4; i++) {
          AuditReport r = f.run(CompareSettings.defaults());
          assertThat(AuditFixture.findings(r, "live_hot", "r"))
              .as("%s audit %d", postgres ? "PostgreSQL" : "MariaDB", i + 1)
              .isEmpty();
        }
        if (!postgres) {
          try (Connection c =
                  TestDatabases.mariaUnlogged(
                      TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app"));
              Statement st = c.createStatement()) {
            st.execute("UPDATE live_hot SET n = -1 WHERE id = 42");
          }
          AuditReport r = f.run(CompareSettings.defaults());
          assertThat(AuditFixture.findings(r, "live_hot", "r")).containsExactly("CHANGED 42");
        }
      } finally {
        stop.set(true);
        hot.join();
      }
      // the hot rows were written throughout (at ~150 a second on an idle machine)
      assertThat(written.get()).isGreaterThan(20);
    }
  }

  /**
   * A row the primary keeps rewriting, corrupted on the replica in another column, is found.
   * Regression (review 8 of session 21): with a counter updated ~300 times a second on the primary
   * (binlog_row_image=MINIMAL, so replication never rewrites the other columns), the row was in
   * flight in 7 audits of 8, CONSISTENT, while its note stayed wrong on the replica. The rows the
   * same writer rewrites on a healthy replica stay in flight.
   */
  @Test
  void aHotRowCorruptedOnTheReplicaInAnotherColumnIsFound() throws Exception {
    String primary = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS live_hot_note",
        "CREATE TABLE live_hot_note (id bigint PRIMARY KEY, user_id int NOT NULL,"
            + " n bigint NOT NULL, note varchar(50))",
        "INSERT INTO live_hot_note SELECT seq, seq % 10, 0, 'ok' FROM seq_1_to_1000");
    try (Connection c = TestDatabases.mariaUnlogged(replica);
        Statement st = c.createStatement()) {
      st.execute("SELECT MASTER_GTID_WAIT((SELECT @@gtid_slave_pos), 1)");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
            .replica("r", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
            .table("live_hot_note", "user_id");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong written = new AtomicLong();
    Thread hot =
        new Thread(
            () -> {
              try (Connection c = TestDatabases.admin(primary);
                  Statement st = c.createStatement();
                  PreparedStatement upd =
                      c.prepareStatement("UPDATE live_hot_note SET n = n + 1 WHERE id IN (7, 8)")) {
                st.execute("SET SESSION binlog_row_image = 'MINIMAL'");
                while (!stop.get()) {
                  upd.executeUpdate(); // as fast as the primary takes them
                  written.incrementAndGet();
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "hot-note");
    hot.start();
    try {
      Thread.sleep(300);
      for (int i = 0; i < 2; i++) {
        assertThat(AuditFixture.findings(f.run(CompareSettings.defaults()), "live_hot_note", "r"))
            .as("healthy, audit %d", i + 1)
            .isEmpty();
      }
      try (Connection c = TestDatabases.mariaUnlogged(replica);
          Statement st = c.createStatement()) {
        st.execute("UPDATE live_hot_note SET note = 'CORRUPTED ON REPLICA' WHERE id = 7");
      }
      for (int i = 0; i < 4; i++) {
        AuditReport r = f.run(CompareSettings.defaults());
        assertThat(AuditFixture.findings(r, "live_hot_note", "r"))
            .as("audit %d", i + 1)
            .containsExactly("CHANGED 7");
      }
    } finally {
      stop.set(true);
      hot.join();
    }
    assertThat(written.get()).isGreaterThan(100);
  }

  @Test
  void rowsRewrittenThroughoutTheAuditAreInFlightWhileReplicaOnlyChangesAreFound()
      throws Exception {
    String primary = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS hot_contacts",
        "CREATE TABLE hot_contacts (id bigint PRIMARY KEY, user_id int NOT NULL, n int NOT NULL,"
            + " updated_at datetime(6) NOT NULL)",
        "INSERT INTO hot_contacts SELECT seq, seq % 10, 0, '2009-10-01' FROM seq_1_to_20000");
    // the replica has the table before a row is changed there (it waited for its own position:
    // under load the UPDATE below met "Table 'app.hot_contacts' doesn't exist")
    ReplicaTopologyTest.waitForReplica(primary, replica);
    java.util.function.Function<String, AuditFixture> fixture =
        updatedAt ->
            new AuditFixture()
                .primary(
                    "p", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
                .replica(
                    "r", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
                .table(
                    new io.integrityauditor.config.TableConfig(
                        "hot_contacts",
                        java.util.List.of("id"),
                        "user_id",
                        updatedAt,
                        java.util.List.of()));
    AtomicBoolean stop = new AtomicBoolean();
    Thread hot =
        new Thread(
            () -> {
              try (Connection c = TestDatabases.admin(primary);
                  Statement s = c.createStatement()) {
                // Written on the primary throughout the audit, and replicated: each re-check reads
                // the primary before and after the replica, so a row rewritten in between is in
                // flight, and one the replica has caught up with is no difference. (Session 15:
                // this writer was unlogged — rows the replica never gets, a real divergence that
                // only the updatedAt watermark hid; on a replica followed at the primary's
                // position, confirmed differences are reported whatever updatedAt says.)
                while (!stop.get()) {
                  s.execute(
                      "UPDATE hot_contacts SET n = n + 1, updated_at = NOW(6) WHERE id IN (7, 12345)");
                  Thread.sleep(1);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    hot.start();
    try {
      Thread.sleep(300);
      TestDatabases.execute(
          replica, "SET sql_log_bin = 0", "UPDATE hot_contacts SET n = -1 WHERE id = 9");
      AuditReport r = fixture.apply("updated_at").run(CompareSettings.defaults());
      assertThat(AuditFixture.findings(r, "hot_contacts", "r")).containsExactly("CHANGED 9");
      assertThat(AuditFixture.copy(r, "hot_contacts", "r").inFlight()).isBetween(0L, 2L);
    } finally {
      stop.set(true);
      hot.join();
    }
  }
}
