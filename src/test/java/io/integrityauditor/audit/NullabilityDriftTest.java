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
 * Temporal columns whose fractional precision differs between the sides are schema drift of the
 * same kind (see the tests below).
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

  /**
   * Regression: DATETIME(3) on the primary and DATETIME(6) on the copy (or TIMESTAMP(0) / TIME(2)
   * against six digits) hold the same instants, but MariaDB renders each with its column's own
   * digits ('.123' against '.123000'): all 100 identical rows were reported CHANGED, where
   * PostgreSQL's timestamp(3) against timestamp(6) was consistent. Temporals are now rendered with
   * six digits; a 1-microsecond change is still found.
   */
  @Test
  void mariaDbTemporalPrecisionDriftIsNotADifference() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    TestDatabases.recreateMariaDatabase(port, "precdrift_p");
    TestDatabases.recreateMariaDatabase(port, "precdrift_c");
    String[] digits = {"3", "0", "2"};
    String[] copyDigits = {"6", "6", "6"};
    int side = 0;
    for (String db : new String[] {"precdrift_p", "precdrift_c"}) {
      String[] d = side++ == 0 ? digits : copyDigits;
      TestDatabases.execute(
          TestDatabases.mariaUrl(port, db),
          "SET sql_log_bin = 0",
          "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, ts datetime("
              + d[0]
              + "), t2 timestamp("
              + d[1]
              + ") NULL, tm time("
              + d[2]
              + "), v varchar(20))",
          "INSERT INTO t SELECT seq, seq % 7, '2020-01-01 00:00:00.123' + INTERVAL seq SECOND,"
              + " '2021-01-01 00:00:00' + INTERVAL seq MINUTE, '10:00:00.25', CONCAT('v', seq)"
              + " FROM seq_1_to_100");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "precdrift_p"))
            .replica("c", TestDatabases.mariaEndpoint(port, "precdrift_c"))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);

    TestDatabases.execute(
        TestDatabases.mariaUrl(port, "precdrift_c"),
        "SET sql_log_bin = 0",
        "UPDATE t SET ts = ts + INTERVAL 1 MICROSECOND WHERE id = 40",
        "UPDATE t SET tm = '10:00:00.250001' WHERE id = 41");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 40", "CHANGED 41");
    assertThat(AuditFixture.copy(r, "t", "c").findings())
        .extracting(x -> x.columns())
        .containsExactlyInAnyOrder(java.util.List.of("ts"), java.util.List.of("tm"));
  }

  @Test
  void postgresTemporalPrecisionDriftIsNotADifference() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "precdrift_p");
    TestDatabases.recreatePgDatabase(port, "precdrift_c");
    String load =
        "INSERT INTO t SELECT g, g % 7, timestamp '2020-01-01 00:00:00.123' + g * interval '1 s',"
            + " timestamptz '2021-01-01 00:00:00+00' + g * interval '1 min', time '10:00:00.25'"
            + " FROM generate_series(1, 100) g";
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "precdrift_p"),
        "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, ts timestamp(3),"
            + " t2 timestamptz(0), tm time(2))",
        load);
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "precdrift_c"),
        "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, ts timestamp(6),"
            + " t2 timestamptz(6), tm time(6))",
        load);
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "precdrift_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "precdrift_c"))
            .table("public.t", "owner")
            .run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
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
