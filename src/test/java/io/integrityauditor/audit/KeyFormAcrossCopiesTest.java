package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One key, one form, on every copy: a PostgreSQL copy hashed in SQL and a MariaDB copy hashed in
 * the JVM report a lost row under the same key, so the row's user is at risk when both lost it.
 * Regression (review 2 of session 20): a bytea key printed {@code \x20} on the PostgreSQL copy and
 * {@code 20} on the MariaDB one, a real key {@code 1.0000002} and {@code 1.000000238418579}; users
 * at risk 0 where 3 and 2 were.
 */
class KeyFormAcrossCopiesTest {
  private static AuditReport audit(
      String name, String pgType, String myType, String[] primary, String[] pgCopy, String[] myCopy)
      throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, name + "_p");
    TestDatabases.recreatePgDatabase(pg, name + "_c");
    TestDatabases.recreateMariaDatabase(my, name + "_m");
    String table = "CREATE TABLE t (k %s PRIMARY KEY, owner int NOT NULL, v varchar(20))";
    TestDatabases.execute(TestDatabases.pgUrl(pg, name + "_p"), String.format(table, pgType));
    TestDatabases.execute(TestDatabases.pgUrl(pg, name + "_p"), primary);
    TestDatabases.execute(TestDatabases.pgUrl(pg, name + "_c"), String.format(table, pgType));
    TestDatabases.execute(TestDatabases.pgUrl(pg, name + "_c"), pgCopy);
    try (java.sql.Connection c =
            TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, name + "_m"));
        java.sql.Statement s = c.createStatement()) {
      s.execute(String.format(table, myType));
      for (String sql : myCopy) {
        s.execute(sql);
      }
    }
    return new AuditFixture()
        .primary("p", TestDatabases.pgEndpoint(pg, name + "_p"))
        .replica("c", TestDatabases.pgEndpoint(pg, name + "_c"))
        .replica("m", TestDatabases.mariaEndpoint(my, name + "_m"))
        .table("t", "owner")
        .run(CompareSettings.defaults());
  }

  @Test
  void byteaKeys() throws Exception {
    AuditReport r =
        audit(
            "kfbytea",
            "bytea",
            "varbinary(16)",
            new String[] {
              "INSERT INTO t VALUES ('\\x', 1, 'a'), ('\\x20', 2, 'b'), ('\\xff', 3, 'c'),"
                  + " ('\\x61', 4, 'd')"
            },
            new String[] {"INSERT INTO t VALUES ('\\xff', 3, 'C'), ('\\x61', 4, 'd')"},
            new String[] {"INSERT INTO t VALUES (x'ff', 3, 'C'), (x'61', 4, 'd')"});
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactly("CHANGED ff", "MISSING ", "MISSING 20");
    assertThat(AuditFixture.findings(r, "t", "m"))
        .containsExactly("CHANGED ff", "MISSING ", "MISSING 20");
    assertThat(r.usersAtRisk()).isEqualTo(3);
  }

  @Test
  void realAndDoubleKeys() throws Exception {
    AuditReport real =
        audit(
            "kfreal",
            "real",
            "float",
            new String[] {"INSERT INTO t VALUES (0.1, 1, 'a'), (1.0000002, 2, 'b'), (3, 3, 'c')"},
            new String[] {"INSERT INTO t VALUES (0.1, 1, 'CHANGED'), (3, 3, 'c')"},
            new String[] {"INSERT INTO t VALUES (0.1, 1, 'CHANGED'), (3, 3, 'c')"});
    assertThat(AuditFixture.findings(real, "t", "c"))
        .containsExactly("CHANGED 0.10000000149011612", "MISSING 1.000000238418579");
    assertThat(AuditFixture.findings(real, "t", "m"))
        .containsExactly("CHANGED 0.10000000149011612", "MISSING 1.000000238418579");
    assertThat(real.usersAtRisk()).isEqualTo(2);
    for (String copy : List.of("c", "m")) {
      assertThat(
              AuditFixture.copy(real, "t", copy).findings().stream()
                  .filter(f -> f.kind().equals("CHANGED"))
                  .map(AuditReport.FindingReport::columns)
                  .toList())
          .as(copy)
          .containsExactly(List.of("v"));
    }

    AuditReport dbl =
        audit(
            "kfdouble",
            "double precision",
            "double",
            new String[] {
              "INSERT INTO t VALUES (0.0001, 1, 'a'), (12345678.5, 2, 'b'), (3, 3, 'c')"
            },
            new String[] {"INSERT INTO t VALUES (0.0001, 1, 'CHANGED'), (3, 3, 'c')"},
            new String[] {"INSERT INTO t VALUES (0.0001, 1, 'CHANGED'), (3, 3, 'c')"});
    assertThat(AuditFixture.findings(dbl, "t", "c"))
        .isEqualTo(AuditFixture.findings(dbl, "t", "m"))
        .hasSize(2);
    assertThat(dbl.usersAtRisk()).isEqualTo(2);
  }

  /**
   * Regression (review 2 of session 20): a PostgreSQL enum key against a MariaDB ENUM copy failed
   * the copy once a row differed: the key was bound as a varchar ("operator does not exist: color
   * >= character varying").
   */
  @Test
  void enumKeysAcrossEngines() throws Exception {
    AuditReport.CopyReport c =
        AuditFixture.copy(
            AuditFixture.postgresPrimaryMariaDbCopy(
                    "kfenum",
                    List.of(
                        "CREATE TYPE color AS ENUM ('red', 'green', 'blue')",
                        "CREATE TABLE t (k color PRIMARY KEY, owner int NOT NULL, v text)",
                        "INSERT INTO t VALUES ('red', 1, 'x'), ('green', 2, 'x'), ('blue', 3, 'x')"),
                    List.of(
                        "CREATE TABLE t (k enum('red', 'green', 'blue') PRIMARY KEY, owner int NOT"
                            + " NULL, v varchar(9))",
                        "INSERT INTO t VALUES ('red', 1, 'x'), ('blue', 3, 'CHANGED')"))
                .run(AuditFixture.TINY_CHUNKS),
            "t",
            "c");
    assertThat(c.error()).isNull();
    assertThat(c.findings())
        .extracting(f -> f.kind() + " " + f.key().get("k") + " " + f.columns())
        .containsExactlyInAnyOrder("CHANGED blue [v]", "MISSING green []");
  }

  /**
   * Regression (review 2 of session 20): a uuid key against a MariaDB BINARY(16) copy holding the
   * same rows reported every row MISSING and EXTRA, every owner at risk. The copy now fails the
   * table, naming the column and both types.
   */
  @Test
  void aUuidKeyAgainstBinaryIsRefused() throws Exception {
    AuditReport r =
        AuditFixture.postgresPrimaryMariaDbCopy(
                "kfuuid",
                List.of(
                    "CREATE TABLE t (k uuid PRIMARY KEY, owner int NOT NULL, v text)",
                    "INSERT INTO t VALUES ('00000000-0000-0000-0000-000000000001', 1, 'x'),"
                        + " ('00000000-0000-0000-0000-000000000002', 2, 'x')"),
                List.of(
                    "CREATE TABLE t (k binary(16) PRIMARY KEY, owner int NOT NULL, v varchar(9))",
                    "INSERT INTO t VALUES (UNHEX('00000000000000000000000000000001'), 1, 'x'),"
                        + " (UNHEX('00000000000000000000000000000002'), 2, 'x')"))
            .run(CompareSettings.defaults());
    AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
    assertThat(c.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(c.error())
        .contains(
            "key column k is uuid on the primary and BINARY on this copy: bytes and a value of"
                + " another type are never the same key");
    assertThat(c.findings()).isEmpty();
  }

  /**
   * Regression (review 5 of session 20): a MariaDB DOUBLE key read 5, 0.0001 and 1e300 on a MariaDB
   * copy hashed in SQL and 5.0, 1.0E-4 and 1.0E300 on a PostgreSQL copy hashed in the JVM: of 4
   * users whose rows both copies lost, 1 was at risk.
   */
  @Test
  void mariaDbDoubleKeys() throws Exception {
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    int pg = TestDatabases.PG_PRIMARY_PORT;
    String table = "CREATE TABLE t (k double PRIMARY KEY, owner int NOT NULL, v varchar(20))";
    String rows =
        "INSERT INTO t VALUES (5, 1, 'a'), (0.0001, 2, 'b'), (1e300, 3, 'c'), (2.5, 4, 'd'), (7, 5, 'e')";
    for (String db : List.of("kfmyd_p", "kfmyd_c")) {
      TestDatabases.recreateMariaDatabase(my, db);
      try (java.sql.Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, db));
          java.sql.Statement s = c.createStatement()) {
        s.execute(table);
        s.execute(db.endsWith("_p") ? rows : "INSERT INTO t VALUES (7, 5, 'e')");
      }
    }
    TestDatabases.recreatePgDatabase(pg, "kfmyd_g");
    TestDatabases.execute(
        TestDatabases.pgUrl(pg, "kfmyd_g"),
        "CREATE TABLE t (k double precision PRIMARY KEY, owner int NOT NULL, v varchar(20))",
        "INSERT INTO t VALUES (7, 5, 'e')");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(my, "kfmyd_p"))
            .replica("c", TestDatabases.mariaEndpoint(my, "kfmyd_c"))
            .replica("g", TestDatabases.pgEndpoint(pg, "kfmyd_g"))
            .table("t", "owner")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c"))
        .isEqualTo(AuditFixture.findings(r, "t", "g"))
        .hasSize(4);
    assertThat(r.usersAtRisk()).isEqualTo(4);
  }
}
