package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Regression: a table with a PostgreSQL and a MariaDB copy is scanned twice on the primary (once
 * per hashing flavour), and each scan's rows went into the run's progress: twice the table's rows,
 * {@code chunksDone = chunksTotal} and an ETA of 0 with half the work to go, and a run history of
 * 800,000 rows checked for a 400,000-row table. Each scan now counts its share.
 */
class ScanProgressTest {
  @Test
  void aTableScannedInTwoFlavoursCountsItsRowsOnce() throws Exception {
    String rows = "INSERT INTO t SELECT g, g % 7, 'v' || g FROM generate_series(1, 3001) g";
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "scanprog",
            List.of("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)", rows),
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)",
                "INSERT INTO t SELECT seq, seq % 7, CONCAT('v', seq) FROM seq_1_to_3001"));
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "scanprog_pc");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "scanprog_pc"),
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)",
        rows);
    f.replica("pc", TestDatabases.pgEndpoint(port, "scanprog_pc"));
    AtomicLong counted = new AtomicLong();
    AuditReport r =
        f.run(
            CompareSettings.defaults(),
            null,
            new AuditService.Progress() {
              @Override
              public void tableStarted(String table, long estimatedRows) {}

              @Override
              public void chunkScanned(String table, long n, long elapsedNanos) {
                counted.addAndGet(n);
              }
            },
            AuditService.Checkpoints.NONE);
    assertThat(AuditFixture.copy(r, "t", "c").hashing()).isEqualTo("JVM");
    assertThat(AuditFixture.copy(r, "t", "pc").hashing()).isEqualTo("NATIVE");
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(counted.get()).isBetween(3000L, 3001L);
  }
}
