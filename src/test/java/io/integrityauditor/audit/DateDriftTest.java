package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A date column against a date-and-time column without a zone holding its midnight (a {@code date}
 * migrated to {@code timestamp}, DATE to DATETIME). Regression (reviews 1 and 2 of session 25):
 * every row was CHANGED ('2024-01-02' against '2024-01-02 00:00:00'), on PostgreSQL (CANONICAL), on
 * MariaDB (CANONICAL) and between them (JVM), all owners at risk. The date is now compared as its
 * midnight; a time other than midnight on the other side is still CHANGED and named.
 */
class DateDriftTest {
  @Test
  void postgresDateAgainstTimestamp() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[][] types = {{"date", "timestamp(0)"}, {"timestamp", "date"}};
    String[] dbs = {"tdate_p", "tdate_c"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(port, dbs[i]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, dbs[i]),
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, d "
              + types[i][0]
              + ", e "
              + types[i][1]
              + ")",
          "INSERT INTO t SELECT g, g % 7, CAST(date '2024-01-01' + g AS "
              + types[i][0]
              + "), CASE WHEN g % 9 = 0 THEN NULL ELSE CAST(date '1999-12-31' - g AS "
              + types[i][1]
              + ") END FROM generate_series(1, 300) g");
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tdate_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "tdate_c"))
            .table("public.t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "public.t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();

    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tdate_c"),
        "UPDATE t SET d = d + interval '1 second' WHERE id = 10",
        "UPDATE t SET e = e + 1 WHERE id = 11",
        "DELETE FROM t WHERE id = 12");
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 10", "CHANGED 11", "MISSING 12");
    assertThat(AuditFixture.columnsNamed(r, "public.t", "c", "10")).isEqualTo("[d]");
    assertThat(AuditFixture.columnsNamed(r, "public.t", "c", "11")).isEqualTo("[e]");
  }

  @Test
  void mariaDbDateAgainstDatetime() throws Exception {
    int port = TestDatabases.MARIADB_PRIMARY_PORT;
    String[][] types = {{"DATE", "DATETIME(6)"}, {"DATETIME", "DATE"}};
    String[] dbs = {"tdate_mp", "tdate_mc"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreateMariaDatabase(port, dbs[i]);
      try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, dbs[i]));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, d "
                + types[i][0]
                + ", e "
                + types[i][1]
                + ")");
        s.execute(
            "INSERT INTO t SELECT seq, seq % 7, DATE '2024-01-01' + INTERVAL seq DAY,"
                + " IF(seq % 9 = 0, NULL, DATE '1999-12-31' - INTERVAL seq DAY)"
                + " FROM seq_1_to_300");
      }
    }
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(port, "tdate_mp"))
            .replica("c", TestDatabases.mariaEndpoint(port, "tdate_mc"))
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("CANONICAL");
    assertThat(AuditFixture.findings(r, "t", "c")).isEmpty();

    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(port, "tdate_mc"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE t SET d = d + INTERVAL 1 SECOND WHERE id = 10");
      s.execute("UPDATE t SET e = e + INTERVAL 1 DAY WHERE id = 11");
    }
    r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 10", "CHANGED 11");
    assertThat(AuditFixture.columnsNamed(r, "t", "c", "10")).isEqualTo("[d]");
    assertThat(AuditFixture.columnsNamed(r, "t", "c", "11")).isEqualTo("[e]");
  }

  @Test
  void postgresDateAgainstMariaDbDatetimeAndTheOtherWayRound() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "tdate_x",
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, d date, e timestamp)",
                "INSERT INTO t SELECT g, g % 7, date '2024-01-01' + g,"
                    + " CAST(date '1999-12-31' - g AS timestamp) FROM generate_series(1, 300) g"),
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, d DATETIME, e DATE)",
                "INSERT INTO t SELECT seq, seq % 7, DATE '2024-01-01' + INTERVAL seq DAY,"
                    + " DATE '1999-12-31' - INTERVAL seq DAY FROM seq_1_to_300",
                "UPDATE t SET d = d + INTERVAL 1 SECOND WHERE id = 5"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("JVM");
    assertThat(AuditFixture.findings(r, "t", "c")).containsExactly("CHANGED 5");
    assertThat(AuditFixture.columnsNamed(r, "t", "c", "5")).isEqualTo("[d]");
  }

  /**
   * A date key against a timestamp (DATETIME) key is refused, naming both types. Regression (review
   * 4 of session 25): with the date compared as its midnight, identical tables were CONSISTENT, but
   * one differing row made every row of the table MISSING and EXTRA ('2000-01-05' is no key
   * '2000-01-05 00:00:00' when rows are matched).
   */
  @Test
  void aDateKeyAgainstATimestampKeyIsRefused() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[] types = {"date", "timestamp"};
    String[] dbs = {"tdate_kp", "tdate_kc"};
    for (int i = 0; i < 2; i++) {
      TestDatabases.recreatePgDatabase(port, dbs[i]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, dbs[i]),
          "CREATE TABLE t (day " + types[i] + " PRIMARY KEY, owner int NOT NULL, v int)",
          "INSERT INTO t SELECT date '2000-01-01' + g, g % 5, g FROM generate_series(1, 300) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "tdate_kc"), "UPDATE t SET v = -1 WHERE day = '2000-01-20'");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "tdate_kp"))
            .replica("c", TestDatabases.pgEndpoint(port, "tdate_kc"))
            .table("public.t", "owner")
            .run(CompareSettings.defaults());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(AuditFixture.findings(r, "public.t", "c")).isEmpty();
    assertThat(AuditFixture.copy(r, "public.t", "c").error())
        .contains("key column day is date on the primary and timestamp without time zone")
        .contains("a date and a date with a time are never the same key");

    AuditFixture x =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "tdate_kx",
            List.of(
                "CREATE TABLE t (day date PRIMARY KEY, owner int NOT NULL, v int)",
                "INSERT INTO t SELECT date '2000-01-01' + g, g % 5, g FROM generate_series(1, 300) g"),
            List.of(
                "CREATE TABLE t (day DATETIME PRIMARY KEY, owner int NOT NULL, v int)",
                "INSERT INTO t SELECT DATE '2000-01-01' + INTERVAL seq DAY, seq % 5, seq"
                    + " FROM seq_1_to_300"));
    r = x.run(CompareSettings.defaults());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(AuditFixture.copy(r, "t", "c").error())
        .contains("a date and a date with a time are never the same key");
  }
}
