package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: MariaDB's driver hands a TINYINT(1) over as a boolean. Against a PostgreSQL smallint
 * every row was CHANGED (1 against true), and 2 and 3 both read as true. A TINYINT(1) is now read
 * as its number and a boolean's canonical text is 1 or 0, so a PostgreSQL boolean still matches
 * MariaDB's BOOLEAN (a TINYINT(1)) holding 1 or 0.
 */
class CrossEngineTinyIntTest {
  @Test
  void tinyIntOneIsANumberAndBooleansAreOneAndZero() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "xtiny",
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, s smallint, b boolean)",
                "INSERT INTO t VALUES (1, 1, 1, true), (2, 1, 0, false), (3, 1, 2, true),"
                    + " (4, 1, 2, true), (5, 1, NULL, NULL), (6, 1, 1, false)"),
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, s tinyint(1), b boolean)",
                "INSERT INTO t VALUES (1, 1, 1, 1), (2, 1, 0, 0), (3, 1, 2, 1),"
                    + " (4, 1, 3, 1), (5, 1, NULL, NULL), (6, 1, 1, 1)"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 4", "CHANGED 6");
  }
}
