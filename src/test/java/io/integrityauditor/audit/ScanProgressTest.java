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
  /**
   * Table t of 3,001 identical rows on a PostgreSQL primary, a MariaDB copy c (hashed in the JVM)
   * and a PostgreSQL copy pc (record hash): two scans of the primary.
   */
  private static AuditFixture twoFlavours(String name) throws Exception {
    String rows = "INSERT INTO t SELECT g, g % 7, 'v' || g FROM generate_series(1, 3001) g";
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            name,
            List.of("CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)", rows),
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)",
                "INSERT INTO t SELECT seq, seq % 7, CONCAT('v', seq) FROM seq_1_to_3001"));
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, name + "_pc");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, name + "_pc"),
        "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, v text)",
        rows);
    return f.replica("pc", TestDatabases.pgEndpoint(port, name + "_pc"));
  }

  @Test
  void aTableScannedInTwoFlavoursCountsItsRowsOnce() throws Exception {
    AuditFixture f = twoFlavours("scanprog");
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

  /**
   * A run resumed inside such a table counts the rows its interrupted attempt compared once: each
   * scan's share. Regression: the service added every scan's checkpointed rows when the run
   * resumed, so a table whose first scan had completed and whose second was part done started at
   * more than its rows.
   */
  @Test
  void aResumedTableScannedInTwoFlavoursCountsItsRowsOnce() throws Exception {
    AuditFixture f = twoFlavours("scanres");
    // The first attempt, every checkpoint kept by scan.
    java.util.Map<String, List<io.integrityauditor.engine.ScanState>> states =
        new java.util.LinkedHashMap<>();
    AuditService.Checkpoints recording =
        new AuditService.Checkpoints() {
          @Override
          public AuditService.TableCheckpoint completed(String table) {
            return null;
          }

          @Override
          public void tableDone(AuditService.TableCheckpoint checkpoint) {}

          @Override
          public void partialReached(
              String table, String scan, io.integrityauditor.engine.ScanState state) {
            states.computeIfAbsent(scan, k -> new java.util.ArrayList<>()).add(state);
          }

          @Override
          public java.time.Duration partialInterval() {
            return java.time.Duration.ZERO;
          }
        };
    f.run(AuditFixture.TINY_CHUNKS, null, AuditService.Progress.NONE, recording);
    assertThat(states).hasSize(2);
    List<String> scans = new java.util.ArrayList<>(states.keySet());
    io.integrityauditor.engine.ScanState first =
        states.get(scans.get(0)).get(states.get(scans.get(0)).size() - 1);
    assertThat(first.done()).isTrue();
    io.integrityauditor.engine.ScanState half = null;
    for (io.integrityauditor.engine.ScanState st : states.get(scans.get(1))) {
      if (!st.done() && st.upTo() != null && st.rowsScanned() > 0 && st.rowsScanned() < 3001) {
        half = st;
        break;
      }
    }
    assertThat(half)
        .as(
            "a checkpoint inside the second scan: %s",
            states.get(scans.get(1)).stream().map(x -> x.rowsScanned() + "/" + x.done()).toList())
        .isNotNull();
    io.integrityauditor.engine.ScanState resumeSecond = half;
    // The second attempt: the first scan completed, the second resumes half-way.
    AtomicLong counted = new AtomicLong();
    AuditReport r =
        f.run(
            AuditFixture.TINY_CHUNKS,
            null,
            new AuditService.Progress() {
              @Override
              public void tableStarted(String table, long estimatedRows) {}

              @Override
              public void chunkScanned(String table, long n, long elapsedNanos) {
                counted.addAndGet(n);
              }

              @Override
              public void resumed(String table, long n) {
                counted.addAndGet(n);
              }
            },
            new AuditService.Checkpoints() {
              @Override
              public AuditService.TableCheckpoint completed(String table) {
                return null;
              }

              @Override
              public void tableDone(AuditService.TableCheckpoint checkpoint) {}

              @Override
              public io.integrityauditor.engine.ScanState partial(String table, String scan) {
                return scan.equals(scans.get(0))
                    ? first
                    : scan.equals(scans.get(1)) ? resumeSecond : null;
              }
            });
    assertThat(r.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(r.tables().get(0).rowsChecked()).isEqualTo(3001);
    assertThat(counted.get()).isBetween(3000L, 3001L);
  }
}
