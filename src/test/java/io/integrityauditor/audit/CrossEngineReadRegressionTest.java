package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regressions: values the JVM path (two engines, or H2) read wrongly from the driver, so the same
 * stored value encoded differently on two engines (a false CHANGED) or two different values alike
 * (a missed difference). Each case holds the values that broke.
 */
class CrossEngineReadRegressionTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;
  private static final int MY = TestDatabases.MARIADB_PRIMARY_PORT;

  /** A fresh PostgreSQL database jfix_{name} set up by the statements. */
  private static EndpointConfig pg(String name, String... sql) throws Exception {
    TestDatabases.recreatePgDatabase(PG, "jfix_" + name);
    TestDatabases.execute(TestDatabases.pgUrl(PG, "jfix_" + name), sql);
    return TestDatabases.pgEndpoint(PG, "jfix_" + name);
  }

  /** A fresh MariaDB database jfix_{name}, written outside the binlog, in the session sql_mode. */
  private static EndpointConfig maria(String name, String sqlMode, String... sql) throws Exception {
    TestDatabases.recreateMariaDatabase(MY, "jfix_" + name);
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MY, "jfix_" + name));
        Statement s = c.createStatement()) {
      if (sqlMode != null) {
        s.execute("SET sql_mode = '" + sqlMode + "'");
      }
      for (String q : sql) {
        s.execute(q);
      }
    }
    return TestDatabases.mariaEndpoint(MY, "jfix_" + name);
  }

  /** A fresh in-memory H2 database jfix_{name}. */
  private static EndpointConfig h2(String name, String... sql) throws Exception {
    String url = "jdbc:h2:mem:jfix_" + name + ";DB_CLOSE_DELAY=-1";
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      s.execute("DROP ALL OBJECTS");
      for (String q : sql) {
        s.execute(q);
      }
    }
    return new EndpointConfig(url, "sa", "", Map.of());
  }

  /** Audits table t of the primary p against copies c (and l, when given); hashed in the JVM. */
  private static AuditReport audit(EndpointConfig p, EndpointConfig c, EndpointConfig l) {
    AuditFixture f = new AuditFixture().primary("p", p).replica("c", c).table("t", null);
    if (l != null) {
      f.replica("l", l);
    }
    AuditReport r = f.run(CompareSettings.defaults());
    for (String copy : l == null ? List.of("c") : List.of("c", "l")) {
      assertThat(AuditFixture.copy(r, "t", copy).error()).isNull();
      assertThat(AuditFixture.copy(r, "t", copy).hashing()).isEqualTo("JVM");
    }
    return r;
  }

  /** Every CHANGED finding of the copy names exactly these columns. */
  private static void changedColumns(AuditReport r, String copy, String... columns) {
    for (var finding : AuditFixture.copy(r, "t", copy).findings()) {
      assertThat(finding.kind()).isEqualTo("CHANGED");
      // named as the primary names them (H2: upper case)
      assertThat(finding.columns().stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)))
          .containsExactlyInAnyOrder(columns);
    }
  }

  /**
   * MariaDB's text protocol sent FLOAT with six significant digits (1.2345678 as 1.23457, 16777217
   * as 16777200): the same float32 values in a PostgreSQL real were CHANGED, and an H2 REAL holding
   * the rounded 1.23457, 16777200, 123457 matched. Now widened to double on every engine.
   */
  @Test
  void mariaDbFloatIsReadExactlyAndWidened() throws Exception {
    EndpointConfig my =
        maria(
            "float_c",
            null,
            "CREATE TABLE t (id int PRIMARY KEY, f float)",
            "INSERT INTO t VALUES (1, 1.2345678), (2, 16777217), (3, 123456.7),"
                + " (4, 1.17549435e-38), (5, 1.2345678), (6, NULL)");
    EndpointConfig pg =
        pg(
            "float_p",
            "CREATE TABLE t (id int PRIMARY KEY, f real)",
            "INSERT INTO t VALUES (1, 1.2345678), (2, 16777217), (3, 123456.7),"
                + " (4, 1.17549435e-38), (5, 1.23457), (6, NULL)");
    AuditReport r = audit(pg, my, null);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 5");
    changedColumns(r, "c", "f");

    EndpointConfig h2 =
        h2(
            "float_h",
            "CREATE TABLE t (id int PRIMARY KEY, f real)",
            "INSERT INTO t VALUES (1, 1.23457), (2, 16777200), (3, 123457),"
                + " (4, 1.17549435e-38), (5, 1.2345678), (6, NULL)");
    r = audit(h2, my, null);
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 1", "CHANGED 2", "CHANGED 3");
    changedColumns(r, "c", "f");
  }

  /**
   * MariaDB's zero date read as NULL and its invalid dates (ALLOW_INVALID_DATES) rolled over to
   * real ones (2020-01-00 as 2019-12-31, 2020-02-30 as 2020-03-01): against PostgreSQL holding NULL
   * and those real dates, nothing was reported. Such a value is now its own text.
   */
  @Test
  void mariaDbZeroAndInvalidDatesAreNoOtherDate() throws Exception {
    EndpointConfig pg =
        pg(
            "dates_p",
            "CREATE TABLE t (id int PRIMARY KEY, dt timestamp, d date)",
            "INSERT INTO t VALUES (1, NULL, NULL), (2, '2019-12-31', '2019-11-30'),"
                + " (3, '2020-03-01', '2020-03-02'), (4, '2020-02-29 12:00:01', '2020-02-29')");
    EndpointConfig my =
        maria(
            "dates_c",
            "ALLOW_INVALID_DATES",
            "CREATE TABLE t (id int PRIMARY KEY, dt datetime NULL, d date NULL)",
            "INSERT INTO t VALUES (1, '0000-00-00 00:00:00', '0000-00-00'),"
                + " (2, '2020-01-00', '2020-00-00'), (3, '2020-02-30', '2020-02-31'),"
                + " (4, '2020-02-29 12:00:01', '2020-02-29')");
    AuditReport r = audit(pg, my, null);
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 1", "CHANGED 2", "CHANGED 3");
    changedColumns(r, "c", "dt", "d");
  }

  /**
   * Regression (review 6 of session 24): a MariaDB BIT(8) was read as its bytes (hex {@code 05})
   * and a PostgreSQL bit(8) holding the same bits as its bit string ({@code 00000101}): every row
   * CHANGED. Both are their n-digit bit string now; BIT(1) against bit(1) stays equal.
   */
  @Test
  void mariaDbBitIsItsBitString() throws Exception {
    EndpointConfig pg =
        pg(
            "bit_p",
            "CREATE TABLE t (id int PRIMARY KEY, b bit(8), one bit(1), w bit(12))",
            "INSERT INTO t VALUES (1, B'00000101', B'1', B'000000000001'),"
                + " (2, B'11111111', B'0', B'100000000000'), (3, NULL, NULL, NULL),"
                + " (4, B'00000000', B'1', B'000000000000'), (5, B'00000001', B'0', B'111111111111')");
    EndpointConfig my =
        maria(
            "bit_c",
            null,
            "CREATE TABLE t (id int PRIMARY KEY, b BIT(8), one BIT(1), w BIT(12))",
            "INSERT INTO t VALUES (1, b'00000101', b'1', b'000000000001'),"
                + " (2, b'11111111', b'0', b'100000000000'), (3, NULL, NULL, NULL),"
                + " (4, b'00000000', b'1', b'000000000000'), (5, b'00000010', b'0', b'111111111110')");
    AuditReport r = audit(pg, my, null);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 5");
    changedColumns(r, "c", "b", "w");
  }

  /**
   * H2 hands a JSON column over as bytes, which were hex-encoded, so no document parsed: every
   * non-NULL row CHANGED against PostgreSQL json/jsonb and MariaDB JSON holding the same documents.
   */
  @Test
  void h2JsonIsReadAsItsDocument() throws Exception {
    String[] docs = {"{\"x\": 1, \"y\": [1,2]}", "\"str\"", "1.50", "null", "{\"x\": 2}"};
    StringBuilder h2Rows = new StringBuilder();
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < docs.length; i++) {
      String d = docs[i].replace("'", "''");
      // row 5: the copies hold another document
      String other = i == 4 ? "{\"x\": 3}" : d;
      h2Rows.append(i > 0 ? ", " : "").append("(").append(i + 1).append(", '").append(d);
      h2Rows.append("' FORMAT JSON)");
      rows.append(i > 0 ? ", " : "").append("(").append(i + 1).append(", '").append(other);
      rows.append("', '").append(other).append("')");
    }
    EndpointConfig h2 =
        h2(
            "json_h",
            "CREATE TABLE t (id int PRIMARY KEY, doc json, raw json)",
            "INSERT INTO t (id, doc) VALUES " + h2Rows + ", (6, NULL)",
            "UPDATE t SET raw = doc");
    EndpointConfig pg =
        pg(
            "json_p",
            "CREATE TABLE t (id int PRIMARY KEY, doc jsonb, raw json)",
            "INSERT INTO t VALUES " + rows + ", (6, NULL, NULL)");
    EndpointConfig my =
        maria(
            "json_c",
            null,
            "CREATE TABLE t (id int PRIMARY KEY, doc json, raw json)",
            "INSERT INTO t VALUES " + rows + ", (6, NULL, NULL)");
    AuditReport r = audit(h2, pg, my);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 5");
    assertThat(AuditFixture.findings(r, "t", "l")).containsExactly("CHANGED 5");
    changedColumns(r, "c", "doc", "raw");
    changedColumns(r, "l", "doc", "raw");
  }

  /**
   * A java.sql.Array was rendered by its toString, for H2 "ar0: ARRAY [1, 2]" (an id per object):
   * identical H2 tables were CHANGED on every row, and PostgreSQL int[] and text[] against H2
   * arrays too. Now its elements: nested arrays, NULL elements and empty arrays kept.
   */
  @Test
  void arraysAreTheirElements() throws Exception {
    String[] h2Sql = {
      "CREATE TABLE t (id int PRIMARY KEY, ia int array, va varchar(10) array,"
          + " iaa int array array)",
      "INSERT INTO t VALUES (1, ARRAY[1, 2], ARRAY['a', NULL], ARRAY[ARRAY[1, 2], ARRAY[3, 4]]),"
          + " (2, ARRAY[], ARRAY[], ARRAY[]), (3, ARRAY[NULL], ARRAY['N', ''], NULL),"
          + " (4, NULL, ARRAY['a,b', 'c'], ARRAY[ARRAY[5]])"
    };
    EndpointConfig p = h2("arr_p", h2Sql);
    EndpointConfig c =
        h2(
            "arr_c",
            h2Sql[0],
            "INSERT INTO t VALUES (1, ARRAY[1, 2], ARRAY['a', NULL], ARRAY[ARRAY[1, 2], ARRAY[3, 4]]),"
                + " (2, ARRAY[], ARRAY[], ARRAY[]), (3, ARRAY[NULL], ARRAY['N', ''], NULL),"
                + " (4, NULL, ARRAY['a', 'b', 'c'], ARRAY[ARRAY[5]])");
    AuditReport r = audit(p, c, null);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 4");
    changedColumns(r, "c", "va");

    EndpointConfig pg =
        pg(
            "arr_g",
            "CREATE TABLE t (id int PRIMARY KEY, ia int[], va text[], iaa int[])",
            "INSERT INTO t VALUES (1, '{1,2}', '{a,NULL}', '{{1,2},{3,4}}'),"
                + " (2, '{}', '{}', '{}'), (3, '{NULL}', '{N,\"\"}', NULL),"
                + " (4, NULL, '{\"a,b\",c}', '{{6}}')");
    r = audit(p, pg, null);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 4");
    changedColumns(r, "c", "iaa");
  }

  /**
   * PostgreSQL's driver reads money as a double: 12,345,678.90 failed the audit ("Bad value for
   * type double") and 10.10 read as 10.1 (CHANGED against H2's DECIMAL 10.10). Now read as numeric,
   * also against a PostgreSQL copy in a LATIN1 database.
   */
  @Test
  void postgresMoneyIsReadAsNumeric() throws Exception {
    String rows = "(1, 12345678.90), (2, 10.10), (3, -5.00), (4, 7.25), (5, NULL)";
    EndpointConfig pg =
        pg(
            "money_p",
            "CREATE TABLE t (id int PRIMARY KEY, m money)",
            "INSERT INTO t VALUES " + rows);
    EndpointConfig h2 =
        h2(
            "money_h",
            "CREATE TABLE t (id int PRIMARY KEY, m decimal(19, 2))",
            "INSERT INTO t VALUES (1, 12345678.90), (2, 10.10), (3, -5.00), (4, 7.26), (5, NULL)");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "postgres"),
        "DROP DATABASE IF EXISTS jfix_money_l WITH (FORCE)",
        "CREATE DATABASE jfix_money_l ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
            + " TEMPLATE template0");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "jfix_money_l"),
        "CREATE TABLE t (id int PRIMARY KEY, m money)",
        "INSERT INTO t VALUES (1, 12345678.90), (2, 10.10), (3, -5.00), (4, 7.25), (5, 0)");
    AuditReport r = audit(pg, h2, TestDatabases.pgEndpoint(PG, "jfix_money_l"));
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 4");
    assertThat(AuditFixture.findings(r, "t", "l")).containsExactly("CHANGED 5");
    changedColumns(r, "c", "m");
    changedColumns(r, "l", "m");
  }

  /**
   * MariaDB's driver hands YEAR over as a date (2020 as 2020-01-01): against a PostgreSQL or H2
   * smallint every row was CHANGED. Now its number.
   */
  @Test
  void mariaDbYearIsItsNumber() throws Exception {
    EndpointConfig my =
        maria(
            "year_c",
            null,
            "CREATE TABLE t (id int PRIMARY KEY, y year)",
            "INSERT INTO t VALUES (1, 2020), (2, 1999), (3, 2001), (4, NULL)");
    String[] smallint = {
      "CREATE TABLE t (id int PRIMARY KEY, y smallint)",
      "INSERT INTO t VALUES (1, 2020), (2, 1999), (3, 2000), (4, NULL)"
    };
    AuditReport r = audit(pg("year_p", smallint), my, null);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 3");
    changedColumns(r, "c", "y");
    r = audit(h2("year_h", smallint), my, null);
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 3");
    changedColumns(r, "c", "y");
  }

  /**
   * PostgreSQL's driver reads time 24:00:00 as 23:59:59.999999999: it equalled H2's
   * 23:59:59.999999999 (missed) and differed from MariaDB's 24:00:00 (a false CHANGED). MariaDB's
   * driver wraps a TIME outside the day: its 24:00:00 equalled PostgreSQL's 00:00:00, and its
   * -01:00:01 PostgreSQL's 22:59:59 (missed).
   */
  @Test
  void midnightAtTheEndOfTheDayIsNotTheLastNanosecond() throws Exception {
    EndpointConfig pg =
        pg(
            "time_p",
            "CREATE TABLE t (id int PRIMARY KEY, tm time(6))",
            "INSERT INTO t VALUES (1, '24:00:00'), (2, '23:59:59.999999'), (3, '00:00:00'),"
                + " (4, '00:00:00'), (5, '22:59:59')");
    EndpointConfig my =
        maria(
            "time_c",
            null,
            "CREATE TABLE t (id int PRIMARY KEY, tm time(6))",
            "INSERT INTO t VALUES (1, '24:00:00'), (2, '23:59:59.999999'), (3, '00:00:00'),"
                + " (4, '24:00:00'), (5, '-01:00:01')");
    EndpointConfig h2 =
        h2(
            "time_h",
            "CREATE TABLE t (id int PRIMARY KEY, tm time(9))",
            "INSERT INTO t VALUES (1, '23:59:59.999999999'), (2, '23:59:59.999999'),"
                + " (3, '00:00:00'), (4, '00:00:00'), (5, '22:59:59')");
    AuditReport r = audit(pg, my, h2);
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 4", "CHANGED 5");
    changedColumns(r, "c", "tm");
    assertThat(AuditFixture.findings(r, "t", "l")).containsExactly("CHANGED 1");
    changedColumns(r, "l", "tm");
  }

  /**
   * PostgreSQL's 'infinity' and '-infinity' read as the extreme java.time values, equal to H2's
   * finite 999999999-12-31 23:59:59.999999999 and -999999999-01-01 (missed).
   */
  @Test
  void infinityIsNoFiniteTime() throws Exception {
    EndpointConfig pg =
        pg(
            "inf_p",
            "CREATE TABLE t (id int PRIMARY KEY, ts timestamp, d date)",
            "INSERT INTO t VALUES (1, 'infinity', 'infinity'), (2, '-infinity', '-infinity'),"
                + " (3, '2020-01-01 00:00:00', '2020-01-01')");
    EndpointConfig h2 =
        h2(
            "inf_h",
            "CREATE TABLE t (id int PRIMARY KEY, ts timestamp(9), d date)",
            "INSERT INTO t VALUES (1, '999999999-12-31 23:59:59.999999999', '999999999-12-31'),"
                + " (2, '-999999999-01-01 00:00:00', '-999999999-01-01'),"
                + " (3, '2020-01-01 00:00:00', '2020-01-01')");
    AuditReport r = audit(pg, h2, null);
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 1", "CHANGED 2");
    changedColumns(r, "c", "ts", "d");
  }

  /**
   * MariaDB sends a byte 0x80-0xFF of an ascii column as '?': X'61FF62' and X'61E962' both read
   * 'a?b'. Now read through latin1, one character per byte.
   */
  @Test
  void mariaDbAsciiBytesAboveAsciiAreKept() throws Exception {
    EndpointConfig pg =
        pg(
            "ascii_p",
            "CREATE TABLE t (id int PRIMARY KEY, a varchar(10), ch char(5))",
            "INSERT INTO t VALUES (1, 'aÿb', 'aÿb'), (2, 'aÿb', 'x'), (3, 'abc', 'abc'),"
                + " (4, 'a?b', 'a?b'), (5, 'a' || chr(129) || 'b', 'q')");
    EndpointConfig my =
        maria(
            "ascii_c",
            null,
            "CREATE TABLE t (id int PRIMARY KEY, a varchar(10) CHARACTER SET ascii,"
                + " ch char(5) CHARACTER SET ascii)",
            "INSERT INTO t VALUES (1, X'61FF62', X'61FF62'), (2, X'61E962', 'x'),"
                + " (3, 'abc', 'abc'), (4, X'61FF62', 'a?b'), (5, X'618162', 'q')");
    AuditReport r = audit(pg, my, null);
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 2", "CHANGED 4");
    changedColumns(r, "c", "a");
  }
}
