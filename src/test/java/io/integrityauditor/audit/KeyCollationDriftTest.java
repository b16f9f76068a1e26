package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Regression: a text key sorted by another collation on the copy than on the primary ("C" against
 * ICU on PostgreSQL, utf8mb4_bin against utf8mb4_general_ci on MariaDB). The primary's chunk bounds
 * are not in order under the copy's collation, so the copy's key ranges overlapped and left gaps:
 * rows were never read or read twice, and 30,000 identical rows with mixed-case keys gave thousands
 * of false MISSING and EXTRA rows. Such a copy is now compared as one range (one read per side) and
 * located by matching keys in memory; beyond that many rows it fails with an error saying why.
 */
class KeyCollationDriftTest {
  static final int ROWS = 30_000;

  /** Mixed-case hex keys: "C" puts every upper-case key first, ICU and *_ci interleave them. */
  private static void pg(String db, String collation) throws Exception {
    TestDatabases.recreatePgDatabase(TestDatabases.PG_PRIMARY_PORT, db);
    TestDatabases.execute(
        TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, db),
        "CREATE TABLE t (k text COLLATE \""
            + collation
            + "\" PRIMARY KEY, owner int NOT NULL,"
            + " v text)",
        "INSERT INTO t SELECT CASE WHEN g % 2 = 0 THEN upper(md5(g::text)) ELSE md5(g::text) END,"
            + " g % 7, 'v' || g FROM generate_series(1, "
            + ROWS
            + ") g");
  }

  @Test
  void postgresTextKeyUnderAnotherCollationIsComparedExactly() throws Exception {
    pg("keycoll_p", "C");
    pg("keycoll_c", "und-x-icu");
    int port = TestDatabases.PG_PRIMARY_PORT;
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "keycoll_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "keycoll_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(ROWS);

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "keycoll_c"),
        "UPDATE t SET v = 'changed' WHERE k = md5('777')",
        "DELETE FROM t WHERE k = upper(md5('4242'))",
        "INSERT INTO t VALUES ('Zz-extra', 3, 'x')");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder(
            "CHANGED " + md5("777"),
            "MISSING " + md5("4242").toUpperCase(java.util.Locale.ROOT),
            "EXTRA Zz-extra");

    // Above the rows matched in memory: the copy fails, saying why, rather than guessing.
    CompareSettings d = CompareSettings.defaults();
    CompareSettings small =
        new CompareSettings(
            d.chunkTarget(),
            d.initialChunkRows(),
            d.minChunkRows(),
            d.maxChunkRows(),
            d.leafRows(),
            d.fanout(),
            d.findingsCap(),
            10_000,
            d.lostRowsCap(),
            d.replicaWait(),
            d.recheckAttempts());
    r = f.run(small);
    AuditReport.CopyReport copy = AuditFixture.copy(r, "public.t", "c");
    assertThat(copy.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(copy.error()).contains("sorts the key differently").contains("collation");
  }

  @Test
  void mariaDbTextKeyUnderAnotherCollationIsComparedExactly() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    String[] colls = {"utf8mb4_bin", "utf8mb4_general_ci"};
    String[] dbs = {"keycoll_p", "keycoll_c"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreateMariaDatabase(port, dbs[i]);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, dbs[i]));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE t (k varchar(40) CHARACTER SET utf8mb4 COLLATE "
                + colls[i]
                + " PRIMARY KEY, owner int NOT NULL, v varchar(20))");
        s.execute(
            "INSERT INTO t SELECT IF(seq % 2 = 0, UPPER(MD5(seq)), MD5(seq)), seq % 7,"
                + " CONCAT('v', seq) FROM seq_1_to_"
                + ROWS);
      }
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "keycoll_p"))
            .replica("c", TestDatabases.mariaEndpoint(port, "keycoll_c"))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(ROWS);

    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, "keycoll_c"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE t SET v = 'changed' WHERE k = MD5(777)");
      s.execute("DELETE FROM t WHERE k = UPPER(MD5(4242))");
    }
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder(
            "CHANGED " + md5("777"), "MISSING " + md5("4242").toUpperCase(java.util.Locale.ROOT));
  }

  static String md5(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("MD5")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
