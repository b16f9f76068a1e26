package io.integrityauditor.backup;

import static io.integrityauditor.backup.BackupScenario.copy;
import static io.integrityauditor.backup.BackupScenario.findings;
import static io.integrityauditor.backup.BackupScenario.sh;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.audit.AuditReport.Status;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.EndpointConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backups on real PostgreSQL: a pg_dump taken at T, then inserts, updates and deletes on the
 * primary after T; restored copies with planted defects; restore drills with pg_restore; stale,
 * missing, shrunken and unrestorable backups.
 */
class BackupPostgresTest {
  private static final int PORT = TestDatabases.PG_PRIMARY_PORT;
  private static final String CONTACTS = "public.bk_contacts";
  private static final String NOTES = "public.bk_notes";
  private static final String AS_OF = "SELECT max(taken_at) FROM bk_meta";
  private static Path dumps;
  private static Path full;
  private static Instant takenAt;

  private static String url(String db) {
    return TestDatabases.pgUrl(PORT, db);
  }

  private static EndpointConfig endpoint(String db) {
    return TestDatabases.pgEndpoint(PORT, db);
  }

  @BeforeAll
  static void backupTakenThenPrimaryWritten() throws Exception {
    for (String db : new String[] {"bk_primary", "bk_replica", "bk_replica_ok"}) {
      TestDatabases.recreatePgDatabase(PORT, db);
    }
    TestDatabases.execute(
        url("bk_primary"),
        "CREATE TABLE bk_contacts (id bigint PRIMARY KEY, user_id bigint NOT NULL, name text,"
            + " email text, updated_at timestamptz(6) NOT NULL)",
        "CREATE TABLE bk_notes (id bigint PRIMARY KEY, user_id bigint NOT NULL, body text)",
        "CREATE TABLE bk_meta (taken_at timestamptz(6) NOT NULL)",
        // 2,000 contacts of 200 users (user = id % 200 + 1), all last written a day ago.
        "INSERT INTO bk_contacts SELECT g, g % 200 + 1, 'name ' || g, 'u' || g || '@example.com',"
            + " now() - interval '1 day' + g * interval '1 ms' FROM generate_series(1, 2000) g",
        "INSERT INTO bk_notes SELECT g, g % 200 + 1, 'note ' || g FROM generate_series(1, 500) g",
        // The backup's own record of when it was taken, dumped with the data.
        "INSERT INTO bk_meta VALUES (clock_timestamp())");
    dumps = BackupScenario.dir("bk-pg-dumps");
    full = dumps.resolve("users-2.dump");
    sh("pg_dump -Fc -h 127.0.0.1 -p " + PORT + " -U postgres -f " + full + " bk_primary");
    try (Connection c = TestDatabases.admin(url("bk_primary"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(taken_at) FROM bk_meta")) {
      rs.next();
      takenAt = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
    Thread.sleep(20);
    // After T: 30 inserts, 20 updates, 15 deletes; notes: 5 inserts, 3 deletes.
    TestDatabases.execute(
        url("bk_primary"),
        "INSERT INTO bk_contacts SELECT g, g % 200 + 1, 'new ' || g, NULL, clock_timestamp()"
            + " FROM generate_series(2001, 2030) g",
        "UPDATE bk_contacts SET email = 'moved-' || id || '@example.com',"
            + " updated_at = clock_timestamp() WHERE id BETWEEN 100 AND 119",
        "DELETE FROM bk_contacts WHERE id BETWEEN 1500 AND 1514",
        "INSERT INTO bk_notes SELECT g, 1, 'late ' || g FROM generate_series(501, 505) g",
        "DELETE FROM bk_notes WHERE id <= 3");
    // Replica-role copies: the primary as it is now (independent databases, compared directly).
    Path now = dumps.resolve("now.sql.dump");
    sh("pg_dump -Fc -h 127.0.0.1 -p " + PORT + " -U postgres -f " + now + " bk_primary");
    for (String db : new String[] {"bk_replica", "bk_replica_ok"}) {
      sh("pg_restore -h 127.0.0.1 -p " + PORT + " -U postgres -d " + db + " " + now);
    }
    Files.delete(now);
  }

  /** A fresh database holding the backup taken at T. */
  private static void restoreInto(String db) throws Exception {
    TestDatabases.recreatePgDatabase(PORT, db);
    sh("pg_restore -h 127.0.0.1 -p " + PORT + " -U postgres -d " + db + " " + full);
  }

  private static BackupScenario scenario(String replicaDb) {
    return new BackupScenario()
        .primary("primary", endpoint("bk_primary"))
        .replica("replica", endpoint(replicaDb))
        .table(CONTACTS, "user_id", "updated_at")
        .table(NOTES, "user_id", null);
  }

  @Test
  void plantedDefectsBeforeTheBackupAreFoundExactlyAndLaterWritesAreNot() throws Exception {
    restoreInto("bk_restored");
    TestDatabases.execute(
        url("bk_restored"),
        // Lost and altered in the backup, written on the primary before T: findings.
        "DELETE FROM bk_contacts WHERE id IN (10, 11, 500)",
        "UPDATE bk_contacts SET name = 'garbled' WHERE id = 20",
        "UPDATE bk_contacts SET email = 'old@example.com' WHERE id = 700",
        // Altered in the backup, but updated (105) or deleted (1505) on the primary after T:
        // indistinguishable from the write since, so not findings.
        "DELETE FROM bk_contacts WHERE id = 105",
        "UPDATE bk_contacts SET name = 'garbled' WHERE id = 1505",
        "INSERT INTO bk_contacts VALUES (99999, 1, 'stray', NULL, now() - interval '2 days')");
    // The replica lost rows, some of which the backup cannot restore either.
    TestDatabases.execute(
        url("bk_replica"),
        "DELETE FROM bk_contacts WHERE id IN (10, 500, 2005, 110, 30)",
        "UPDATE bk_contacts SET email = 'replica@example.com' WHERE id = 700");

    AuditReport r =
        scenario("bk_replica")
            .backup(
                endpoint("bk_restored"),
                new BackupConfig("backup", AS_OF, Duration.hours(1), null, null))
            .run();

    assertThat(r.error()).isNull();
    assertThat(r.status()).isEqualTo(Status.FINDINGS);
    assertThat(r.exitCode()).isEqualTo(1);
    var b = copy(r, CONTACTS, "backup");
    assertThat(findings(r, CONTACTS, "backup"))
        .containsExactly("CHANGED 20", "CHANGED 700", "MISSING 10", "MISSING 11", "MISSING 500");
    assertThat(b.missing()).isEqualTo(3);
    assertThat(b.changed()).isEqualTo(2);
    assertThat(b.extra()).isZero();
    // 30 inserts and 20 updates after T (105 among them), never MISSING or CHANGED.
    assertThat(b.inFlight()).isEqualTo(50);
    // 15 deleted on the primary after T (1505 among them) and the stray row.
    assertThat(b.deletedSinceBackup()).isEqualTo(16);
    assertThat(b.asOf()).isEqualTo(takenAt.toString());
    assertThat(b.countsOnly()).isFalse();
    assertThat(b.usersAffectedSample()).containsExactly("11", "12", "21", "101");
    assertThat(b.findings().stream().filter(f -> f.key().get("id").equals(20L)).findFirst())
        .hasValueSatisfying(f -> assertThat(f.columns()).containsExactly("name"));

    // No updatedAt: the notes' differences since T are counted, not findings.
    var notes = copy(r, NOTES, "backup");
    assertThat(notes.countsOnly()).isTrue();
    assertThat(notes.status()).isEqualTo(Status.CONSISTENT);
    assertThat(notes.missing()).isEqualTo(5);
    assertThat(notes.deletedSinceBackup()).isEqualTo(3);
    assertThat(notes.findings()).isEmpty();
    assertThat(notes.note()).startsWith("counts only");

    assertThat(findings(r, CONTACTS, "replica"))
        .containsExactly(
            "CHANGED 700",
            "MISSING 10",
            "MISSING 110",
            "MISSING 2005",
            "MISSING 30",
            "MISSING 500");

    // At risk: 10 (user 11), 500 and 700 (user 101): lost by both; 2005 (user 6) and 110
    // (user 111): lost by the replica and written after the backup. Not 30 (user 31, safe in the
    // backup), not 11 and 20 (users 12 and 21, safe on the replica).
    assertThat(r.usersAtRisk()).isEqualTo(4);
    assertThat(r.usersAtRiskSample()).containsExactly("6", "11", "101", "111");
    assertThat(r.usersAtRiskComplete()).isTrue();

    assertThat(r.backups()).hasSize(1);
    var br = r.backups().get(0);
    assertThat(br.endpoint()).isEqualTo("backup");
    assertThat(br.asOf()).isEqualTo(takenAt.toString());
    assertThat(br.asOfSource()).isEqualTo("asOf query");
    assertThat(br.stale()).isFalse();
    assertThat(br.maxAgeSeconds()).isEqualTo(3600);
    assertThat(br.ageSeconds()).isBetween(0L, 600L);
    assertThat(br.compared()).isTrue();
    assertThat(br.findings()).isEmpty();
    assertThat(br.writtenAfterBackup()).isEqualTo(50);
    assertThat(br.deletedSinceBackup()).isEqualTo(19);
    assertThat(br.countsOnlyTables()).containsExactly(NOTES);
    assertThat(br.restore()).isNull();

    ObjectMapper json = Jackson.newObjectMapper();
    String text = json.writeValueAsString(r);
    assertThat(text)
        .contains("\"deletedSinceBackup\":16", "\"countsOnly\":true", "\"writtenAfterBackup\":50")
        .contains("\"usersAtRisk\":4", "\"usersAtRiskSample\":[\"6\",\"11\",\"101\",\"111\"]");
  }

  @Test
  void aBackupWithoutReplicasPutsTheUsersWrittenSinceAtRisk() throws Exception {
    restoreInto("bk_restored_alone");
    AuditReport r =
        new BackupScenario()
            .primary("primary", endpoint("bk_primary"))
            .table(CONTACTS, "user_id", "updated_at")
            .backup(
                endpoint("bk_restored_alone"),
                new BackupConfig("backup", AS_OF, Duration.hours(1), null, null))
            .run();
    assertThat(r.error()).isNull();
    assertThat(findings(r, CONTACTS, "backup")).isEmpty();
    assertThat(copy(r, CONTACTS, "backup").status()).isEqualTo(Status.CONSISTENT);
    // Only the primary holds the 30 inserts and 20 updates since T: 50 rows, one user each
    // (ids 2001-2030 -> users 2-31, ids 100-119 -> users 101-120).
    assertThat(r.usersAtRisk()).isEqualTo(50);
    assertThat(r.status()).isEqualTo(Status.FINDINGS);
  }

  @Test
  void aRestoreDrillRestoresTheNewestFileAndThenComparesAsOfIt() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-drill");
    Files.copy(full, dir.resolve("users-1.dump"));
    BackupScenario.age(dir.resolve("users-1.dump"), java.time.Duration.ofHours(25));
    Files.copy(full, dir.resolve("users-2.dump"));
    TestDatabases.recreatePgDatabase(PORT, "bk_drill");
    BackupConfig drill =
        new BackupConfig(
            "backup",
            AS_OF,
            Duration.hours(2),
            "pg_restore --clean --if-exists --no-owner -h {host} -p {port} -U {user}"
                + " -d {database} {newest}",
            dir + "/*.dump");
    for (int run = 0; run < 2; run++) { // the second run restores over the first
      AuditReport r = scenario("bk_replica_ok").backup(endpoint("bk_drill"), drill).run();
      assertThat(r.error()).isNull();
      var br = r.backups().get(0);
      assertThat(br.findings()).isEmpty();
      assertThat(br.restore().exitCode()).as(br.restore().outputTail()).isZero();
      assertThat(br.restore().command())
          .isEqualTo(
              "pg_restore --clean --if-exists --no-owner -h '127.0.0.1' -p '5441' -U 'postgres'"
                  + " -d 'bk_drill' '"
                  + dir.resolve("users-2.dump")
                  + "'");
      assertThat(br.newestFile()).isEqualTo(dir.resolve("users-2.dump").toString());
      assertThat(br.newestFileTime())
          .isEqualTo(Files.getLastModifiedTime(dir.resolve("users-2.dump")).toInstant().toString());
      assertThat(br.newestFileBytes()).isEqualTo(Files.size(full));
      assertThat(br.previousFileBytes()).isEqualTo(Files.size(full));
      assertThat(br.asOf()).isEqualTo(takenAt.toString());
      assertThat(br.compared()).isTrue();
      var b = copy(r, CONTACTS, "backup");
      assertThat(b.missing() + b.changed()).isZero();
      assertThat(b.inFlight()).isEqualTo(50);
      assertThat(b.deletedSinceBackup()).isEqualTo(15);
      // The replica holds every row written since: nobody is at risk, nothing to report.
      assertThat(r.usersAtRisk()).isZero();
      assertThat(r.status()).isEqualTo(Status.CONSISTENT);
      assertThat(r.exitCode()).isZero();
    }
  }

  @Test
  void aStaleBackupIsAFindingAndStillCompared() throws Exception {
    restoreInto("bk_stale");
    Thread.sleep(1100);
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_stale"),
                new BackupConfig("backup", AS_OF, Duration.seconds(1), null, null))
            .run();
    var br = r.backups().get(0);
    assertThat(br.stale()).isTrue();
    assertThat(br.findings()).hasSize(1);
    assertThat(br.findings().get(0).kind()).isEqualTo("STALE");
    assertThat(br.findings().get(0).message())
        .startsWith("backup taken " + takenAt + " (")
        .endsWith(" ago, from asOf query) is older than maxAge 1s");
    assertThat(br.compared()).isTrue();
    assertThat(copy(r, CONTACTS, "backup").inFlight()).isEqualTo(50);
    assertThat(r.usersAtRisk()).isZero();
    assertThat(r.status()).isEqualTo(Status.FINDINGS);
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void missingBackupFilesAreAFindingNotAnError() throws Exception {
    Path empty = BackupScenario.dir("bk-pg-none");
    TestDatabases.recreatePgDatabase(PORT, "bk_none");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_none"),
                new BackupConfig(
                    "backup",
                    null,
                    Duration.hours(26),
                    "pg_restore -d {database} {newest}",
                    empty + "/*.dump"))
            .run();
    assertThat(r.error()).isNull();
    assertThat(r.status()).isEqualTo(Status.FINDINGS);
    assertThat(r.exitCode()).isEqualTo(1);
    var br = r.backups().get(0);
    assertThat(br.findings())
        .extracting(AuditReport.BackupFindingReport::kind, AuditReport.BackupFindingReport::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "MISSING_BACKUP", "no backup file matches " + empty + "/*.dump"));
    assertThat(br.restore()).isNull();
    assertThat(br.compared()).isFalse();
    var b = copy(r, CONTACTS, "backup");
    assertThat(b.status()).isEqualTo(Status.FINDINGS);
    assertThat(b.error()).isNull();
    assertThat(b.note()).isEqualTo("not compared: no backup file matches " + empty + "/*.dump");
    assertThat(r.usersAtRisk()).isZero(); // the replica holds everything
  }

