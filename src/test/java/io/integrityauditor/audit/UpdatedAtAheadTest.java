package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A replica followed at the primary's position reports every difference its re-checks confirm,
 * whatever the rows' updatedAt. Regression (reviewer, MariaDB 10.11, 3 of 3 runs): rows whose
 * updatedAt ran 10 minutes ahead of the database clock (an application clock, or a local time in a
 * UTC column) were counted in flight on a healthy, in-sync replica — a replica-only change and a
 * row missing on the replica went unreported, the audit CONSISTENT, exit 0.
 */
class UpdatedAtAheadTest {
  @Test
  void differencesConfirmedOnAnInSyncReplicaAreReportedWhateverUpdatedAtSays() throws Exception {
    String primary = TestDatabases.mariaUrl(TestDatabases.MARIADB_PRIMARY_PORT, "app");
    String replica = TestDatabases.mariaUrl(TestDatabases.MARIADB_REPLICA_PORT, "app");
    TestDatabases.execute(
        primary,
        "DROP TABLE IF EXISTS ahead_t",
        "CREATE TABLE ahead_t (id INT PRIMARY KEY, owner INT NOT NULL, v VARCHAR(50),"
            + " updated_at DATETIME(6) NOT NULL)",
        "INSERT INTO ahead_t SELECT seq, seq % 50, CONCAT('val', seq),"
            + " NOW(6) - INTERVAL 1 HOUR FROM seq_1_to_2000",
        // Written by a client whose clock runs 10 minutes ahead.
        "UPDATE ahead_t SET updated_at = NOW(6) + INTERVAL 10 MINUTE WHERE id IN (5, 9)");
    try {
      ReplicaTopologyTest.waitForReplica(primary, replica);
      TestDatabases.execute(
          replica,
          "SET SESSION sql_log_bin = 0",
          "UPDATE ahead_t SET v = 'tampered' WHERE id IN (5, 6)",
          "DELETE FROM ahead_t WHERE id IN (7, 9)");
      AuditReport r =
          new AuditFixture()
              .primary("p", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_PRIMARY_PORT, "app"))
              .replica(
                  "replica", TestDatabases.mariaEndpoint(TestDatabases.MARIADB_REPLICA_PORT, "app"))
              .table(new TableConfig("ahead_t", List.of(), "owner", "updated_at", List.of()))
              .run(CompareSettings.defaults());
      assertThat(r.replication().get(0).state()).isEqualTo("STREAMING");
      assertThat(AuditFixture.findings(r, "ahead_t", "replica"))
          .containsExactly("CHANGED 5", "CHANGED 6", "MISSING 7", "MISSING 9");
      assertThat(r.tables().get(0).copies().get(0).inFlight()).isZero();
      assertThat(r.exitCode()).isEqualTo(1);
    } finally {
      TestDatabases.execute(primary, "DROP TABLE IF EXISTS ahead_t");
    }
  }

  /**
   * A copy compared as it is (not followed at a position: here a second database on the primary's
   * server) holding the same future updatedAt as the primary: the copy has the write that stamped
   * the row, so another difference in it is real. Regression (review of session 16, PostgreSQL 15,
   * 2 of 2 runs): updated_at '2099-01-01' (or 'infinity') made a changed row in flight on every
   * audit, CONSISTENT, exit 0. A row stamped after the audit began whose copy holds an older stamp
   * stays in flight, as does a whole-second stamp within a minute of the audit's start.
   */
  @Test
  void aCopyComparedAsItIsHoldingTheSameFutureStampReportsTheDifference() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[] dbs = {"ahead_p", "ahead_c"};
    java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
    String tenMinutesAhead = now.plusMinutes(10).withNano(250_000_000).toString();
    String wholeSecondSoon = now.plusSeconds(20).withNano(0).toString();
    for (String db : dbs) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id int PRIMARY KEY, v text, updated_at timestamptz NOT NULL)",
          "INSERT INTO t SELECT g, 'v', '2026-12-01 00:00:00+00' FROM generate_series(1, 100) g",
          "UPDATE t SET updated_at = '2099-01-01' WHERE id = 5",
          "UPDATE t SET updated_at = 'infinity' WHERE id = 6",
          "UPDATE t SET updated_at = '" + tenMinutesAhead + "' WHERE id = 7",
          // within a minute of the audit, whole seconds: two writes could share this stamp
          "UPDATE t SET updated_at = '" + wholeSecondSoon + "' WHERE id = 8");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "ahead_c"),
        "UPDATE t SET v = 'X' WHERE id IN (5, 6, 7, 8)",
        // a write the copy has not received yet: its stamp on the copy is the older one
        "UPDATE t SET v = 'old' WHERE id = 9");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "ahead_p"),
        "UPDATE t SET updated_at = now() + interval '30.5 seconds' WHERE id = 9");
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "ahead_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "ahead_c"))
            .table(
                new io.integrityauditor.config.TableConfig(
                    "public.t", java.util.List.of(), null, "updated_at", java.util.List.of()))
            .run(io.integrityauditor.engine.CompareSettings.defaults());
    assertThat(r.replication().get(0).state()).isEqualTo("NOT_A_REPLICA");
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder("CHANGED 5", "CHANGED 6", "CHANGED 7");
    assertThat(AuditFixture.copy(r, "public.t", "c").inFlight()).isEqualTo(2); // 8 and 9
    assertThat(AuditFixture.copy(r, "public.t", "c").findings())
        .allSatisfy(f -> assertThat(f.columns()).containsExactly("v"));
  }

  /**
   * On a copy compared as it is, a row on the primary alone whose updatedAt lies more than a day
   * ahead of the primary's clock is no write on its way: MISSING, and its user at risk; so is a
   * changed row stamped so far ahead whose copy holds an older stamp. A row stamped ten minutes
   * ahead stays in flight. Regression (review of session 17, PostgreSQL 15): rows stamped
   * 2099-01-01 or 'infinity' were in flight on every audit, CONSISTENT, exit 0, no user at risk.
   */
  @Test
  void aRowStampedFarAheadOnThePrimaryAloneIsMissingOnACopyComparedAsItIs() throws Exception {
    java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
    String tenMinutes = now.plusMinutes(10).withNano(250_000_000).toLocalDateTime().toString();
    String twoDays = now.plusDays(2).withNano(500_000_000).toLocalDateTime().toString();
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"farahead_p", "farahead_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text,"
              + " updated_at timestamptz NOT NULL)",
          "INSERT INTO t SELECT g, g, 'v', '2026-12-01 00:00:00+00' FROM generate_series(1, 100) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "farahead_p"),
        "INSERT INTO t VALUES (1001, 51, 'far', '2099-01-01'), (1002, 52, 'inf', 'infinity'),"
            + " (1003, 53, 'soon', '"
            + tenMinutes
            + "+00')",
        "UPDATE t SET v = 'new', updated_at = '" + twoDays + "+00' WHERE id = 8");
    AuditReport pg =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "farahead_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "farahead_c"))
            .table(new TableConfig("public.t", List.of(), "owner", "updated_at", List.of()))
            .run(CompareSettings.defaults());
    assertThat(pg.replication().get(0).state()).isEqualTo("NOT_A_REPLICA");
    assertThat(AuditFixture.findings(pg, "public.t", "c"))
        .containsExactlyInAnyOrder("MISSING 1001", "MISSING 1002", "CHANGED 8");
    assertThat(AuditFixture.copy(pg, "public.t", "c").inFlight()).isEqualTo(1);
    assertThat(pg.usersAtRiskSample()).containsExactlyInAnyOrder("8", "51", "52");
    assertThat(pg.exitCode()).isEqualTo(1);

    // MariaDB: DATETIME(6) and DATETIME (whole seconds: the bound truncated as the column is).
    int my = TestDatabases.MARIADB_PRIMARY_PORT;
    for (String db : new String[] {"farahead_p", "farahead_c"}) {
      TestDatabases.recreateMariaDatabase(my, db);
      try (java.sql.Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(my, db));
          java.sql.Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE t (id INT PRIMARY KEY, owner INT NOT NULL, v VARCHAR(20),"
                + " updated_at DATETIME(6) NOT NULL)");
        st.execute("INSERT INTO t SELECT seq, seq, 'v', '2026-12-01 00:00:00' FROM seq_1_to_100");
        if (db.endsWith("_p")) {
          st.execute(
              "INSERT INTO t VALUES (1001, 51, 'far', '2099-01-01'),"
                  + " (1003, 53, 'soon', '"
                  + tenMinutes.replace('T', ' ')
                  + "')");
          st.execute(
              "UPDATE t SET v = 'new', updated_at = '"
                  + twoDays.replace('T', ' ')
                  + "' WHERE id = 8");
        }
      }
    }
    AuditReport maria =
        new AuditFixture()
            .primary("p", TestDatabases.mariaEndpoint(my, "farahead_p"))
            .replica("c", TestDatabases.mariaEndpoint(my, "farahead_c"))
            .table(new TableConfig("t", List.of(), "owner", "updated_at", List.of()))
            .run(CompareSettings.defaults());
    assertThat(maria.replication().get(0).state()).isEqualTo("NOT_A_REPLICA");
    assertThat(AuditFixture.findings(maria, "t", "c"))
        .containsExactlyInAnyOrder("MISSING 1001", "CHANGED 8");
    assertThat(AuditFixture.copy(maria, "t", "c").inFlight()).isEqualTo(1);
    assertThat(maria.usersAtRiskSample()).containsExactlyInAnyOrder("8", "51");
  }

  /**
   * An updatedAt column that is no date or timestamp (an epoch number) is refused when the table is
   * described, naming the field. Regression: a bigint updatedAt failed the copy at its first
   * difference, after the whole scan, with the server's "invalid input syntax for type bigint".
   */
  @Test
  void anUpdatedAtThatIsNoTimestampIsRefusedClearly() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"epochts_p", "epochts_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE t (id int PRIMARY KEY, v text, updated_at bigint NOT NULL)",
          "INSERT INTO t SELECT g, 'v', 1700000000 FROM generate_series(1, 100) g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "epochts_c"), "UPDATE t SET v = 'x' WHERE id = 5");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "epochts_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "epochts_c"))
            .table(new TableConfig("t", List.of(), null, "updated_at", List.of()));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(r.tables().get(0).error())
        .contains("updatedAt: column 'updated_at' of table 't' is int8, not a date or timestamp");
    assertThat(r.exitCode()).isEqualTo(2);
  }

  /**
   * On a copy compared as it is, a row of a later table written after the audit began is in flight:
   * the watermark is the primary's clock when the audit began, not when that table's comparison
   * began. Regression (review of session 19, a disabled logical subscription): the last table's row
   * written a second after the audit's start was CHANGED, its user at risk.
   */
  @Test
  void aLaterTablesRowWrittenAfterTheAuditBeganIsInFlight() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    for (String db : new String[] {"wm_p", "wm_c"}) {
      TestDatabases.recreatePgDatabase(port, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, db),
          "CREATE TABLE a (id int PRIMARY KEY, owner int NOT NULL, v text)",
          "INSERT INTO a SELECT g, g % 10, 'v' FROM generate_series(1, 1000) g",
          "CREATE TABLE b (id int PRIMARY KEY, owner int NOT NULL, v text,"
              + " updated_at timestamptz NOT NULL)",
          "INSERT INTO b SELECT g, g % 10, 'v', '2026-12-01 00:00:00+00'"
              + " FROM generate_series(1, 1000) g");
    }
    // really different, written before the audit: a finding
    TestDatabases.execute(TestDatabases.pgUrl(port, "wm_c"), "UPDATE b SET v = 'X' WHERE id = 3");
    AuditService.Progress writeWhenTheFirstTableStarts =
        new AuditService.Progress() {
          boolean written;

          @Override
          public void tableStarted(String table, long estimatedRows) {
            if (!written) {
              written = true;
              try {
                Thread.sleep(50);
                TestDatabases.execute(
                    TestDatabases.pgUrl(port, "wm_p"),
                    "UPDATE b SET v = 'new', updated_at = clock_timestamp() WHERE id = 7");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }
          }

          @Override
          public void chunkScanned(String table, long rows, long elapsedNanos) {}
        };
    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "wm_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "wm_c"))
            .table(new TableConfig("public.a", List.of(), "owner", null, List.of()))
            .table(new TableConfig("public.b", List.of(), "owner", "updated_at", List.of()))
            .run(
                CompareSettings.defaults(),
                null,
                writeWhenTheFirstTableStarts,
                AuditService.Checkpoints.NONE);
    assertThat(r.replication().get(0).state()).isEqualTo("NOT_A_REPLICA");
    assertThat(AuditFixture.findings(r, "public.b", "c")).containsExactly("CHANGED 3");
    assertThat(AuditFixture.copy(r, "public.b", "c").inFlight()).isEqualTo(1);
    assertThat(r.usersAtRisk()).isEqualTo(1);
  }
}
