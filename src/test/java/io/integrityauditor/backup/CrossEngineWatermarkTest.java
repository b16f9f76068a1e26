package io.integrityauditor.backup;

import static io.integrityauditor.backup.BackupScenario.copy;
import static io.integrityauditor.backup.BackupScenario.findings;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.EndpointConfig;
import org.junit.jupiter.api.Test;

/**
 * A backup in another engine is compared with rows hashed in the JVM, where the watermark is bound
 * as a time: against an updatedAt of whole seconds it is cut to whole seconds, as the column holds
 * a write's time. Before, a row written 0.1 - 0.4 s after a backup taken at 12:00:00.3 held
 * 12:00:00 (MariaDB cuts, PostgreSQL rounds) and read as written before it: a false CHANGED.
 */
class CrossEngineWatermarkTest {
  private static final int PG = TestDatabases.PG_PRIMARY_PORT;
  private static final int MARIA = TestDatabases.MARIADB_PRIMARY_PORT;
  private static final BackupConfig TAKEN_AT_12_00_00_3 =
      new BackupConfig(
          "backup", "SELECT '2026-01-01 12:00:00.300000'", Duration.days(100000), null, null);

  private static final String ROWS = "INSERT INTO t VALUES (%d, %d, 'v', '2026-01-01 11:00:00')";

  /** The table and its rows; on MariaDB unlogged, as the test databases are not replicated. */
  private static String[] table(boolean maria, String timestampType, String... more) {
    java.util.List<String> sql = new java.util.ArrayList<>();
    if (maria) {
      sql.add("SET SESSION sql_log_bin = 0");
    }
    sql.add(
        "CREATE TABLE t (id bigint PRIMARY KEY, user_id bigint NOT NULL, v varchar(20),"
            + " updated_at "
            + timestampType
            + " NOT NULL)");
    for (int i = 1; i <= 20; i++) {
      sql.add(String.format(ROWS, i, i % 5));
    }
    sql.addAll(java.util.List.of(more));
    return sql.toArray(String[]::new);
  }

  private static AuditReport audit(EndpointConfig primary, EndpointConfig backup) {
    return new BackupScenario()
        .primary("primary", primary)
        .table("t", "user_id", "updated_at")
        .backup(backup, TAKEN_AT_12_00_00_3)
        .run();
  }

  @Test
  void aMariaDbPrimaryWithWholeSecondsAgainstAPostgresBackup() throws Exception {
    TestDatabases.recreateMariaDatabase(MARIA, "cew_p");
    TestDatabases.execute(
        TestDatabases.mariaUrl(MARIA, "cew_p"),
        table(
            true,
            "datetime",
            // written at 12:00:00.7, after the backup: held as 12:00:00
            "UPDATE t SET v = 'after', updated_at = '2026-01-01 12:00:00.7' WHERE id = 1",
            "UPDATE t SET v = 'before', updated_at = '2026-01-01 11:59:59' WHERE id = 2"));
    TestDatabases.recreatePgDatabase(PG, "cew_b");
    TestDatabases.execute(TestDatabases.pgUrl(PG, "cew_b"), table(false, "timestamp(0)"));

    AuditReport r =
        audit(TestDatabases.mariaEndpoint(MARIA, "cew_p"), TestDatabases.pgEndpoint(PG, "cew_b"));
    assertThat(r.error()).isNull();
    assertThat(findings(r, "t", "backup")).containsExactly("CHANGED 2");
    assertThat(copy(r, "t", "backup").inFlight()).isEqualTo(1);
  }

  @Test
  void aPostgresPrimaryWithWholeSecondsAgainstAMariaDbBackup() throws Exception {
    TestDatabases.recreatePgDatabase(PG, "cew_p");
    TestDatabases.execute(
        TestDatabases.pgUrl(PG, "cew_p"),
        table(
            false,
            "timestamp(0)",
            // written at 12:00:00.4, after the backup: rounded to 12:00:00
            "UPDATE t SET v = 'after', updated_at = '2026-01-01 12:00:00.4' WHERE id = 1",
            "UPDATE t SET v = 'before', updated_at = '2026-01-01 11:59:59' WHERE id = 2"));
    TestDatabases.recreateMariaDatabase(MARIA, "cew_b");
    TestDatabases.execute(TestDatabases.mariaUrl(MARIA, "cew_b"), table(true, "datetime"));

    AuditReport r =
        audit(TestDatabases.pgEndpoint(PG, "cew_p"), TestDatabases.mariaEndpoint(MARIA, "cew_b"));
    assertThat(r.error()).isNull();
    assertThat(findings(r, "t", "backup")).containsExactly("CHANGED 2");
    assertThat(copy(r, "t", "backup").inFlight()).isEqualTo(1);
  }
}
