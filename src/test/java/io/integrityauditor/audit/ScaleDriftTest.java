package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A decimal column declared with another scale on the copy than on the primary holds the same
 * numbers printed otherwise (1.37 against 1.3700). Regression (review 2 of session 25): every row
 * was CHANGED — numeric(10,2) against numeric(12,4) on PostgreSQL (CANONICAL), DECIMAL(10,2)
 * against DECIMAL(12,4) on MariaDB (NATIVE: the driver's type name said DECIMAL for both), and
 * numeric(12,4) against a MariaDB DECIMAL(14,6) (JVM) — and a decimal key was named as the changed
 * column of every row. Such columns are now compared as their numbers without trailing fractional
 * zeros on both sides; a difference in the last decimal either side holds is still found and named.
 */
class ScaleDriftTest {
  private static final String ROWS = "generate_series(1, 300) g";

  @Test
  void postgresNumericOfAnotherScale() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[][] types = {
      {"numeric(10,2)", "numeric(10,2)", "numeric"},
      {"numeric(12,4)", "numeric(12,4)", "numeric(10,3)"}
    };
    String[] dbs = {"tscale_p", "tscale_c"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(port, dbs[i]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, dbs[i]),
          "CREATE TABLE t (k "
              + types[i][0]
              + " PRIMARY KEY, owner int NOT NULL, amount "
              + types[i][1]
              + ", ratio "
              + types[i][2]
              + ")",
          // ratio: 0.5 (scale 1) on the unconstrained primary, 0.500 on the copy
          "INSERT INTO t SELECT g + 0.25, g % 7, CASE WHEN g % 10 = 0 THEN NULL ELSE g * 1.1 END,"
              + " CAST(g * 5 AS numeric(10, 0)) / CAST(10 AS numeric(10, 0)) FROM "
              + ROWS);
    }
    // the unconstrained primary's ratio really has another scale than the copy's
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(port, "tscale_p"));
        var rs =
            c.createStatement().executeQuery("SELECT CAST(ratio AS text) FROM t WHERE k = 1.25")) {
      rs.next();
      assertThat(rs.getString(1)).isNotEqualTo("0.500");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tscale_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "tscale_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tscale_c"),
        "UPDATE t SET amount = amount + 0.0001 WHERE k = 11.25",
        "UPDATE t SET ratio = ratio + 0.001 WHERE k = 12.25",
        "DELETE FROM t WHERE k = 13.25");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 11.25", "CHANGED 12.25", "MISSING 13.25");
    assertThat(AuditFixture.columnsNamed(r, "public.t", "c", "11.25")).isEqualTo("[amount]");
    assertThat(AuditFixture.columnsNamed(r, "public.t", "c", "12.25")).isEqualTo("[ratio]");
  }

  @Test
  void mariaDbDecimalOfAnotherScale() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    String[][] types = {{"DECIMAL(10,2)", "DECIMAL(10,2)"}, {"DECIMAL(12,4)", "DECIMAL(14,6)"}};
    String[] dbs = {"tscale_mp", "tscale_mc"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreateMariaDatabase(port, dbs[i]);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, dbs[i]));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE t (k "
                + types[i][0]
                + " PRIMARY KEY, owner int NOT NULL, amount "
                + types[i][1]
                + ")");
        s.execute(
            "INSERT INTO t SELECT seq + 0.25, seq % 7, IF(seq % 10 = 0, NULL, seq * 1.1)"
                + " FROM seq_1_to_300");
      }
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "tscale_mp"))
            .replica("c", TestDatabases.mariaEndpoint(port, "tscale_mc"))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();

    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, "tscale_mc"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE t SET amount = amount + 0.000001 WHERE k = 11.25");
      s.execute("DELETE FROM t WHERE k = 13.25");
    }
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 11.25", "MISSING 13.25");
    assertThat(AuditFixture.columnsNamed(r, "t", "c", "11.25")).isEqualTo("[amount]");
  }

  @Test
  void postgresNumericAgainstAMariaDbDecimalOfAnotherScale() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "tscale_x",
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, amount numeric(12,4))",
                "INSERT INTO t SELECT g, g % 7, g * 1.37 FROM generate_series(1, 300) g"),
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, amount DECIMAL(14,6))",
                "INSERT INTO t SELECT seq, seq % 7, seq * 1.37 FROM seq_1_to_300",
                "UPDATE t SET amount = amount + 0.000001 WHERE id = 5"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("JVM");
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 5");
    assertThat(AuditFixture.columnsNamed(r, "t", "c", "5")).isEqualTo("[amount]");
  }

  /**
   * A decimal owner declared with another scale on the copy prints one user alike whichever side
   * the row came from. Regression (review 4 of session 25): an EXTRA row's owner printed as the
   * copy's text (2.0000) where the primary's rows printed 2.00.
   */
  @Test
  void aDecimalOwnerPrintsOneUserAlike() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[] types = {"numeric(10,2)", "numeric(12,4)"};
    String[] dbs = {"tscale_op", "tscale_oc"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(port, dbs[i]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, dbs[i]),
          "CREATE TABLE t (id int PRIMARY KEY, owner " + types[i] + " NOT NULL, v text)",
          "INSERT INTO t SELECT g, g % 4, 'v' || g FROM generate_series(1, 100) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tscale_oc"),
        "DELETE FROM t WHERE id = 2",
        "INSERT INTO t VALUES (1002, 2, 'extra')");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tscale_op"))
            .replica("c", TestDatabases.pgEndpoint(port, "tscale_oc"))
            .table("public.t", "owner")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("MISSING 2", "EXTRA 1002");
    assertThat(
            AuditFixture.copy(r, "public.t", "c").findings().stream()
                .map(AuditReport.FindingReport::owner)
                .toList())
        .containsOnly("2");
    assertThat(r.usersAtRiskSample()).containsExactly("2");
  }
}
