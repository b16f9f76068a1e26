package io.integrityauditor.backup;

import static io.integrityauditor.backup.BackupScenario.copy;
import static io.integrityauditor.backup.BackupScenario.findings;
import static io.integrityauditor.backup.BackupScenario.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.audit.AuditReport.Status;
import io.integrityauditor.config.BackupConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backups on real MariaDB: a mariadb-dump taken at T, writes on the primary after T, a restore
 * drill (mariadb client) of a dump with planted defects, and the GTID replica losing rows the
 * backup cannot restore either.
 */
class BackupMariaDbTest {
  private static final int PRIMARY = TestDatabases.MARIADB_PRIMARY_PORT;
  private static final int REPLICA = TestDatabases.MARIADB_REPLICA_PORT;
  private static final String CONTACTS = "bk_contacts";
  private static Path dumps;
  private static String takenAt;

  @BeforeAll
  static void backupTakenThenPrimaryWritten() throws Exception {
    String server = TestDatabases.mariaUrl(PRIMARY, "");
    // Logged: the GTID replica gets the database too.
    TestDatabases.execute(
        server,
        "DROP DATABASE IF EXISTS bk_primary",
        "CREATE DATABASE bk_primary CHARACTER SET utf8mb4");
    TestDatabases.recreateMariaDatabase(PRIMARY, "bk_scratch");
    TestDatabases.recreateMariaDatabase(PRIMARY, "bk_restored");
    String p = TestDatabases.mariaUrl(PRIMARY, "bk_primary");
    TestDatabases.execute(
        p,
        "CREATE TABLE bk_contacts (id bigint PRIMARY KEY, user_id bigint NOT NULL,"
            + " name varchar(100), email varchar(200), updated_at datetime(6) NOT NULL)",
        "CREATE TABLE bk_meta (taken_at datetime(6) NOT NULL)",
        "INSERT INTO bk_contacts SELECT seq, seq % 200 + 1, CONCAT('name ', seq),"
            + " CONCAT('u', seq, '@example.com'),"
            + " NOW(6) - INTERVAL 1 DAY + INTERVAL seq * 1000 MICROSECOND FROM seq_1_to_2000",
        "INSERT INTO bk_meta VALUES (NOW(6))");
    try (Connection c = TestDatabases.admin(p);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CAST(taken_at AS CHAR) FROM bk_meta")) {
      rs.next();
      takenAt = rs.getString(1);
    }
    dumps = BackupScenario.dir("bk-maria-dumps");
    Path atT = dumps.resolve("users-2.sql");
    sh(
        "mariadb-dump --single-transaction -h 127.0.0.1 -P "
            + PRIMARY
            + " -u root bk_primary > "
            + atT);
    Thread.sleep(20);
    TestDatabases.execute(
        p,
        "INSERT INTO bk_contacts SELECT seq, seq % 200 + 1, CONCAT('new ', seq), NULL, NOW(6)"
            + " FROM seq_2001_to_2030",
        "UPDATE bk_contacts SET email = CONCAT('moved-', id, '@example.com'),"
            + " updated_at = NOW(6) WHERE id BETWEEN 100 AND 119",
        "DELETE FROM bk_contacts WHERE id BETWEEN 1500 AND 1514");
    waitForReplica();

    // Tonight's dump, with defects planted before T: restored to a scratch database, damaged,
    // dumped again as the newest file. The audit's restore drill restores it.
    sh(
        "mariadb -h 127.0.0.1 -P "
            + PRIMARY
            + " -u root --init-command='SET sql_log_bin=0' bk_scratch < "
            + atT);
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PRIMARY, "bk_scratch"));
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM bk_contacts WHERE id IN (10, 11, 500, 105)");
      s.execute("UPDATE bk_contacts SET name = 'garbled' WHERE id IN (20, 1505)");
      s.execute("UPDATE bk_contacts SET email = 'old@example.com' WHERE id = 700");
    }
    sh(
        "mariadb-dump --single-transaction -h 127.0.0.1 -P "
            + PRIMARY
            + " -u root bk_scratch > "
            + dumps.resolve("users-3.sql"));
    sh("rm " + atT);

    // The replica loses rows and garbles one, on its own (not replicated, not in its binlog).
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(REPLICA, "bk_primary"));
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM bk_contacts WHERE id IN (10, 500, 2005, 110, 30)");
      s.execute("UPDATE bk_contacts SET email = 'replica@example.com' WHERE id = 700");
    }
  }

  @AfterAll
  static void dropDatabases() throws Exception {
    // Logged: the replica drops its diverged copy too, so replication stays healthy.
    TestDatabases.execute(
        TestDatabases.mariaUrl(PRIMARY, ""), "DROP DATABASE IF EXISTS bk_primary");
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PRIMARY, ""));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS bk_scratch");
      s.execute("DROP DATABASE IF EXISTS bk_restored");
      for (String db : new String[] {"bk_wrong", "bk_wrong_fresh", "bk_other"}) {
        s.execute("DROP DATABASE IF EXISTS " + db);
      }
    }
  }

  private static void waitForReplica() throws Exception {
    String pos;
    try (Connection c = TestDatabases.admin(TestDatabases.mariaUrl(PRIMARY, ""));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@gtid_binlog_pos")) {
      rs.next();
      pos = rs.getString(1);
    }
    try (Connection c = TestDatabases.admin(TestDatabases.mariaUrl(REPLICA, ""));
        PreparedStatement ps = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, 30)")) {
      ps.setString(1, pos);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).as("replica caught up with %s", pos).isZero();
      }
    }
  }

  /**
   * A DATETIME(0) updatedAt holds a write's time truncated: a row written at 12:00:00.7, after a
   * backup taken at 12:00:00.3, holds 12:00:00 and read as written before the backup — a false
   * CHANGED against a backup that could not have it. The watermark is truncated like the column. A
   * row written a second earlier that the backup lacks is still a finding.
   */
  @Test
  void aWholeSecondUpdatedAtWrittenInTheBackupsSecondIsNotAFinding() throws Exception {
    for (String db : new String[] {"bk_coarse_p", "bk_coarse_b"}) {
      TestDatabases.recreateMariaDatabase(PRIMARY, db);
      TestDatabases.execute(
          TestDatabases.mariaUrl(PRIMARY, db),
          "SET SESSION sql_log_bin = 0",
          "CREATE TABLE t (id bigint PRIMARY KEY, user_id bigint NOT NULL, v varchar(20),"
              + " updated_at datetime NOT NULL)",
          "INSERT INTO t SELECT seq, seq % 10, 'v', '2026-01-01 11:00:00' FROM seq_1_to_100");
    }
    TestDatabases.execute(
        TestDatabases.mariaUrl(PRIMARY, "bk_coarse_p"),
        "SET SESSION sql_log_bin = 0",
        "UPDATE t SET v = 'after', updated_at = '2026-01-01 12:00:00.7' WHERE id = 1",
        "UPDATE t SET v = 'before', updated_at = '2026-01-01 11:59:59' WHERE id = 2");
    AuditReport r =
        new BackupScenario()
            .primary("primary", TestDatabases.mariaEndpoint(PRIMARY, "bk_coarse_p"))
            .table("t", "user_id", "updated_at")
            .backup(
                TestDatabases.mariaEndpoint(PRIMARY, "bk_coarse_b"),
                new BackupConfig(
                    "backup",
                    "SELECT '2026-01-01 12:00:00.300000'",
                    Duration.days(100000),
                    null,
                    null))
            .run();
    assertThat(findings(r, "t", "backup")).containsExactly("CHANGED 2");
    assertThat(copy(r, "t", "backup").inFlight()).isEqualTo(1);
  }

  @Test
  void restoreDrillThenAsOfComparisonThenUsersAtRiskWithTheGtidReplica() {
    AuditReport r =
        new BackupScenario()
            .primary("primary", TestDatabases.mariaEndpoint(PRIMARY, "bk_primary"))
            .replica("replica", TestDatabases.mariaEndpoint(REPLICA, "bk_primary"))
            .table(CONTACTS, "user_id", "updated_at")
            .backup(
                TestDatabases.mariaEndpoint(PRIMARY, "bk_restored"),
                new BackupConfig(
                    "backup",
                    "SELECT max(taken_at) FROM bk_meta",
                    Duration.hours(1),
                    "mariadb -h {host} -P {port} -u {user} --init-command='SET sql_log_bin=0'"
                        + " {database} < {newest}",
                    dumps + "/users-*.sql"))
            .run();

    assertThat(r.error()).isNull();
    assertThat(r.replication().get(0).state()).isEqualTo("STREAMING");
    var br = r.backups().get(0);
    assertThat(br.restore().exitCode()).as(br.restore().outputTail()).isZero();
    assertThat(br.newestFile()).endsWith("users-3.sql");
    assertThat(br.findings()).isEmpty();
    assertThat(br.compared()).isTrue();
    assertThat(br.asOf()).isEqualTo(BackupTime.parse(takenAt).toString());

    var b = copy(r, CONTACTS, "backup");
    assertThat(findings(r, CONTACTS, "backup"))
        .containsExactly("CHANGED 20", "CHANGED 700", "MISSING 10", "MISSING 11", "MISSING 500");
    assertThat(b.inFlight()).isEqualTo(50); // 30 inserts, 20 updates after T (105 among them)
    assertThat(b.deletedSinceBackup()).isEqualTo(15); // 1500-1514 (1505 among them)
    assertThat(b.extra()).isZero();

    assertThat(findings(r, CONTACTS, "replica"))
        .containsExactly(
            "CHANGED 700",
            "MISSING 10",
            "MISSING 110",
            "MISSING 2005",
            "MISSING 30",
            "MISSING 500");
    // 10 (user 11), 500 and 700 (user 101) lost by both; 2005 (user 6) and 110 (user 111) lost
    // by the replica and written after the backup. 30, 11 and 20 are safe somewhere.
    assertThat(r.usersAtRisk()).isEqualTo(4);
    assertThat(r.usersAtRiskSample()).containsExactly("6", "11", "101", "111");
    assertThat(r.status()).isEqualTo(Status.FINDINGS);
    assertThat(r.exitCode()).isEqualTo(1);
  }

  /**
   * Regression (review 3 of session 27): the newest dump was of another database (its own bk_meta,
   * no bk_contacts). A mariadb-dump drops and creates only the tables it holds, so the bk_contacts
   * the previous drill restored stayed and was compared as this backup (CONSISTENT, exit 0); into a
   * fresh endpoint the audit failed (exit 2) with the backup "OK". Now the drill failed to restore
   * the table: RESTORE_FAILED, not compared, every owner at risk.
   */
  @Test
  void aDumpThatHoldsNoneOfTheTablesFailsTheRestore() throws Exception {
    Path dir = BackupScenario.dir("bk-maria-wrongdump");
    java.nio.file.Files.copy(dumps.resolve("users-3.sql"), dir.resolve("users-1.sql"));
    BackupScenario.age(dir.resolve("users-1.sql"), java.time.Duration.ofHours(1));
    BackupConfig drill =
        new BackupConfig(
            "backup",
            "SELECT max(taken_at) FROM bk_meta",
            Duration.hours(26),
            "mariadb -h {host} -P {port} -u {user} --init-command='SET sql_log_bin=0'"
                + " {database} < {newest}",
            dir + "/users-*.sql");
    for (String db : new String[] {"bk_wrong", "bk_wrong_fresh", "bk_other"}) {
      TestDatabases.recreateMariaDatabase(PRIMARY, db);
    }
    AuditReport first = scenario("bk_wrong", drill);
    assertThat(first.backups().get(0).findings()).isEmpty();
    assertThat(first.backups().get(0).compared()).isTrue();

    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(PRIMARY, "bk_other"));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bk_meta (taken_at datetime(6) NOT NULL)");
      s.execute("INSERT INTO bk_meta VALUES (UTC_TIMESTAMP(6))");
      s.execute("CREATE TABLE other (id int PRIMARY KEY)");
    }
    Path wrong = dir.resolve("users-2.sql");
    sh(
        "mariadb-dump --single-transaction -h 127.0.0.1 -P "
            + PRIMARY
            + " -u root bk_other > "
            + wrong);
    // MariaDB's table times have whole seconds: a table written in the second the drill starts
    // counts as restored by it (README, backups).
    Thread.sleep(1100);

    for (String db : new String[] {"bk_wrong", "bk_wrong_fresh"}) {
      AuditReport r = scenario(db, drill);
      var br = r.backups().get(0);
      assertThat(br.restore().exitCode()).as(db).isZero();
      assertThat(br.findings().stream().map(f -> f.kind()))
          .as(db)
          .containsExactly("SHRUNK", "RESTORE_FAILED");
      assertThat(br.findings().get(1).message())
          .as(db)
          .contains(wrong.toString())
          .contains(
              db.equals("bk_wrong") ? "did not restore bk_contacts" : "left no table bk_contacts");
      assertThat(br.compared()).as(db).isFalse();
      assertThat(r.error()).as(db).isNull();
      assertThat(r.usersAtRisk()).as(db).isEqualTo(200);
      assertThat(r.exitCode()).as(db).isEqualTo(1);
    }
  }

  private static AuditReport scenario(String backupDb, BackupConfig drill) {
    return new BackupScenario()
        .primary("primary", TestDatabases.mariaEndpoint(PRIMARY, "bk_primary"))
        .table(CONTACTS, "user_id", "updated_at")
        .backup(TestDatabases.mariaEndpoint(PRIMARY, backupDb), drill)
        .run();
  }
}
