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
 * Regression: a copy whose server (or database) has other session defaults, or another server
 * encoding, than the primary's rendered or hashed some values differently, and every row holding
 * one was reported CHANGED. PostgreSQL prints {@code money} in {@code lc_monetary}'s format ({@code
 * $1,234.50} against {@code 1.234,50 €}); MariaDB's {@code PAD_CHAR_TO_FULL_LENGTH} sql_mode
 * returns {@code CHAR(n)} values padded. The auditor's sessions now pin both, so identical rows are
 * consistent and a real difference is still found. The drift is real in each test: checked on a
 * plain session first.
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

  /**
   * Regression: {@code regclass}, {@code regtype} and {@code regprocedure} print relative to the
   * session's {@code search_path} ({@code s1.t} where {@code s1} is not on it, {@code t} where it
   * is), so a copy whose auditor role has another path reported every such row CHANGED, under the
   * NATIVE hash, the CANONICAL one (the copy's note column a varchar) and in the JVM (a LATIN1
   * copy). They are now hashed and shown as the object's qualified identity; a reference to another
   * object is still found. The same for an array of them ({@code regclass[]}: every row CHANGED
   * before), whose bounds, dimensions and NULL elements still count.
   */
  @Test
  void postgresObjectIdentifiersUnderAnotherSearchPathAreNotADifference() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"regp", "regc", "regc2", "regc3"}) {
      if (db.equals("regc3")) {
        // another server encoding: compared in the JVM
        try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(port, "postgres"));
            Statement s = c.createStatement()) {
          s.execute("DROP DATABASE IF EXISTS regc3 WITH (FORCE)");
          s.execute(
              "CREATE DATABASE regc3 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
                  + " TEMPLATE template0");
        }
      } else {
        TestDatabases.recreatePgDatabase(port, db);
      }
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE SCHEMA s1",
          "CREATE TABLE s1.a (x int)",
          "CREATE TABLE s1.b (x int)",
          "CREATE TYPE s1.mood AS ENUM ('ok')",
          "CREATE FUNCTION s1.f(s1.mood) RETURNS int LANGUAGE sql AS 'SELECT 1'",
          "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, r regclass, ty regtype,"
              + " fn regprocedure, rs regclass[], note "
              + (db.equals("regc2") ? "varchar(20)" : "text")
              + ")",
          "INSERT INTO t SELECT g, g % 7, CAST('s1.a' AS regclass), CAST('s1.mood[]' AS regtype),"
              + " CAST('s1.f(s1.mood)' AS regprocedure),"
              + " CAST('{s1.a,NULL,s1.b,pg_class}' AS regclass[]), 'n' || g"
              + " FROM generate_series(1, 300) g",
          "UPDATE t SET r = NULL, ty = NULL, fn = NULL, rs = NULL WHERE id = 5",
          "UPDATE t SET rs = '{}' WHERE id = 6",
          "UPDATE t SET rs = CAST('[0:1]={s1.a,s1.b}' AS regclass[]) WHERE id = 7",
          "UPDATE t SET rs = CAST('{{s1.a},{s1.b}}' AS regclass[]) WHERE id = 8");
    }
    for (String db : new String[] {"regc", "regc2", "regc3"}) {
      TestDatabases.execute(
          TestDatabases.pgUrl(port, "postgres"),
          "ALTER DATABASE " + db + " SET search_path = s1, public");
    }
    String sql =
        "SELECT CAST(r AS text) || ' ' || CAST(fn AS text) || ' ' || CAST(rs AS text)"
            + " FROM t WHERE id = 1";
    assertThat(one(TestDatabases.pgUrl(port, "regp"), sql))
        .isEqualTo("s1.a s1.f(s1.mood) {s1.a,NULL,s1.b,pg_class}");
    assertThat(one(TestDatabases.pgUrl(port, "regc"), sql))
        .isEqualTo("a f(mood) {a,NULL,b,pg_class}");

    for (String[] copy :
        new String[][] {{"regc", "NATIVE"}, {"regc2", "CANONICAL"}, {"regc3", "JVM"}}) {
      AuditFixture f =
          new AuditFixture()
              .primary("p", TestDatabases.pgEndpoint(port, "regp"))
              .replica("c", TestDatabases.pgEndpoint(port, copy[0]))
              .table("public.t", "owner");
      AuditReport r = f.run(CompareSettings.defaults());
      assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo(copy[1]);
      assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();

      TestDatabases.execute(
          TestDatabases.pgUrl(port, copy[0]),
          "UPDATE t SET r = CAST('s1.b' AS regclass) WHERE id = 70",
          "UPDATE t SET ty = CAST('s1.mood' AS regtype) WHERE id = 71",
          "UPDATE t SET r = CAST('s1.a' AS regclass) WHERE id = 5",
          // arrays: elements swapped; a NULL element against none; bounds; '{}' against NULL;
          // one dimension against two
          "UPDATE t SET rs = CAST('{s1.b,NULL,s1.a,pg_class}' AS regclass[]) WHERE id = 72",
          "UPDATE t SET rs = CAST('{s1.a,s1.b,pg_class}' AS regclass[]) WHERE id = 73",
          "UPDATE t SET rs = CAST('{s1.a,s1.b}' AS regclass[]) WHERE id = 7",
          "UPDATE t SET rs = NULL WHERE id = 6",
          "UPDATE t SET rs = CAST('{s1.a,s1.b}' AS regclass[]) WHERE id = 8");
      r = f.run(CompareSettings.defaults());
      assertThat(AuditFixture.findings(r, "public.t", "c"))
          .containsExactlyInAnyOrder(
              "CHANGED 5",
              "CHANGED 6",
              "CHANGED 7",
              "CHANGED 8",
              "CHANGED 70",
              "CHANGED 71",
              "CHANGED 72",
              "CHANGED 73");
      var changed =
          AuditFixture.copy(r, "public.t", "c").findings().stream()
              .filter(x -> x.key().get("id").equals(70L))
              .findFirst()
              .orElseThrow();
      assertThat(changed.columns()).containsExactly("r");
      for (long id : new long[] {6, 7, 8, 72, 73}) {
        assertThat(
                AuditFixture.copy(r, "public.t", "c").findings().stream()
                    .filter(x -> x.key().get("id").equals(id))
                    .findFirst()
                    .orElseThrow()
                    .columns())
            .as("row %d", id)
            .containsExactly("rs");
      }
    }
  }

  /**
   * The same text in a UTF8 and in a LATIN1 database is stored (and hashed in SQL) as different
   * bytes: every row with a non-ASCII character was reported CHANGED. Such a pair is now compared
   * in the JVM, from decoded values.
   */
  @Test
  void postgresCopyInAnotherServerEncodingIsComparedFromDecodedValues() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "enc_p");
    try (Connection c = TestDatabases.admin(TestDatabases.pgUrl(port, "postgres"));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS enc_c WITH (FORCE)");
      s.execute(
          "CREATE DATABASE enc_c ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
              + " TEMPLATE template0");
    }
    for (String db : new String[] {"enc_p", "enc_c"}) {
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text, n numeric)",
          "INSERT INTO t SELECT g, g % 7, CASE WHEN g % 2 = 0 THEN 'café ' || g ELSE 'x' || g"
              + " END, g / 8.0 FROM generate_series(1, 300) g");
    }
    String sql = "SELECT octet_length(v) FROM t WHERE id = 2";
    assertThat(one(TestDatabases.pgUrl(port, "enc_p"), sql)).isEqualTo("7");
    assertThat(one(TestDatabases.pgUrl(port, "enc_c"), sql)).isEqualTo("6");

    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "enc_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "enc_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("JVM");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "enc_c"),
        "UPDATE t SET v = 'cafe 100' WHERE id = 100",
        "DELETE FROM t WHERE id = 201");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 100", "MISSING 201");
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
