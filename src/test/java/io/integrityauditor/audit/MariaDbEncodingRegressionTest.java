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
}
