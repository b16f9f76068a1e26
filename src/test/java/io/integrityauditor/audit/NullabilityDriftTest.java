package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Regression: a column NOT NULL on the copy and nullable on the primary (schema drift, or a backup
 * from before a migration) made MariaDB's row encoding differ for every row (it marks NULLs of
 * nullable columns only), so all 2,000 identical rows were reported CHANGED. Both sides now encode
 * such a column as nullable; identical rows are consistent and a real difference is still found.
 * PostgreSQL's hashes never depended on nullability: the same table must be consistent there too.
 */
class NullabilityDriftTest {
  private static void load(Connection c, String notNull) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, a varchar(20)"
              + notNull
              + ", b varchar(20))");
      for (int i = 1; i <= 2000; i += 500) {
        StringBuilder sb = new StringBuilder("INSERT INTO t VALUES ");
        for (int k = i; k < i + 500; k++) {
          sb.append(k == i ? "" : ", ")
              .append("(" + k + ", " + (k % 7) + ", 'a" + k + "', ")
              .append(k % 3 == 0 ? "NULL" : "'b" + k + "'")
              .append(")");
        }
        s.execute(sb.toString());
      }
    }
  }

  @Test
  void mariaDbColumnNotNullOnTheCopyOnlyIsNotADifference() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreateMariaDatabase(port, "nulldrift_p");
    TestDatabases.recreateMariaDatabase(port, "nulldrift_c");
    try (Connection p = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, "nulldrift_p"));
        Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, "nulldrift_c"))) {
      load(p, "");
      load(c, " NOT NULL");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "nulldrift_p"))
            .replica("c", TestDatabases.mariaEndpoint(port, "nulldrift_c"))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    TestDatabases.execute(
        TestDatabases.mariaUrl(port, "nulldrift_c"),
        "SET sql_log_bin = 0",
        "UPDATE t SET a = '' WHERE id = 700");
    TestDatabases.execute(
        TestDatabases.mariaUrl(port, "nulldrift_p"),
        "SET sql_log_bin = 0",
        "UPDATE t SET a = NULL WHERE id = 700");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 700");
  }

  @Test
  void postgresColumnNotNullOnTheCopyOnlyIsNotADifference() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "nulldrift_p");
    TestDatabases.recreatePgDatabase(port, "nulldrift_c");
    try (Connection p = TestDatabases.admin(TestDatabases.pgUrl(port, "nulldrift_p"));
        Connection c = TestDatabases.admin(TestDatabases.pgUrl(port, "nulldrift_c"))) {
      load(p, "");
      load(c, " NOT NULL");
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "nulldrift_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "nulldrift_c"))
            .table("public.t", "owner")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("NATIVE");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
  }
}
