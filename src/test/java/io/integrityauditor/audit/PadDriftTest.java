package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A {@code CHAR(n)} column against text of another kind on the copy within one engine, the copy
 * holding the values with trailing spaces (a subscriber or an ETL copy receiving PostgreSQL's
 * padded output of a char(10) into a varchar). Regression (review 2 of session 25): every row was
 * CHANGED on the CANONICAL path, where the cross-engine comparison drops the spaces on both sides.
 * Now compared without trailing spaces on both sides; another difference is still found and named.
 */
class PadDriftTest {
  @Test
  void postgresCharAgainstVarcharHoldingItsPaddedOutput() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "tpad_p");
    TestDatabases.recreatePgDatabase(port, "tpad_c");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tpad_p"),
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, c char(10), v text)",
        "INSERT INTO t SELECT g, g % 7, CASE WHEN g % 9 = 0 THEN NULL ELSE 'c' || g END, 'v' || g"
            + " FROM generate_series(1, 300) g");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tpad_c"),
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, c varchar(20), v text)",
        // the char's output, padded to 10
        "INSERT INTO t SELECT g, g % 7, CASE WHEN g % 9 = 0 THEN NULL ELSE rpad('c' || g, 10) END,"
            + " 'v' || g FROM generate_series(1, 300) g",
        "UPDATE t SET c = 'c5' WHERE id = 5");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tpad_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "tpad_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tpad_c"),
        "UPDATE t SET c = ' c10' WHERE id = 10",
        "UPDATE t SET v = 'changed' WHERE id = 11");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 10", "CHANGED 11");
    assertThat(AuditFixture.columnsNamed(r, "public.t", "c", "10")).isEqualTo("[c]");
    assertThat(AuditFixture.columnsNamed(r, "public.t", "c", "11")).isEqualTo("[v]");
  }

  @Test
  void mariaDbCharAgainstVarcharWithTrailingSpaces() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    String[] types = {"CHAR(10)", "VARCHAR(20)"};
    String[] dbs = {"tpad_mp", "tpad_mc"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreateMariaDatabase(port, dbs[i]);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, dbs[i]));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, c " + types[i] + ", v TEXT)");
        s.execute(
            "INSERT INTO t SELECT seq, seq % 7, RPAD(CONCAT('c', seq), 10, ' '),"
                + " CONCAT('v', seq) FROM seq_1_to_300");
      }
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "tpad_mp"))
            .replica("c", TestDatabases.mariaEndpoint(port, "tpad_mc"))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();

    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, "tpad_mc"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE t SET c = 'c10x' WHERE id = 10");
    }
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 10");
    assertThat(AuditFixture.columnsNamed(r, "t", "c", "10")).isEqualTo("[c]");
  }
}
