package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import io.integrityauditor.engine.CopyOutcome;
import io.integrityauditor.engine.Digest;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.OnePassPlan;
import io.integrityauditor.engine.TableComparator;
import io.integrityauditor.engine.TableShape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL tables with a single integer key are digested in one pass per side ({@link
 * OnePassPlan}): every range's digest equals the one its own range query gives (decode sums
 * included), the findings are exactly those of the chunked scan, and a side whose one-pass
 * statement fails is compared in chunks instead.
 */
class OnePassTest {
  static final int PORT = TestDatabases.PG_PRIMARY_PORT;
  static final Duration T = Duration.ofSeconds(30);

  static final List<String> EXPECTED =
      List.of(
          "CHANGED 13000 [v]",
          "CHANGED 4000 [v]",
          "CHANGED 4001 [v]",
          "CHANGED 7001 [v]",
          "CHANGED 7002 [v]",
          "EXTRA -5 []",
          "EXTRA 0 []",
          "EXTRA 20001 []",
          "EXTRA 25000 []",
          "MISSING 1 []",
          "MISSING 11000 []",
          "MISSING 20000 []");

  @BeforeAll
  static void tables() throws Exception {
    for (String db : List.of("onepass_p", "onepass_c")) {
      TestDatabases.recreatePgDatabase(PORT, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO t SELECT g, g % 7, 'v' || g FROM generate_series(1, 20000) g",
          "CREATE TABLE n (id int PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO n SELECT g, g % 5, 'n' || g FROM generate_series(-3000, 3001) g");
    }
    // Parts of 2,000 keys from key 1: (0, 2000], (2000, 4000], ... (18000, 20000].
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "onepass_c"),
        "DELETE FROM t WHERE id IN (1, 11000, 20000)",
        // the last key of one part and the first of the next
        "UPDATE t SET v = 'changed' WHERE id IN (4000, 4001)",
        // the same edit on two rows of one part: its sums name no row, it is split
        "UPDATE t SET v = 'same' WHERE id IN (7001, 7002)",
        "UPDATE t SET v = NULL WHERE id = 13000",
        "INSERT INTO t VALUES (-5, 1, 'below'), (0, 1, 'below'), (20001, 1, 'above'),"
            + " (25000, 1, 'above')",
        "UPDATE n SET v = 'x' WHERE id IN (-3000, -1, 0, 3001)");
    for (String db : List.of("onepass_p", "onepass_c")) {
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE f (id bigint PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO f SELECT g, g % 7, 'f' || g FROM generate_series(1, 5000) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "onepass_c"),
        "UPDATE f SET v = 'changed' WHERE id = 10",
        "INSERT INTO f VALUES (9223372036854775807, 1, 'far')");
    // Keys at the bottom of bigint: no part's lower bound (base - 1) exists.
    for (String db : List.of("onepass_p", "onepass_c")) {
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE m (id bigint PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO m SELECT -9223372036854775808 + g, g % 7, 'm' || g"
              + " FROM generate_series(0, 99) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "onepass_c"),
        "UPDATE m SET v = 'changed' WHERE id = -9223372036854775808");
  }

  static DigestSource source(String db, String table, Dialect.HashFlavor flavor) throws Exception {
    PostgresDialect d = new PostgresDialect();
    Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, db));
    d.prepareSession(c, T);
    return d.digestSource(c, shape(c, table), flavor, T);
  }

  static TableShape shape(Connection c, String table) throws Exception {
    return new PostgresDialect()
        .describe(
            c,
            new TableCatalog.Request("public." + table, List.of("id"), "owner", null, List.of()));
  }

  /**
   * Regression (RecoveryConflictTest, once): a hot standby's conflict with recovery can terminate
   * the session running the one-pass statement (SQLSTATE 40001, the connection gone). The pass is
   * not run again, the copy falls back to chunks on the same source — whose session was closed:
   * every chunk failed with "This connection has been closed" and the copy's audit with it. The
   * terminated session is now replaced before the failure is handed on.
   */
  @Test
  void aSessionTheOnePassConflictTerminatedIsReplacedForTheChunks() throws Exception {
    PostgresDialect d = new PostgresDialect();
    Connection real = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"));
    d.prepareSession(real, T);
    Connection terminatedByConflict =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("prepareStatement")
                      && String.valueOf(args[0]).contains("GROUP BY ia_b")) {
                    real.close();
                    throw new java.sql.SQLException(
                        "FATAL: terminating connection due to conflict with recovery", "40001");
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    int[] reopened = {0};
    try (DigestSource s =
        d.digestSource(terminatedByConflict, shape(real, "t"), Dialect.HashFlavor.NATIVE, T)) {
      s.reconnectWith(
          () -> {
            reopened[0]++;
            try {
              Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"));
              d.prepareSession(c, T);
              return c;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      OnePassPlan plan = new OnePassPlan(1, 2_000, 10);
      assertThatThrownBy(() -> s.onePassDigests(plan))
          .hasMessageContaining("conflict with recovery");
      assertThat(reopened[0]).isEqualTo(1);
      // the chunked scan that follows runs on the new session
      assertThat(s.digest(plan.range(1)).count()).isEqualTo(2_000);
    }
  }

  @Test
  void everyRangeDigestIsTheOneItsRangeQueryGives() throws Exception {
    for (Dialect.HashFlavor flavor :
        List.of(Dialect.HashFlavor.NATIVE, Dialect.HashFlavor.CANONICAL)) {
      for (String db : List.of("onepass_p", "onepass_c")) {
        // bigint keys from 1 (the copy has keys below and above the plan), int keys from -3000
        // (negative offsets; the last part holds one key).
        for (OnePassPlan plan :
            List.of(new OnePassPlan(1, 2_000, 10), new OnePassPlan(-3000, 2_000, 4))) {
          String table = plan.base() == 1 ? "t" : "n";
          try (DigestSource s = source(db, table, flavor)) {
            List<Digest> one = s.onePassDigests(plan);
            assertThat(one).hasSize(plan.count());
            List<Digest> each = new ArrayList<>();
            for (int i = 0; i < plan.count(); i++) {
              each.add(s.digest(plan.range(i)));
            }
            assertThat(one).as(flavor + " " + db + " " + table).isEqualTo(each);
            // Parts carry decode sums based at their exclusive lower bound.
            assertThat(one.get(1).decode().base()).isEqualTo(plan.base() - 1);
            assertThat(one.get(0).decode()).isNull();
          }
        }
      }
    }
  }

  @Test
  void findingsAreExactlyThoseOfTheChunkedScan() throws Exception {
    for (Dialect.HashFlavor flavor :
        List.of(Dialect.HashFlavor.NATIVE, Dialect.HashFlavor.CANONICAL)) {
      for (long onePassMaxRows : List.of(10_000_000L, 0L)) {
        TableComparator comparator =
            new TableComparator(
                shapeOfPrimary(),
                CompareSettings.defaults()
                    .withChunkRows(2_000, 2_000, 2_000)
                    .withOnePassMaxRows(onePassMaxRows),
                null,
                null);
        List<String> findings = compare(comparator, flavor, false, false);
        assertThat(findings).as(flavor + " " + onePassMaxRows).isEqualTo(EXPECTED);
        assertThat(comparator.onePass()).isEqualTo(onePassMaxRows > 0);
        if (onePassMaxRows > 0) {
          // One row each in six parts, named by their sums and read in one batch a side; the two
          // rows of part (6000, 8000] are found by splitting it.
          assertThat(comparator.decodedRows()).isEqualTo(6);
        }
      }
    }
  }

  @Test
  void aFailedOnePassStatementFallsBackToChunks() throws Exception {
    for (boolean primaryFails : List.of(true, false)) {
      TableComparator comparator =
          new TableComparator(shapeOfPrimary(), CompareSettings.defaults(), null, null);
      assertThat(compare(comparator, Dialect.HashFlavor.NATIVE, primaryFails, !primaryFails))
          .as("primary fails: " + primaryFails)
          .isEqualTo(EXPECTED);
      // The copy's failed pass: its ranges are digested one by one against the primary's pass.
      assertThat(comparator.onePass()).isEqualTo(!primaryFails);
    }
  }

  /**
   * A copy's key so far above the primary's that its part number overflows a bigint: that copy's
   * pass fails and its ranges are digested one by one; the row is EXTRA.
   */
  @Test
  void aCopyKeyBeyondBigintArithmeticFallsBackForThatCopy() throws Exception {
    TableShape shape;
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"))) {
      shape = shape(c, "f");
    }
    TableComparator comparator = new TableComparator(shape, CompareSettings.defaults(), null, null);
    assertThat(compare(comparator, "f", Dialect.HashFlavor.NATIVE, false, false))
        .containsExactly("CHANGED 10 [v]", "EXTRA 9223372036854775807 []");
    assertThat(comparator.onePass()).isTrue();
  }

  /**
   * Cancelling the audit stops a running pass on the database instead of waiting for its end: here
   * the primary's pass waits for a lock another session holds, which the sessions' 5 s lock timeout
   * would otherwise end.
   */
  @Test
  void cancellingTheAuditStopsARunningPass() throws Exception {
    AtomicBoolean cancelled = new AtomicBoolean();
    try (Connection locker = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"))) {
      locker.setAutoCommit(false);
      DigestSource real = source("onepass_p", "t", Dialect.HashFlavor.NATIVE);
      DigestSource p =
          beforeOnePass(
              real,
              () -> {
                try (java.sql.Statement st = locker.createStatement()) {
                  st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                }
              });
      DigestSource c = source("onepass_c", "t", Dialect.HashFlavor.NATIVE);
      DigestSource cl = source("onepass_c", "t", Dialect.HashFlavor.NATIVE);
      DigestSource pl = source("onepass_p", "t", Dialect.HashFlavor.NATIVE);
      TableComparator comparator =
          new TableComparator(shapeOfPrimary(), CompareSettings.defaults(), null, cancelled);
      Thread canceller =
          new Thread(
              () -> {
                try {
                  Thread.sleep(300);
                } catch (InterruptedException e) {
                  return;
                }
                cancelled.set(true);
              });
      long t0 = System.nanoTime();
      canceller.start();
      try {
        assertThatThrownBy(
                () ->
                    comparator.compare(
                        p, List.of(new TableComparator.CopyLink("c", c, cl, pl, false))))
            .isInstanceOf(TableComparator.CancelledException.class);
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
      } finally {
        locker.rollback();
        for (DigestSource s : List.of(real, c, cl, pl)) {
          s.close();
        }
      }
    }
  }

  /**
   * An audit cancelled before the pass's statement reaches the database still stops it. Regression
   * (CI of session 25): the watcher sent one cancel, while no statement ran yet, and stopped
   * watching; the pass then ran to its end (here: waited for the lock until the sessions' 5 s lock
   * timeout), and an exclusive lock request it held back waited as long.
   */
  @Test
  void aCancelBeforeThePassStartsStillStopsIt() throws Exception {
    AtomicBoolean cancelled = new AtomicBoolean();
    try (Connection locker = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"))) {
      locker.setAutoCommit(false);
      DigestSource real = source("onepass_p", "t", Dialect.HashFlavor.NATIVE);
      DigestSource p =
          beforeOnePass(
              real,
              () -> {
                try (java.sql.Statement st = locker.createStatement()) {
                  st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                }
                cancelled.set(true);
                Thread.sleep(300); // the watcher's ticks see the cancel before the statement runs
              });
      DigestSource c = source("onepass_c", "t", Dialect.HashFlavor.NATIVE);
      DigestSource cl = source("onepass_c", "t", Dialect.HashFlavor.NATIVE);
      DigestSource pl = source("onepass_p", "t", Dialect.HashFlavor.NATIVE);
      TableComparator comparator =
          new TableComparator(shapeOfPrimary(), CompareSettings.defaults(), null, cancelled);
      long t0 = System.nanoTime();
      try {
        assertThatThrownBy(
                () ->
                    comparator.compare(
                        p, List.of(new TableComparator.CopyLink("c", c, cl, pl, false))))
            .isInstanceOf(TableComparator.CancelledException.class);
        // ~0.4 s; 5.3 s before (the lock timeout)
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
      } finally {
        locker.rollback();
        for (DigestSource s : List.of(real, c, cl, pl)) {
          s.close();
        }
      }
    }
  }

  /**
   * Smallest key -2^63: its table has no one-pass plan (a part's exclusive lower bound would be
   * below bigint) and is compared in chunks; planning it had failed the whole table.
   */
  @Test
  void aTableStartingAtTheSmallestBigintIsComparedInChunks() throws Exception {
    TableShape shape;
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"))) {
      shape = shape(c, "m");
    }
    TableComparator comparator = new TableComparator(shape, CompareSettings.defaults(), null, null);
    assertThat(compare(comparator, "m", Dialect.HashFlavor.NATIVE, false, false))
        .containsExactly("CHANGED -9223372036854775808 [v]");
    assertThat(comparator.onePass()).isFalse();
    assertThat(OnePassPlan.of(Long.MIN_VALUE, Long.MIN_VALUE + 99, 2_000)).isNull();
  }

  private static List<String> compare(
      TableComparator comparator,
      Dialect.HashFlavor flavor,
      boolean primaryFails,
      boolean copyFails)
      throws Exception {
    return compare(comparator, "t", flavor, primaryFails, copyFails);
  }

  private static List<String> compare(
      TableComparator comparator,
      String table,
      Dialect.HashFlavor flavor,
      boolean primaryFails,
      boolean copyFails)
      throws Exception {
    DigestSource p = failingOnePass(source("onepass_p", table, flavor), primaryFails);
    DigestSource c = failingOnePass(source("onepass_c", table, flavor), copyFails);
    DigestSource cl = source("onepass_c", table, flavor);
    DigestSource pl = source("onepass_p", table, flavor);
    try {
      CopyOutcome o =
          comparator
              .compare(p, List.of(new TableComparator.CopyLink("c", c, cl, pl, false)))
              .get(0);
      assertThat(o.error()).isNull();
      return o.findings().stream()
          .map(f -> f.kind() + " " + f.key().get(0) + " " + f.columns())
          .sorted()
          .toList();
    } finally {
      for (DigestSource s : List.of(p, c, cl, pl)) {
        s.close();
      }
    }
  }

  /** The real source, except that its one-pass statement fails as a statement timeout would. */
  private static DigestSource failingOnePass(DigestSource real, boolean fails) {
    if (!fails) {
      return real;
    }
    return beforeOnePass(
        real,
        () -> {
          throw new DatabaseException(
              new java.sql.SQLException("canceling statement due to statement timeout"));
        });
  }

  /** Something done before the real source's one-pass statement (which it may throw instead of). */
  interface Hook {
    void run() throws Exception;
  }

  /**
   * Regression: a primary emptied by its application between the auditor's reads of its smallest
   * and its largest key (a live table) failed the copy with a NullPointerException from the key
   * range planning. The primary is now read up to the smallest key it had: the copy's rows are
   * EXTRA, the audit completes.
   */
  @Test
  void aPrimaryEmptiedWhileItsKeysAreReadIsCompared() throws Exception {
    for (String db : List.of("onepass_p", "onepass_c")) {
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "DROP TABLE IF EXISTS gone",
          "CREATE TABLE gone (id bigint PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO gone SELECT g, g % 7, 'v' || g FROM generate_series(1, 5) g");
    }
    DigestSource real = source("onepass_p", "gone", Dialect.HashFlavor.NATIVE);
    DigestSource p =
        intercepted(
            real,
            java.util.Map.of(
                "lastKey",
                () ->
                    TestDatabases.execute(
                        TestDatabases.pgUrl(PORT, "onepass_p"), "DELETE FROM gone")),
            java.util.Map.of());
    DigestSource c = source("onepass_c", "gone", Dialect.HashFlavor.NATIVE);
    DigestSource cl = source("onepass_c", "gone", Dialect.HashFlavor.NATIVE);
    DigestSource pl = source("onepass_p", "gone", Dialect.HashFlavor.NATIVE);
    TableShape shape;
    try (Connection conn = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"))) {
      shape = shape(conn, "gone");
    }
    TableComparator comparator =
        new TableComparator(shape, CompareSettings.defaults().withOnePassMaxRows(0), null, null);
    try {
      CopyOutcome o =
          comparator
              .compare(p, List.of(new TableComparator.CopyLink("c", c, cl, pl, false)))
              .get(0);
      assertThat(o.error()).isNull();
      assertThat(o.findings().stream().map(f -> f.kind() + " " + f.key().get(0)).sorted())
          .containsExactly("EXTRA 1", "EXTRA 2", "EXTRA 3", "EXTRA 4", "EXTRA 5");
    } finally {
      for (DigestSource s : List.of(real, c, cl, pl)) {
        s.close();
      }
    }
  }

  /**
   * A replica that fell behind after its health check (its waits for the primary's position time
   * out): the rows it differs in are counted in flight, not reported. Before, a wait's timeout was
   * ignored and every row it had not applied yet was reported MISSING, CHANGED or EXTRA. Here the
   * copy's real differences stand in for rows not applied yet; with its waits answered, the same
   * comparison reports them all.
   */
  @Test
  void aReplicaThatFallsBehindDuringTheAuditReportsNoLagAsFindings() throws Exception {
    for (boolean caughtUp : List.of(false, true)) {
      TableComparator comparator =
          new TableComparator(
              shapeOfPrimary(),
              CompareSettings.defaults().withReplicaSync(java.time.Duration.ofMillis(50), 2),
              null,
              null);
      DigestSource p = source("onepass_p", "t", Dialect.HashFlavor.NATIVE);
      DigestSource c = waiting(source("onepass_c", "t", Dialect.HashFlavor.NATIVE), caughtUp);
      DigestSource cl = waiting(source("onepass_c", "t", Dialect.HashFlavor.NATIVE), caughtUp);
      DigestSource pl = source("onepass_p", "t", Dialect.HashFlavor.NATIVE);
      try {
        CopyOutcome o =
            comparator
                .compare(p, List.of(new TableComparator.CopyLink("c", c, cl, pl, true)))
                .get(0);
        assertThat(o.error()).isNull();
        if (caughtUp) {
          assertThat(o.findings()).hasSize(EXPECTED.size());
          assertThat(o.inFlight()).isZero();
        } else {
          assertThat(o.findings()).isEmpty();
          assertThat(o.inFlight()).isEqualTo(EXPECTED.size());
        }
      } finally {
        for (DigestSource s : List.of(p, c, cl, pl)) {
          s.close();
        }
      }
    }
  }

  /**
   * A row whose kind of difference changes between the first read and a re-check (an EXTRA row of
   * the replica's whose key the primary inserts meanwhile, with another value: CHANGED) was removed
   * from the differences without being counted anywhere. It is counted in flight now.
   */
  @Test
  void aRowWhoseKindOfDifferenceChangesDuringTheRecheckIsCountedInFlight() throws Exception {
    for (String db : List.of("kind_p", "kind_c")) {
      TestDatabases.recreatePgDatabase(PORT, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO t SELECT g, g % 10, 'v' || g FROM generate_series(1, 1000) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "kind_c"), "INSERT INTO t VALUES (5000, 5, 'copy')");
    TableShape shape;
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "kind_p"))) {
      shape = shape(c, "t");
    }
    int[] reads = {0};
    Hook insertOnSecondRead =
        () -> {
          if (++reads[0] == 2) {
            TestDatabases.execute(
                TestDatabases.pgUrl(PORT, "kind_p"), "INSERT INTO t VALUES (5000, 5, 'primary')");
          }
        };
    DigestSource p = source("kind_p", "t", Dialect.HashFlavor.NATIVE);
    DigestSource c = waiting(source("kind_c", "t", Dialect.HashFlavor.NATIVE), true);
    DigestSource cl = waiting(source("kind_c", "t", Dialect.HashFlavor.NATIVE), true);
    DigestSource pl =
        intercepted(
            source("kind_p", "t", Dialect.HashFlavor.NATIVE),
            java.util.Map.of("rowHashes", insertOnSecondRead),
            java.util.Map.of());
    try {
      CopyOutcome o =
          new TableComparator(shape, CompareSettings.defaults(), null, null)
              .compare(p, List.of(new TableComparator.CopyLink("c", c, cl, pl, true)))
              .get(0);
      assertThat(reads[0]).as("the primary's rows were read again").isGreaterThanOrEqualTo(2);
      assertThat(o.findings()).isEmpty();
      assertThat(o.inFlight()).isEqualTo(1);
    } finally {
      for (DigestSource s : List.of(p, c, cl, pl)) {
        s.close();
      }
    }
  }

  /** A copy that replicates, whose waits for a replication position answer {@code reached}. */
  private static DigestSource waiting(DigestSource real, boolean reached) {
    return intercepted(
        real,
        java.util.Map.of(),
        java.util.Map.of("awaitPosition", reached, "followsReplication", true));
  }

  private static DigestSource beforeOnePass(DigestSource real, Hook hook) {
    return intercepted(real, java.util.Map.of("onePassDigests", hook), java.util.Map.of());
  }

  /**
   * {@code real}, but for the methods named in {@code before} (their hook runs first, and may throw
   * instead) and in {@code answers} (which answer that value instead of calling {@code real}).
   */
  private static DigestSource intercepted(
      DigestSource real,
      java.util.Map<String, Hook> before,
      java.util.Map<String, Object> answers) {
    return (DigestSource)
        Proxy.newProxyInstance(
            DigestSource.class.getClassLoader(),
            new Class<?>[] {DigestSource.class},
            (proxy, method, args) -> {
              if (answers.containsKey(method.getName())) {
                return answers.get(method.getName());
              }
              Hook hook = before.get(method.getName());
              if (hook != null) {
                hook.run();
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static TableShape shapeOfPrimary() throws Exception {
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(PORT, "onepass_p"))) {
      return shape(c, "t");
    }
  }
}
