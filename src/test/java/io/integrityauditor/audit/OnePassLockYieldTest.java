package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A whole-table (one-pass) statement gives way to a session that waits for an exclusive lock on the
 * table. Regression (review 4 of session 22): an instant {@code ALTER TABLE ... ADD COLUMN} queued
 * behind a 3M-row table's one-pass statement for its whole length, and every application write
 * queued behind the ALTER (writes stalled 9 s on the primary, against 0.2 s). Now the statement is
 * stopped within ~0.2 s and the table read in chunks, each its own transaction, with the same
 * result.
 */
class OnePassLockYieldTest {
  private static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  /**
   * Table t of 2,000,000 rows (a one-pass of ~2 s here) in database p, and its copy c. Autovacuum
   * is off for t: the INSERT's statistics can reach the server after the VACUUM ANALYZE (an
   * autovacuum of such a table ran ~10 s after it here), and a lock request blocked by an
   * autovacuum as well waits out deadlock_timeout (1 s) before the server cancels it, a wait the
   * pass's yielding cannot shorten. CI's run of session 22's code waited 1.38 s in the first test;
   * the cause was not reproduced here: that, or a failed lock-watch question (the watch then
   * stopped for good; it asks again now).
   */
  private static void twoMillionRows(String p, String c) throws Exception {
    TestDatabases.recreatePgDatabase(PORT, p);
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, p),
        "CREATE TABLE t (id bigint PRIMARY KEY, user_id int NOT NULL, v text, j jsonb)"
            + " WITH (autovacuum_enabled = off)",
        "INSERT INTO t SELECT g, g % 1000, md5(g::text) || md5((g + 1)::text),"
            + " jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b'))"
            + " FROM generate_series(1, 2000000) g",
        "VACUUM ANALYZE t");
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "postgres"),
        "DROP DATABASE IF EXISTS " + c + " WITH (FORCE)",
        "CREATE DATABASE " + c + " TEMPLATE " + p);
  }

  @Test
  void anExclusiveLockRequestStopsTheOnePassAndTheTableIsReadInChunks() throws Exception {
    twoMillionRows("yield_p", "yield_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "yield_c"), "UPDATE t SET v = 'changed' WHERE id = 1234567");

    AtomicInteger chunkCalls = new AtomicInteger();
    CompletableFuture<Double> lockWait = new CompletableFuture<>();
    java.util.Set<String> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AuditService.Progress lockDuringThePass =
        new AuditService.Progress() {
          @Override
          public void tableStarted(String table, long estimatedRows) {}

          @Override
          public void chunkScanned(String table, long rows, long elapsedNanos) {
            chunkCalls.incrementAndGet();
          }

          @Override
          public void onePassStarted(String table) {
            Thread locker =
                new Thread(
                    () -> {
                      try (Connection c =
                              TestDatabases.admin(TestDatabases.pgUrl(PORT, "yield_p"));
                          Statement s = c.createStatement()) {
                        // Behind the pass, not before it: requested before the pass's statement
                        // reached the server (a GC pause, a slow start), the lock was granted at
                        // once and the pass ran after it, whole.
                        awaitPass(c, "yield_p");
                        Thread.sleep(200);
                        c.setAutoCommit(false);
                        s.execute("SET LOCAL lock_timeout = '60s'");
                        long t0 = System.nanoTime();
                        s.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                        lockWait.complete((System.nanoTime() - t0) / 1e9);
                        c.commit();
                      } catch (Exception e) {
                        lockWait.completeExceptionally(e);
                      }
                    });
            locker.setDaemon(true);
            locker.start();
            Thread watcher = new Thread(() -> watchSessions("yield_p", lockWait, sessions));
            watcher.setDaemon(true);
            watcher.start();
          }
        };
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PORT, "yield_p"))
            .replica("c", TestDatabases.pgEndpoint(PORT, "yield_c"))
            .table("t", "user_id")
            .run(
                CompareSettings.defaults(), null, lockDuringThePass, AuditService.Checkpoints.NONE);
    double waited = lockWait.get();
    // first: a pass that never gave way fails here, one that gave way late on the wait below
    assertThat(chunkCalls.get())
        .as(
            "chunks after the one-pass gave way; the sessions on the database meanwhile: %s",
            sessions)
        .isGreaterThan(1);
    // ~0.04 s measured; ~1.9 s before, the rest of the primary's pass
    assertThat(waited).as("the lock request's wait, s").isLessThan(1.0);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1234567");
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(2_000_000);
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "postgres"),
        "DROP DATABASE yield_p WITH (FORCE)",
        "DROP DATABASE yield_c WITH (FORCE)");
  }

  /** Waits (up to 30 s) until a one-pass statement runs on {@code db}. */
  private static void awaitPass(Connection c, String db) throws Exception {
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND state = 'active'"
                + " AND query LIKE '%GROUP BY ia_b%' AND pid <> pg_backend_pid()")) {
      ps.setString(1, db);
      for (long t0 = System.nanoTime(); System.nanoTime() - t0 < 30_000_000_000L; ) {
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("no one-pass statement ran on " + db + " within 30 s");
  }

  /**
   * What the sessions on {@code db} were doing until the lock was granted (each distinct state
   * once), for the failure message: CI's runs twice saw the pass not give way (or give way late),
   * which six runs here never reproduced.
   */
  private static void watchSessions(
      String db, CompletableFuture<?> until, java.util.Set<String> out) {
    long t0 = System.nanoTime();
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "postgres"));
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT pid, backend_type, state, wait_event_type, wait_event,"
                    + " CAST(pg_blocking_pids(pid) AS text), left(query, 70)"
                    + " FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()"
                    + " ORDER BY pid")) {
      ps.setString(1, db);
      while (!until.isDone() && System.nanoTime() - t0 < 30_000_000_000L) {
        StringBuilder b = new StringBuilder();
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            for (int i = 1; i <= 7; i++) {
              b.append(rs.getString(i)).append(i < 7 ? "|" : "; ");
            }
          }
        }
        if (out.add(b.toString()) && out.size() > 40) {
          return;
        }
        Thread.sleep(50);
      }
    } catch (Exception e) {
      out.add("watch failed: " + e);
    }
  }

  /**
   * A table wider than a one-pass statement may be under the statement timeout (100,000 keys a
   * second of it) is read in chunks, and progress never says a pass started. Regression (review 4
   * of session 22): "one pass: one statement per side" was printed, then chunks read.
   */
  @Test
  void aPassTheStatementTimeoutRulesOutIsNotAnnounced() throws Exception {
    for (String db : new String[] {"nopass_p", "nopass_c"}) {
      TestDatabases.recreatePgDatabase(PORT, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id int NOT NULL, v text)",
          "INSERT INTO t SELECT g, g % 10, 'v' FROM generate_series(1, 150000) g");
    }
    AtomicInteger passes = new AtomicInteger();
    AtomicInteger chunks = new AtomicInteger();
    AuditService.Progress progress =
        new AuditService.Progress() {
          @Override
          public void tableStarted(String table, long estimatedRows) {}

          @Override
          public void chunkScanned(String table, long rows, long elapsedNanos) {
            chunks.incrementAndGet();
          }

          @Override
          public void onePassStarted(String table) {
            passes.incrementAndGet();
          }
        };
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PORT, "nopass_p"))
            .replica("c", TestDatabases.pgEndpoint(PORT, "nopass_c"))
            .table("t", "user_id")
            .statementTimeout(java.time.Duration.ofSeconds(1))
            .run(CompareSettings.defaults(), null, progress, AuditService.Checkpoints.NONE);
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(passes.get()).isZero();
    assertThat(chunks.get()).isGreaterThan(1);
  }

  /**
   * A lock request that another session holds back too (an application's open transaction) is not
   * freed by stopping the pass: the pass runs on. Regression (review 5 of session 22): the pass
   * gave way to any waiter, its chunks then queued behind the ALTER, which waited on the
   * application, until the lock timeout: a CONSISTENT table FAILED, exit 2.
   */
  @Test
  void aLockRequestAnotherSessionHoldsBackDoesNotStopThePass() throws Exception {
    twoMillionRows("yield2_p", "yield2_c");
    String url = TestDatabases.pgUrl(PORT, "yield2_p");
    AtomicInteger chunkCalls = new AtomicInteger();
    java.util.List<Thread> threads = new java.util.ArrayList<>();
    AuditService.Progress appAndDdl =
        new AuditService.Progress() {
          @Override
          public void tableStarted(String table, long estimatedRows) {
            // the application's transaction, open before the pass, for 7 s
            Thread app =
                new Thread(
                    () -> {
                      try (Connection c = TestDatabases.admin(url);
                          Statement s = c.createStatement()) {
                        c.setAutoCommit(false);
                        s.execute("LOCK TABLE t IN ROW EXCLUSIVE MODE");
                        Thread.sleep(7000);
                        c.commit();
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    });
            app.setDaemon(true);
            app.start();
            threads.add(app);
          }

          @Override
          public void chunkScanned(String table, long rows, long elapsedNanos) {
            chunkCalls.incrementAndGet();
          }

          @Override
          public void onePassStarted(String table) {
            Thread ddl =
                new Thread(
                    () -> {
                      try (Connection c = TestDatabases.admin(url);
                          Statement s = c.createStatement()) {
                        awaitPass(c, "yield2_p");
                        Thread.sleep(200);
                        c.setAutoCommit(false);
                        s.execute("SET LOCAL lock_timeout = '60s'");
                        s.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                        c.commit();
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    });
            ddl.setDaemon(true);
            ddl.start();
            threads.add(ddl);
          }
        };
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PORT, "yield2_p"))
            .replica("c", TestDatabases.pgEndpoint(PORT, "yield2_c"))
            .table("t", "user_id")
            .run(CompareSettings.defaults(), null, appAndDdl, AuditService.Checkpoints.NONE);
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(r.tables().get(0).error()).isNull();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(chunkCalls.get()).as("the pass ran to its end").isEqualTo(1);
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "postgres"),
        "DROP DATABASE yield2_p WITH (FORCE)",
        "DROP DATABASE yield2_c WITH (FORCE)");
  }
}
