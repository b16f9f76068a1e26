package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL real against a double precision copy of the same values (a real -> double precision
 * migration) is consistent, and a real difference is still found. Regression (review 4 of session
 * 20): the canonical encoding printed the real as 0.1 and the double as 0.10000000149011612, and
 * rows 1 and 3 were CHANGED although the copy held the primary's values exactly.
 */
class RealWidenedTest {
  @Test
  void aRealColumnMigratedToDoublePrecisionIsTheSameValues() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "realw_p");
    TestDatabases.recreatePgDatabase(pg, "realw_c");
    String[] setup = {
      "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, x real, xs real[])",
      "INSERT INTO t VALUES (1, 1, 0.1, '{0.1,2}'), (2, 2, 1.5, NULL), (3, 3, 16777217, '{}'),"
          + " (4, 4, 'NaN', '{-0}'), (5, 5, '-Infinity', '{1e-40}'), (6, 6, 2.5, '{3}')"
    };
    TestDatabases.execute(TestDatabases.pgUrl(pg, "realw_p"), setup);
    TestDatabases.execute(TestDatabases.pgUrl(pg, "realw_c"), setup);
    TestDatabases.execute(
        TestDatabases.pgUrl(pg, "realw_c"),
        "ALTER TABLE t ALTER COLUMN x TYPE double precision,"
            + " ALTER COLUMN xs TYPE double precision[]",
        "UPDATE t SET x = 2.5000001 WHERE id = 6");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pg, "realw_p"))
            .replica("c", TestDatabases.pgEndpoint(pg, "realw_c"))
            .table("t", "owner")
            .run(CompareSettings.defaults());
    AuditReport.CopyReport c = AuditFixture.copy(r, "t", "c");
    assertThat(c.error()).isNull();
    assertThat(c.hashing()).isEqualTo("CANONICAL");
    assertThat(c.findings())
        .extracting(f -> f.kind() + " " + f.key().get("id") + " " + f.columns())
        .containsExactly("CHANGED 6 [x]");
  }
}
