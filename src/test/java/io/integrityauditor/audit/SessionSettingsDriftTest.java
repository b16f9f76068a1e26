package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: a copy whose server (or database) has other session defaults than the primary's
 * rendered some values differently, and every row holding one was reported CHANGED. PostgreSQL
 * prints {@code money} in {@code lc_monetary}'s format ({@code $1,234.50} against {@code 1.234,50
 * €}); MariaDB's {@code PAD_CHAR_TO_FULL_LENGTH} sql_mode returns {@code CHAR(n)} values padded.
 * The auditor's sessions now pin both, so identical rows are consistent and a real difference is
 * still found. The drift is real in each test: checked on a plain session first.
 */
class SessionSettingsDriftTest {
  private static String one(String url, String sql) throws Exception {
    try (Connection c = TestDatabases.admin(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void postgresMoneyUnderAnotherLcMonetaryIsNotADifference() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"money_p", "money_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, price money, note text)",
          "INSERT INTO t SELECT g, g % 7, CAST(g * 1.25 AS numeric)::money, 'n' || g"
              + " FROM generate_series(1, 1000) g");
    }
    // The copy's database renders money the German way (the locale comes from
    // scripts/install-deps.sh; the cluster must have started after it was generated).
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "postgres"),
        "ALTER DATABASE money_c SET lc_monetary = 'de_DE.UTF-8'");
    String sql = "SELECT CAST(price AS text) FROM t WHERE id = 1000";
    assertThat(one(TestDatabases.pgUrl(port, "money_p"), sql)).isEqualTo("$1,250.00");
    assertThat(one(TestDatabases.pgUrl(port, "money_c"), sql)).isEqualTo("1.250,00 €");

    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "money_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "money_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "money_c"), "UPDATE t SET price = price + '0.01' WHERE id = 700");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c")).containsExactly("CHANGED 700");
  }

  @Test
  void mariaDbPaddedCharModeIsNotADifference() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    for (String db : new String[] {"padchar_p", "padchar_c"}) {
      TestDatabases.recreateMariaDatabase(port, db);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, db));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, code char(8),"
                + " v varchar(20))");
        s.execute(
            "INSERT INTO t SELECT seq, seq % 7, CONCAT('c', seq), CONCAT('v', seq)"
                + " FROM seq_1_to_1000");
      }
    }
    // The copy's sessions start with PAD_CHAR_TO_FULL_LENGTH, as on a server configured so.
    String padded =
        TestDatabases.mariaUrl(port, "padchar_c")
            + "?sessionVariables=sql_mode='PAD_CHAR_TO_FULL_LENGTH'";
    String sql = "SELECT CONCAT('[', code, ']') FROM t WHERE id = 1";
    assertThat(one(TestDatabases.mariaUrl(port, "padchar_p"), sql)).isEqualTo("[c1]");
    assertThat(one(padded, sql)).isEqualTo("[c1      ]");

    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "padchar_p"))
            .replica("c", new EndpointConfig(padded, "root", "", Map.of()))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, "padchar_c"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE t SET code = 'c700 ' WHERE id = 700");
      s.execute("UPDATE t SET code = 'C701' WHERE id = 701");
    }
    r = f.run(CompareSettings.defaults());
    // 'c700 ' is stored as 'c700' in CHAR(8) (trailing spaces are not kept): no difference.
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 701");
  }
}
