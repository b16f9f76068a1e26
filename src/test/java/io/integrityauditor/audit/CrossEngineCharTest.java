package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: CHAR(n) between engines. PostgreSQL returns 'ab' in a CHAR(5) padded ('ab '), MariaDB
 * without its padding ('ab'), so every such row of a copy in the other engine was CHANGED, and a
 * CHAR(n) key gave each row as MISSING and EXTRA. Rows hashed in the JVM now drop a CHAR(n)
 * column's trailing spaces on both sides (also where only one side declares it CHAR); other
 * differences, leading spaces included, still count.
 */
class CrossEngineCharTest {
  @Test
  void fixedLengthTextComparesWithoutItsPadding() throws Exception {
    // v is VARCHAR on the copy, CHAR on the primary: compared without padding on both.
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "xchar",
            List.of(
                "CREATE TABLE t (code char(5) PRIMARY KEY, owner int NOT NULL, c char(5), v char(6))",
                "INSERT INTO t VALUES ('ab', 1, 'ab', 'x'), ('abcde', 2, 'abcde', 'xy'),"
                    + " ('k1', 3, 'same', 'z'), ('k2', 4, 'ab', 'q'), ('k3', 5, 'ab', 'w')"),
            List.of(
                "CREATE TABLE t (code char(5) PRIMARY KEY, owner int NOT NULL, c char(5),"
                    + " v varchar(6))",
                "INSERT INTO t VALUES ('ab', 1, 'ab   ', 'x'), ('abcde', 2, 'abcde', 'xy  '),"
                    + " ('k1', 3, 'same', 'z'), ('k2', 4, 'ac', 'q'), ('k3', 5, ' ab', 'w')"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED k2", "CHANGED k3");
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(5);
  }
}
