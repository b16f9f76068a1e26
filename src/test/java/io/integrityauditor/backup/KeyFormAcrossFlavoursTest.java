package io.integrityauditor.backup;

import static io.integrityauditor.backup.BackupScenario.copy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.TableConfig;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Regression (review, PostgreSQL 15): users at risk intersect the keys of the rows every copy lost,
 * and copies hashed by different flavours read the same key in different forms. A replica hashed in
 * SQL read a timestamptz key as {@code 2026-01-01 00:00:03.123456+00}, a backup hashed in the JVM
 * (its database in another encoding, or on MariaDB) as {@code 2026-01-01T00:00:03.123456}: the row
 * both lost matched no key, and user 4, whose change only the primary holds, was not at risk.
 */
class KeyFormAcrossFlavoursTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;
  private static final int MARIA = TestDatabases.MARIADB_PRIMARY_PORT;
  private static final String TABLE = "wtb_rv1_t";
  // Written two days ago, the same instant in every database (UTC, whole seconds).
  private static final String WRITTEN =
      java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)
          .minusDays(2)
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
          .toString()
          .replace('T', ' ');
  private static final String ROWS =
      "SELECT g % 10 + 1, timestamptz '2026-01-01 00:00:00.123456+00' + g * interval '1 second',"
          + " 'v' || g, timestamptz '"
          + WRITTEN
          + "+00' FROM generate_series(1, 500) g";

  private static String pg(String db) {
    return TestDatabases.pgUrl(PG, db);
  }

  /** The primary and a replica (an independent database with the rows as they were). */
  private static void primaryAndReplica() throws Exception {
    for (String db : List.of("wtb_kf_primary", "wtb_kf_replica")) {
      TestDatabases.recreatePgDatabase(PG, db);
      TestDatabases.execute(
          pg(db),
          "CREATE TABLE "
              + TABLE
              + " (user_id int, ts timestamptz, v text, updated_at timestamptz NOT NULL,"
              + " PRIMARY KEY (user_id, ts))",
          "INSERT INTO " + TABLE + " " + ROWS);
    }
  }

  /** The primary changes one row of user 4, before the backup's time: no copy holds it. */
  private static void primaryChangesUser4() throws Exception {
    TestDatabases.execute(
        pg("wtb_kf_primary"),
        "UPDATE "
            + TABLE
            + " SET v = 'changed', updated_at = now() - interval '3 hours'"
            + " WHERE user_id = 4 AND ts = '2026-01-01 00:00:03.123456+00'");
  }

  private static AuditReport audit(io.integrityauditor.config.EndpointConfig backup) {
    return new BackupScenario()
        .primary("primary", TestDatabases.pgEndpoint(PG, "wtb_kf_primary"))
        .replica("replica", TestDatabases.pgEndpoint(PG, "wtb_kf_replica"))
        .table(new TableConfig(TABLE, null, "user_id", "updated_at", List.of()))
        .backup(
            backup,
            new BackupConfig(
                "backup", "SELECT max(taken_at) FROM wtb_meta", Duration.days(1), null, null))
        .run();
  }

  /** Both copies lost the changed row, report it under one key, and user 4 is at risk. */
  private static void user4AtRiskUnderOneKey(AuditReport r) throws Exception {
    assertThat(r.error()).isNull();
    String table = TABLE;
    var replica = copy(r, table, "replica");
    var backup = copy(r, table, "backup");
    assertThat(replica.hashing()).isEqualTo("NATIVE");
    assertThat(backup.hashing()).isEqualTo("JVM");
    assertThat(replica.findings()).hasSize(1);
    assertThat(backup.findings()).hasSize(1);
    var onReplica = replica.findings().get(0);
    var onBackup = backup.findings().get(0);
    assertThat(onReplica.kind()).isEqualTo("CHANGED");
    assertThat(onBackup.kind()).isEqualTo("CHANGED");
    assertThat(r.usersAtRisk()).isEqualTo(1);
    assertThat(r.usersAtRiskSample()).containsExactly("4");
    ObjectMapper json = Jackson.newObjectMapper();
    assertThat(json.writeValueAsString(onBackup.key()))
        .isEqualTo(json.writeValueAsString(onReplica.key()))
        .isEqualTo("{\"user_id\":4,\"ts\":\"2026-01-01 00:00:03.123456\"}");
    assertThat(onReplica.key())
        .isEqualTo(Map.of("user_id", 4L, "ts", "2026-01-01 00:00:03.123456"));
  }

  /** The reviewer's repro: the backup's database is SQL_ASCII, so it is hashed in the JVM. */
  @Test
  void aReplicaHashedInSqlAndABackupHashedInTheJvmAgreeOnTheLostRow() throws Exception {
    primaryAndReplica();
    try (Connection c = TestDatabases.admin(pg("postgres"));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS wtb_kf_backup WITH (FORCE)");
      s.execute(
          "CREATE DATABASE wtb_kf_backup TEMPLATE template0 ENCODING 'SQL_ASCII'"
              + " LC_COLLATE 'C' LC_CTYPE 'C'");
    }
    TestDatabases.execute(
        pg("wtb_kf_backup"),
        "CREATE TABLE "
            + TABLE
            + " (user_id int, ts timestamptz, v text, updated_at timestamptz NOT NULL,"
            + " PRIMARY KEY (user_id, ts))",
        "INSERT INTO " + TABLE + " " + ROWS,
        "CREATE TABLE wtb_meta (taken_at timestamptz NOT NULL)",
        "INSERT INTO wtb_meta VALUES (now() - interval '1 hour')");
    primaryChangesUser4();

    user4AtRiskUnderOneKey(audit(TestDatabases.pgEndpoint(PG, "wtb_kf_backup")));
  }

  /** The same with the backup restored into MariaDB (DATETIME(6) holding the UTC times). */
  @Test
  void aBackupOnMariaDbAgreesWithAReplicaHashedInSql() throws Exception {
    primaryAndReplica();
    TestDatabases.recreateMariaDatabase(MARIA, "wtb_kf_maria");
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MARIA, "wtb_kf_maria"));
        Statement s = c.createStatement()) {
      s.execute("SET time_zone = '+00:00'");
      s.execute(
          "CREATE TABLE "
              + TABLE
              + " (user_id int, ts datetime(6), v text, updated_at datetime(6) NOT NULL,"
              + " PRIMARY KEY (user_id, ts))");
      s.execute(
          "INSERT INTO "
              + TABLE
              + " SELECT seq % 10 + 1, TIMESTAMP '2026-01-01 00:00:00.123456'"
              + " + INTERVAL seq SECOND, CONCAT('v', seq), TIMESTAMP '"
              + WRITTEN
              + "'"
              + " FROM seq_1_to_500");
      s.execute("CREATE TABLE wtb_meta (taken_at datetime(6) NOT NULL)");
      s.execute("INSERT INTO wtb_meta VALUES (UTC_TIMESTAMP(6) - INTERVAL 1 HOUR)");
    }
    primaryChangesUser4();

    user4AtRiskUnderOneKey(audit(TestDatabases.mariaEndpoint(MARIA, "wtb_kf_maria")));
  }

  @AfterAll
  static void dropDatabases() throws Exception {
    try (Connection c = TestDatabases.admin(pg("postgres"));
        Statement s = c.createStatement()) {
      for (String db : List.of("wtb_kf_primary", "wtb_kf_replica", "wtb_kf_backup")) {
        s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    }
    try (Connection c = TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MARIA, ""));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS wtb_kf_maria");
    }
  }
}
