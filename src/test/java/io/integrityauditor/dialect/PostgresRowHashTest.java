package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.Column;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The NATIVE PostgreSQL row hash ({@link PostgresDialect#nativeRowHash}), computed by the server
 * over rows with known differences.
 *
 * <p>Regression: PostgreSQL's hash_record_extended combines column hashes linearly (31·h + next),
 * so the sum over rows of the raw record hash is the same, modulo 2^64, when two rows swap a column
 * value. Rows (1,'x'),(2,'y') and (1,'y'),(2,'x') gave sums differing by exactly 2^64. The row hash
 * is mixed again before it is summed.
 *
 * <p>Regression (review of session 13): PostgreSQL's own hashes of 64-bit and numeric values follow
 * equality, or fold: {@code hashint8extended} hashes the XOR of a value's two 32-bit halves, so
 * bigints -1 and 4294967295 hashed alike, and timestamps, times and the row's final mix (every row
 * hash was a function of 32 bits) with them; {@code hash_numeric_extended} ignores the sign (100.00
 * = -100.00) and XORs the weight in (two numeric columns holding 0.50 and 5000.00 could swap
 * unseen); {@code timetz_hash_extended} hashes time and zone symmetrically. The pairs below are the
 * ones found; each hashed alike before the fix.
 */
class PostgresRowHashTest {
  private static BigInteger sum(Statement s, String expr, String rows) throws Exception {
    try (ResultSet rs =
        s.executeQuery("SELECT sum(" + expr + ") FROM (VALUES " + rows + ") v(a, b)")) {
      rs.next();
      return rs.getBigDecimal(1).toBigInteger();
    }
  }

  private static Connection connect() throws Exception {
    return TestDatabases.admin(TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "postgres"));
  }

  private static Column col(String name, String type) {
    return new Column(name, type, Types.OTHER, true);
  }

  /** The native hash of each row of {@code values} over columns a, b, ... of these types. */
  private static List<Long> hashes(Statement s, List<String> types, String... rows)
      throws Exception {
    List<Column> cols = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      String n = String.valueOf((char) ('a' + i));
      cols.add(col(n, types.get(i)));
      refs.add(n);
      names.add(n);
    }
    List<Long> out = new ArrayList<>();
    for (String row : rows) {
      StringBuilder typed = new StringBuilder();
      String[] values = row.split(";", -1);
      for (int i = 0; i < values.length; i++) {
        typed.append(i == 0 ? "" : ", ").append("CAST(" + values[i] + " AS " + types.get(i) + ")");
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + PostgresDialect.nativeRowHash(cols, refs)
                  + " FROM (SELECT "
                  + typed
                  + ") v("
                  + String.join(", ", names)
                  + ")")) {
        rs.next();
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  @Test
  void rawRecordHashSumMissesASwapAndTheNativeHashDoesNot() throws Exception {
    String original = "(1, 'x'), (2, 'y')";
    String swapped = "(1, 'y'), (2, 'x')";
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      String raw = "hash_record_extended(ROW(a, b), 0)";
      BigInteger two64 = BigInteger.ONE.shiftLeft(64);
      assertThat(sum(s, raw, original).mod(two64)).isEqualTo(sum(s, raw, swapped).mod(two64));

      String mixed =
          PostgresDialect.nativeRowHash(
              List.of(col("a", "integer"), col("b", "text")), List.of("a", "b"));
      assertThat(sum(s, mixed, original).mod(two64))
          .isNotEqualTo(sum(s, mixed, swapped).mod(two64));
      assertThat(sum(s, mixed, original)).isNotEqualTo(sum(s, mixed, swapped));
    }
  }

  @Test
  void nullEmptyAndTheWordNullAndValuesMovedBetweenColumnsHashApart() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      List<Long> h =
          hashes(
              s,
              List.of("text", "character varying(10)"),
              "NULL;'x'",
              "'';'x'",
              "'NULL';'x'",
              "'x';NULL",
              "'x';''",
              "'a|';'b'",
              "'a';'|b'",
              "'x';'x'");
      assertThat(h).doesNotHaveDuplicates();
    }
  }

  @Test
  void everyMappedTypeAndTheTextOutputFallbackSeeOneUnitChanges() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      // Each pair differs in one value by the smallest step of its type.
      String[][] pairs = {
        {"smallint", "1", "2"},
        {"integer", "2147483646", "2147483647"},
        {"bigint", "123456789012345", "123456789012346"},
        {"numeric(20,6)", "1.000001", "1.000002"},
        {"double precision", "1", "1.0000000000000002"},
        {"real", "1.5", "1.5000001"},
        {
          "timestamp(6) without time zone",
          "'2009-10-01 12:00:00.000001'",
          "'2009-10-01 12:00:00.000002'"
        },
        {"timestamp with time zone", "'2009-10-01 12:00:00+00'", "'2009-10-01 12:00:00.000001+00'"},
        {"time without time zone", "'12:00:00'", "'12:00:00.000001'"},
        {"interval", "'1 day'", "'24 hours'"},
        {
          "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'"
        },
        {"jsonb", "'{\"a\": {\"b\": [1, 2]}}'", "'{\"a\": {\"b\": [1, 3]}}'"},
        {"character(3)", "'ab'", "'ac'"},
        {"text[]", "ARRAY['a','b']", "ARRAY['b','a']"},
        {"boolean", "true", "false"},
        {"date", "'2009-10-01'", "'2009-10-02'"},
        {"bytea", "'\\x00'", "'\\x01'"},
      };
      for (String[] p : pairs) {
        List<Long> h = hashes(s, List.of(p[0], "integer"), p[1] + ";7", p[2] + ";7", "NULL;7");
        assertThat(h).as(p[0]).doesNotHaveDuplicates();
      }
    }
  }

  /**
   * Regression: values equal by their type's rules but not the same value. The record hash
   * (hash_record_extended, the native hash until then) gave each pair one hash.
   */
  @Test
  void valuesEqualByTheirTypeButNotTheSameHashApartAsTheRecordHashDidNot() throws Exception {
    String[][] pairs = {
      {
        "jsonb",
        "(SELECT jsonb_agg(g) FROM generate_series(0, 32) g)",
        "(SELECT jsonb_agg(CASE g WHEN 0 THEN 32 WHEN 32 THEN 0 ELSE g END ORDER BY g)"
            + " FROM generate_series(0, 32) g)"
      },
      {"jsonb", "'{\"n\": 1.0}'", "'{\"n\": 1.00}'"},
      {"jsonb", "'[]'", "'{}'"},
      {"jsonb", "'[\"a\"]'", "'[[[\"a\"]]]'"},
      // where a container ends is not hashed; a scalar is a one-element array inside
      {"jsonb", "'[[1], 2]'", "'[[1, 2]]'"},
      {"jsonb", "'\"a\"'", "'[\"a\"]'"},
      {"numeric", "1.0", "1.00"},
      {"numeric(10,2)", "'NaN'", "NULL"},
      {"interval", "'1 day'", "'24 hours'"},
      {"bpchar", "'ab'", "'ab '"},
      {"double precision", "'0'", "'-0'"},
      {"real", "'0'", "'-0'"},
    };
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String[] p : pairs) {
        if (!p[2].equals("NULL")) {
          List<Long> old = new ArrayList<>();
          for (String v : new String[] {p[1], p[2]}) {
            try (ResultSet rs =
                s.executeQuery(
                    "SELECT hash_record_extended(ROW(CAST(" + v + " AS " + p[0] + ")), 0)")) {
              rs.next();
              old.add(rs.getLong(1));
            }
          }
          assertThat(old.get(0)).as(p[0] + " record hash").isEqualTo(old.get(1));
        }
        assertThat(hashes(s, List.of(p[0]), p[1], p[2])).as(p[0]).doesNotHaveDuplicates();
      }
    }
  }

  @Test
  void aCaseOnlyChangeUnderACaseInsensitiveCollationHashesApart() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE COLLATION IF NOT EXISTS pg_temp.ci (provider = icu,"
              + " locale = 'und-u-ks-level2', deterministic = false)");
      s.execute("CREATE TEMP TABLE ci_rows (a text COLLATE pg_temp.ci)");
      s.execute("INSERT INTO ci_rows VALUES ('Hello'), ('hello')");
      String expr = PostgresDialect.nativeRowHash(List.of(col("a", "text")), List.of("a"));
      List<Long> h = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery("SELECT " + expr + " FROM ci_rows ORDER BY a COLLATE \"C\"")) {
        while (rs.next()) {
          h.add(rs.getLong(1));
        }
      }
      assertThat(h).hasSize(2).doesNotHaveDuplicates();
      try (ResultSet rs =
          s.executeQuery("SELECT count(DISTINCT hash_record_extended(ROW(a), 0)) FROM ci_rows")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the record hash").isEqualTo(1);
      }
    }
  }

  /** scripts/bench.sh times a scan with the audit's row hash for its contacts table: the same. */
  @Test
  void theBenchmarksExactHashScanUsesTheAuditsRowHash() throws Exception {
    List<Column> cols =
        List.of(
            col("id", "bigint"),
            col("user_id", "bigint"),
            col("name", "text"),
            col("email", "text"),
            col("phone", "text"),
            col("meta", "jsonb"),
            col("updated_at", "timestamp with time zone"));
    List<String> refs = cols.stream().map(c -> "\"" + c.name() + "\"").toList();
    String script =
        java.nio.file.Files.readString(java.nio.file.Path.of("scripts/bench.sh"))
            .replace("'\"'\"'", "'");
    assertThat(script)
        .contains("EXACT_ROW_HASH='" + PostgresDialect.nativeRowHash(cols, refs) + "'");
  }

  /**
   * bytea is hashed through a one-element array (hash_array_extended, whose NULL element hashes to
   * 31 whatever the column), timestamptz as its UTC timestamp: NULL, empty, infinities, one
   * microsecond, one bit of a toasted value, and a NULL moved between two such columns all hash
   * apart.
   */
  @Test
  void byteaAndTimestamptzEdgeValuesHashApart() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      List<String> tsz = List.of("timestamp with time zone", "integer");
      assertThat(
              hashes(
                  s,
                  tsz,
                  "NULL;7",
                  "'infinity';7",
                  "'-infinity';7",
                  "'2009-10-01 12:00:00+00';7",
                  "'2009-10-01 12:00:00.000001+00';7",
                  "'4713-01-01 00:00:00+00 BC';7",
                  "'4713-01-01 00:00:00.000001+00 BC';7",
                  "'294276-12-31 23:59:59.999999+00';7",
                  "'294276-12-31 23:59:59.999998+00';7"))
          .doesNotHaveDuplicates();
      List<String> bytes = List.of("bytea", "integer");
      assertThat(
              hashes(
                  s,
                  bytes,
                  "NULL;7",
                  "'\\x';7",
                  "'\\x00';7",
                  "'\\x0000';7",
                  "decode(repeat('ab', 100000), 'hex');7",
                  "decode(repeat('ab', 99999) || 'aa', 'hex');7"))
          .doesNotHaveDuplicates();
      assertThat(
              hashes(
                  s,
                  List.of("bytea", "bytea"),
                  "NULL;'\\x01'",
                  "'\\x01';NULL",
                  "NULL;NULL",
                  "'\\x01';'\\x01'"))
          .doesNotHaveDuplicates();
      assertThat(
              hashes(
                  s,
                  List.of("timestamp with time zone", "bytea"),
                  "NULL;NULL",
                  "'infinity';NULL",
                  "NULL;'\\x'",
                  "'infinity';'\\x'"))
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void sixtyFourBitValuesAreHashedWholeNotFolded() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      List<String> big = List.of("bigint");
      assertThat(hashes(s, big, "-1", "4294967295")).doesNotHaveDuplicates();
      assertThat(hashes(s, big, "1", "4294967296")).doesNotHaveDuplicates();
      assertThat(hashes(s, big, "-5", "4294967291")).doesNotHaveDuplicates();
      assertThat(hashes(s, big, "0", "-4294967296", "NULL")).doesNotHaveDuplicates();
      for (String type : List.of("timestamp with time zone", "timestamp without time zone")) {
        assertThat(
                hashes(
                    s,
                    List.of(type),
                    "'2024-05-01 12:00:00+00'",
                    "'2024-05-01 10:48:25.032705+00'"))
            .as(type)
            .doesNotHaveDuplicates();
        assertThat(hashes(s, List.of(type), "'2024-06-13 08:27:17+00'", "'2022-04-19 12:46:34+00'"))
            .as(type)
            .doesNotHaveDuplicates();
      }
      assertThat(hashes(s, List.of("time"), "'00:00:01'", "'01:11:35.967297'"))
          .doesNotHaveDuplicates();
      assertThat(hashes(s, List.of("time"), "'00:00:00.000001'", "'01:11:34.967296'"))
          .doesNotHaveDuplicates();
      assertThat(
              hashes(
                  s,
                  List.of("time with time zone"),
                  "'00:00:00+00'",
                  "'00:00:00.000001-00:00:01'",
                  "'01:11:34.967297+00'"))
          .doesNotHaveDuplicates();
      assertThat(hashes(s, List.of("time with time zone"), "'00:00:00.0036+00'", "'00:00:00-01'"))
          .doesNotHaveDuplicates();
      // The row's mix kept 32 bits: among 300,000 values of one column, these pairs collided.
      assertThat(hashes(s, List.of("integer"), "246", "10459")).doesNotHaveDuplicates();
      assertThat(hashes(s, List.of("text"), "'v12770'", "'v56430'")).doesNotHaveDuplicates();
    }
  }

  /** No two of 300,000 rows share a row hash: a 32-bit hash would give ~10 such pairs. */
  @Test
  void rowHashesKeepSixtyFourBits() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String type : List.of("integer", "text", "bigint")) {
        String h =
            PostgresDialect.nativeRowHash(
                List.of(col("a", type)), List.of("CAST(g AS " + type + ")"));
        try (ResultSet rs =
            s.executeQuery(
                "SELECT count(*) - count(DISTINCT " + h + ") FROM generate_series(1, 300000) g")) {
          rs.next();
          assertThat(rs.getLong(1)).as(type).isZero();
        }
      }
    }
  }

  @Test
  void numericSignScaleAndDigitGroupsAreSeen() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      List<String> money = List.of("numeric(12,2)");
      assertThat(hashes(s, money, "100.00", "-100.00")).doesNotHaveDuplicates();
      assertThat(hashes(s, money, "0.01", "-0.01")).doesNotHaveDuplicates();
      List<String> free = List.of("numeric");
      assertThat(hashes(s, free, "123.4500", "-123.4500", "123.45")).doesNotHaveDuplicates();
      assertThat(hashes(s, free, "1e-20", "-1e-20", "0", "NULL", "'NaN'", "'Infinity'"))
          .doesNotHaveDuplicates();
      List<String> two = List.of("numeric(12,2)", "numeric(12,2)");
      assertThat(hashes(s, two, "0.50;5000.00", "5000.00;0.50")).doesNotHaveDuplicates();
      assertThat(hashes(s, two, "12.34;123400.00", "123400.00;12.34")).doesNotHaveDuplicates();
      List<String> wide = List.of("numeric(20,2)", "numeric(20,2)");
      assertThat(hashes(s, wide, "5.00;500000000.00", "50000.00;5000000000000.00"))
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void aTimestamptzHashesTheInstantWhateverTheSessionTimeZone() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      List<String> types = List.of("timestamp with time zone");
      s.execute("SET TimeZone = 'UTC'");
      long utc = hashes(s, types, "'2009-10-01 12:00:00+00'").get(0);
      s.execute("SET TimeZone = 'America/Los_Angeles'");
      assertThat(hashes(s, types, "'2009-10-01 05:00:00-07'").get(0)).isEqualTo(utc);
      assertThat(hashes(s, types, "'2009-10-01 12:00:00'").get(0)).isNotEqualTo(utc);
    }
  }
}
