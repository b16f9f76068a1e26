package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.integrityauditor.TestDatabases;
import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.EndpointConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A backup restored into another engine (H2) than the primary (PostgreSQL): rows are hashed in the
 * JVM, and the backup's time is still bound as a time against the primary's updatedAt.
 */
class BackupCrossEngineTest {
  @Test
  void aBackupOnAnotherEngineIsComparedAsOfItsTime() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "bk_xprimary");
    String p = TestDatabases.pgUrl(port, "bk_xprimary");
    String h2 = "jdbc:h2:mem:bk_cross;DB_CLOSE_DELAY=-1";
    String table =
        "CREATE TABLE bk_events (id bigint PRIMARY KEY, user_id bigint NOT NULL,"
            + " title varchar(100), updated_at timestamp(6) NOT NULL)";
    TestDatabases.execute(
        p,
        table,
        "INSERT INTO bk_events SELECT g, g % 10, 'event ' || g,"
            + " TIMESTAMP '2026-01-01 00:00:00' + g * interval '1 second'"
            + " FROM generate_series(1, 100) g");
    try (Connection c = DriverManager.getConnection(h2, "sa", "");
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bk_events");
      s.execute(table);
      for (int g = 1; g <= 100; g++) {
        if (g != 5) { // lost by the backup, written long before it
          s.execute(
              "INSERT INTO bk_events VALUES ("
                  + g
                  + ", "
                  + g % 10
                  + ", 'event "
                  + g
                  + "', TIMESTAMP '2026-01-01 00:00:00' + INTERVAL '"
                  + g
                  + "' SECOND)");
        }
      }
    }
    // The backup was taken at 00:01:00.5; the primary wrote 10 rows and changed one later.
    TestDatabases.execute(
        p,
        "INSERT INTO bk_events SELECT g, g % 10, 'late', TIMESTAMP '2026-01-01 00:01:00.5'"
            + " + g * interval '1 ms' FROM generate_series(101, 110) g",
        "UPDATE bk_events SET title = 'renamed', updated_at = TIMESTAMP '2026-01-01 00:01:00.5'"
            + " WHERE id = 7");
    AuditReport r =
        new BackupScenario()
            .primary("primary", TestDatabases.pgEndpoint(port, "bk_xprimary"))
            .table("public.bk_events", "user_id", "updated_at")
            .backup(
                new EndpointConfig(h2, "sa", null, Map.of()),
                new BackupConfig(
                    "backup",
                    "SELECT TIMESTAMP '2026-01-01 00:01:00.5'",
                    Duration.days(100_000),
                    null,
                    null))
            .run();
    assertThat(r.error()).isNull();
    var b = BackupScenario.copy(r, "public.bk_events", "backup");
    assertThat(b.hashing()).isEqualTo("JVM");
    assertThat(BackupScenario.findings(r, "public.bk_events", "backup"))
        .containsExactly("MISSING 5");
    assertThat(b.inFlight()).isEqualTo(11); // 10 inserted at or after the backup's time, 1 updated
    // No replica: the backup alone decides: 5 (user 5), 7 (user 7), 101-110 (users 0-9).
    assertThat(r.usersAtRisk()).isEqualTo(10);
  }
}
