package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regressions of the MariaDB row encoding (review of session 14), each with the values that were
 * missed: the audit said CONSISTENT for copies that differ.
 */
class MariaDbEncodingRegressionTest {
  static final int PORT = TestDatabases.MARIADB_PRIMARY_PORT;

  /** Creates {@code name}_p and {@code name}_c (outside the binlog), each set up by its SQL. */
  static AuditFixture tables(String name, List<String> primary, List<String> copy)
      throws Exception {
    String[][] sides = {
      {name + "_p", null}, {name + "_c", null},
    };
    List<List<String>> sql = List.of(primary, copy);
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreateMariaDatabase(PORT, sides[i][0]);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, sides[i][0]));
          Statement s = c.createStatement()) {
        for (String q : sql.get(i)) {
          s.execute(q);
        }
      }
    }
    return new AuditFixture()
        .primary("p", TestDatabases.mariaEndpoint(PORT, name + "_p"))
        .replica("c", TestDatabases.mariaEndpoint(PORT, name + "_c"))
        .table("t", null);
  }

  static AuditReport.CopyReport copy(AuditReport r) {
    return AuditFixture.copy(r, "t", "c");
  }

  static List<String> changedColumns(AuditReport r, long id) {
    return copy(r).findings().stream()
        .filter(f -> ((Number) f.key().get("id")).longValue() == id)
        .findFirst()
        .orElseThrow()
        .columns();
  }

  /**
   * An ascii column holds any byte (MariaDB stores X'FF' there in strict mode too): the primary's
   * (X'61FF62', 'c') and the copy's ('a', X'62FF63') were one encoding, 'a' 0xFF 'b' 0xFF 'c'.
   */
  @Test
  void anAsciiValueHoldingTheSeparatorByteIsNotAColumnBoundary() throws Exception {
    String create =
        "CREATE TABLE t (id int PRIMARY KEY, a varchar(10) CHARACTER SET ascii NOT NULL,"
            + " b varchar(10) CHARACTER SET ascii NOT NULL)";
    AuditFixture f =
        tables(
            "mfix_ascii",
            List.of(create, "INSERT INTO t VALUES (1, X'61FF62', 'c'), (2, 'same', 'x')"),
            List.of(create, "INSERT INTO t VALUES (1, 'a', X'62FF63'), (2, 'same', 'x')"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(copy(r).hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1");
    assertThat(changedColumns(r, 1)).containsExactly("a", "b");
  }

  /**
   * An ascii to utf8mb4 charset migration: the same ASCII text on both sides is no difference
   * (CANONICAL, the column types differ), a changed value is.
   */
  @Test
  void anAsciiColumnMigratedToUtf8mb4StillCompares() throws Exception {
    AuditFixture f =
        tables(
            "mfix_asciimig",
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, a varchar(10) CHARACTER SET ascii NOT NULL,"
                    + " b text CHARACTER SET ascii)",
                "INSERT INTO t VALUES (1, 'abc', 'x y'), (2, 'same', NULL), (3, 'q', 'r')"),
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, a varchar(10) CHARACTER SET utf8mb4 NOT NULL,"
                    + " b mediumtext CHARACTER SET utf8mb4)",
                "INSERT INTO t VALUES (1, 'abc', 'x y'), (2, 'same', NULL), (3, 'q', 'R')"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(copy(r).hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 3");
    assertThat(changedColumns(r, 3)).containsExactly("b");
  }

  /**
   * HEX() of a BLOB over 8 MiB exceeds max_allowed_packet (16 MiB): MariaDB returned NULL and
   * CONCAT_WS skipped the value, so 9,000,000 'a' against 8,999,999 'a' and a 'b' was CONSISTENT,
   * under NATIVE and (the copy's column a mediumblob) CANONICAL. Such values enter the encoding as
   * their SHA-256: the change is found and its column named, identical large values (row 3) and a
   * value just at the threshold (row 4) are no difference, one just over it against one just at it
   * (row 5) is.
   */
  @Test
  void aBlobOverHalfTheMaxPacketIsCompared() throws Exception {
    for (String copyType : List.of("longblob", "mediumblob")) {
      String rows =
          "INSERT INTO t VALUES (1, REPEAT('a', 9000000)), (2, 'x'), (3, REPEAT('c', 9000000)),"
              + " (4, REPEAT('d', 65536)), (5, REPEAT('e', 65536))";
      AuditFixture f =
          tables(
              "mfix_bigblob",
              List.of("CREATE TABLE t (id int PRIMARY KEY, b longblob)", rows),
              List.of(
                  "CREATE TABLE t (id int PRIMARY KEY, b " + copyType + ")",
                  rows,
                  "UPDATE t SET b = CONCAT(REPEAT('a', 8999999), 'b') WHERE id = 1",
                  "UPDATE t SET b = REPEAT('e', 65537) WHERE id = 5"));
      AuditReport r = f.run(CompareSettings.defaults());
      assertThat(copy(r).hashing()).isEqualTo(copyType.equals("longblob") ? "NATIVE" : "CANONICAL");
      assertThat(AuditFixture.findings(r, "t", "c"))
          .as(copyType)
          .containsExactly("CHANGED 1", "CHANGED 5");
      assertThat(changedColumns(r, 1)).containsExactly("b");
      assertThat(changedColumns(r, 5)).containsExactly("b");
    }
  }

  /**
   * A row whose encoding exceeds max_allowed_packet: CONCAT_WS returned NULL, so did the row hash,
   * and SUM skipped the row. Two 9,000,000-character values against the copy's with the last 'a' a
   * 'Z' were CONSISTENT; a copy whose row 2 is short failed with "Cannot parse null string" (the
   * primary's NULL hash read when locating). Now both are CHANGED rows naming their column.
   */
  @Test
  void aRowOverTheMaxPacketIsCompared() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, a longtext, b longtext)";
    String rows =
        "INSERT INTO t VALUES (1, REPEAT('a', 9000000), REPEAT('b', 9000000)),"
            + " (2, REPEAT('a', 9000000), REPEAT('b', 9000000)), (3, 'x', 'y')";
    AuditFixture f =
        tables(
            "mfix_bigrow",
            List.of(create, rows),
            List.of(
                create,
                rows,
                "UPDATE t SET a = CONCAT(REPEAT('a', 8999999), 'Z') WHERE id = 1",
                "UPDATE t SET b = 'short' WHERE id = 2"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(copy(r).error()).isNull();
    assertThat(copy(r).hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1", "CHANGED 2");
    assertThat(changedColumns(r, 1)).containsExactly("a");
    assertThat(changedColumns(r, 2)).containsExactly("b");
  }

  /**
   * A row can still be too large to encode (here 300 TEXT columns of 65,535 characters: 19.7 MB,
   * each value below the digest threshold). Its row hash would be NULL and be skipped: the audit of
   * the table fails instead, saying why.
   */
  @Test
  void aRowThatCannotBeEncodedFailsTheAudit() throws Exception {
    StringBuilder create = new StringBuilder("CREATE TABLE t (id int PRIMARY KEY");
    StringBuilder fill = new StringBuilder("UPDATE t SET ");
    for (int i = 0; i < 300; i++) {
      create.append(", c").append(i).append(" text");
      fill.append(i == 0 ? "" : ", ").append("c").append(i).append(" = REPEAT('x', 65535)");
    }
    create.append(") ROW_FORMAT=DYNAMIC");
    List<String> sql =
        List.of(
            create.toString(),
            "INSERT INTO t (id) VALUES (1), (2)",
            fill.append(" WHERE id = 1").toString());
    AuditFixture f = tables("mfix_hugerow", sql, sql);
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(r.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(r.tables().get(0).error())
        .startsWith("primary 'p'")
        .contains("a row encoding exceeds max_allowed_packet");
  }

  /**
   * An ENUM's invalid value (index 0, stored as '' for a bad value under sql_mode '') hashed like a
   * declared '' label: ENUM('a','') index 0 against index 2 was CONSISTENT.
   */
  @Test
  void anEnumsInvalidValueIsNotItsEmptyLabel() throws Exception {
    String create = "CREATE TABLE t (id int PRIMARY KEY, e ENUM('a', '') NOT NULL)";
    AuditFixture f =
        tables(
            "mfix_enum",
            List.of(
                create,
                "SET SESSION sql_mode = ''",
                "INSERT INTO t VALUES (1, 'zzz'), (2, ''), (3, 'a'), (4, 'zzz')"),
            List.of(
                create,
                "SET SESSION sql_mode = ''",
                "INSERT INTO t VALUES (1, ''), (2, ''), (3, 'a'), (4, 'zzz')"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(copy(r).hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 1");
    assertThat(changedColumns(r, 1)).containsExactly("e");
  }
}
