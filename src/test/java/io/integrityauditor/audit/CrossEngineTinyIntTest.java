package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
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
    int pgPort = TestDatabases.PG_PRIMARY_PORT;
    int myPort = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pgPort, "xtiny_p");
    TestDatabases.execute(
        TestDatabases.pgUrl(pgPort, "xtiny_p"),
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, s smallint, b boolean)",
        "INSERT INTO t VALUES (1, 1, 1, true), (2, 1, 0, false), (3, 1, 2, true),"
            + " (4, 1, 2, true), (5, 1, NULL, NULL), (6, 1, 1, false)");
    TestDatabases.recreateMariaDatabase(myPort, "xtiny_c");
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(myPort, "xtiny_c"))) {
      var s = c.createStatement();
      s.execute("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, s tinyint(1), b boolean)");
      s.execute(
          "INSERT INTO t VALUES (1, 1, 1, 1), (2, 1, 0, 0), (3, 1, 2, 1),"
              + " (4, 1, 3, 1), (5, 1, NULL, NULL), (6, 1, 1, 1)");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pgPort, "xtiny_p"))
            .replica("c", TestDatabases.mariaEndpoint(myPort, "xtiny_c"))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 4", "CHANGED 6");
  }
}
