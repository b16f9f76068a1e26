package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * An updatedAt column without a time zone (PostgreSQL {@code timestamp}, MariaDB {@code DATETIME})
 * holds the wall time of the zone the application writes in, not UTC. Regression (review 6 of
 * session 22): the in-flight watermark (the primary's clock at the audit's start, UTC) was compared
 * with it as if it were UTC: with the database in Asia/Kolkata a row written before the audit and
 * missing on the copy was in flight (CONSISTENT, exit 0: its loss unseen); in America/New_York a
 * row written during the audit was a false MISSING.
 */
class ZonelessUpdatedAtTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;
  private static final int MARIA = TestDatabases.MARIADB_PRIMARY_PORT;

  /** Writes row 1000 on the primary once the table's comparison has begun. */
  private static AuditService.Progress writeDuring(String url, String insert) {
    return new AuditService.Progress() {
      @Override
      public void tableStarted(String table, long estimatedRows) {
        try {
          TestDatabases.execute(url, insert);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public void chunkScanned(String table, long rows, long elapsedNanos) {}
    };
  }

  private static AuditReport pgAudit(String zone) throws Exception {
    for (String db : new String[] {"zl_p", "zl_c"}) {
      TestDatabases.recreatePgDatabase(PG, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, "postgres"),
          "ALTER DATABASE " + db + " SET timezone = '" + zone + "'");
      TestDatabases.execute(
          TestDatabases.pgUrl(PG, db),
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id int NOT NULL, v text,"
              + " updated_at timestamp(6) NOT NULL)",
          "INSERT INTO t (id, user_id, v, updated_at) SELECT g, g % 10, 'v',"
              + " timestamp '2026-01-01 00:00:00' FROM generate_series(1, 500) g");
    }
    // written a few seconds before the audit by an application in the database's zone (psql,
    // libpq; a JDBC session would write its JVM's zone): lost on the copy
    String local = "(now() AT TIME ZONE '" + zone + "')";
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "zl_p"),
        "INSERT INTO t (id, user_id, v, updated_at) VALUES (900, 9, 'before', "
            + local
            + " - interval '3 seconds')");
    return new AuditFixture()
        .primary("p", TestDatabases.pgEndpoint(PG, "zl_p"))
        .replica("c", TestDatabases.pgEndpoint(PG, "zl_c"))
        .table(
            new io.integrityauditor.config.TableConfig(
                "t", java.util.List.of(), "user_id", "updated_at", java.util.List.of()))
        .run(
            CompareSettings.defaults(),
            null,
            writeDuring(
                TestDatabases.pgUrl(PG, "zl_p"),
                "INSERT INTO t (id, user_id, v, updated_at) VALUES (1000, 7, 'during', "
                    + local
                    + ")"),
            AuditService.Checkpoints.NONE);
  }

  @Test
  void postgresTimestampWithoutTimeZoneIsTheDatabasesWallTime() throws Exception {
    for (String zone : new String[] {"Asia/Kolkata", "America/New_York"}) {
      AuditReport r = pgAudit(zone);
      assertThat(AuditFixture.findings(r, "t", "c")).as(zone).containsExactly("MISSING 900");
      assertThat(r.tables().get(0).copies().get(0).inFlight()).as(zone).isEqualTo(1);
      assertThat(r.usersAtRiskSample()).as(zone).containsExactly("9");
    }
  }

  @Test
  void mariaDbDatetimeIsTheServersWallTime() throws Exception {
    try {
      TestDatabases.execute(
          TestDatabases.mariaUrl(MARIA, "mysql"), "SET GLOBAL time_zone = '+05:30'");
      for (String db : new String[] {"zl_p", "zl_c"}) {
        TestDatabases.recreateMariaDatabase(MARIA, db);
        try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MARIA, db));
            Statement s = c.createStatement()) {
          s.execute(
              "CREATE TABLE t (id bigint PRIMARY KEY, user_id int NOT NULL, v text,"
                  + " updated_at datetime(6) NOT NULL DEFAULT NOW(6))");
          s.execute(
              "INSERT INTO t (id, user_id, v, updated_at) SELECT seq, seq % 10, 'v',"
                  + " TIMESTAMP '2026-01-01 00:00:00' FROM seq_1_to_500");
        }
      }
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MARIA, "zl_p"));
          Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO t (id, user_id, v, updated_at) VALUES (900, 9, 'before',"
                + " NOW(6) - INTERVAL 3 SECOND)");
      }
      AuditReport r =
          new AuditFixture()
              .primary("p", TestDatabases.mariaEndpoint(MARIA, "zl_p"))
              .replica("c", TestDatabases.mariaEndpoint(MARIA, "zl_c"))
              .table(
                  new io.integrityauditor.config.TableConfig(
                      "t", java.util.List.of(), "user_id", "updated_at", java.util.List.of()))
              .run(CompareSettings.defaults());
      assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("MISSING 900");
      assertThat(r.usersAtRiskSample()).containsExactly("9");
    } finally {
      TestDatabases.execute(
          TestDatabases.mariaUrl(MARIA, "mysql"), "SET GLOBAL time_zone = 'SYSTEM'");
    }
  }
}
