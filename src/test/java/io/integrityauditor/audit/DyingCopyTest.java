package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A copy whose sessions die mid-audit fails alone; the other copy is still compared. */
class DyingCopyTest {
  static final int ROWS = 400_000;

  @Test
  void aCopyKilledMidAuditIsFailedAndTheOthersComplete() throws Exception {
    int pg = TestDatabases.PG_PRIMARY_PORT;
    String primary = TestDatabases.pgUrl(pg, "app");
    TestDatabases.recreatePgDatabase(pg, "app_copy2");
    String ddl =
        "CREATE TABLE kill_contacts (id bigint PRIMARY KEY, user_id int NOT NULL, email text)";
    String load =
        "INSERT INTO kill_contacts SELECT g, g % 100, 'u' || g || '@example.com'"
            + " FROM generate_series(1, "
            + ROWS
            + ") g";
    for (String url : new String[] {primary, TestDatabases.pgUrl(pg, "app_copy2")}) {
      try (Connection c = TestDatabases.admin(url);
          Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS kill_contacts");
        s.execute(ddl);
        s.execute(load);
      }
    }
    ReplicaTopologyTest.waitForStandby(
        primary, TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "app"));
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(pg, "app"))
            .replica("standby", TestDatabases.pgEndpoint(TestDatabases.PG_STANDBY_PORT, "app"))
            .replica("copy2", TestDatabases.pgEndpoint(pg, "app_copy2"))
            .table("kill_contacts", "user_id");
    // Small chunks so the audit is surely still running when the standby's sessions die.
    CompareSettings slow =
        CompareSettings.defaults()
            .withChunkTarget(java.time.Duration.ofMillis(2))
            .withChunkRows(1000, 1000, 1000);
    CompletableFuture<AuditReport> audit = CompletableFuture.supplyAsync(() -> f.run(slow));
    String standby = TestDatabases.pgUrl(TestDatabases.PG_STANDBY_PORT, "postgres");
    int killed = 0;
    long deadline = System.currentTimeMillis() + 20_000;
    // Keep killing the standby's auditor sessions until the audit ends: whichever phase it is in
    // (replication check, catalog, chunk digests, locating), that copy loses its sessions.
    while (System.currentTimeMillis() < deadline && !audit.isDone()) {
      try (Connection c = TestDatabases.admin(standby);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      + " WHERE application_name = 'integrity-auditor' AND datname = 'app'")) {
        rs.next();
        killed += rs.getInt(1);
      }
      Thread.sleep(10);
    }
    assertThat(killed).as("standby sessions terminated mid-audit").isPositive();
    AuditReport r = audit.get();
    assertThat(r.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(r.exitCode()).isEqualTo(2);
    AuditReport.CopyReport dead = AuditFixture.copy(r, "kill_contacts", "standby");
    assertThat(dead.status()).isEqualTo(AuditReport.Status.FAILED);
    // The driver words it by when the session died: mid-query or between queries.
    assertThat(dead.error())
        .containsAnyOf("terminating connection", "I/O error", "connection has been closed");
    AuditReport.CopyReport alive = AuditFixture.copy(r, "kill_contacts", "copy2");
    assertThat(alive.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(alive.error()).isNull();
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(ROWS);
  }
}