  /**
   * A backup whose dump files are gone is not compared, even when its endpoint still holds what an
   * earlier drill restored: with no file there is nothing to restore from if the primary died now.
   * Regression (review 2 of session 22): the leftover restore was compared and decided the users at
   * risk (here 0, where the replica's two lost rows put their 2 users at risk), while the metrics
   * said "no backup" (MISSING_BACKUP, backup time 0).
   */
  @Test
  void aBackupWhoseFilesAreGoneIsNotComparedFromAnEarlierRestore() throws Exception {
    Path empty = BackupScenario.dir("bk-pg-gone");
    restoreInto("bk_leftover");
    TestDatabases.execute(
        "jdbc:postgresql://127.0.0.1:" + PORT + "/postgres",
        "DROP DATABASE IF EXISTS bk_replica_lost WITH (FORCE)",
        "CREATE DATABASE bk_replica_lost TEMPLATE bk_replica_ok");
    TestDatabases.execute(url("bk_replica_lost"), "DELETE FROM bk_contacts WHERE id IN (10, 500)");
    AuditReport r =
        scenario("bk_replica_lost")
            .backup(
                endpoint("bk_leftover"),
                new BackupConfig(
                    "backup",
                    AS_OF,
                    Duration.hours(26),
                    "pg_restore -d {database} {newest}",
                    empty + "/*.dump"))
            .run();
    assertThat(r.error()).isNull();
    var br = r.backups().get(0);
    assertThat(br.findings())
        .extracting(AuditReport.BackupFindingReport::kind)
        .containsExactly("MISSING_BACKUP");
    assertThat(br.restore()).isNull();
    assertThat(br.compared()).isFalse();
    assertThat(copy(r, CONTACTS, "backup").note())
        .isEqualTo("not compared: no backup file matches " + empty + "/*.dump");
    assertThat(findings(r, CONTACTS, "replica")).containsExactly("MISSING 10", "MISSING 500");
    assertThat(r.usersAtRisk()).isEqualTo(2);
    assertThat(r.usersAtRiskSample()).containsExactly("11", "101");
  }

