package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import org.junit.jupiter.api.Test;

/**
 * A MariaDB table configured as {@code database.table}, with a copy in another database of the same
 * server. Regression (review 3 of session 22): the qualified name was read as written on every
 * endpoint, so the copy's URL database was ignored and the primary's table compared with itself:
 * CONSISTENT, exit 0, with a changed and a missing row on the copy.
 */
class MariaDbQualifiedNameTest {
  private static final int PORT = TestDatabases.MARIADB_PRIMARY_PORT;

  @Test
  void aQualifierNamingThePrimarysDatabaseNamesTheCopysThere() throws Exception {
    for (String db : new String[] {"dbq_a", "dbq_b", "dbq_o"}) {
      TestDatabases.recreateMariaDatabase(PORT, db);
      // not binlogged: the database exists on the primary only (the replica would stop)
      try (java.sql.Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PORT, db));
          java.sql.Statement s = c.createStatement()) {
        s.execute("CREATE TABLE q (id int PRIMARY KEY, user_id int NOT NULL, v text)");
        s.execute(
            db.equals("dbq_b")
                ? "INSERT INTO q VALUES (1, 1, 'DIFFERENT')"
                : "INSERT INTO q VALUES (1, 1, 'a'), (2, 2, 'b')");
      }
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(PORT, "dbq_a"))
            .replica("c", TestDatabases.mariaEndpoint(PORT, "dbq_b"))
            .table("dbq_a.q", "user_id")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "dbq_a.q", "c")).containsExactly("CHANGED 1", "MISSING 2");
    assertThat(r.exitCode()).isEqualTo(1);

    // A qualifier naming a third database reads one table on both: refused, not CONSISTENT.
    AuditReport self =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(PORT, "dbq_a"))
            .replica("c", TestDatabases.mariaEndpoint(PORT, "dbq_b"))
            .table("dbq_o.q", "user_id")
            .run(CompareSettings.defaults());
    assertThat(self.tables().get(0).copies().get(0).error())
        .contains("is the primary's own table (same server, database and table)");
    assertThat(self.exitCode()).isEqualTo(2);
  }
}
