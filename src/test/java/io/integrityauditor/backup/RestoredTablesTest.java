package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.dialect.MySqlDialect;
import io.integrityauditor.dialect.PostgresDialect;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a drill's look at the tables concludes. A view holds no rows of its own: a data-only restore
 * of its tables leaves it as it was, and that is no sign of a dump without it (review of session
 * 27: an audited view left by a data-only restore would have been "did not restore").
 */
class RestoredTablesTest {
  @Test
  void aViewLeftAsItWasIsNoUnrestoredTable() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(pg, "rt_view");
    TestDatabases.execute(
        TestDatabases.pgUrl(pg, "rt_view"),
        "CREATE TABLE t (id int PRIMARY KEY, v text)",
        "CREATE VIEW w AS SELECT * FROM t");
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreateMariaDatabase(my, "rt_view");
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, "rt_view"));
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
      s.execute("CREATE VIEW w AS SELECT * FROM t");
    }
    Thread.sleep(1100); // a MariaDB table written in the second it is looked at counts as touched
    try (Connection p = TestDatabases.admin(TestDatabases.pgUrl(pg, "rt_view"));
        Connection m = TestDatabases.admin(TestDatabases.mariaUrl(my, "rt_view"))) {
      Map<String, RestoredTables.Seen> pgBefore =
          RestoredTables.look(p, new PostgresDialect(), List.of("public.t", "w", "gone"));
      Map<String, RestoredTables.Seen> myBefore =
          RestoredTables.look(m, new MySqlDialect(), List.of("t", "w", "gone"));
      Map<String, RestoredTables.Seen> pgAfter =
          RestoredTables.look(p, new PostgresDialect(), List.of("public.t", "w", "gone"));
      Map<String, RestoredTables.Seen> myAfter =
          RestoredTables.look(m, new MySqlDialect(), List.of("t", "w", "gone"));
      assertThat(pgBefore.get("w").unsure()).isTrue();
      assertThat(pgBefore.get("public.t").unsure()).isFalse();
      assertThat(myBefore.get("w").unsure()).isTrue();
      RestoredTables.Verdict v = RestoredTables.verdict(pgBefore, pgAfter);
      assertThat(v.untouched()).containsExactly("public.t");
      assertThat(v.absent()).containsExactly("gone");
      v = RestoredTables.verdict(myBefore, myAfter);
      assertThat(v.untouched()).containsExactly("t");
      assertThat(v.absent()).containsExactly("gone");
    }
  }
}
