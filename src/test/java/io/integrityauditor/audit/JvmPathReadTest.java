package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Regressions: PostgreSQL values the JVM path read wrongly from the driver, between a UTF8 database
 * and a LATIN1 copy (different server encodings: hashed in the JVM). Each case runs with the
 * driver's text transfer (prepareThreshold 0), its default (server-prepared statements after five
 * executions) and binary transfer from the first execution (prepareThreshold -1).
 */
class JvmPathReadTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;

  /** Text only, the driver's default, binary from the first execution. */
  private static final List<Map<String, String>> TRANSFERS =
      List.of(Map.of("prepareThreshold", "0"), Map.of(), Map.of("prepareThreshold", "-1"));

  /** A fresh UTF8 database jvmfix_{name} set up by the statements. */
  private static void utf8(String name, String... sql) throws Exception {
    TestDatabases.recreatePgDatabase(PG, "jvmfix_" + name);
    TestDatabases.execute(TestDatabases.pgUrl(PG, "jvmfix_" + name), sql);
  }

  /** A fresh LATIN1 database jvmfix_{name} set up by the statements. */
  private static void latin1(String name, String... sql) throws Exception {
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "postgres"),
        "DROP DATABASE IF EXISTS jvmfix_" + name + " WITH (FORCE)",
        "CREATE DATABASE jvmfix_"
            + name
            + " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
    TestDatabases.execute(TestDatabases.pgUrl(PG, "jvmfix_" + name), sql);
  }

  private static EndpointConfig endpoint(String name, Map<String, String> properties) {
    return new EndpointConfig(
        TestDatabases.pgUrl(PG, "jvmfix_" + name), "postgres", "", properties);
  }

  /**
   * Audits table t of jvmfix_{primary} against jvmfix_{copy}, both with the driver properties; the
   * copy hashed in the JVM. Its findings as "KIND key" to the columns named.
   */
  private static Map<String, List<String>> audit(
      String primary, String copy, Map<String, String> properties) {
    return audit(primary, copy, properties, CompareSettings.defaults());
  }

  private static Map<String, List<String>> audit(
      String primary, String copy, Map<String, String> properties, CompareSettings settings) {
    AuditReport r =
        new AuditFixture()
            .primary("p", endpoint(primary, properties))
            .replica("c", endpoint(copy, properties))
            .table("t", null)
            .run(settings);
    AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
    assertThat(c.error()).as("error with %s: %s", properties, r.tables().get(0).error()).isNull();
    assertThat(c.hashing()).isEqualTo("JVM");
    Map<String, List<String>> out = new TreeMap<>();
    for (var f : c.findings()) {
      out.put(f.kind() + " " + AuditFixture.keyText(f.key()), f.columns());
    }
    assertThat(c.status())
        .isEqualTo(out.isEmpty() ? AuditReport.Status.CONSISTENT : AuditReport.Status.FINDINGS);
    return out;
  }

  /**
   * An array was read as its elements only: '[0:1]={5,6}' and '{5,6}' (not equal in PostgreSQL)
   * were alike and the audit CONSISTENT. Now a lower bound other than 1 in any dimension is
   * compared too (array_dims, read in SQL: in binary transfer the driver drops the bounds); arrays
   * with lower bounds 1 encode as before.
   */
  @Test
  void arrayLowerBoundsAreCompared() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, a int[], s text[])";
    String rows =
        "INSERT INTO t VALUES (1, '[0:1]={5,6}', '{x}'), (2, '{7}', '[0:0]={x}'),"
            + " (3, '[1:2][0:1]={{1,2},{3,4}}', NULL), (4, '[-3:-2]={1,2}', '[2:2]={é}'),"
            + " (5, '{{1,2},{3,4}}', '{a,NULL}'), (6, '{}', '{}'), (7, NULL, NULL),"
            + " (8, '[2:3]={5,6}', '{y}'), (9, '{1,2}', '[5:6][7:7]={{p},{q}}')";
    utf8("arr_a", create, rows);
    // the same values: CONSISTENT, bounds other than 1 included
    latin1("arr_same", create, rows);
    latin1(
        "arr_b",
        create,
        rows,
        "UPDATE t SET a = '{5,6}' WHERE id = 1",
        "UPDATE t SET s = '{x}' WHERE id = 2",
        "UPDATE t SET a = '{{1,2},{3,4}}' WHERE id = 3",
        "UPDATE t SET a = '[0:1]={5,6}' WHERE id = 8",
        "UPDATE t SET s = '[5:6][6:6]={{p},{q}}' WHERE id = 9");
    for (Map<String, String> transfer : TRANSFERS) {
      assertThat(audit("arr_a", "arr_same", transfer)).as("%s", transfer).isEmpty();
      assertThat(audit("arr_a", "arr_b", transfer))
          .as("%s", transfer)
          .containsExactly(
              Map.entry("CHANGED 1", List.of("a")),
              Map.entry("CHANGED 2", List.of("s")),
              Map.entry("CHANGED 3", List.of("a")),
              Map.entry("CHANGED 8", List.of("a")),
              Map.entry("CHANGED 9", List.of("s")));
    }
  }

  /**
   * Regression (review 7 of session 24): the driver reads a numeric[] element as a BigDecimal, and
   * NaN or ±Infinity (PostgreSQL 14+) is none: "Bad value for type BigDecimal : NaN" failed the
   * table on every copy, blamed on the primary, though all were equal. Such arrays are read as
   * their elements' text now: equal CONSISTENT, a changed element CHANGED, scale kept.
   */
  @Test
  void numericArraysWithNaNOrInfinityAreCompared() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, v numeric, a numeric[])";
    String rows =
        "INSERT INTO t VALUES (1, 'NaN', NULL), (2, 'Infinity', '{NaN}'), (3, 1.5, NULL),"
            + " (4, NULL, '{Infinity,-Infinity,1.50,NULL}'), (5, 2, '{1.0,2}'),"
            + " (6, 3, '[0:1]={NaN,0.0000000000000000000001}')";
    utf8("num_a", create, rows);
    latin1("num_same", create, rows);
    latin1(
        "num_b",
        create,
        rows,
        "UPDATE t SET a = '{Infinity}' WHERE id = 2",
        "UPDATE t SET a = '{Infinity,-Infinity,1.5,NULL}' WHERE id = 4",
        "UPDATE t SET a = '{1.0,2.0}' WHERE id = 5",
        "UPDATE t SET a = '{NaN,0.0000000000000000000001}' WHERE id = 6");
    for (Map<String, String> transfer : TRANSFERS) {
      assertThat(audit("num_a", "num_same", transfer)).as("%s", transfer).isEmpty();
      assertThat(audit("num_a", "num_b", transfer))
          .as("%s", transfer)
          .containsExactly(
              Map.entry("CHANGED 2", List.of("a")),
              Map.entry("CHANGED 4", List.of("a")),
              Map.entry("CHANGED 5", List.of("a")),
              Map.entry("CHANGED 6", List.of("a")));
    }
  }

  /**
   * The driver hands xml over as a PgSQLXML, whose text was its object identity
   * (org.postgresql.jdbc.PgSQLXML@2d554825): every non-NULL xml row CHANGED, '<a/>' against '<a/>'
   * too. Now its text.
   */
  @Test
  void xmlIsReadAsItsText() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, x xml)";
    String rows =
        "INSERT INTO t VALUES (1, '<a/>'), (2, '<b c=\"1\">é</b>'), (3, NULL), (4, 'text only')";
    utf8("xml_a", create, rows);
    latin1("xml_same", create, rows);
    latin1(
        "xml_b",
        create,
        rows,
        "UPDATE t SET x = '<b c=\"2\">é</b>' WHERE id = 2",
        "UPDATE t SET x = '<d/>' WHERE id = 3");
    for (Map<String, String> transfer : TRANSFERS) {
      assertThat(audit("xml_a", "xml_same", transfer)).as("%s", transfer).isEmpty();
      assertThat(audit("xml_a", "xml_b", transfer))
          .as("%s", transfer)
          .containsExactly(
              Map.entry("CHANGED 2", List.of("x")), Map.entry("CHANGED 3", List.of("x")));
    }
  }

  /**
   * timetz 24:00:00+00 failed the copy in binary transfer (after the driver prepared the statement
   * on the server: "Invalid value for NanoOfDay (valid values 0 - 86399999999999):
   * 86400000000000"), and in text transfer read as 23:59:59.999999999-18:00 whatever its offset:
   * 24:00:00+00 and 24:00:00+05:30 were alike (missed). Now its text, as time 24:00:00 is.
   */
  @Test
  void timetzMidnightAtTheEndOfTheDayIsRead() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, ttz timetz, v text)";
    String[] rows = {
      create,
      "INSERT INTO t SELECT g, '24:00:00+00', 'a' FROM generate_series(1, 4) g",
      "INSERT INTO t VALUES (5, '24:00:00+00', 'a'), (6, '24:00:00+05:30', 'a'),"
          + " (7, '12:00:00.5+02', 'a'), (8, NULL, 'a'), (9, '23:59:59.999999+00', 'a'),"
          + " (10, '24:00:00-03:00:15', 'a')"
    };
    utf8("ttz_a", rows);
    latin1("ttz_same", rows);
    latin1(
        "ttz_b",
        rows[0],
        rows[1],
        rows[2],
        "UPDATE t SET v = 'b' WHERE id <= 4",
        "UPDATE t SET ttz = '24:00:00+05:30' WHERE id = 5",
        "UPDATE t SET ttz = '24:00:00+00' WHERE id = 9");
    for (Map<String, String> transfer : TRANSFERS) {
      assertThat(audit("ttz_a", "ttz_same", transfer)).as("%s", transfer).isEmpty();
      assertThat(audit("ttz_a", "ttz_b", transfer))
          .as("%s", transfer)
          .containsExactly(
              Map.entry("CHANGED 1", List.of("v")),
              Map.entry("CHANGED 2", List.of("v")),
              Map.entry("CHANGED 3", List.of("v")),
              Map.entry("CHANGED 4", List.of("v")),
              Map.entry("CHANGED 5", List.of("ttz")),
              Map.entry("CHANGED 9", List.of("ttz")));
    }
  }

  /**
   * The three values in a table of many chunks, split into buckets by position (a key of two
   * columns: the bounds and text are read after the owner column, before the bucket number), read
   * by statements the driver prepares on the server after five executions: binary transfer with the
   * default properties.
   */
  @Test
  void manyChunksReadBoundsXmlAndTimetz() throws Exception {
    String create =
        "CREATE TABLE t (id int, k int, a int[], x xml, ttz timetz, v text, PRIMARY KEY (id, k))";
    String rows =
        "INSERT INTO t SELECT g, 0, '{1,2}', '<a/>', '24:00:00+00', 'a'"
            + " FROM generate_series(1, 3000) g";
    utf8("many_a", create, rows, "UPDATE t SET a = '[0:1]={1,2}' WHERE id IN (700, 2900)");
    latin1(
        "many_b",
        create,
        rows,
        "UPDATE t SET a = '[0:1]={1,2}' WHERE id = 700",
        "UPDATE t SET ttz = '24:00:00+01', v = 'b' WHERE id = 2999");
    for (Map<String, String> transfer : TRANSFERS) {
      assertThat(audit("many_a", "many_b", transfer, AuditFixture.TINY_CHUNKS))
          .as("%s", transfer)
          .containsExactly(
              Map.entry("CHANGED 2900|0", List.of("a")),
              Map.entry("CHANGED 2999|0", List.of("ttz", "v")));
    }
  }

  /**
   * An array key was read as its elements: '{5,6}' and '[0:1]={5,6}' were one key (a false EXTRA
   * "[1:51:6]"), and bound back as Object[] it failed the copy. Read as its text, as the SQL-hashed
   * paths read it.
   */
  @Test
  void arrayKeysAreReadAsTheirText() throws Exception {
    String create = "CREATE TABLE t (k int[] PRIMARY KEY, v int)";
    String rows = "INSERT INTO t VALUES ('{5,6}', 1), ('[0:1]={5,6}', 2), ('{7}', 3), ('{8}', 4)";
    utf8("akey_p", create, rows);
    latin1(
        "akey_c",
        create,
        rows,
        "UPDATE t SET v = 20 WHERE k = '[0:1]={5,6}'",
        "UPDATE t SET v = 30 WHERE k = '{7}'",
        "DELETE FROM t WHERE k = '{8}'");
    for (Map<String, String> transfer : TRANSFERS) {
      assertThat(audit("akey_p", "akey_c", transfer))
          .as("%s", transfer)
          .isEqualTo(
              Map.of(
                  "CHANGED [0:1]={5,6}", List.of("v"),
                  "CHANGED {7}", List.of("v"),
                  "MISSING {8}", List.of()));
    }
  }

  /** A timetz key holding 24:00:00 failed the copy in binary transfer; read as its text now. */
  @Test
  void timetzKeysAtTheEndOfTheDay() throws Exception {
    String create = "CREATE TABLE t (k timetz PRIMARY KEY, v int)";
    String rows =
        "INSERT INTO t VALUES ('24:00:00+00', 1), ('24:00:00+05:30', 2), ('12:00:00+00', 3),"
            + " ('23:59:59.999999+00', 4)";
    utf8("tkey_p", create, rows);
    latin1(
        "tkey_c",
        create,
        rows,
        "UPDATE t SET v = 10 WHERE k = '24:00:00+00'",
        "DELETE FROM t WHERE k = '24:00:00+05:30'");
    for (Map<String, String> transfer : TRANSFERS) {
      assertThat(audit("tkey_p", "tkey_c", transfer))
          .as("%s", transfer)
          .isEqualTo(
              Map.of("CHANGED 24:00:00+00", List.of("v"), "MISSING 24:00:00+05:30", List.of()));
    }
  }
}
