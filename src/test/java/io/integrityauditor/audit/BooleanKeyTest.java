package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Boolean key columns. Regression: a PostgreSQL {@code boolean} key column was read as the text 1
 * or 0 and MariaDB's {@code BOOLEAN} (a {@code TINYINT(1)}) as the number 1 or 0, so against a
 * MariaDB copy holding the same 1,000 rows (key {@code (id, flag)}) with one row changed, all 1,000
 * rows were MISSING and all 1,000 EXTRA. A boolean key is now the number 1 or 0 on every path, and
 * is bound back as a boolean where the column is one.
 */
class BooleanKeyTest {
  private static final List<String> PG =
      List.of(
          "CREATE TABLE t (id int NOT NULL, flag boolean NOT NULL, owner int NOT NULL, v text,"
              + " PRIMARY KEY (id, flag))",
          "INSERT INTO t SELECT g / 2, g % 2 = 1, g % 7, 'v' || g FROM generate_series(0, 2999) g");

  private static final List<String> MARIA =
      List.of(
          "CREATE TABLE t (id int NOT NULL, flag boolean NOT NULL, owner int NOT NULL, v text,"
              + " PRIMARY KEY (id, flag))",
          "INSERT INTO t SELECT seq DIV 2, seq % 2, seq % 7, CONCAT('v', seq) FROM seq_0_to_2999");

  private static final List<String> PLANTED_PG =
      List.of(
          "UPDATE t SET v = 'changed' WHERE id = 7 AND flag",
          "DELETE FROM t WHERE id = 700 AND NOT flag",
          "INSERT INTO t VALUES (5000, true, 1, 'extra')");

  private static final List<String> PLANTED_MARIA =
      List.of(
          "UPDATE t SET v = 'changed' WHERE id = 7 AND flag = 1",
          "DELETE FROM t WHERE id = 700 AND flag = 0",
          "INSERT INTO t VALUES (5000, 1, 1, 'extra')");

  private static final List<String> EXPECTED =
      List.of("CHANGED 7|1", "MISSING 700|0", "EXTRA 5000|1");

  @Test
  void postgresBooleanKeyAgainstMariaDbBoolean() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy("xbool", PG, concat(MARIA, PLANTED_MARIA));
    for (CompareSettings s : List.of(CompareSettings.defaults(), AuditFixture.TINY_CHUNKS)) {
      AuditReport r = f.run(s);
      assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
      assertThat(AuditFixture.findings(r, "t", "c")).containsExactlyInAnyOrderElementsOf(EXPECTED);
    }
  }

  @Test
  void identicalRowsAreConsistentAcrossEngines() throws Exception {
    AuditFixture f = AuditFixture.postgresPrimaryMariaDbCopy("xbooleq", PG, MARIA);
    AuditReport r = f.run(AuditFixture.TINY_CHUNKS);
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();
    assertThat(AuditFixture.copy(r, "t", "c").status()).isEqualTo(AuditReport.Status.CONSISTENT);
  }

  @Test
  void postgresBooleanKeysOnBothSides() throws Exception {
    // hashed in SQL on both sides: the keys of differing chunks are bound back as booleans
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "pgbool_p");
    TestDatabases.recreatePgDatabase(port, "pgbool_c");
    TestDatabases.execute(TestDatabases.pgUrl(port, "pgbool_p"), PG.toArray(String[]::new));
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "pgbool_c"), concat(PG, PLANTED_PG).toArray(String[]::new));
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "pgbool_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "pgbool_c"))
            .table("t", "owner");
    for (CompareSettings s : List.of(CompareSettings.defaults(), AuditFixture.TINY_CHUNKS)) {
      AuditReport r = f.run(s);
      assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
      assertThat(AuditFixture.findings(r, "t", "c")).containsExactlyInAnyOrderElementsOf(EXPECTED);
    }
  }

  /**
   * A MariaDB {@code TINYINT(1)} (its driver calls it a boolean) may hold any small number: such a
   * key is a number in the report whatever it holds. Regression (review 2 of session 26): 1 and 0
   * were numbers and 2 the text "2" in the same key column.
   */
  @Test
  void aMariaDbTinyint1KeyIsANumberWhateverItHolds() throws Exception {
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    for (String db : new String[] {"mytiny_p", "mytiny_c"}) {
      TestDatabases.recreateMariaDatabase(my, db);
      try (java.sql.Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, db));
          java.sql.Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (k tinyint(1) PRIMARY KEY, owner int NOT NULL, v int)");
        s.execute("INSERT INTO t VALUES (-1, 1, 0), (0, 2, 0), (1, 3, 0), (2, 4, 0), (3, 5, 0)");
        if (db.endsWith("_c")) {
          s.execute("DELETE FROM t WHERE k IN (2, -1)");
          s.execute("UPDATE t SET v = 1 WHERE k IN (1, 3)");
          s.execute("INSERT INTO t VALUES (4, 6, 0)");
        }
      }
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(my, "mytiny_p"))
            .replica("c", TestDatabases.mariaEndpoint(my, "mytiny_c"))
            .table("t", "owner")
            .run(AuditFixture.TINY_CHUNKS);
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("MISSING -1", "CHANGED 1", "MISSING 2", "CHANGED 3", "EXTRA 4");
    for (AuditReport.FindingReport f : AuditFixture.copy(r, "t", "c").findings()) {
      assertThat(f.key().get("k")).as(f.toString()).isInstanceOf(Long.class);
    }
  }

  @Test
  void mariaDbPrimaryAgainstPostgresAndH2Copies() throws Exception {
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreateMariaDatabase(my, "mybool_p");
    try (java.sql.Connection c =
            TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, "mybool_p"));
        java.sql.Statement s = c.createStatement()) {
      for (String sql : MARIA) {
        s.execute(sql);
      }
    }
    int pg = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "mybool_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(pg, "mybool_c"), concat(PG, PLANTED_PG).toArray(String[]::new));
    String h2 = "jdbc:h2:mem:mybool_h;DB_CLOSE_DELAY=-1";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(h2, "sa", "");
        java.sql.Statement s = c.createStatement()) {
      s.execute("DROP ALL OBJECTS");
      s.execute(
          "CREATE TABLE t (id int NOT NULL, flag boolean NOT NULL, owner int NOT NULL, v"
              + " varchar(100), PRIMARY KEY (id, flag))");
      s.execute(
          "INSERT INTO t SELECT x / 2, MOD(x, 2) = 1, MOD(x, 7), 'v' || x FROM SYSTEM_RANGE(0,"
              + " 2999)");
      s.execute("UPDATE t SET v = 'changed' WHERE id = 7 AND flag");
      s.execute("DELETE FROM t WHERE id = 700 AND NOT flag");
      s.execute("INSERT INTO t VALUES (5000, true, 1, 'extra')");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(my, "mybool_p"))
            .replica("c", TestDatabases.pgEndpoint(pg, "mybool_c"))
            .replica(
                "h",
                new io.integrityauditor.config.EndpointConfig(h2, "sa", "", java.util.Map.of()))
            .table("t", "owner");
    for (CompareSettings s : List.of(CompareSettings.defaults(), AuditFixture.TINY_CHUNKS)) {
      AuditReport r = f.run(s);
      for (String copy : List.of("c", "h")) {
        assertThat(AuditFixture.copy(r, "t", copy).error()).isNull();
        assertThat(AuditFixture.findings(r, "t", copy))
            .containsExactlyInAnyOrderElementsOf(EXPECTED);
      }
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