  @Test
  void aSharplyShrunkenDumpIsAFinding() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-shrunk");
    Files.copy(full, dir.resolve("users-1.dump"));
    BackupScenario.age(dir.resolve("users-1.dump"), java.time.Duration.ofHours(24));
    Path small = dir.resolve("users-2.dump");
    // Tonight's dump lost the big tables (a wrong -t, a full disk, ...).
    sh(
        "pg_dump -Fc -t bk_meta -h 127.0.0.1 -p "
            + PORT
            + " -U postgres -f "
            + small
            + " bk_primary");
    restoreInto("bk_shrunk");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_shrunk"),
                new BackupConfig("backup", AS_OF, Duration.hours(26), null, dir + "/*.dump"))
            .run();
    var br = r.backups().get(0);
    assertThat(br.findings()).hasSize(1);
    assertThat(br.findings().get(0).kind()).isEqualTo("SHRUNK");
    assertThat(br.findings().get(0).message())
        .startsWith(
            "newest backup file " + small + " has " + String.format("%,d", Files.size(small)))
        .contains(
            "less than the previous one (users-1.dump, " + String.format("%,d", Files.size(full)));
    assertThat(br.newestFileBytes()).isEqualTo(Files.size(small));
    assertThat(br.previousFileBytes()).isEqualTo(Files.size(full));
    assertThat(r.exitCode()).isEqualTo(1);
  }

  /**
   * A restore command inherited the auditor's whole environment: the other endpoints' passwords,
   * read by the configuration from {@code ${VAR}}s, were there for any restore script to read. It
   * now gets its own endpoint's password only. (Surefire sets IA_TEST_REPLICA_PASSWORD; the
   * server's trust authentication accepts any password.)
   */
  @Test
  void aRestoreCommandSeesItsOwnEndpointsPasswordAndNoOtherSecret() throws Exception {
    String replicaPassword = System.getenv("IA_TEST_REPLICA_PASSWORD");
    assertThat(replicaPassword).as("set by surefire in pom.xml").isEqualTo("replica-pw-7731");
    TestDatabases.recreatePgDatabase(PORT, "bk_env");
    EndpointConfig backup =
        new EndpointConfig(url("bk_env"), "postgres", "backup-pw-1", java.util.Map.of());
    EndpointConfig replica =
        new EndpointConfig(url("bk_replica_ok"), "postgres", replicaPassword, java.util.Map.of());
    AuditReport r =
        new BackupScenario()
            .primary("primary", endpoint("bk_primary"))
            .replica("replica", replica)
            .table(CONTACTS, "user_id", "updated_at")
            .backup(
                backup,
                new BackupConfig(
                    "backup",
                    AS_OF,
                    Duration.hours(2),
                    "if env | grep -q '^IA_TEST_REPLICA_PASSWORD='; then echo inherited; exit 9; fi;"
                        + " test \"$PGPASSWORD\" = backup-pw-1 && test \"$MYSQL_PWD\" = backup-pw-1"
                        + " && test -n \"$PATH\" && echo isolated",
                    null))
            .run();
    var br = r.backups().get(0);
    assertThat(br.restore().outputTail()).isEqualTo("isolated\n");
    assertThat(br.restore().exitCode()).isZero();
  }

  /**
   * A password the restore prints across the cut of its output's tail is redacted whole. Regression
   * (review of session 19): with 5,001 bytes before the password and 4,084 after, the 4 KB tail
   * began inside it, and 11 of its 12 characters ({@code 3storePwABC}) were in {@code outputTail}.
   */
  @Test
  void aPasswordPrintedAcrossTheTailsCutIsRedactedWhole() throws Exception {
    TestDatabases.recreatePgDatabase(PORT, "bk_cut");
    EndpointConfig backup =
        new EndpointConfig(url("bk_cut"), "postgres", "R3storePwABC", java.util.Map.of());
    for (int after = 4_070; after <= 4_100; after += 2) {
      AuditReport r =
          new BackupScenario()
              .primary("primary", endpoint("bk_primary"))
              .table(CONTACTS, "user_id", "updated_at")
              .backup(
                  backup,
                  new BackupConfig(
                      "backup",
                      AS_OF,
                      Duration.hours(2),
                      "head -c 5001 /dev/zero | tr '\\0' A; printf %s \"$PGPASSWORD\";"
                          + " head -c "
                          + after
                          + " /dev/zero | tr '\\0' B; echo; exit 1",
                      null))
              .run();
      String tail = r.backups().get(0).restore().outputTail();
      assertThat(tail).as("after " + after).startsWith("...").endsWith("B\n");
      assertThat(tail.length()).isLessThanOrEqualTo(4_096 + 3);
      for (int k = 3; k <= 12; k++) {
        assertThat(tail)
            .as("after " + after)
            .doesNotContain("R3storePwABC".substring(12 - k))
            .doesNotContain("R3storePwABC".substring(0, k));
      }
    }
  }

  /**
   * Regression: with no usable copy (no replica, the only backup's restore failing) usersAtRisk was
   * 0, where every row then exists on the primary alone: all 200 users of both tables are at risk.
   * A backup that cannot be reached instead leaves the count unknown (not complete).
   */
  @Test
  void withNoUsableCopyEveryOwnerIsAtRisk() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-nocopy");
    Files.writeString(dir.resolve("users-9.dump"), "a dump");
    TestDatabases.recreatePgDatabase(PORT, "bk_nocopy");
    AuditReport r =
        new BackupScenario()
            .primary("primary", endpoint("bk_primary"))
            .table(CONTACTS, "user_id", "updated_at")
            .table(NOTES, "user_id", null)
            .backup(
                endpoint("bk_nocopy"),
                new BackupConfig("backup", AS_OF, Duration.hours(26), "exit 3", dir + "/*.dump"))
            .run();
    assertThat(r.backups().get(0).findings().get(0).kind()).isEqualTo("RESTORE_FAILED");
    assertThat(r.usersAtRisk()).isEqualTo(200);
    assertThat(r.usersAtRiskComplete()).isTrue();
    assertThat(r.usersAtRiskSample()).hasSize(100).startsWith("1", "2", "3").endsWith("100");
    assertThat(r.exitCode()).isEqualTo(1);

    AuditReport unreachable =
        new BackupScenario()
            .primary("primary", endpoint("bk_primary"))
            .table(CONTACTS, "user_id", "updated_at")
            .backup(
                new EndpointConfig(url("bk_no_such_database"), "postgres", "", java.util.Map.of()),
                new BackupConfig("backup", AS_OF, Duration.hours(26), null, null))
            .run();
    assertThat(unreachable.usersAtRiskComplete()).isFalse();
    assertThat(unreachable.exitCode()).isEqualTo(2);
  }

  /**
   * Regression (review 3 of session 27): the newest dump was of another database (its own bk_meta,
   * none of the audited tables). pg_restore --clean recreates only what a dump holds, so the tables
   * the previous drill restored stayed, were compared as this backup, and the audit was CONSISTENT
   * (exit 0, nobody at risk); into a fresh endpoint it failed (exit 2) with the backup "OK". Now
   * the drill failed to restore those tables: RESTORE_FAILED, not compared, every owner at risk.
   */
  @Test
  void aDumpThatHoldsNoneOfTheTablesFailsTheRestore() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-wrongdump");
    Files.copy(full, dir.resolve("users-1.dump"));
    BackupScenario.age(dir.resolve("users-1.dump"), java.time.Duration.ofHours(1));
    String restore =
        "pg_restore --clean --if-exists --no-owner -h {host} -p {port} -U {user}"
            + " -d {database} {newest}";
    BackupConfig drill =
        new BackupConfig("backup", AS_OF, Duration.hours(26), restore, dir + "/*.dump");
    TestDatabases.recreatePgDatabase(PORT, "bk_wrong");
    TestDatabases.recreatePgDatabase(PORT, "bk_wrong_fresh");
    AuditReport first = scenario("bk_replica_ok").backup(endpoint("bk_wrong"), drill).run();
    assertThat(first.backups().get(0).findings()).isEmpty();
    assertThat(first.backups().get(0).compared()).isTrue();

    TestDatabases.recreatePgDatabase(PORT, "bk_other");
    TestDatabases.execute(
        url("bk_other"),
        "CREATE TABLE bk_meta (taken_at timestamptz(6) NOT NULL)",
        "INSERT INTO bk_meta VALUES (clock_timestamp())",
        "CREATE TABLE other (id int PRIMARY KEY)");
    Path wrong = dir.resolve("users-2.dump");
    sh("pg_dump -Fc -h 127.0.0.1 -p " + PORT + " -U postgres -f " + wrong + " bk_other");

    for (String db : new String[] {"bk_wrong", "bk_wrong_fresh"}) {
      AuditReport r =
          new BackupScenario()
              .primary("primary", endpoint("bk_primary"))
              .table(CONTACTS, "user_id", "updated_at")
              .table(NOTES, "user_id", null)
              .backup(endpoint(db), drill)
              .run();
      var br = r.backups().get(0);
      assertThat(br.restore().exitCode()).as(db).isZero();
      // (the wrong dump is also much smaller than the good one)
      assertThat(br.findings().stream().map(f -> f.kind()))
          .as(db)
          .containsExactly("SHRUNK", "RESTORE_FAILED");
      assertThat(br.findings().get(1).message())
          .as(db)
          .contains(wrong.toString())
          .contains(
              db.equals("bk_wrong")
                  ? "did not restore public.bk_contacts, public.bk_notes"
                  : "left no table public.bk_contacts, public.bk_notes");
      assertThat(br.compared()).as(db).isFalse();
      assertThat(r.error()).as(db).isNull();
      // no replica and no restorable backup: every owner of both tables is at risk
      assertThat(r.usersAtRisk()).as(db).isEqualTo(200);
      assertThat(r.usersAtRiskComplete()).as(db).isTrue();
      assertThat(r.exitCode()).as(db).isEqualTo(1);
    }
  }

  /**
   * Regression: an asOf in the future (a local time read as UTC) was taken as the backup's time:
   * every row written since the real backup would have been a false MISSING. Refused now.
   */
  @Test
  void anAsOfInTheFutureIsAFindingAndTheBackupIsNotCompared() throws Exception {
    restoreInto("bk_future");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_future"),
                new BackupConfig(
                    "backup",
                    "SELECT max(taken_at) + interval '3 hours' FROM bk_meta",
                    Duration.hours(26),
                    null,
                    null))
            .run();
    var br = r.backups().get(0);
    assertThat(br.findings()).hasSize(1);
    assertThat(br.findings().get(0).kind()).isEqualTo("ASOF_FAILED");
    assertThat(br.findings().get(0).message())
        .startsWith("the asOf query on 'backup' returned ")
        .endsWith(", in the future (a time zone mistake?): not compared");
    assertThat(br.compared()).isFalse();
    assertThat(copy(r, CONTACTS, "backup").missing()).isZero();
    assertThat(r.exitCode()).isEqualTo(1);
  }

  /**
   * Restores that keep the tables are restores too. Regression (review 4 of session 27): a TRUNCATE
   * or DELETE before a data-only pg_restore was RESTORE_FAILED ("did not restore"), as only a
   * partitioned table's partitions had their files looked at. And an endpoint whose database the
   * drill itself creates could not be looked at before it, and a dump lacking a table passed as
   * restored (the audit then failed, exit 2).
   */
  @Test
  void dataOnlyRestoresPassAndADatabaseCreatedByTheDrillIsStillChecked() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-dataonly");
    Path data = dir.resolve("users-1.dump");
    sh(
        "pg_dump -Fc --data-only -t bk_contacts -t bk_notes -t bk_meta -h 127.0.0.1 -p "
            + PORT
            + " -U postgres -f "
            + data
            + " bk_primary");
    restoreInto("bk_dataonly");
    String connect = " -h {host} -p {port} -U {user} -d {database}";
    for (String clear :
        new String[] {
          "TRUNCATE bk_contacts, bk_notes, bk_meta",
          "DELETE FROM bk_contacts; DELETE FROM bk_notes; DELETE FROM bk_meta"
        }) {
      AuditReport r =
          scenario("bk_replica_ok")
              .backup(
                  endpoint("bk_dataonly"),
                  new BackupConfig(
                      "backup",
                      AS_OF,
                      Duration.hours(26),
                      "psql -X -q"
                          + connect
                          + " -c '"
                          + clear
                          + "' && pg_restore --no-owner --data-only"
                          + connect
                          + " {newest}",
                      dir + "/*.dump"))
              .run();
      var br = r.backups().get(0);
      assertThat(br.restore().exitCode()).as(clear + br.restore().outputTail()).isZero();
      assertThat(br.findings()).as(clear).isEmpty();
      assertThat(br.compared()).as(clear).isTrue();
    }

    Path lacking = BackupScenario.dir("bk-pg-lacking").resolve("users-1.dump");
    sh(
        "pg_dump -Fc -t bk_contacts -t bk_meta -h 127.0.0.1 -p "
            + PORT
            + " -U postgres -f "
            + lacking
            + " bk_primary");
    TestDatabases.execute(url("postgres"), "DROP DATABASE IF EXISTS bk_created WITH (FORCE)");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_created"),
                new BackupConfig(
                    "backup",
                    AS_OF,
                    Duration.hours(26),
                    "createdb -h {host} -p {port} -U {user} {database} && pg_restore --no-owner"
                        + connect
                        + " {newest}",
                    lacking.getParent() + "/*.dump"))
            .run();
    var br = r.backups().get(0);
    assertThat(br.restore().exitCode()).isZero();
    assertThat(br.findings()).hasSize(1);
    assertThat(br.findings().get(0).kind()).isEqualTo("RESTORE_FAILED");
    assertThat(br.findings().get(0).message()).contains("left no table public.bk_notes:");
    assertThat(r.error()).isNull();
    assertThat(r.exitCode()).isEqualTo(1);
    TestDatabases.execute(url("postgres"), "DROP DATABASE IF EXISTS bk_created WITH (FORCE)");
  }

  /**
   * Regression (review 3 of session 27): an asOf query returning several rows was read from the
   * first the server returned (an older or a newer time, at random): a finding now.
   */
  @Test
  void anAsOfOfSeveralRowsIsAFinding() throws Exception {
    restoreInto("bk_asof_rows");
    TestDatabases.execute(
        url("bk_asof_rows"), "INSERT INTO bk_meta VALUES (clock_timestamp() - interval '1 hour')");
    // the first row NULL or not (review 4 of session 27: NULL first was MISSING_BACKUP)
    for (String q :
        new String[] {
          "SELECT taken_at FROM bk_meta",
          "SELECT NULL::timestamptz UNION ALL SELECT max(taken_at) FROM bk_meta"
        }) {
      AuditReport r =
          scenario("bk_replica_ok")
              .backup(
                  endpoint("bk_asof_rows"),
                  new BackupConfig("backup", q, Duration.hours(26), null, null))
              .run();
      var br = r.backups().get(0);
      assertThat(br.findings()).as(q).hasSize(1);
      assertThat(br.findings().get(0).kind()).isEqualTo("ASOF_FAILED");
      assertThat(br.findings().get(0).message())
          .isEqualTo(
              "the asOf query on 'backup' returned more than one row: it must return one value"
                  + " (e.g. SELECT max(taken_at) FROM ...); not compared");
      assertThat(br.compared()).isFalse();
      assertThat(r.exitCode()).isEqualTo(1);
    }
  }

  /**
   * A backup time a little after the audit's start (within the clock skew allowed) is 0 seconds
   * old. Regression (review 1 of session 20): {@code asOf: SELECT now()} gave {@code ageSeconds}
   * -1.
   */
  @Test
  void aBackupTakenAfterTheAuditBeganIsNoSecondsOld() throws Exception {
    restoreInto("bk_now");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_now"),
                new BackupConfig(
                    "backup",
                    "SELECT now() + interval '90 seconds'",
                    Duration.hours(26),
                    null,
                    null))
            .run();
    var br = r.backups().get(0);
    assertThat(br.findings()).isEmpty();
    assertThat(br.ageSeconds()).isZero();
  }

  /** A pg_dump directory-format dump (-Fd) is found and restored (it was MISSING_BACKUP). */
  @Test
  void aDirectoryFormatDumpIsRestoredAndCompared() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-fd");
    restoreInto("bk_fd_src");
    sh(
        "pg_dump -Fd -h 127.0.0.1 -p "
            + PORT
            + " -U postgres -f "
            + dir.resolve("users-1.dir")
            + " bk_fd_src");
    TestDatabases.recreatePgDatabase(PORT, "bk_fd");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_fd"),
                new BackupConfig(
                    "backup",
                    AS_OF,
                    Duration.hours(2),
                    "pg_restore --clean --if-exists --no-owner -h {host} -p {port} -U {user}"
                        + " -d {database} {newest}",
                    dir + "/users-*"))
            .run();
    var br = r.backups().get(0);
    assertThat(br.findings()).isEmpty();
    assertThat(br.newestFile()).isEqualTo(dir.resolve("users-1.dir").toString());
    assertThat(br.restore().exitCode()).as(br.restore().outputTail()).isZero();
    assertThat(br.asOf()).isEqualTo(takenAt.toString());
    var b = copy(r, CONTACTS, "backup");
    assertThat(b.missing() + b.changed()).isZero();
    assertThat(b.inFlight()).isEqualTo(50);
    assertThat(b.deletedSinceBackup()).isEqualTo(15);
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void aFailingRestoreIsAFindingWithItsOutputAndTheBackupIsNotCompared() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-bad");
    Files.writeString(dir.resolve("users-3.dump"), "this is not a dump\n");
    TestDatabases.recreatePgDatabase(PORT, "bk_bad");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_bad"),
                new BackupConfig(
                    "backup",
                    AS_OF,
                    Duration.hours(26),
                    "pg_restore -h {host} -p {port} -U {user} -d {database} {newest}",
                    dir + "/*.dump"))
            .run();
    assertThat(r.error()).isNull();
    var br = r.backups().get(0);
    assertThat(br.restore().exitCode()).isEqualTo(1);
    assertThat(br.restore().outputTail())
        .contains("pg_restore: error: input file does not appear to be a valid archive");
    assertThat(br.findings()).hasSize(1);
    assertThat(br.findings().get(0).kind()).isEqualTo("RESTORE_FAILED");
    assertThat(br.findings().get(0).message())
        .startsWith("restore of " + dir.resolve("users-3.dump") + " exited with 1 after ")
        .endsWith(
            "ms: pg_restore: error: input file does not appear to be a valid archive (too short?)");
    assertThat(br.compared()).isFalse();
    assertThat(copy(r, CONTACTS, "backup").note()).startsWith("not compared: restore of ");
    assertThat(r.status()).isEqualTo(Status.FINDINGS);
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void aRestoreThatOutrunsItsTimeIsKilledAndAFinding() throws Exception {
    Path dir = BackupScenario.dir("bk-pg-slow");
    Files.copy(full, dir.resolve("users-2.dump"));
    TestDatabases.recreatePgDatabase(PORT, "bk_slow");
    AuditReport r =
        scenario("bk_replica_ok")
            .backup(
                endpoint("bk_slow"),
                new BackupConfig(
                    "backup",
                    AS_OF,
                    Duration.hours(26),
                    "echo restoring {newest}; sleep 30",
                    dir + "/*.dump",
                    Duration.seconds(1),
                    null))
            .run();
    var br = r.backups().get(0);
    assertThat(br.restore().timedOut()).isTrue();
    assertThat(br.restore().durationMs()).isBetween(900L, 9000L);
    assertThat(br.findings().get(0).kind()).isEqualTo("RESTORE_FAILED");
    assertThat(br.findings().get(0).message())
        .startsWith(
            "restore of "
                + dir.resolve("users-2.dump")
                + " timed out after 1s: restoring "
                + dir.resolve("users-2.dump"));
    assertThat(r.exitCode()).isEqualTo(1);
  }
}
